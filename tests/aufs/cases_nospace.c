// SPDX-License-Identifier: GPL-2.0
/* A full writable branch (tmpfs shrunk by remount, ext2 image with 64 inodes filled up): each
 * multi-step operation of nsops.c either succeeds or fails with ENOSPC and leaves the union and the branch
 * exactly as before (issue 11 point 2), as a printed table. */
#include "nsops.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_DIR "/ns"	/* the small rw filesystem of this case */
#define NS_IMG "/tmp/ns.img"	/* its image when it is ext2 (busybox mke2fs, ext4 driver) */

enum { LIM_INODES, LIM_SPACE };
enum { FS_TMPFS, FS_EXT };

/* a fresh ext2 image with 64 inodes on a loop device mounted at NS_DIR; the device in dev */
static int ext_mount(char *dev, size_t len)
{
	int n, fd, st;
	pid_t pid;

	/* busybox mke2fs wants an existing file and ignores -N: 64 KiB per inode */
	unlink(NS_IMG);
	fd = open(NS_IMG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	st = ftruncate(fd, 4 << 20);
	close(fd);
	if (st < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(open("/dev/null", O_WRONLY), 1);
		execl("/bin/busybox", "mke2fs", "-F", "-i", "65536", "-b", "1024", NS_IMG,
		      "4096", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = EIO;
		return -1;
	}
	n = loop_mount(NS_IMG, NS_DIR, "ext4", 1);
	if (n < 0)
		return -1;
	snprintf(dev, len, "/dev/loop%d", n);
	return 0;
}

static void ext_release(const char *dev)
{
	int lfd = open(dev, O_RDWR);

	if (lfd >= 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
	}
	unlink(NS_IMG);
}

/* use up the ext branch's free inodes or blocks (outside upper/) */
static int ext_fill(int lim)
{
	static char buf[4096];
	char p[64];
	int i, fd;
	ssize_t n;

	if (mkdir(NS_DIR "/fill", 0755) < 0)
		return -1;
	if (lim == LIM_INODES) {
		for (i = 0; i < 100000; i++) {
			snprintf(p, sizeof(p), NS_DIR "/fill/i%d", i);
			fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0)
				return errno == ENOSPC ? 0 : -1;
			close(fd);
		}
		errno = EFBIG;
		return -1;
	}
	fd = open(NS_DIR "/fill/blocks", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -1;
	for (size_t sz = sizeof(buf); sz; sz /= 2)
		while ((n = write(fd, buf, sz)) == (ssize_t)sz)
			;
	fsync(fd);
	close(fd);
	return 0;
}

/* shrink the branch tmpfs to exactly what it uses now */
static int fill(int lim)
{
	struct statvfs s;
	char o[64];

	/* size=0 and nr_inodes=0 would mean no limit: use a page and an inode more */
	if (put_str(NS_DIR "/filler", "f") < 0 || statvfs(NS_DIR, &s) < 0)
		return -1;
	if (lim == LIM_INODES)
		snprintf(o, sizeof(o), "nr_inodes=%llu",
			 (unsigned long long)(s.f_files - s.f_ffree));
	else
		snprintf(o, sizeof(o), "size=%llu",
			 (unsigned long long)(s.f_blocks - s.f_bfree) * s.f_frsize);
	return mount("tmpfs", NS_DIR, "tmpfs", MS_REMOUNT, o);
}

/* one row: fresh small branch, prepare, fill, try; returns the errno (0: success) */
static int row(const struct nsop *op, int fs, int lim)
{
	char saved_up[sizeof(C->upper)], saved_work[sizeof(C->work)], dev[32] = "";
	char *before = NULL, *after = NULL, *dropped = NULL;
	int r, e = -1;

	mkdir(NS_DIR, 0755);
	if (fs == FS_EXT) {
		if (EXP(0, ext_mount(dev, sizeof(dev))) < 0) {
			if (*dev)
				ext_release(dev);
			return -1;
		}
	} else if (EXP(0, mount("tmpfs", NS_DIR, "tmpfs", 0, "size=16m,mode=0755")) < 0) {
		return -1;
	}
	memcpy(saved_up, C->upper, sizeof(saved_up));
	memcpy(saved_work, C->work, sizeof(saved_work));
	snprintf(C->upper, sizeof(C->upper), "%s/upper", NS_DIR);
	snprintf(C->work, sizeof(C->work), "%s/work", NS_DIR);
	mkdir(C->upper, 0755);
	mkdir(C->work, 0755);
	if (EXP(0, union_mount(NULL)) < 0)
		goto out;
	if (op->prep && EXP(0, op->prep()) < 0)
		goto out_umount;
	before = snapshot();
	if (EXP(0, fs == FS_EXT ? ext_fill(lim) : fill(lim)) < 0)
		goto out_umount;
	errno = 0;
	r = op->fn();
	e = r < 0 ? errno : 0;
	after = snapshot();
	if (!e) {
		check_success(op);
	} else if (e != ENOSPC && e != op->alt) {
		FAIL("%s (%s %s full): %s, expected ENOSPC or success", op->name,
		     fs == FS_EXT ? "ext2" : "tmpfs", lim == LIM_INODES ? "inodes" : "space",
		     strerror(e));
	} else if (!(dropped = drop_new_dirs(before, after, 0)) || strcmp(before, dropped)) {
		FAIL("%s (%s %s full) failed with %s but changed the tree:\n--- before\n%s"
		     "--- after\n%s", op->name, fs == FS_EXT ? "ext2" : "tmpfs",
		     lim == LIM_INODES ? "inodes" : "space", strerror(e), before, after);
	}
out_umount:
	EXP(0, union_umount());
out:
	memcpy(C->upper, saved_up, sizeof(saved_up));
	memcpy(C->work, saved_work, sizeof(saved_work));
	EXP(0, umount(NS_DIR));
	if (*dev)
		ext_release(dev);
	free(before);
	free(after);
	free(dropped);
	return e;
}

static const char *res(int e)
{
	return e ? ename(e) : "ok";
}

static void nospace_table(void)
{
	size_t i;
	int failed = 0;

	note("%-26s %-8s %-8s %-8s %-8s %s", "operation", "tmpfs", "", "ext2", "", "tree");
	note("%-26s %-8s %-8s %-8s %-8s", "", "no inode", "no space", "no inode", "no space");
	for (i = 0; nsops[i].name; i++) {
		int was = C->failed, e[4];

		C->failed = 0;
		e[0] = row(&nsops[i], FS_TMPFS, LIM_INODES);
		e[1] = row(&nsops[i], FS_TMPFS, LIM_SPACE);
		e[2] = row(&nsops[i], FS_EXT, LIM_INODES);
		e[3] = row(&nsops[i], FS_EXT, LIM_SPACE);
		note("%-26s %-8s %-8s %-8s %-8s %s", nsops[i].name, res(e[0]), res(e[1]), res(e[2]),
		     res(e[3]), C->failed ? "WRONG" : "as expected");
		failed |= C->failed;
		C->failed = was || failed;
	}
}

const struct fcase nospace_cases[] = {
	{ "nospace-table", nospace_table, F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
