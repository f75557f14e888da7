// SPDX-License-Identifier: GPL-2.0
/* Shared cases: copy-up (data, owner, mode, times, xattrs, sparse files, parents) and the
 * data path through the branch's file: truncate, mmap, fsync, splice, llseek. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static void copyup_append(void)
{
	int fd = EXP(0, open(pu("a.txt"), O_WRONLY | O_APPEND));

	if (fd >= 0) {
		CHECK_EQ(write(fd, "more\n", 5), 5);
		EXP(0, close(fd));
	}
	CHECK_STR(pu("a.txt"), "lower a\nmore\n");
	CHECK_STR(pw("a.txt"), "lower a\nmore\n");
	CHECK_STR(ps("a.txt"), "lower a\n");
	/* a file of the second lower: copied up, the lower untouched */
	fd = EXP(0, open(pu("d/w"), O_RDWR));
	if (fd >= 0) {
		CHECK_EQ(pwrite(fd, "L", 1, 0), 1);
		EXP(0, close(fd));
	}
	CHECK_STR(pu("d/w"), "L2 w\n");
	CHECK_STR(pw("d/w"), "L2 w\n");
	CHECK_STR(pl("d/w"), "l2 w\n");
}

static void copyup_attrs(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1500000000, 0 }, { 2000000000, 0 } };

	/* chmod: owner, times and the other attributes come along */
	EXP(0, chmod(pu("own.txt"), 0600));
	if (EXP(0, stat(pu("own.txt"), &st)) == 0) {
		CHECK_EQ(st.st_mode, S_IFREG | 0600);
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1001);
		CHECK_EQ(st.st_mtime, 1234567890);
		CHECK_EQ(st.st_size, 6);
	}
	if (EXP(0, lstat(pw("own.txt"), &st)) == 0) {
		CHECK_EQ(st.st_mode, S_IFREG | 0600);
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1001);
		CHECK_EQ(st.st_mtime, 1234567890);
	}
	CHECK_STR(pu("own.txt"), "owned\n");
	/* chown */
	EXP(0, chown(pu("pub.txt"), 5, 6));
	if (EXP(0, stat(pu("pub.txt"), &st)) == 0) {
		CHECK_EQ(st.st_uid, 5);
		CHECK_EQ(st.st_gid, 6);
		CHECK_EQ(st.st_mode, S_IFREG | 0644);
	}
	if (EXP(0, lstat(pw("pub.txt"), &st)) == 0)
		CHECK_EQ(st.st_uid, 5);
	/* utimes */
	EXP(0, utimensat(AT_FDCWD, pu("times.txt"), ts, 0));
	if (EXP(0, stat(pu("times.txt"), &st)) == 0) {
		CHECK_EQ(st.st_mtime, 2000000000);
		CHECK_EQ(st.st_atime, 1500000000);
	}
	if (EXP(0, lstat(pw("times.txt"), &st)) == 0)
		CHECK_EQ(st.st_mtime, 2000000000);
	/* a directory of the lower branches: copied up, its lower children stay visible */
	EXP(0, chmod(pu("d"), 0700));
	if (EXP(0, stat(pu("d"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	CHECK(exists(pw("d")));
	CHECK_LIST(pu("d"), "l2sub sub w x y");
	CHECK_STR(pu("d/sub/z"), "sq z\n");
}

static void copyup_xattrs(void)
{
	char v[64];
	ssize_t n;
	int ext4 = !strcmp(C->rwfs, "ext4");

	if (EXP(0, n = getxattr(pu("own.txt"), "trusted.fsop", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "v1", 2));
	/* a metadata change copies up, the xattrs come along */
	EXP(0, chmod(pu("own.txt"), 0644));
	if (EXP(0, getxattr(pu("own.txt"), "trusted.fsop", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "v1", 2));
	if (EXP(0, getxattr(pw("own.txt"), "trusted.fsop", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "v1", 2));
	if (ext4 && EXP(0, getxattr(pw("own.txt"), "user.fsop", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "u1", 2));
	/* setxattr on a lower file copies it up */
	EXP(0, setxattr(pu("a.txt"), "trusted.new", "nv", 2, 0));
	if (EXP(0, getxattr(pu("a.txt"), "trusted.new", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "nv", 2));
	if (EXP(0, getxattr(pw("a.txt"), "trusted.new", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "nv", 2));
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(ENODATA, getxattr(pu("a.txt"), "trusted.absent", v, sizeof(v)));
	/* removexattr */
	EXP(0, removexattr(pu("own.txt"), "trusted.fsop"));
	EXP(ENODATA, getxattr(pu("own.txt"), "trusted.fsop", v, sizeof(v)));
	EXP(ENODATA, removexattr(pu("own.txt"), "trusted.fsop"));
	/* listxattr shows the user's names and none of the union's own */
	{
		char list[1024];
		ssize_t len = EXP(0, listxattr(pu("a.txt"), list, sizeof(list)));
		int seen = 0;

		for (ssize_t i = 0; i < len; i += strlen(list + i) + 1) {
			if (!strcmp(list + i, "trusted.new"))
				seen = 1;
			if (strstr(list + i, "overlay.") || strstr(list + i, "aufs"))
				FAIL("listxattr shows the internal name %s", list + i);
		}
		CHECK(seen);
	}
	/* a lower directory's xattr change copies the directory up */
	EXP(0, setxattr(pu("d"), "trusted.dir", "dv", 2, 0));
	if (EXP(0, getxattr(pu("d"), "trusted.dir", v, sizeof(v))) == 2)
		CHECK(!memcmp(v, "dv", 2));
	CHECK_LIST(pu("d"), "l2sub sub w x y");
}

static void copyup_big(void)
{
	char *want = malloc(BIG_SIZE);
	int fd;

	gen_data(7, want, BIG_SIZE);
	fd = EXP(0, open(pu("big.bin"), O_WRONLY));
	if (fd >= 0) {
		CHECK_EQ(pwrite(fd, "#", 1, BIG_SIZE / 2), 1);
		EXP(0, close(fd));
	}
	want[BIG_SIZE / 2] = '#';
	CHECK_DATA(pu("big.bin"), want, BIG_SIZE);
	CHECK_DATA(pw("big.bin"), want, BIG_SIZE);
	drop_caches();
	CHECK_DATA(pu("big.bin"), want, BIG_SIZE);
	free(want);
}

static void copyup_sparse(void)
{
	size_t n = SPARSE_HOLE + 4096;
	char *want = calloc(1, n);
	struct stat st;
	int fd;

	gen_data(11, want + SPARSE_HOLE, 4096);
	want[0] = '!';
	fd = EXP(0, open(pu("sparse.bin"), O_WRONLY));
	if (fd >= 0) {
		CHECK_EQ(pwrite(fd, "!", 1, 0), 1);
		EXP(0, close(fd));
	}
	CHECK_DATA(pu("sparse.bin"), want, n);
	if (EXP(0, stat(pw("sparse.bin"), &st)) == 0) {
		CHECK_EQ(st.st_size, (long long)n);
		/* the 8 MiB hole is not written out: a few pages at most */
		if (st.st_blocks * 512 > 256 * 1024)
			FAIL("copied-up sparse file uses %lld bytes for %zu bytes of data",
			     (long long)st.st_blocks * 512, (size_t)4097);
	}
	free(want);
}

static void copyup_parents(void)
{
	struct stat st;
	int fd = EXP(0, open(pu("p/q/r/file"), O_WRONLY | O_APPEND));

	if (fd >= 0) {
		CHECK_EQ(write(fd, "x", 1), 1);
		EXP(0, close(fd));
	}
	CHECK_STR(pw("p/q/r/file"), "deep\nx");
	if (EXP(0, lstat(pw("p"), &st)) == 0) {
		CHECK_EQ(st.st_mode, S_IFDIR | 0750);
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1001);
	}
	if (EXP(0, lstat(pw("p/q"), &st)) == 0) {
		CHECK_EQ(st.st_mode, S_IFDIR | 0711);
		CHECK_EQ(st.st_uid, 1000);
	}
	if (EXP(0, lstat(pw("p/q/r"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0755);
	if (EXP(0, stat(pu("p/q"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0711);
	/* creating in a lower-only directory copies its parents up too */
	EXP(0, put_str(pu("d/sub/newfile"), "nf\n"));
	CHECK_STR(pw("d/sub/newfile"), "nf\n");
	CHECK_LIST(pu("d/sub"), "newfile z");
}

static void truncate_ops(void)
{
	struct stat st;
	int fd;
	char z[100] = "lower a\n";

	EXP(0, truncate(pu("trunc.txt"), 4));
	CHECK_STR(pu("trunc.txt"), "0123");
	CHECK_STR(pw("trunc.txt"), "0123");
	fd = EXP(0, open(pu("x.txt"), O_RDWR));
	if (fd >= 0) {
		EXP(0, ftruncate(fd, 0));
		EXP(0, fstat(fd, &st));
		CHECK_EQ(st.st_size, 0);
		EXP(0, close(fd));
	}
	CHECK_STR(pu("x.txt"), "");
	fd = EXP(0, open(pu("pub.txt"), O_WRONLY | O_TRUNC));
	if (fd >= 0)
		EXP(0, close(fd));
	CHECK_STR(pu("pub.txt"), "");
	/* extending truncate: zeros after the old data */
	EXP(0, truncate(pu("a.txt"), 100));
	CHECK_DATA(pu("a.txt"), z, 100);
	EXP(EISDIR, truncate(pu("d"), 0));
	EXP(ENOENT, truncate(pu("nonexistent"), 0));
	EXP(EINVAL, truncate(pu("l2only.txt"), -1));
}

static void mmap_write(void)
{
	char *want = malloc(8192), *m;
	int fd = EXP(0, open(pu("mmap.txt"), O_RDWR));

	gen_data(9, want, 8192);
	if (fd >= 0) {
		m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			FAIL("mmap: %s", strerror(errno));
		} else {
			CHECK(!memcmp(m, want, 8192));
			memcpy(m + 100, "MAPPED0123", 10);
			memcpy(want + 100, "MAPPED0123", 10);
			m[5000] = '@';
			want[5000] = '@';
			EXP(0, msync(m, 8192, MS_SYNC));
			EXP(0, munmap(m, 8192));
		}
		EXP(0, close(fd));
	}
	CHECK_DATA(pu("mmap.txt"), want, 8192);
	CHECK_DATA(pw("mmap.txt"), want, 8192);
	drop_caches();
	CHECK_DATA(pu("mmap.txt"), want, 8192);
	/* a private read-only map of a lower file */
	fd = EXP(0, open(pu("big.bin"), O_RDONLY));
	if (fd >= 0) {
		char *w2 = malloc(BIG_SIZE);

		gen_data(7, w2, BIG_SIZE);
		m = mmap(NULL, BIG_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			FAIL("mmap big.bin: %s", strerror(errno));
		else {
			CHECK(!memcmp(m, w2, BIG_SIZE));
			munmap(m, BIG_SIZE);
		}
		free(w2);
		close(fd);
	}
	CHECK(!exists(pw("big.bin")));
	free(want);
}

static void fsync_ops(void)
{
	int fd = EXP(0, open(pu("x.txt"), O_RDWR));

	if (fd >= 0) {
		CHECK_EQ(write(fd, "y", 1), 1);
		EXP(0, fsync(fd));
		EXP(0, fdatasync(fd));
		EXP(0, close(fd));
	}
	CHECK_STR(pw("x.txt"), "y\n");
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));	/* the manual: fsync of a read-only fd is 0 */
	if (fd >= 0) {
		EXP(0, fsync(fd));
		EXP(0, close(fd));
	}
	fd = EXP(0, open(pu("d"), O_RDONLY | O_DIRECTORY));
	if (fd >= 0) {
		EXP(0, fsync(fd));
		EXP(0, close(fd));
	}
	EXP(0, syncfs(fd = open(pu("."), O_RDONLY)));
	close(fd);
}

static void splice_ops(void)
{
	int p[2], in, out;
	loff_t off = 0;
	const char *src = "splice source data\n";

	if (EXP(0, pipe(p)) < 0)
		return;
	in = EXP(0, open(pu("sp.txt"), O_RDONLY));
	out = EXP(0, open(pu("spliced.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (in >= 0 && out >= 0) {
		CHECK_EQ(splice(in, NULL, p[1], NULL, 64, 0), 19);
		CHECK_EQ(splice(p[0], NULL, out, NULL, 64, 0), 19);
	}
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
	CHECK_STR(pu("spliced.txt"), src);
	/* splice into a lower file: it is copied up first */
	if (EXP(0, pipe(p)) < 0)
		return;
	CHECK_EQ(write(p[1], "XY", 2), 2);
	out = EXP(0, open(pu("trunc.txt"), O_WRONLY));
	if (out >= 0) {
		CHECK_EQ(splice(p[0], NULL, out, &off, 2, 0), 2);
		close(out);
	}
	close(p[0]);
	close(p[1]);
	CHECK_STR(pu("trunc.txt"), "XY23456789abcdef\n");
	CHECK_STR(pw("trunc.txt"), "XY23456789abcdef\n");
	/* sendfile and copy_file_range between union files */
	in = EXP(0, open(pu("sp.txt"), O_RDONLY));
	out = EXP(0, open(pu("sent.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (in >= 0 && out >= 0)
		CHECK_EQ(sendfile(out, in, NULL, 64), 19);
	close(out);
	if (in >= 0)
		lseek(in, 0, SEEK_SET);
	out = EXP(0, open(pu("cfr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	/* across branch filesystems the kernel may refuse with EXDEV (userspace falls back) */
	if (in >= 0 && out >= 0 &&
	    EXP2(0, EXDEV, copy_file_range(in, NULL, out, NULL, 64, 0)) >= 0)
		CHECK_STR(pu("cfr.txt"), src);
	close(in);
	close(out);
	CHECK_STR(pu("sent.txt"), src);
	/* within the rw branch it works */
	in = EXP(0, open(pu("sent.txt"), O_RDONLY));
	out = EXP(0, open(pu("cfr2.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (in >= 0 && out >= 0)
		CHECK_EQ(copy_file_range(in, NULL, out, NULL, 64, 0), 19);
	close(in);
	close(out);
	CHECK_STR(pu("cfr2.txt"), src);
	CHECK(!exists(pw("sp.txt")));
}

static void llseek_ops(void)
{
	int fd = EXP(0, open(pu("big.bin"), O_RDONLY));
	char c;

	if (fd >= 0) {
		CHECK_EQ(lseek(fd, 0, SEEK_END), BIG_SIZE);
		CHECK_EQ(lseek(fd, 1000, SEEK_SET), 1000);
		CHECK_EQ(lseek(fd, 10, SEEK_CUR), 1010);
		EXP(EINVAL, lseek(fd, -1, SEEK_SET));
		close(fd);
	}
	/* SEEK_DATA/SEEK_HOLE go to the branch's file (tmpfs knows them) */
	fd = EXP(0, open(pu("sparse.bin"), O_RDONLY));
	if (fd >= 0) {
		CHECK_EQ(lseek(fd, 0, SEEK_DATA), SPARSE_HOLE);
		CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 0);
		CHECK_EQ(lseek(fd, SPARSE_HOLE, SEEK_HOLE), SPARSE_HOLE + 4096);
		EXP(ENXIO, lseek(fd, SPARSE_HOLE + 4096, SEEK_DATA));
		CHECK_EQ(pread(fd, &c, 1, SPARSE_HOLE - 1), 1);
		CHECK_EQ(c, 0);
		close(fd);
	}
}

/* a file stays usable through an fd after its name is removed */
static void open_unlinked(void)
{
	struct stat st;
	char buf[16] = "";
	int fd = EXP(0, open(pu("a.txt"), O_RDWR));

	if (fd < 0)
		return;
	EXP(0, unlink(pu("a.txt")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	CHECK_EQ(pwrite(fd, "LOWER", 5, 0), 5);
	CHECK_EQ(pread(fd, buf, 8, 0), 8);
	CHECK(!memcmp(buf, "LOWER a\n", 8));
	EXP(0, fstat(fd, &st));
	CHECK_EQ(st.st_nlink, 0);
	EXP(0, close(fd));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	CHECK_STR(ps("a.txt"), "lower a\n");
}

/*
 * A file opened for reading before another open copies it up: overlayfs (since 4.19) reads the
 * copy through the old descriptor, aufs keeps reading the lower file it opened (docs/aufs.5
 * DIFFERENCES); both show the new size in fstat, and every new open reads the copy.
 */
static void open_before_copyup(void)
{
	char buf[32] = "";
	struct stat st;
	int r = EXP(0, open(pu("a.txt"), O_RDONLY)), w;
	ssize_t n;

	if (r < 0)
		return;
	CHECK_EQ(pread(r, buf, sizeof(buf), 0), 8);
	w = EXP(0, open(pu("a.txt"), O_WRONLY | O_TRUNC));
	if (w >= 0) {
		CHECK_EQ(write(w, "upper A!\n", 9), 9);
		EXP(0, close(w));
	}
	CHECK_STR(pu("a.txt"), "upper A!\n");
	CHECK_STR(pw("a.txt"), "upper A!\n");
	memset(buf, 0, sizeof(buf));
	n = pread(r, buf, sizeof(buf), 0);
	if (C->aufs) {
		CHECK_EQ(n, 8);
		if (memcmp(buf, "lower a\n", 8))
			FAIL("aufs: the old descriptor reads \"%s\", expected the lower content", buf);
	} else {
		CHECK_EQ(n, 9);
		if (memcmp(buf, "upper A!\n", 9))
			FAIL("overlay: the old descriptor reads \"%s\", expected the copy", buf);
	}
	if (EXP(0, fstat(r, &st)) == 0)
		CHECK_EQ(st.st_size, 9);
	EXP(0, close(r));
	CHECK_STR(ps("a.txt"), "lower a\n");
}

/* copy-up is atomic: while it runs, the final name on the rw branch is absent or complete */
static void copyup_atomic_visible(void)
{
	pid_t pid;
	int st, fd, p[2];

	if (EXP(0, pipe(p)) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct stat s;
		long partial = 0, seen = 0;
		char c;

		close(p[1]);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		while (read(p[0], &c, 1) < 0) {
			if (lstat(pw("big.bin"), &s) == 0) {
				seen++;
				if (s.st_size != BIG_SIZE)
					partial++;
			}
			sched_yield();
		}
		if (partial)
			printf("#   %ld of %ld looks saw big.bin partial on the rw branch\n", partial,
			       seen);
		_exit(partial ? 1 : 0);
	}
	close(p[0]);
	fd = EXP(0, open(pu("big.bin"), O_WRONLY));
	if (fd >= 0) {
		CHECK_EQ(pwrite(fd, "#", 1, 0), 1);
		close(fd);
	}
	usleep(1000);
	CHECK_EQ(write(p[1], "x", 1), 1);
	close(p[1]);
	if (pid > 0 && waitpid(pid, &st, 0) == pid)
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(exists(pw("big.bin")));
}

const struct fcase copyup_cases[] = {
	{ "copyup-atomic-final-name", copyup_atomic_visible, 0 },
	{ "copyup-on-write", copyup_append, 0 },
	{ "copyup-owner-mode-times", copyup_attrs, 0 },
	{ "copyup-xattrs", copyup_xattrs, 0 },
	{ "copyup-large-file", copyup_big, 0 },
	{ "copyup-sparse-file", copyup_sparse, 0 },
	{ "copyup-parents", copyup_parents, 0 },
	{ "truncate", truncate_ops, 0 },
	{ "mmap-write", mmap_write, 0 },
	{ "fsync", fsync_ops, 0 },
	{ "splice-sendfile-copy-file-range", splice_ops, 0 },
	{ "llseek-data-hole", llseek_ops, 0 },
	{ "open-then-unlink", open_unlinked, 0 },
	{ "open-read-then-copyup", open_before_copyup, 0 },
	{ NULL, NULL, 0 },
};
