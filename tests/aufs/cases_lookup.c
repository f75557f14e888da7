// SPDX-License-Identifier: GPL-2.0
/* Shared cases (aufs and overlayfs agree): lookup, readdir, stat, permission, statfs, inode numbers.
 * Branches: rw = C->upper, second lower = /l2 (fixture_l2), bottom = /sq (fixture_squash). */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static void lookup_top_wins(void)
{
	struct stat st;
	char buf[64];

	CHECK_STR(pu("both.txt"), "l2 both\n");
	if (EXP(0, lstat(pu("both.txt"), &st)) == 0) {
		CHECK_EQ(st.st_mode & 07777, 0600);
		CHECK_EQ(st.st_size, 8);
	}
	CHECK_STR(pu("a.txt"), "lower a\n");
	CHECK_STR(pu("l2only.txt"), "l2 only\n");
	CHECK_STR(pu("d/x"), "l2 x\n");
	CHECK_STR(pu("d/sub/z"), "sq z\n");
	EXP(ENOENT, lstat(pu("nonexistent"), &st));
	EXP(ENOENT, lstat(pu("d/nonexistent"), &st));
	EXP(ENOENT, lstat(pu("nonexistent/x"), &st));
	EXP(ENOTDIR, lstat(pu("a.txt/"), &st));
	EXP(ENOTDIR, lstat(pu("a.txt/x"), &st));
	EXP(0, lstat(pu("d/"), &st));
	if (EXP(0, readlink(pu("lnk"), buf, sizeof(buf))) == 5)
		CHECK(!memcmp(buf, "a.txt", 5));
	CHECK_STR(pu("lnk"), "lower a\n");
	if (EXP(0, lstat(pu("fifo"), &st)) == 0)
		CHECK(S_ISFIFO(st.st_mode));
}

static void readdir_merge(void)
{
	char *root;

	CHECK_LIST(pu("d"), "l2sub sub w x y");
	CHECK_LIST(pu("d/sub"), "z");
	CHECK_LIST(pu("d/l2sub"), "");
	CHECK_LIST(pu("empty"), "");
	CHECK_LIST(pu("p/q"), "r");
	/* the root shows the fixture names and nothing of the union's own bookkeeping */
	root = list_dir(pu("."));
	if (!root) {
		FAIL("readdir /u: %s", strerror(errno));
		return;
	}
	CHECK(strstr(root, "a.txt") && strstr(root, "l2only.txt") && strstr(root, "both.txt"));
	if (strstr(root, ".wh.") || strstr(root, "xino") || strstr(root, "work"))
		FAIL("union root lists internal names: %s", root);
	free(root);
	CHECK_EQ(count_entry(pu("."), "both.txt"), 1);
	CHECK_EQ(count_entry(pu("d"), "x"), 1);
}

/* expected names of many/: m000..m399 (squash), m000..m049 again and n000..n099 (l2) */
static char *many_expected(const char *skip1, const char *skip2, const char *add)
{
	char *s = malloc(8 * (MANY_SQ + MANY_L2 + 2) + 64), name[16];
	int i;

	s[0] = 0;
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < (pass ? MANY_L2 : MANY_SQ); i++) {
			snprintf(name, sizeof(name), "%c%03d", pass ? 'n' : 'm', i);
			if ((skip1 && !strcmp(name, skip1)) || (skip2 && !strcmp(name, skip2)))
				continue;
			if (add && strcmp(add, name) < 0 && !strstr(s, add)) {
				strcat(s, *s ? " " : "");
				strcat(s, add);
			}
			strcat(s, *s ? " " : "");
			strcat(s, name);
		}
	if (add && !strstr(s, add)) {
		strcat(s, " ");
		strcat(s, add);
	}
	return s;
}

static void readdir_no_duplicates(void)
{
	char *want = many_expected(NULL, NULL, NULL);

	CHECK_LIST(pu("many"), want);
	free(want);
	CHECK_EQ(count_entry(pu("many"), "m010"), 1);
}

