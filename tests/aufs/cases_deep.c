// SPDX-License-Identifier: GPL-2.0
/* Shared cases: create, write, chmod, rename, unlink and mkdir at the bottom of directory
 * chains that exist only on a lower branch (100 and 1000 levels on the squashfs, and a chain
 * deeper than any absolute path can name, built in the second lower by a relative cd loop):
 * the copy-up of every ancestor must not exhaust the kernel stack, and the result is right. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

/* one chain: its top dir (in the union root), depth and the lower branch holding it */
struct chain {
	const char *top;
	int depth;
	const char *(*lower)(const char *fmt, ...);
};

static const struct chain chains[] = {
	{ "deep100", DEEP_SQ1, ps },
	{ "deep1000", DEEP_SQ2, ps },
	{ "deepl2", DEEP_L2, pl },
};

/* The second lower's chain: mkdir d; cd d, DEEP_L2 times, "deep\n" in f at the bottom. */
static int build_l2_chain(void)
{
	int i, err = 0;

	if (chdir(pl("deepl2")) < 0 && (mkdir(pl("deepl2"), DEEP_MODE) < 0 ||
					 chdir(pl("deepl2")) < 0))
		return -1;
	for (i = 0; i < DEEP_L2 && !err; i++)
		err = mkdir("d", DEEP_MODE) < 0 || chdir("d") < 0;
	if (!err)
		err = put_str("f", "deep\n") < 0;
	if (chdir("/") < 0)
		err = 1;
	return err ? -1 : 0;
}

/* chdir into the bottom of the chain below base; 0 or -1 (errno) */
static int cd_bottom(const char *base, int depth)
{
	int i;

	if (chdir(base) < 0)
		return -1;
	for (i = 0; i < depth; i++)
		if (chdir("d") < 0)
			return -1;
	return 0;
}

/* an O_PATH fd of the bottom of the chain below base, or -1 */
static int fd_bottom(const char *base, int depth)
{
	int fd = open(base, O_PATH | O_DIRECTORY), i;

	for (i = 0; i < depth && fd >= 0; i++) {
		int nfd = openat(fd, "d", O_PATH | O_DIRECTORY | O_NOFOLLOW);

		close(fd);
		fd = nfd;
	}
	return fd;
}

static int wh_at(int dirfd, const char *name)
{
	char p[256];
	struct stat st;

	if (C->aufs) {
		snprintf(p, sizeof(p), ".wh.%s", name);
		return fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	}
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == 0;
}

static char *read_at(int dirfd, const char *name)
{
	char *b = malloc(64);
	int fd = openat(dirfd, name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, 63);

	if (fd >= 0)
		close(fd);
	b[n < 0 ? 0 : n] = 0;
	return b;
}

#define CHECK_AT(fd, name, want) do { char *_s = read_at((fd), (name)); \
	if (strcmp(_s, (want))) FAIL("%s at depth %d holds \"%s\", expected \"%s\"", (name), \
				     ch->depth, _s, (want)); free(_s); } while (0)

enum deep_op { D_CREATE, D_WRITE, D_CHMOD, D_RENAME, D_UNLINK, D_MKDIR };

