// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/cpio.c: read back with cpio(1), reproducibility, header fields. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpio.h"
#include "fileio.h"
#include "harness.h"

static char tmp[] = "/tmp/test_cpio.XXXXXX";

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

/* a whole file (NUL-terminated), NULL if unreadable: lib/fileio.c */
static char *slurp(const char *path, size_t *len)
{
	char *data;

	return file_slurp(path, &data, len) ? NULL : data;
}

/* Adds entries in a deliberately unsorted order, parents partly implied. */
static int build(const char *out, uint32_t mtime)
{
	struct cpio_writer w;
	char src[256];
	int fd, err = 0;

	snprintf(src, sizeof(src), "%s/src.txt", tmp);
	cpio_init(&w, mtime);
	err |= cpio_add_file(&w, "bin/busybox", 0755, src);
	err |= cpio_add_symlink(&w, "bin/sh", "busybox");
	err |= cpio_add_data(&w, "etc/livestack/image", 0644, "format=1\n", 9);
	err |= cpio_add_dir(&w, "proc", 0755);
	err |= cpio_add_dir(&w, "tmp", 01777);
	err |= cpio_add_node(&w, "dev/console", S_IFCHR | 0600, 5, 1);
	err |= cpio_add_node(&w, "dev/null", S_IFCHR | 0666, 1, 3);
	err |= cpio_add_data(&w, "init", 0755, "#!/bin/sh\n", 10);
	err |= cpio_add_data(&w, "empty", 0644, "", 0);
	err |= cpio_add_dir(&w, "bin", 0755);	/* also implied: kept once */
	err |= cpio_add_data(&w, "lib/modules/6.1/kernel/fs/a-b.ko", 0644, "abc", 3);
	err |= cpio_add_data(&w, "lib/modules/6.1/kernel/fs.ko", 0644, "x", 1);
	if (err)
		return -1;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	err = cpio_write(&w, fd);
	close(fd);
	cpio_free(&w);
	return err;
}

TEST(cpio_readback)
{
	char arc[256], dir[256], src[256], listing[256], *list;
	size_t len;

	snprintf(src, sizeof(src), "%s/src.txt", tmp);
	snprintf(arc, sizeof(arc), "%s/a.cpio", tmp);
	snprintf(dir, sizeof(dir), "%s/x", tmp);
	snprintf(listing, sizeof(listing), "%s/list", tmp);
	write_file(src, "busybox contents\n");
	CHECK_EQ(build(arc, 1700000000), 0);
	CHECK_EQ(sh("cpio -t --quiet < %s > %s", arc, listing), 0);
	list = slurp(listing, &len);
	CHECK(list != NULL);
	if (list) {
		/* sorted, parents first, each once */
		CHECK_STR(list, "bin\nbin/busybox\nbin/sh\ndev\ndev/console\ndev/null\nempty\n"
			  "etc\netc/livestack\netc/livestack/image\ninit\nlib\nlib/modules\n"
			  "lib/modules/6.1\nlib/modules/6.1/kernel\nlib/modules/6.1/kernel/fs\n"
			  "lib/modules/6.1/kernel/fs.ko\nlib/modules/6.1/kernel/fs/a-b.ko\nproc\ntmp\n");
		free(list);
	}
	/* extract without device nodes (no root needed), compare contents */
	CHECK_EQ(sh("mkdir -p %s && cd %s && cpio -idm --quiet --no-absolute-filenames "
		    "--nonmatching 'dev/*' < ../a.cpio", dir, dir), 0);
	CHECK_EQ(sh("cmp -s %s %s/x/bin/busybox", src, tmp), 0);
	CHECK_EQ(sh("test \"$(readlink %s/bin/sh)\" = busybox%s", dir, ""), 0);
	CHECK_EQ(sh("test \"$(cat %s/etc/livestack/image)\" = format=1%s", dir, ""), 0);
	CHECK_EQ(sh("test -x %s/init && test -d %s/proc", dir, dir), 0);
	CHECK_EQ(sh("test \"$(stat -c %%a %s/tmp)\" = 1777%s", dir, ""), 0);
	CHECK_EQ(sh("test \"$(stat -c %%Y %s/etc/livestack/image)\" = 1700000000%s", dir, ""), 0);
	CHECK_EQ(sh("test -f %s/empty && ! test -s %s/empty", dir, dir), 0);
	/* verbose listing shows the device node, owner root */
	CHECK_EQ(sh("cpio -tv --quiet < %s | grep -q '^crw------- *1 root *root *5, *1 .* dev/console$'%s",
		    arc, ""), 0);
}

TEST(cpio_reproducible)
{
	char a[256], b[256], c[256];

	snprintf(a, sizeof(a), "%s/r1.cpio", tmp);
	snprintf(b, sizeof(b), "%s/r2.cpio", tmp);
	snprintf(c, sizeof(c), "%s/r3.cpio", tmp);
	CHECK_EQ(build(a, 1234567890), 0);
	CHECK_EQ(build(b, 1234567890), 0);
	CHECK_EQ(build(c, 1234567891), 0);
	CHECK_EQ(sh("cmp -s %s %s", a, b), 0);
	CHECK(sh("cmp -s %s %s", a, c) != 0);
}

