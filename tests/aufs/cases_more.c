// SPDX-License-Identifier: GPL-2.0
/* Shared cases, continued: readdir with a tiny getdents buffer, non-root users (owners of
 * created and copied-up files, permission on lower dirs), two fds on one file, fallocate,
 * POSIX locks, read-only remount, copy-up of symlinks and fifos. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

struct dent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* one entry per getdents64 call: positions must carry across calls without loss or repeat */
static void readdir_small_buffer(void)
{
	char buf[64];
	char *seen = calloc(MANY_SQ + MANY_L2, 1);
	int fd = EXP(0, open(pu("many"), O_RDONLY | O_DIRECTORY)), total = 0, dots = 0;
	long n;

	if (fd < 0) {
		free(seen);
		return;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dent64 *e = (struct dent64 *)(buf + off);
			int idx;

			off += e->d_reclen;
			total++;
			if (e->d_name[0] == '.') {
				dots++;
				continue;
			}
			idx = atoi(e->d_name + 1) + (e->d_name[0] == 'n' ? MANY_SQ : 0);
			if (idx < 0 || idx >= MANY_SQ + MANY_L2 || seen[idx]++)
				FAIL("getdents returns %s %s", e->d_name,
				     idx >= 0 && idx < MANY_SQ + MANY_L2 ? "twice" : "(unknown)");
		}
	}
	if (n < 0)
		FAIL("getdents64: %s", strerror(errno));
	CHECK_EQ(total, MANY_SQ + MANY_L2 + 2);
	CHECK_EQ(dots, 2);
	/* an entry type for every name */
	lseek(fd, 0, SEEK_SET);
	n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	CHECK(n > 0);
	close(fd);
	free(seen);
}

static int op_create(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);

	return fd < 0 ? -1 : close(fd);
}

static int op_append(const char *p)
{
	int fd = open(p, O_WRONLY | O_APPEND);

	if (fd < 0)
		return -1;
	if (write(fd, "u", 1) != 1)
		return -1;
	return close(fd);
}

static int op_unlink(const char *p)
{
	return unlink(p);
}

static int op_mkdir(const char *p)
{
	return mkdir(p, 0755);
}

static void non_root_users(void)
{
	struct stat st;

	/* uid 1000 owns p/q/r on the squashfs: creating there copies the parents up */
	CHECK_EQ(as_user(1000, op_create, pu("p/q/r/ufile")), 0);
	if (EXP(0, stat(pu("p/q/r/ufile"), &st)) == 0) {
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1000);
	}
	if (EXP(0, lstat(pw("p/q/r/ufile"), &st)) == 0)
		CHECK_EQ(st.st_uid, 1000);
	if (EXP(0, lstat(pw("p/q"), &st)) == 0)
		CHECK_EQ(st.st_uid, 1000);
	CHECK_EQ(as_user(1000, op_mkdir, pu("p/q/r/udir")), 0);
	if (EXP(0, stat(pu("p/q/r/udir"), &st)) == 0)
		CHECK_EQ(st.st_uid, 1000);
	/* the owner writes its lower file: the copy keeps owner and mode */
	CHECK_EQ(as_user(1000, op_append, pu("own.txt")), 0);
	CHECK_STR(pu("own.txt"), "owned\nu");
	if (EXP(0, lstat(pw("own.txt"), &st)) == 0) {
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1001);
		CHECK_EQ(st.st_mode, S_IFREG | 0640);
	}
	/* others may not: not in p/q/r (0755, uid 1000), not in the root (0755 root) */
	CHECK_EQ(as_user(65534, op_unlink, pu("p/q/r/file")), EACCES);
	CHECK_EQ(as_user(65534, op_create, pu("nobody")), EACCES);
	CHECK_EQ(as_user(65534, op_append, pu("own.txt")), EACCES);
	CHECK_EQ(as_user(1000, op_unlink, pu("a.txt")), EACCES);
	EXP(0, stat(pu("a.txt"), &st));
	CHECK(!exists(pw("a.txt")));
	CHECK(!exists(pw(".wh.a.txt")));
}

static void two_fds(void)
{
	char buf[32] = "";
	int a = EXP(0, open(pu("x.txt"), O_RDWR)), b = EXP(0, open(pu("x.txt"), O_RDWR));

	if (a >= 0 && b >= 0) {
		CHECK_EQ(pwrite(b, "BB", 2, 0), 2);
		CHECK_EQ(pread(a, buf, 8, 0), 2);
		CHECK(!memcmp(buf, "BB", 2));
		CHECK_EQ(pwrite(a, "aaaa", 4, 2), 4);
		CHECK_EQ(pread(b, buf, 8, 0), 6);
		CHECK(!memcmp(buf, "BBaaaa", 6));
	}
	close(a);
	close(b);
	CHECK_STR(pu("x.txt"), "BBaaaa");
}

