// SPDX-License-Identifier: GPL-2.0
/* Shared cases: every namespace operation with the errno each step must give: create, mkdir,
 * mknod, symlink, link, unlink (whiteouts), rmdir of logically empty directories, rename. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static void create_ops(void)
{
	struct stat st;

	EXP(0, put_str(pu("new.txt"), "new\n"));
	CHECK_STR(pu("new.txt"), "new\n");
	CHECK_STR(pw("new.txt"), "new\n");
	EXP(EEXIST, open(pu("a.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	EXP(EEXIST, open(pu("d"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	EXP(EISDIR, open(pu("d"), O_WRONLY | O_CREAT, 0644));
	EXP(ENOENT, open(pu("nodir/f"), O_WRONLY | O_CREAT, 0644));
	EXP(ENOTDIR, open(pu("a.txt/f"), O_WRONLY | O_CREAT, 0644));
	/* in a lower directory: parents copied up, merged view keeps the lower names */
	EXP(0, put_str(pu("d/made"), "made\n"));
	CHECK_LIST(pu("d"), "l2sub made sub w x y");
	EXP(0, put_str(pu("p/q/r/made"), "m\n"));
	CHECK_LIST(pu("p/q/r"), "file made");
	/* O_CREAT without O_EXCL on a lower file opens it */
	int fd = EXP(0, open(pu("l2only.txt"), O_RDWR | O_CREAT, 0600));
	if (fd >= 0) {
		EXP(0, fstat(fd, &st));
		CHECK_EQ(st.st_mode, S_IFREG | 0644);
		close(fd);
	}
	CHECK_STR(pu("l2only.txt"), "l2 only\n");
	/* mode and umask honoured */
	umask(022);
	fd = EXP(0, open(pu("m640"), O_WRONLY | O_CREAT | O_EXCL, 0640));
	close(fd);
	if (EXP(0, stat(pu("m640"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFREG | 0640);
}

static void mkdir_mknod_symlink(void)
{
	struct stat st;
	char buf[64];

	EXP(0, mkdir(pu("nd"), 0750));
	if (EXP(0, stat(pu("nd"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0750);
	CHECK_LIST(pu("nd"), "");
	EXP(EEXIST, mkdir(pu("nd"), 0755));
	EXP(EEXIST, mkdir(pu("d"), 0755));
	EXP(EEXIST, mkdir(pu("a.txt"), 0755));
	EXP(EEXIST, mkdir(pu("l2only.txt"), 0755));
	EXP(ENOENT, mkdir(pu("nodir/x"), 0755));
	EXP(0, mkdir(pu("nd2/"), 0755));
	EXP(0, mkdir(pu("d/sub/nd3"), 0755));
	CHECK_LIST(pu("d/sub"), "nd3 z");
	CHECK(exists(pw("d/sub/nd3")));
	EXP(0, mkfifo(pu("ff"), 0600));
	if (EXP(0, lstat(pu("ff"), &st)) == 0)
		CHECK(S_ISFIFO(st.st_mode));
	EXP(EEXIST, mkfifo(pu("a.txt"), 0600));
	EXP(0, mknod(pu("nulldev"), S_IFCHR | 0666, makedev(1, 3)));
	if (EXP(0, lstat(pu("nulldev"), &st)) == 0)
		CHECK(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	int fd = EXP(0, open(pu("nulldev"), O_WRONLY));
	if (fd >= 0) {
		CHECK_EQ(write(fd, "discard", 7), 7);
		close(fd);
	}
	EXP(0, symlink("d/x", pu("sl")));
	if (EXP(0, readlink(pu("sl"), buf, sizeof(buf))) == 3)
		CHECK(!memcmp(buf, "d/x", 3));
	CHECK_STR(pu("sl"), "l2 x\n");
	EXP(EEXIST, symlink("x", pu("a.txt")));
	EXP(EEXIST, symlink("x", pu("lnk")));
	EXP(0, symlink("dangling", pu("d/sl2")));
	EXP(ENOENT, stat(pu("d/sl2"), &st));
	EXP(0, lstat(pu("d/sl2"), &st));
}

static void link_ops(void)
{
	struct stat a, b;

	EXP(0, link(pu("a.txt"), pu("a2")));
	if (EXP(0, stat(pu("a.txt"), &a)) == 0 && EXP(0, stat(pu("a2"), &b)) == 0) {
		if (C->aufs)	/* overlayfs without index shows the lower's number on one name */
			CHECK_EQ(a.st_ino, b.st_ino);
		CHECK_EQ(a.st_nlink, 2);
		CHECK_EQ(b.st_nlink, 2);
	}
	CHECK_STR(pu("a2"), "lower a\n");
	int fd = EXP(0, open(pu("a2"), O_WRONLY | O_APPEND));
	if (fd >= 0) {
		CHECK_EQ(write(fd, "via a2\n", 7), 7);
		close(fd);
	}
	CHECK_STR(pu("a.txt"), "lower a\nvia a2\n");
	EXP(0, link(pu("d/x"), pu("d/sub/x2")));
	CHECK_STR(pu("d/sub/x2"), "l2 x\n");
	EXP(EEXIST, link(pu("pub.txt"), pu("a.txt")));
	EXP(EEXIST, link(pu("pub.txt"), pu("d")));
	EXP(EPERM, link(pu("d"), pu("dlink")));
	EXP(ENOENT, link(pu("nonexistent"), pu("nl")));
	EXP(ENOENT, link(pu("pub.txt"), pu("nodir/nl")));
	EXP(0, unlink(pu("a.txt")));
	CHECK_STR(pu("a2"), "lower a\nvia a2\n");
	if (EXP(0, stat(pu("a2"), &b)) == 0)
		CHECK_EQ(b.st_nlink, 1);
}

static void unlink_ops(void)
{
	struct stat st;
	char *root;

	EXP(0, unlink(pu("a.txt")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	EXP(ENOENT, open(pu("a.txt"), O_RDONLY));
	EXP(ENOENT, unlink(pu("a.txt")));
	CHECK(has_whiteout(C->upper, "a.txt"));
	CHECK_STR(ps("a.txt"), "lower a\n");
	root = list_dir(pu("."));
	if (root && (strstr(root, "a.txt ") || strstr(root, " a.txt")))
		FAIL("a.txt still listed after unlink: %s", root);
	free(root);
	/* a name on both lowers: one unlink hides both */
	EXP(0, unlink(pu("both.txt")));
	EXP(ENOENT, stat(pu("both.txt"), &st));
	CHECK_EQ(count_entry(pu("."), "both.txt"), 0);
	EXP(0, unlink(pu("d/x")));
	EXP(ENOENT, stat(pu("d/x"), &st));
	CHECK_LIST(pu("d"), "l2sub sub w y");
	/* wrong types */
	EXP(EISDIR, unlink(pu("d")));
	EXP(ENOTDIR, unlink(pu("pub.txt/")));
	EXP(ENOENT, unlink(pu("nonexistent")));
	EXP(ENOTDIR, unlink(pu("pub.txt/x")));
	/* special files of the lower */
	EXP(0, unlink(pu("lnk")));
	EXP(ENOENT, lstat(pu("lnk"), &st));
	EXP(0, unlink(pu("fifo")));
	EXP(0, unlink(pu("hl1")));
	CHECK_STR(pu("hl2"), "1\n");
	/* an upper-only file needs no whiteout */
	EXP(0, put_str(pu("tmp.txt"), "t\n"));
	EXP(0, unlink(pu("tmp.txt")));
	EXP(ENOENT, stat(pu("tmp.txt"), &st));
	CHECK(!has_whiteout(C->upper, "tmp.txt"));
	CHECK(!exists(pw("tmp.txt")));
	/* the name can be created again; the lower content stays hidden */
	EXP(0, put_str(pu("a.txt"), "again\n"));
	CHECK_STR(pu("a.txt"), "again\n");
	EXP(0, unlink(pu("a.txt")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	EXP(0, mkdir(pu("both.txt"), 0755));
	CHECK_LIST(pu("both.txt"), "");
	/* after a remount the whiteouts still hide */
	if (EXP(0, union_umount()) == 0 && EXP(0, union_mount(NULL)) == 0) {
		EXP(ENOENT, stat(pu("a.txt"), &st));
		EXP(ENOENT, stat(pu("d/x"), &st));
		EXP(ENOENT, lstat(pu("lnk"), &st));
		CHECK_LIST(pu("d"), "l2sub sub w y");
		if (EXP(0, stat(pu("both.txt"), &st)) == 0)
			CHECK(S_ISDIR(st.st_mode));
	}
}

static void rmdir_ops(void)
{
	struct stat st;
	char name[16];
	int i;

	EXP(ENOTEMPTY, rmdir(pu("d")));
	EXP(ENOTEMPTY, rmdir(pu("rmd")));
	EXP(ENOTDIR, rmdir(pu("a.txt")));
	EXP(ENOENT, rmdir(pu("nonexistent")));
	EXP(EINVAL, rmdir(pu("d/sub/.")));
	/* an empty lower directory */
	EXP(0, rmdir(pu("empty")));
	EXP(ENOENT, stat(pu("empty"), &st));
	EXP(ENOENT, rmdir(pu("empty")));
	/* logically empty: all lower children (both lowers) removed through the union */
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "rmd/c%d", i);
		EXP(0, unlink(pu("%s", name)));
	}
	EXP(ENOTEMPTY, rmdir(pu("rmd")));	/* c6 on l2 */
	EXP(0, unlink(pu("rmd/c6")));
	CHECK_LIST(pu("rmd"), "");
	EXP(0, rmdir(pu("rmd/")));
	EXP(ENOENT, stat(pu("rmd"), &st));
	/* made again: empty, the old lower children do not come back */
	EXP(0, mkdir(pu("rmd"), 0755));
	CHECK_LIST(pu("rmd"), "");
	EXP(ENOENT, stat(pu("rmd/c1"), &st));
	EXP(0, put_str(pu("rmd/c1"), "fresh\n"));
	CHECK_STR(pu("rmd/c1"), "fresh\n");
	/* nested */
	EXP(ENOTEMPTY, rmdir(pu("rmdeep")));
	EXP(0, unlink(pu("rmdeep/sub/file")));
	EXP(0, rmdir(pu("rmdeep/sub")));
	EXP(0, rmdir(pu("rmdeep")));
	EXP(ENOENT, stat(pu("rmdeep"), &st));
	/* upper-only */
	EXP(0, mkdir(pu("ud"), 0755));
	EXP(0, rmdir(pu("ud")));
	CHECK(!exists(pw("ud")));
	/* stays removed after a remount */
	if (EXP(0, union_umount()) == 0 && EXP(0, union_mount(NULL)) == 0) {
		EXP(ENOENT, stat(pu("empty"), &st));
		EXP(ENOENT, stat(pu("rmdeep"), &st));
		CHECK_LIST(pu("rmd"), "c1");
	}
}

static void rename_files(void)
{
	struct stat st;

	EXP(0, rename(pu("a.txt"), pu("a_new")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	CHECK_STR(pu("a_new"), "lower a\n");
	/* over another lower file */
	EXP(0, rename(pu("pub.txt"), pu("x.txt")));
	EXP(ENOENT, stat(pu("pub.txt"), &st));
	CHECK_STR(pu("x.txt"), "public\n");
	/* into a lower directory, and out of one */
	EXP(0, rename(pu("l2only.txt"), pu("d/sub/moved")));
	CHECK_STR(pu("d/sub/moved"), "l2 only\n");
	EXP(ENOENT, stat(pu("l2only.txt"), &st));
	EXP(0, rename(pu("d/y"), pu("y_out")));
	CHECK_STR(pu("y_out"), "sq y\n");
	CHECK_LIST(pu("d"), "l2sub sub w x");
	/* onto a whiteout'd name */
	EXP(0, unlink(pu("trunc.txt")));
	EXP(0, rename(pu("sp.txt"), pu("trunc.txt")));
	CHECK_STR(pu("trunc.txt"), "splice source data\n");
	/* upper files */
	EXP(0, put_str(pu("u1"), "u1\n"));
	EXP(0, rename(pu("u1"), pu("u2")));
	CHECK_STR(pu("u2"), "u1\n");
	/* errors */
	EXP(EISDIR, rename(pu("u2"), pu("d")));
	EXP(ENOTDIR, rename(pu("d"), pu("x.txt")));
	EXP(ENOENT, rename(pu("nonexistent"), pu("zz")));
	EXP(ENOENT, rename(pu("u2"), pu("nodir/zz")));
	EXP(EEXIST, syscall(SYS_renameat2, AT_FDCWD, pu("u2"), AT_FDCWD, pu("own.txt"), RENAME_NOREPLACE));
	CHECK_STR(pu("u2"), "u1\n");
	EXP(0, rename(pu("u2"), pu("u2")));
	CHECK_STR(pu("u2"), "u1\n");
	/* hard links of the lower: renaming one name keeps the other */
	EXP(0, rename(pu("hl1"), pu("hl1r")));
	CHECK_STR(pu("hl1r"), "1\n");
	CHECK_STR(pu("hl2"), "1\n");
	/* survives a remount */
	if (EXP(0, union_umount()) == 0 && EXP(0, union_mount(NULL)) == 0) {
		EXP(ENOENT, stat(pu("a.txt"), &st));
		CHECK_STR(pu("a_new"), "lower a\n");
		CHECK_STR(pu("x.txt"), "public\n");
		CHECK_LIST(pu("d"), "l2sub sub w x");
	}
}

static void rename_dirs(void)
{
	struct stat st;
	long r;

	/* a directory made in the union moves freely */
	EXP(0, mkdir(pu("nd"), 0755));
	EXP(0, put_str(pu("nd/f"), "f\n"));
	EXP(0, rename(pu("nd"), pu("nd2")));
	CHECK_STR(pu("nd2/f"), "f\n");
	EXP(ENOENT, stat(pu("nd"), &st));
	EXP(0, rename(pu("nd2"), pu("d/sub/nd3")));
	CHECK_STR(pu("d/sub/nd3/f"), "f\n");
	/* a lower directory with children: done, or EXDEV as the manual allows; never half */
	r = EXP2(0, EXDEV, rename(pu("ren"), pu("ren2")));
	if (r == 0) {
		CHECK_STR(pu("ren2/kid"), "kid\n");
		EXP(ENOENT, stat(pu("ren"), &st));
	} else {
		CHECK_STR(pu("ren/kid"), "kid\n");
		EXP(ENOENT, stat(pu("ren2"), &st));
	}
	/* targets */
	EXP(0, mkdir(pu("t1"), 0755));
	EXP2(ENOTEMPTY, EEXIST, rename(pu("t1"), pu("d")));
	EXP(ENOTDIR, rename(pu("t1"), pu("x.txt")));
	EXP(EINVAL, rename(pu("t1"), pu("t1/sub")));
	/* onto an empty lower directory: replaces it */
	r = EXP2(0, EXDEV, rename(pu("t1"), pu("empty")));
	if (r == 0) {
		EXP(ENOENT, stat(pu("t1"), &st));
		CHECK_LIST(pu("empty"), "");
	}
	EXP(0, put_str(pu("t2"), "t2\n"));
	EXP(EISDIR, rename(pu("t2"), pu("empty")));
}

const struct fcase ns_cases[] = {
	{ "create", create_ops, 0 },
	{ "mkdir-mknod-symlink", mkdir_mknod_symlink, 0 },
	{ "link", link_ops, 0 },
	{ "unlink-whiteout", unlink_ops, 0 },
	{ "rmdir-logically-empty", rmdir_ops, 0 },
	{ "rename-files", rename_files, 0 },
	{ "rename-dirs", rename_dirs, 0 },
	{ NULL, NULL, 0 },
};
