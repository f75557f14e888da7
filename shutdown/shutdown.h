/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /run/initramfs/shutdown: the last program of a live system. systemd-shutdown pivots
 * into /run/initramfs (the old root at /oldroot) and execs it with the verb; it takes
 * apart what /init built (union, branches, layers, medium, loop devices), syncs,
 * ejects the CD and calls reboot(2).
 */
#ifndef LIVE_SHUTDOWN_H
#define LIVE_SHUTDOWN_H

#include <stdbool.h>
#include <stddef.h>

#define SD_MAX_LOOPS	64

struct mnt_list;
#define SD_PATH		256

struct sd_state {
	const char *old;		/* the old root: "/oldroot", or "" (we run on it) */
	/* from /run/live/status */
	char medium[64];		/* "/dev/sr0", "" */
	bool toram;			/* the layers were copied to RAM (medium released) */
	char persist[SD_PATH];		/* "none", "/dev/vdb", "/dev/sdb1:/persistence.img" */
	bool no_eject;			/* live.noeject or --no-eject */
	const char *no_eject_why;
	/* counters for the summary */
	unsigned unmounted, lazy, failed, frozen;
	bool killed;			/* kill.c ran (once at most) */
	/* the persistence filesystem (the mount at .../live/rw): an fd of its device,
	 * opened before the unmount to read its superblock afterwards */
	int rw_fd;
	char rw_src[SD_PATH];
	char rw_type[16];
	int rw_clean;			/* 1 clean, 0 not, -1 unknown (sd_persist_check) */
	bool rw_frozen;			/* busy: frozen (FIFREEZE) instead of unmounted */
	char rw_why[SD_PATH + 64];
	struct mnt_list *mounts;	/* umount.c: the mount table, read before each pass */
	/* loop devices bound when we started */
	int loops[SD_MAX_LOOPS];
	char loop_file[SD_MAX_LOOPS][128];
	bool loop_reported[SD_MAX_LOOPS];
	size_t nloops;
};

/* say.c: one line to the console and the kernel log, "livestack-shutdown: ..." */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say_setup(void);

/* umount.c */
int sd_unmount_all(struct sd_state *s);
void sd_remount_ro(struct sd_state *s);
/* The persistence branch is unmounted (or read-only): read its superblock into
 * rw_clean/rw_why and close the device (a loop device may then detach). */
void sd_persist_check(struct sd_state *s);

/* kill.c: a mount is busy. As PID 1 (nothing else is meant to run now): SIGTERM to the
 * leftover processes, up to 2 s, then SIGKILL, up to 2 s; once per run. Not PID 1: one
 * line saying they are left alone. Returns true when processes were ended. */
bool sd_kill_leftovers(struct sd_state *s);

/* loop.c */
void sd_loops_scan(struct sd_state *s);
/* LOOP_CLR_FD on the bound loop devices, highest number first; returns how many are
 * still bound. */
size_t sd_loops_detach(struct sd_state *s, bool verbose);
/* How many of the loop devices bound at start are free now. */
size_t sd_loops_freed(const struct sd_state *s);

#endif
