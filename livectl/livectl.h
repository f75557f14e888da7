/* SPDX-License-Identifier: GPL-2.0 */
/* livectl's shared declarations: exit codes, the status file, subcommands by file. */
#ifndef LIVECTL_H
#define LIVECTL_H

#include <stdbool.h>
#include <stddef.h>

#include "loopdev.h"

#include "runstatus.h"

/* Exit codes (docs/livectl.8). */
#define LIVECTL_OK		0
#define LIVECTL_EUSAGE		1
#define LIVECTL_EFAIL		2

/* main.c: the status file in use (LIVECTL_STATUS=, --status FILE, else /run/live/status) */
const char *livectl_status_path(void);
/* Load the status file; prints why on failure. 0 or -errno. */
int livectl_status_load(struct live_status *st);
/* Write it back atomically. 0 or -errno. */
int livectl_status_save(const struct live_status *st);
/* Print "livectl: MESSAGE" to stderr (and the kernel log when asked). */
void livectl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a change to the kernel log ("livestack: livectl: ..."), for the boot record. */
void livectl_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* status.c */
int status_cmd(int argc, char **argv);

/* timeline.c: status --timeline (svg NULL) or --svg FILE; an exit code */
int timeline_cmd(const struct live_status *st, const char *svg);

/* layer.c */
int layer_cmd(int argc, char **argv);

/* persist.c */
int persist_cmd(int argc, char **argv);
/* convert.c: persist convert --to aufs|overlay DIR (argv[0] = "convert") */
int convert_cmd(int argc, char **argv);

/* mounts.c: the union mounted on /, and its branches */
struct root_union {
	char type[32];		/* "aufs", "overlay", ... */
	char opts[4096];	/* its mount options as /proc/mounts shows them */
};
int mounts_root(struct root_union *ru);
/* Index of DIR among aufs' br: branches (0 = top), -1 when absent. *nrw counts the
 * leading writable branches (where "ins:" puts a layer on top of the read-only ones). */
int mounts_aufs_branch(const struct root_union *ru, const char *dir, int *nrw);
/* Is path a mount point (per /proc/self/mounts)? */
bool mounts_is_mountpoint(const char *path);
/* Explain why layer commands cannot work on this root; 0 when the root is aufs. */
int mounts_need_aufs(const struct root_union *ru, const char *what);

#endif