/* Header fields: inode numbers sequential, nlink of dirs = 2 + subdirs, uid/gid 0. */
TEST(cpio_header_fields)
{
	char arc[256], *buf, *p;
	size_t len;
	unsigned expect_ino = 1;
	int seen_bin = 0, seen_lib = 0, bad_owner = 0, bad_ino = 0;

	snprintf(arc, sizeof(arc), "%s/a.cpio", tmp);
	buf = slurp(arc, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(len % 512, 0);
	for (p = buf; p + 110 <= buf + len && memcmp(p, "070701", 6) == 0;) {
		char f[14][9];
		unsigned long v[14];
		int i;
		const char *name = p + 110;

		for (i = 0; i < 13; i++) {
			memcpy(f[i], p + 6 + 8 * i, 8);
			f[i][8] = '\0';
			v[i] = strtoul(f[i], NULL, 16);
		}
		if (strcmp(name, "TRAILER!!!") == 0)
			break;
		if (v[0] != expect_ino++)
			bad_ino = 1;
		if (v[2] || v[3])
			bad_owner = 1;
		if (strcmp(name, "bin") == 0) {
			seen_bin = 1;
			CHECK_EQ(v[4], 2);
		}
		if (strcmp(name, "lib/modules/6.1/kernel") == 0) {
			seen_lib = 1;
			CHECK_EQ(v[4], 3);
		}
		p = (char *)name + ((110 + v[11] + 3) & ~3UL) - 110;
		p += (v[6] + 3) & ~3UL;
	}
	CHECK(seen_bin && seen_lib);
	CHECK(!bad_owner);
	CHECK(!bad_ino);
	free(buf);
}

TEST(cpio_rejects_bad_input)
{
	struct cpio_writer w;
	int fd;

	cpio_init(&w, 0);
	CHECK_EQ(cpio_add_data(&w, "/abs", 0644, "", 0), -EINVAL);
	CHECK_EQ(cpio_add_data(&w, "a/../b", 0644, "", 0), -EINVAL);
	CHECK_EQ(cpio_add_dir(&w, "a//b", 0755), -EINVAL);
	CHECK_EQ(cpio_add_dir(&w, "", 0755), -EINVAL);
	CHECK_EQ(cpio_add_node(&w, "x", S_IFREG | 0644, 0, 0), -EINVAL);
	CHECK_EQ(cpio_add_data(&w, "f", 0644, "1", 1), 0);
	CHECK(cpio_has(&w, "f"));
	CHECK(!cpio_has(&w, "g"));
	CHECK_EQ(cpio_add_data(&w, "f", 0644, "2", 1), 0);
	fd = open("/dev/null", O_WRONLY);
	CHECK_EQ(cpio_write(&w, fd), -EEXIST);
	cpio_free(&w);
	cpio_init(&w, 0);
	CHECK_EQ(cpio_add_file(&w, "missing", 0644, "/nonexistent/file"), 0);
	CHECK_EQ(cpio_write(&w, fd), -ENOENT);
	cpio_free(&w);
	close(fd);
}

/* The unpacker stops at TRAILER!!!; a file under a file or a device node cannot exist. */
TEST(cpio_rejects_trailer_name_and_file_parents)
{
	struct cpio_writer w;
	int fd = open("/dev/null", O_WRONLY);

	cpio_init(&w, 0);
	CHECK_EQ(cpio_add_data(&w, "TRAILER!!!", 0644, "", 0), -EINVAL);
	CHECK_EQ(cpio_add_dir(&w, "TRAILER!!!", 0755), -EINVAL);
	CHECK_EQ(cpio_add_data(&w, "d/TRAILER!!!", 0644, "", 0), 0);	/* only the bare name */
	CHECK_EQ(cpio_add_data(&w, "f", 0644, "1", 1), 0);
	CHECK_EQ(cpio_add_data(&w, "f/g", 0644, "2", 1), 0);
	CHECK_EQ(cpio_write(&w, fd), -ENOTDIR);
	cpio_free(&w);
	cpio_init(&w, 0);
	CHECK_EQ(cpio_add_node(&w, "dev/null", S_IFCHR | 0666, 1, 3), 0);
	CHECK_EQ(cpio_add_dir(&w, "dev/null/x/y", 0755), 0);
	CHECK_EQ(cpio_write(&w, fd), -ENOTDIR);
	cpio_free(&w);
	/* through a symlink is allowed: the unpacker follows it as a path lookup does */
	cpio_init(&w, 0);
	CHECK_EQ(cpio_add_symlink(&w, "lib", "usr/lib"), 0);
	CHECK_EQ(cpio_add_data(&w, "lib/x", 0644, "1", 1), 0);
	CHECK_EQ(cpio_write(&w, fd), 0);
	cpio_free(&w);
	close(fd);
}

/* No entries (qsort(NULL, 0) was undefined): just the trailer, padded to 512 bytes. */
TEST(cpio_empty_archive)
{
	struct cpio_writer w;
	char out[300];
	size_t len = 0;
	char *data;
	int fd;

	snprintf(out, sizeof(out), "%s/empty.cpio", tmp);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cpio_init(&w, 0);
	CHECK_EQ(cpio_write(&w, fd), 0);
	cpio_free(&w);
	close(fd);
	data = slurp(out, &len);
	CHECK(data != NULL);
	CHECK_EQ(len, 512);
	CHECK(data && !memcmp(data + 110, "TRAILER!!!", 11));
	free(data);
}

int main(void)
{
	int rc;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(cpio_readback);
	RUN(cpio_reproducible);
	RUN(cpio_header_fields);
	RUN(cpio_rejects_bad_input);
	RUN(cpio_rejects_trailer_name_and_file_parents);
	RUN(cpio_empty_archive);
	rc = HARNESS_END();
	sh("rm -rf %s%s", tmp, "");
	return rc;
}
