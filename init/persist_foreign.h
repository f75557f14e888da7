/* SPDX-License-Identifier: GPL-2.0 */
/* Which peer's persistence a filesystem holds (persist_foreign.c), for its tests and fuzzing. */
#ifndef LIVE_PERSIST_FOREIGN_H
#define LIVE_PERSIST_FOREIGN_H

#include "live.h"

struct foreign_layout {
	const char *format;		/* "livestack", "live-boot", ... */
	const char *native;		/* the union the peer itself uses, "" = any */
	char base[LIVE_PATH_MAX];	/* the directory holding the branch */
	char upper[LIVE_PATH_MAX];
	char work[LIVE_PATH_MAX];	/* "" = no place for overlayfs' workdir */
	bool root_union;		/* live-boot: "/ union" seen */
	bool scanned;			/* wh holds the scan of upper already */
	struct foreign_wh wh;
};

/*
 * The format of the persistence filesystem mounted on mnt (LIVE_RW_MNT at boot) and where
 * its branch is, from the boot line's implied format and the names and files found there:
 * 0, 1 when it has only live-boot bind lines (ctx->binds), or -errno with why filled.
 * Nothing is made or mounted.
 */
int foreign_find_layout(struct live_ctx *ctx, const char *mnt, struct foreign_layout *l,
			char *why, size_t len);

#endif