static void readdir_hides_whiteouts(void)
{
	char *want = many_expected("m010", "m020", "new");

	EXP(0, unlink(pu("many/m010")));	/* squash only */
	EXP(0, unlink(pu("many/m020")));	/* squash and l2 */
	EXP(0, put_str(pu("many/new"), "new\n"));
	CHECK_LIST(pu("many"), want);
	free(want);
	CHECK_EQ(count_entry(pu("many"), "m020"), 0);
}

/* telldir/seekdir/rewinddir on one open directory give the same sequence again */
static void readdir_seek_stable(void)
{
	DIR *d = opendir(pu("many"));
	struct dirent *e;
	char **first = calloc(1024, sizeof(char *));
	long pos = -1;
	int n = 0, i, at = 0;

	if (!d) {
		FAIL("opendir: %s", strerror(errno));
		free(first);
		return;
	}
	while ((e = readdir(d)) && n < 1024) {
		first[n++] = strdup(e->d_name);
		if (n == 250) {
			pos = telldir(d);
			at = n;
		}
	}
	CHECK_EQ(n, MANY_SQ + MANY_L2 + 2);
	if (pos >= 0) {
		seekdir(d, pos);
		for (i = at; (e = readdir(d)); i++)
			if (i >= n || strcmp(e->d_name, first[i])) {
				FAIL("after seekdir entry %d is %s, expected %s", i, e->d_name,
				     i < n ? first[i] : "(end)");
				break;
			}
		if (!e)
			CHECK_EQ(i, n);
	}
	rewinddir(d);
	for (i = 0; (e = readdir(d)); i++)
		if (i >= n || strcmp(e->d_name, first[i])) {
			FAIL("after rewinddir entry %d is %s, expected %s", i, e->d_name,
			     i < n ? first[i] : "(end)");
			break;
		}
	if (!e)
		CHECK_EQ(i, n);
	/* rewinddir also sees entries created while the directory was open */
	EXP(0, put_str(pu("many/late"), "late\n"));
	rewinddir(d);
	for (i = 0; (e = readdir(d));)
		i += !strcmp(e->d_name, "late");
	CHECK_EQ(i, 1);
	closedir(d);
	for (i = 0; i < n; i++)
		free(first[i]);
	free(first);
}

static void stat_topmost(void)
{
	struct stat st, st2;

	if (EXP(0, stat(pu("own.txt"), &st)) == 0) {
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1001);
		CHECK_EQ(st.st_mode, S_IFREG | 0640);
		CHECK_EQ(st.st_size, 6);
		CHECK_EQ(st.st_mtime, 1234567890);
		CHECK_EQ(st.st_nlink, 1);
	}
	if (EXP(0, stat(pu("hl1"), &st)) == 0 && EXP(0, stat(pu("hl2"), &st2)) == 0) {
		CHECK_EQ(st.st_nlink, 2);
		CHECK_EQ(st.st_ino, st2.st_ino);
	}
	/* directory link count: 1 (unknown) or at least 2 + visible subdirectories (find(1)) */
	if (EXP(0, stat(pu("d"), &st)) == 0) {
		CHECK(S_ISDIR(st.st_mode));
		if (st.st_nlink != 1 && st.st_nlink < 4)
			FAIL("d has nlink %ld with 2 subdirectories", (long)st.st_nlink);
	}
	if (EXP(0, stat(pu("p"), &st)) == 0) {
		CHECK_EQ(st.st_mode, S_IFDIR | 0750);
		CHECK_EQ(st.st_uid, 1000);
	}
	if (EXP(0, stat(pu("big.bin"), &st)) == 0)
		CHECK_EQ(st.st_size, BIG_SIZE);
	if (EXP(0, stat(pu("sparse.bin"), &st)) == 0)
		CHECK_EQ(st.st_size, SPARSE_HOLE + 4096);
}

static int op_read(const char *p)
{
	int fd = open(p, O_RDONLY);

	return fd < 0 ? -1 : close(fd);
}

