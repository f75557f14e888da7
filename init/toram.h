/* SPDX-License-Identifier: GPL-2.0 */
/* Copy to RAM and verification: one read pass that copies and hashes (toram.c), the background swap (toram_bg.c). */
#ifndef LIVE_TORAM_H
#define LIVE_TORAM_H

#include <stdbool.h>
#include <stdint.h>

#include "live.h"
#include "sha256.h"

/* The tmpfs with the layers' copies: /run/live/toram/NN-name.squashfs (moved with /run). */
#define LIVE_TORAM_DIR		"/run/live/toram"
/* On the medium, beside the layers: "HEX  NN-name.squashfs" lines (sha256sum -c format). */
#define LIVE_SUMS_FILE		"SHA256SUMS"
/* RAM that must stay free after the copy, at least. */
#define TORAM_MARGIN_MIN	(64ULL << 20)
#define TORAM_BUF		(4U << 20)

enum toram_verdict { TORAM_UNCHECKED, TORAM_OK, TORAM_MISMATCH };

struct toram_layer {
	char name[64];
	char src[LIVE_PATH_MAX];	/* on the medium */
	char dst[LIVE_PATH_MAX];	/* in LIVE_TORAM_DIR */
	uint64_t size;
	bool have_sum;
	uint8_t want[SHA256_LEN], got[SHA256_LEN];
	enum toram_verdict verdict;
};

struct toram_job {
	struct toram_layer l[LIVE_MAX_LAYERS];
	size_t n;
	uint64_t total, done;
	uint64_t t0_ms, last_ms, elapsed_ms;
	bool quiet;			/* no progress, one line at the end */
	bool console;			/* any console output at all */
	const char *what;		/* "toram" or "verify" */
};

/* toram.c (toram_run, the phase, is in live.h) */
/* One pass over the layers: read, hash, and with copy write to ->dst. 0, or -errno with
 * why filled (a mismatch is not an error: see ->verdict). */
int toram_pass(struct toram_job *j, bool copy, char *why, size_t len);
/* The first layer whose sum does not match, or NULL. */
const struct toram_layer *toram_first_mismatch(const struct toram_job *j);
/* The recorded sums: SHA256SUMS in dir, else NN-name.squashfs.sha256 beside each ->src. */
void toram_load_sums(struct toram_job *j, const char *dir);
int toram_mount_tmpfs(const struct toram_job *j);
/* The layers of the medium's live.dir (dir: where they are) as a job copying to dst_dir. */
int toram_build_job(struct live_ctx *ctx, struct toram_job *j, char *dir, size_t dlen,
		    const char *dst_dir);
/* Layers are now read from "from": unmount the medium, eject a CD. */
void toram_release_medium(struct live_ctx *ctx, const char *from);
/* todisk.c: live.todisk= (Knoppix tohd=): the same copy onto a disk partition. */
int todisk_run(struct live_ctx *ctx);
void toram_eject(const char *dev);
/* Fill ctx->toram_status: "toram=STATE" then the verify.* and rate lines. */
void toram_set_status(struct live_ctx *ctx, const struct toram_job *j, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* toram_bg.c: fork the helper that copies after switch_root and swaps the aufs branches. */
int toram_background(struct live_ctx *ctx, struct toram_job *j);

#endif