static void fallocate_ops(void)
{
	struct stat st;
	int fd = EXP(0, open(pu("a.txt"), O_RDWR));
	char z[16];

	if (fd < 0)
		return;
	EXP(0, fallocate(fd, 0, 0, 65536));
	EXP(0, fstat(fd, &st));
	CHECK_EQ(st.st_size, 65536);
	EXP(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	CHECK_EQ(pread(fd, z, 8, 0), 8);
	CHECK(!memcmp(z, "\0\0\0\0\0\0\0\0", 8));
	close(fd);
	if (EXP(0, stat(pw("a.txt"), &st)) == 0)
		CHECK_EQ(st.st_size, 65536);
}

/* fcntl locks live on the union's file: another process sees them */
static void posix_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int fd = EXP(0, open(pu("a.txt"), O_RDWR)), st;
	pid_t pid;

	if (fd < 0)
		return;
	EXP(0, fcntl(fd, F_SETLK, &fl));
	pid = fork();
	if (pid == 0) {
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
		int f2 = open(pu("a.txt"), O_RDWR);

		if (f2 < 0 || fcntl(f2, F_GETLK, &q) < 0)
			_exit(2);
		if (q.l_type != F_WRLCK || q.l_pid != getppid())
			_exit(3);
		q.l_type = F_WRLCK;
		_exit(fcntl(f2, F_SETLK, &q) < 0 && (errno == EAGAIN || errno == EACCES) ? 0 : 4);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		FAIL("the lock is not seen by another process (child status %d)",
		     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	EXP(0, flock(fd, LOCK_EX | LOCK_NB));
	close(fd);
}

static void remount_ro(void)
{
	struct stat st;

	EXP(0, mount("none", UNION, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	EXP(EROFS, put_str(pu("new.txt"), "n\n"));
	EXP(EROFS, unlink(pu("a.txt")));
	EXP(EROFS, mkdir(pu("nd"), 0755));
	EXP(EROFS, open(pu("a.txt"), O_WRONLY));
	EXP(EROFS, chmod(pu("a.txt"), 0600));
	CHECK_STR(pu("a.txt"), "lower a\n");
	CHECK(!exists(pw("a.txt")));
	EXP(0, mount("none", UNION, NULL, MS_REMOUNT, NULL));
	EXP(0, put_str(pu("new.txt"), "n\n"));
	EXP(0, unlink(pu("a.txt")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
}

static void copyup_special(void)
{
	struct stat st;
	char buf[32];

	/* a symlink: lchown copies the link itself up */
	EXP(0, lchown(pu("lnk"), 7, 8));
	if (EXP(0, lstat(pu("lnk"), &st)) == 0) {
		CHECK(S_ISLNK(st.st_mode));
		CHECK_EQ(st.st_uid, 7);
	}
	if (EXP(0, lstat(pw("lnk"), &st)) == 0)
		CHECK(S_ISLNK(st.st_mode));
	if (EXP(0, readlink(pu("lnk"), buf, sizeof(buf))) == 5)
		CHECK(!memcmp(buf, "a.txt", 5));
	CHECK_STR(pu("lnk"), "lower a\n");
	/* a fifo: chmod copies it up, still a fifo */
	EXP(0, chmod(pu("fifo"), 0600));
	if (EXP(0, lstat(pw("fifo"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFIFO | 0600);
	/* an empty lower dir: chmod copies the dir only */
	EXP(0, chmod(pu("empty"), 0700));
	if (EXP(0, lstat(pw("empty"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	CHECK_LIST(pu("empty"), "");
}

const struct fcase more_cases[] = {
	{ "readdir-one-entry-per-getdents", readdir_small_buffer, 0 },
	{ "non-root-owners-and-permission", non_root_users, 0 },
	{ "two-fds-one-file", two_fds, 0 },
	{ "fallocate-punch-hole", fallocate_ops, 0 },
	{ "posix-locks", posix_locks, 0 },
	{ "remount-read-only", remount_ro, 0 },
	{ "copyup-symlink-fifo-dir", copyup_special, 0 },
	{ NULL, NULL, 0 },
};
