// SPDX-License-Identifier: GPL-2.0
/* The known contents of the two lower branches: the squashfs tree (built on the host, as root)
 * and the second lower (a tmpfs filled again in the guest before every case). */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static char root[256];

static const char *at(const char *fmt, const char *name)
{
	static char buf[4][512];
	static int n;
	char *b = buf[n++ & 3];

	snprintf(b, 512, fmt, root, name);
	return b;
}
#define F(name) at("%s/%s", name)

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fixture: %s %s: %s\n", what, path, strerror(errno));
	exit(2);
}

static void file(const char *name, const char *s, mode_t mode)
{
	if (put_file(F(name), s, strlen(s), mode) < 0 || chmod(F(name), mode) < 0)
		die("write", F(name));
}

static void dir(const char *name, mode_t mode)
{
	if (mkdir(F(name), mode) < 0 && errno != EEXIST)
		die("mkdir", F(name));
	if (chmod(F(name), mode) < 0)
		die("chmod", F(name));
}

static void data(const char *name, unsigned seed, size_t n)
{
	char *b = malloc(n);

	gen_data(seed, b, n);
	if (put_file(F(name), b, n, 0644) < 0)
		die("write", F(name));
	free(b);
}

static void owner_time(const char *name, uid_t uid, gid_t gid, time_t mtime)
{
	struct timespec ts[2] = { { mtime - 1000, 0 }, { mtime, 0 } };

	if (lchown(F(name), uid, gid) < 0)
		die("chown", F(name));
	if (utimensat(AT_FDCWD, F(name), ts, AT_SYMLINK_NOFOLLOW) < 0)
		die("utimes", F(name));
}

/* TOP/d/.../d (depth levels, DEEP_MODE) with "deep\n" in f at the bottom, made relative
 * to each level's fd: the path grows past what one string may name */
static void chain(const char *top, int depth)
{
	int fd, nfd, i;

	dir(top, DEEP_MODE);
	fd = open(F(top), O_PATH | O_DIRECTORY);
	for (i = 0; i < depth && fd >= 0; i++) {
		if (mkdirat(fd, "d", DEEP_MODE) < 0 && errno != EEXIST)
			die("mkdir in", F(top));
		nfd = openat(fd, "d", O_PATH | O_DIRECTORY);
		close(fd);
		fd = nfd;
	}
	if (fd < 0)
		die("open chain", F(top));
	nfd = openat(fd, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (nfd < 0 || write(nfd, "deep\n", 5) != 5 || close(nfd) < 0)
		die("write bottom of", F(top));
	close(fd);
}

void fixture_squash(const char *d)
{
	char name[64];
	int i;

	snprintf(root, sizeof(root), "%s", d);
	mkdirs(root, 0755);
	file("a.txt", "lower a\n", 0644);
	file("both.txt", "squash both content\n", 0644);
	file("own.txt", "owned\n", 0640);
	owner_time("own.txt", 1000, 1001, 1234567890);
	if (setxattr(F("own.txt"), "trusted.fsop", "v1", 2, 0) < 0)
		die("setxattr", F("own.txt"));
	if (setxattr(F("own.txt"), "user.fsop", "u1", 2, 0) < 0)
		die("setxattr", F("own.txt"));
	file("priv.txt", "secret\n", 0600);
	file("pub.txt", "public\n", 0644);
	data("big.bin", 7, BIG_SIZE);
	file("hl1", "1\n", 0644);
	if (link(F("hl1"), F("hl2")) < 0)
		die("link", F("hl2"));
	if (symlink("a.txt", F("lnk")) < 0)
		die("symlink", F("lnk"));
	if (mkfifo(F("fifo"), 0644) < 0)
		die("mkfifo", F("fifo"));
	dir("d", 0755);
	file("d/x", "sq x\n", 0644);
	file("d/y", "sq y\n", 0644);
	dir("d/sub", 0755);
	file("d/sub/z", "sq z\n", 0644);
	dir("p", 0750);
	dir("p/q", 0711);
	dir("p/q/r", 0755);
	file("p/q/r/file", "deep\n", 0644);
	owner_time("p/q/r", 1000, 1001, 1111111111);
	owner_time("p/q", 1000, 1001, 1111111111);
	owner_time("p", 1000, 1001, 1111111111);
	dir("empty", 0755);
	dir("rmd", 0755);
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "rmd/c%d", i);
		file(name, "c\n", 0644);
	}
	dir("rmdeep", 0755);
	dir("rmdeep/sub", 0755);
	file("rmdeep/sub/file", "f\n", 0644);
	dir("many", 0755);
	for (i = 0; i < MANY_SQ; i++) {
		snprintf(name, sizeof(name), "many/m%03d", i);
		file(name, "m\n", 0644);
	}
	dir("ren", 0755);
	file("ren/kid", "kid\n", 0644);
	dir("m", 0755);
	for (i = 0; i < MODEL_FILES; i++) {
		snprintf(name, sizeof(name), "m/f%02d", i);
		data(name, 100 + i, (size_t)(i * 4099) % 30000 + 1);
	}
	dir("m/d0", 0755);
	file("m/d0/g0", "g0\n", 0644);
	dir("dperm", 0700);
	file("dperm/f", "dp\n", 0644);
	dir("hide", 0755);
	file("hide/h1", "h1\n", 0644);
	file("hide/h2", "h2\n", 0644);
	dir("opq", 0755);
	file("opq/o1", "o1\n", 0644);
	file("opq/o2", "o2\n", 0644);
	file("trunc.txt", "0123456789abcdef\n", 0644);
	data("mmap.txt", 9, 8192);
	file("sp.txt", "splice source data\n", 0644);
	dir("ino", 0755);
	file("ino/f1", "1\n", 0644);
	file("ino/f2", "2\n", 0644);
	dir("ino/sub", 0755);
	file("times.txt", "t\n", 0644);
	owner_time("times.txt", 0, 0, 1000000000);
	file("x.txt", "x\n", 0644);
	chain("deep100", DEEP_SQ1);
	chain("deep1000", DEEP_SQ2);
}

void fixture_l2(const char *d)
{
	char name[64];
	char *b;
	int i, fd;

	snprintf(root, sizeof(root), "%s", d);
	file("both.txt", "l2 both\n", 0600);
	file("l2only.txt", "l2 only\n", 0644);
	dir("d", 0755);
	file("d/w", "l2 w\n", 0644);
	file("d/x", "l2 x\n", 0644);
	dir("d/l2sub", 0755);
	dir("many", 0755);
	for (i = 0; i < MANY_L2; i++) {
		snprintf(name, sizeof(name), "many/n%03d", i);
		file(name, "n\n", 0644);
	}
	for (i = 0; i < MANY_L2 / 2; i++) {
		snprintf(name, sizeof(name), "many/m%03d", i);
		file(name, "l2m\n", 0644);
	}
	dir("dperm", 0755);
	file("dperm/g", "g\n", 0644);
	dir("rmd", 0755);
	file("rmd/c6", "c\n", 0644);
	/* sparse: a hole, then 4 KiB of data (tmpfs knows SEEK_DATA, squashfs does not) */
	fd = open(F("sparse.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open", F("sparse.bin"));
	b = malloc(4096);
	gen_data(11, b, 4096);
	if (pwrite(fd, b, 4096, SPARSE_HOLE) != 4096)
		die("pwrite", F("sparse.bin"));
	free(b);
	close(fd);
}