/* Run op at the bottom of ch (cwd there), then compare union, rw branch and lower. */
static void deep_one(const struct chain *ch, enum deep_op op)
{
	int up, lo, fd;
	struct stat st;

	if (EXP(0, cd_bottom(pu("%s", ch->top), ch->depth)) < 0) {
		FAIL("cannot cd to the bottom of %s (%d levels)", ch->top, ch->depth);
		return;
	}
	switch (op) {
	case D_CREATE:
		EXP(0, put_str("new", "new\n"));
		CHECK_STR("new", "new\n");
		CHECK_LIST(".", "f new");
		break;
	case D_WRITE:
		fd = EXP(0, open("f", O_WRONLY | O_APPEND));
		if (fd >= 0) {
			CHECK_EQ(write(fd, "more\n", 5), 5);
			EXP(0, close(fd));
		}
		CHECK_STR("f", "deep\nmore\n");
		break;
	case D_CHMOD:
		EXP(0, chmod("f", 0600));
		if (EXP(0, stat("f", &st)) == 0)
			CHECK_EQ(st.st_mode, S_IFREG | 0600);
		CHECK_STR("f", "deep\n");
		break;
	case D_RENAME:
		EXP(0, rename("f", "g"));
		EXP(ENOENT, access("f", F_OK));
		CHECK_STR("g", "deep\n");
		CHECK_LIST(".", "g");
		break;
	case D_UNLINK:
		EXP(0, unlink("f"));
		EXP(ENOENT, access("f", F_OK));
		CHECK_LIST(".", "");
		break;
	case D_MKDIR:
		EXP(0, mkdir("nd", 0700));
		if (EXP(0, stat("nd", &st)) == 0)
			CHECK_EQ(st.st_mode, S_IFDIR | 0700);
		CHECK_LIST(".", "f nd");
		EXP(0, put_str("nd/in", "in\n"));
		CHECK_STR("nd/in", "in\n");
		break;
	}
	/* the bottom dir itself: its mode came along */
	if (EXP(0, stat(".", &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | DEEP_MODE);
	if (chdir("/") < 0)
		FAIL("chdir /");

	/* the rw branch holds the whole chain, the lower is unchanged */
	up = fd_bottom(pw("%s", ch->top), ch->depth);
	lo = fd_bottom(ch->lower("%s", ch->top), ch->depth);
	if (up < 0 || lo < 0) {
		FAIL("%s: chain of %d levels: rw branch fd %d, lower fd %d", ch->top, ch->depth,
		     up, lo);
		goto out;
	}
	if (EXP(0, fstat(up, &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | DEEP_MODE);
	CHECK_AT(lo, "f", "deep\n");
	switch (op) {
	case D_CREATE:
		CHECK_AT(up, "new", "new\n");
		break;
	case D_WRITE:
		CHECK_AT(up, "f", "deep\nmore\n");
		break;
	case D_CHMOD:
		if (EXP(0, fstatat(up, "f", &st, 0)) == 0)
			CHECK_EQ(st.st_mode, S_IFREG | 0600);
		break;
	case D_RENAME:
		CHECK_AT(up, "g", "deep\n");
		CHECK(wh_at(up, "f"));
		break;
	case D_UNLINK:
		CHECK(wh_at(up, "f"));
		break;
	case D_MKDIR:
		CHECK_AT(up, "nd/in", "in\n");
		break;
	}
out:
	if (up >= 0)
		close(up);
	if (lo >= 0)
		close(lo);
}

static void deep_run(enum deep_op op)
{
	size_t i;

	if ((C->aufs || op == D_CREATE) && build_l2_chain() < 0) {
		FAIL("cannot build the %d-level chain in %s: %s", DEEP_L2, L2_DIR, strerror(errno));
		return;
	}
	if (EXP(0, union_mount(NULL)) < 0)
		return;
	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		struct timespec t0, t1;

		/* overlayfs (the reference) copies a chain up in quadratic time: the
		 * deepest chain once, for create */
		if (!C->aufs && chains[i].depth == DEEP_L2 && op != D_CREATE)
			continue;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		deep_one(&chains[i], op);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		note("%s: %d levels, %ld ms", chains[i].top, chains[i].depth,
		     (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
}

static void deep_create(void) { deep_run(D_CREATE); }
static void deep_write(void) { deep_run(D_WRITE); }
static void deep_chmod(void) { deep_run(D_CHMOD); }
static void deep_rename(void) { deep_run(D_RENAME); }
static void deep_unlink(void) { deep_run(D_UNLINK); }
static void deep_mkdir(void) { deep_run(D_MKDIR); }

/* aufs: a remount while the cwd is at the bottom of a chain: every ancestor's branch stack
 * is rebuilt at the next use (from the top down), then the chain is copied up */
static void deep_remount(void)
{
	const struct chain *ch = &chains[1];
	char o[256];

	if (EXP(0, union_mount(NULL)) < 0)
		return;
	if (EXP(0, cd_bottom(pu("%s", ch->top), ch->depth)) < 0)
		return;
	EXP(0, mkdir("/spare", 0755));
	snprintf(o, sizeof(o), "append:/spare=ro");
	EXP(0, mount("none", UNION, "aufs", MS_REMOUNT, o));
	CHECK_STR("f", "deep\n");
	EXP(0, put_str("new", "new\n"));
	CHECK_LIST(".", "f new");
	if (chdir("/") < 0)
		FAIL("chdir /");
	snprintf(o, sizeof(o), "del:/spare");
	EXP(0, mount("none", UNION, "aufs", MS_REMOUNT, o));
	rmdir("/spare");
}

const struct fcase deep_cases[] = {
	/* the copy-up of the chain does not depend on the rw fs: tmpfs only (time) */
	{ "deep-chain-create", deep_create, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-write", deep_write, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-chmod", deep_chmod, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-rename", deep_rename, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-unlink", deep_unlink, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-mkdir", deep_mkdir, F_NOMOUNT | F_TMPFS },
	{ "deep-chain-remount", deep_remount, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
