// SPDX-License-Identifier: GPL-2.0
/* Shared cases: a directory whose lower child had many names removed (aufs moves such a child
 * away and empties it in the background, dirwh) is removed, or renamed over, right after the
 * child: the parent's removal must neither fail (ENOTEMPTY) nor race the background removal. */
#include "fsop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RACE_ROUNDS 12
#define RACE_FILES 400

/* second lower: rp<i>/rc/f000..  and rq<i>/rc/f000..  (parent, child with many names) */
static int build(void)
{
	char p[128];
	int i, j;

	for (i = 0; i < RACE_ROUNDS; i++) {
		for (j = 0; j < RACE_FILES; j++) {
			snprintf(p, sizeof(p), "%s/rp%d/rc", L2_DIR, i);
			if (mkdirs(p, 0755) < 0)
				return -1;
			snprintf(p, sizeof(p), "%s/rp%d/rc/f%03d", L2_DIR, i, j);
			if (put_str(p, "r\n") < 0)
				return -1;
		}
	}
	return 0;
}

/* unlink every name of rp<i>/rc through the union, then rmdir rc */
static int empty_child(int i)
{
	int j, bad = 0;

	for (j = 0; j < RACE_FILES; j++)
		bad |= EXP(0, unlink(pu("rp%d/rc/f%03d", i, j))) < 0;
	CHECK_LIST(pu("rp%d/rc", i), "");
	bad |= EXP(0, rmdir(pu("rp%d/rc", i))) < 0;
	return bad ? -1 : 0;
}

/* no name of the union may be left on the rw branch under rp<i> */
static void check_gone(int i)
{
	char *s;

	EXP(ENOENT, access(pu("rp%d", i), F_OK));
	s = list_dir(pu("."));
	if (s && strstr(s, ".wh."))
		FAIL("the union lists whiteouts: %s", s);
	free(s);
}

/*
 * RACE_ROUNDS rounds on a fresh union: prep(i) makes rp<i>'s child busy with whiteouts
 * and removes it, then remove(i) takes rp<i> away at once (rounds 0-3), then later and
 * later into the background removal. Returns the union's umount result.
 */
static int race_rounds(int (*prep)(int i), void (*remove)(int i))
{
	int i;

	if (build() < 0) {
		FAIL("fixture: %s", strerror(errno));
		return -1;
	}
	if (EXP(0, union_mount(NULL)) < 0)
		return -1;
	for (i = 0; i < RACE_ROUNDS; i++) {
		if (prep(i) < 0)
			continue;
		if (i >= 4)
			usleep((i - 3) * 700);
		remove(i);
		check_gone(i);
	}
	sleep(1);
	return EXP(0, union_umount());
}

static void rmdir_rp(int i)
{
	EXP(0, rmdir(pu("rp%d", i)));
}

/* rmdir of the parent right after (or a little after) the child */
static void rmdir_parent(void)
{
	int i;

	if (race_rounds(empty_child, rmdir_rp) < 0)
		return;
	/* the branch keeps no directory of the removed tree once the removal is done */
	for (i = 0; i < RACE_ROUNDS; i++) {
		struct stat st;

		if (lstat(pw("rp%d", i), &st) == 0 && S_ISDIR(st.st_mode))
			FAIL("the directory %s is left on the rw branch", pw("rp%d", i));
	}
}

static int new_and_empty_child(int i)
{
	if (EXP(0, mkdir(pu("new%d", i), 0700)) < 0)
		return -1;
	return empty_child(i);
}

static void rename_over_rp(int i)
{
	EXP(0, rename(pu("new%d", i), pu("rp%d", i)));
	CHECK_LIST(pu("rp%d", i), "");
	EXP(0, rmdir(pu("rp%d", i)));
}

/* rename of an empty dir over the parent right after the child */
static void rename_over_parent(void)
{
	race_rounds(new_and_empty_child, rename_over_rp);
}

const struct fcase race_cases[] = {
	{ "rmdir-parent-after-busy-child", rmdir_parent, F_NOMOUNT },
	{ "rename-over-parent-after-busy-child", rename_over_parent, F_NOMOUNT },
	{ NULL, NULL, 0 },
};