static int op_write(const char *p)
{
	int fd = open(p, O_WRONLY);

	return fd < 0 ? -1 : close(fd);
}

static int op_create(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);

	return fd < 0 ? -1 : close(fd);
}

static void permission_nondir(void)
{
	/* non-directories: the topmost inode decides */
	CHECK_EQ(as_user(65534, op_read, pu("priv.txt")), EACCES);
	CHECK_EQ(as_user(65534, op_read, pu("pub.txt")), 0);
	CHECK_EQ(as_user(65534, op_write, pu("pub.txt")), EACCES);
	CHECK_EQ(as_user(65534, op_read, pu("both.txt")), EACCES);	/* 0600 on l2, 0644 below */
	CHECK_EQ(as_user(65534, op_create, pu("d/new")), EACCES);
	CHECK(!exists(pw("pub.txt")));
	CHECK(!exists(pw("d/new")));
	/* root may write a file of a read-only branch: the union copies it up */
	EXP(0, access(pu("pub.txt"), W_OK));
	EXP(0, access(pu("priv.txt"), R_OK | W_OK));
}

static void statfs_first_branch(void)
{
	struct statfs u, w;

	if (EXP(0, statfs(pu("."), &u)) < 0 || EXP(0, statfs(C->upper, &w)) < 0)
		return;
	CHECK_EQ(u.f_bsize, w.f_bsize);
	CHECK_EQ(u.f_blocks, w.f_blocks);
	CHECK_EQ(u.f_files, w.f_files);
	CHECK(u.f_namelen > 0 && u.f_namelen <= 256);
}

static void inode_numbers_stable(void)
{
	/* overlayfs keeps non-directory numbers only (merged directories get new ones on a
	 * non-samefs union without xino); aufs keeps all: directories are checked there */
	static const char *names[] = { "a.txt", "d/x", "many/m001", "l2only.txt", "hl1",
				       "p/q/r/file", "d", "d/sub", "." };
	size_t n = C->aufs ? 9 : 6, i;
	ino_t ino[9];
	struct stat st;

	for (i = 0; i < n; i++)
		ino[i] = EXP(0, stat(pu("%s", names[i]), &st)) == 0 ? st.st_ino : 0;
	drop_caches();
	for (i = 0; i < n; i++)
		if (EXP(0, stat(pu("%s", names[i]), &st)) == 0 && st.st_ino != ino[i])
			FAIL("%s: inode %lu after drop_caches, was %lu", names[i],
			     (unsigned long)st.st_ino, (unsigned long)ino[i]);
}

static void no_copyup_on_read(void)
{
	char *s;
	struct stat st;
	DIR *d;

	s = get_file(pu("a.txt"), NULL);
	free(s);
	stat(pu("d/x"), &st);
	d = opendir(pu("d"));
	if (d) {
		while (readdir(d))
			;
		closedir(d);
	}
	EXP(0, access(pu("pub.txt"), W_OK));
	CHECK(!exists(pw("a.txt")));
	CHECK(!exists(pw("d")));
	CHECK(!exists(pw("pub.txt")));
}

const struct fcase lookup_cases[] = {
	{ "lookup-topmost-wins", lookup_top_wins, 0 },
	{ "readdir-merge", readdir_merge, 0 },
	{ "readdir-no-duplicates", readdir_no_duplicates, 0 },
	{ "readdir-hides-whiteouts", readdir_hides_whiteouts, 0 },
	{ "readdir-seek-rewind-stable", readdir_seek_stable, 0 },
	{ "stat-topmost", stat_topmost, 0 },
	{ "permission-nondir-topmost", permission_nondir, 0 },
	{ "statfs-first-branch", statfs_first_branch, 0 },
	{ "ino-stable-drop-caches", inode_numbers_stable, 0 },
	{ "no-copyup-on-read", no_copyup_on_read, 0 },
	{ NULL, NULL, 0 },
};
