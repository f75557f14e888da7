// SPDX-License-Identifier: GPL-2.0
/* aufs-only semantics from aufs(5): whiteout names on the branches, the reserved .wh. prefix,
 * namelen, xino, plink/noplink, udba=reval, diropq, dirwh, coo, shwh, directory permission
 * over all branches, rename of an empty lower directory, atomic copy-up. */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* names aufs keeps on a rw branch for itself (whiteout base, plink dir, orphans) */
static int aufs_internal(const char *name)
{
	return !strncmp(name, ".wh..wh.", 8);
}

/* every ".wh." entry of a branch directory that is neither internal nor in allowed */
static void check_no_stray_wh(const char *dir, const char *allowed)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, ".wh.", 4) && !aufs_internal(e->d_name) &&
		    !(allowed && strstr(allowed, e->d_name)))
			FAIL("%s holds the stray entry %s", dir, e->d_name);
	closedir(d);
}

static void wh_names(void)
{
	struct stat st;
	char *s;

	EXP(0, unlink(pu("a.txt")));
	if (EXP(0, lstat(pw(".wh.a.txt"), &st)) == 0) {
		CHECK(S_ISREG(st.st_mode));
		CHECK_EQ(st.st_size, 0);
	}
	EXP(0, unlink(pu("d/x")));
	CHECK(exists(pw("d/.wh.x")));
	/* a logically empty lower dir removed and made again is opaque */
	EXP(0, rmdir(pu("empty")));
	CHECK(exists(pw(".wh.empty")));
	EXP(0, mkdir(pu("empty"), 0755));
	CHECK(exists(pw("empty/.wh..wh..opq")));
	CHECK(!exists(pw(".wh.empty")));
	CHECK_LIST(pu("empty"), "");
	s = list_dir(pu("."));
	if (s && strstr(s, ".wh."))
		FAIL("the union lists whiteouts: %s", s);
	free(s);
	CHECK_LIST(pu("d"), "l2sub sub w y");
}

/* aufs(5) "Whiteout": whiteouts and diropq are hard links to <rw branch>/.wh..wh.aufs */
static void wh_linked(void)
{
	struct stat base, st;

	if (EXP(0, lstat(pw(".wh..wh.aufs"), &base)) < 0)
		return;
	CHECK(S_ISREG(base.st_mode));
	CHECK_EQ(base.st_size, 0);
	EXP(0, unlink(pu("a.txt")));
	EXP(0, unlink(pu("d/x")));
	EXP(0, rmdir(pu("empty")));
	EXP(0, mkdir(pu("empty"), 0755));
	const char *whs[] = { ".wh.a.txt", "d/.wh.x", "empty/.wh..wh..opq" };

	for (size_t i = 0; i < sizeof(whs) / sizeof(whs[0]); i++)
		if (EXP(0, lstat(pw("%s", whs[i]), &st)) == 0 && st.st_ino != base.st_ino)
			FAIL("%s is not a link to .wh..wh.aufs (ino %llu, base %llu)", whs[i],
			     (unsigned long long)st.st_ino, (unsigned long long)base.st_ino);
	/* 1 + a.txt, d/x, the diropq (.wh.empty went when empty was made again) */
	if (EXP(0, lstat(pw(".wh..wh.aufs"), &st)) == 0)
		CHECK_EQ(st.st_nlink, 4);
	/* the base is never seen through the union */
	CHECK(!exists(pu(".wh..wh.aufs")));
	CHECK_LIST(pu("d"), "l2sub sub w y");
	/* the base removed behind aufs' back: whiteouts fall back to plain files */
	EXP(0, unlink(pw(".wh..wh.aufs")));
	EXP(0, unlink(pu("pub.txt")));
	if (EXP(0, lstat(pw(".wh.pub.txt"), &st)) == 0) {
		CHECK(S_ISREG(st.st_mode));
		CHECK_EQ(st.st_nlink, 1);
	}
	CHECK(!exists(pu("pub.txt")));
}

/* +nolwh: plain whiteouts and no whiteout base */
static void wh_nolwh(void)
{
	char o[512];
	struct stat st;

	snprintf(o, sizeof(o), "br:%s=rw+nolwh:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR);
	if (EXP(0, aufs_mount(o)) < 0)
		return;
	EXP(0, unlink(pu("a.txt")));
	if (EXP(0, lstat(pw(".wh.a.txt"), &st)) == 0)
		CHECK_EQ(st.st_nlink, 1);
	CHECK(!exists(pw(".wh..wh.aufs")));
	/* mod to rw: the base is made then, and later whiteouts link to it */
	snprintf(o, sizeof(o), "mod:%s=rw", C->upper);
	EXP(0, mount("none", UNION, "aufs", MS_REMOUNT, o));
	EXP(0, unlink(pu("pub.txt")));
	if (EXP(0, lstat(pw(".wh.pub.txt"), &st)) == 0)
		CHECK_EQ(st.st_nlink, 2);
	CHECK(!exists(pu("a.txt")));
	CHECK(!exists(pu("pub.txt")));
}

static void wh_prefix_refused(void)
{
	struct stat st;

#define REFUSED(expr) EXP2(EINVAL, EPERM, expr)
	REFUSED(open(pu(".wh.foo"), O_WRONLY | O_CREAT, 0644));
	REFUSED(open(pu("d/.wh.foo"), O_WRONLY | O_CREAT, 0644));
	REFUSED(mkdir(pu(".wh.dir"), 0755));
	REFUSED(symlink("a.txt", pu(".wh.sl")));
	REFUSED(mknod(pu(".wh.nod"), S_IFIFO | 0644, 0));
	REFUSED(link(pu("a.txt"), pu(".wh.ln")));
	REFUSED(rename(pu("pub.txt"), pu(".wh.ren")));
	REFUSED(open(pu(".wh..wh..opq"), O_WRONLY | O_CREAT, 0644));
	CHECK_STR(pu("pub.txt"), "public\n");
	CHECK(!exists(pw(".wh.foo")) && !exists(pw(".wh.dir")) && !exists(pw(".wh.ren")));
	/* the whiteout itself is never reachable through the union */
	EXP(0, unlink(pu("a.txt")));
	if (lstat(pu(".wh.a.txt"), &st) == 0)
		FAIL("lstat of the whiteout .wh.a.txt succeeds through the union");
	EXP(0, rmdir(pu("empty")));
	EXP(0, mkdir(pu("empty"), 0755));
	if (lstat(pu("empty/.wh..wh..opq"), &st) == 0)
		FAIL("the opaque mark is reachable through the union");
#undef REFUSED
}

static void namelen_minus_4(void)
{
	struct statfs u, w;
	char name[300];

	if (EXP(0, statfs(pu("."), &u)) < 0 || EXP(0, statfs(C->upper, &w)) < 0)
		return;
	CHECK_EQ(u.f_namelen, w.f_namelen - 4);
	if (u.f_namelen <= 0 || u.f_namelen >= 290)
		return;
	memset(name, 'n', u.f_namelen + 1);
	name[u.f_namelen] = 0;
	EXP(0, put_str(pu("%s", name), "long\n"));
	CHECK_STR(pu("%s", name), "long\n");
	name[u.f_namelen] = 'n';
	name[u.f_namelen + 1] = 0;
	EXP(ENAMETOOLONG, open(pu("%s", name), O_WRONLY | O_CREAT, 0644));
	EXP(ENAMETOOLONG, mkdir(pu("%s", name), 0755));
}

/* whiteouts already on the branches when the union is mounted */
static void wh_on_branches(void)
{
	EXP(0, put_str(pw(".wh.x.txt"), ""));
	EXP(0, mkdir(pw("d"), 0755));
	EXP(0, put_str(pw("d/.wh..wh..opq"), ""));
	EXP(0, put_str(pw("d/own"), "own\n"));
	EXP(0, mkdirs(pl("hide"), 0755));
	EXP(0, put_str(pl("hide/.wh.h1"), ""));
	EXP(0, mkdirs(pl("opq"), 0755));
	EXP(0, put_str(pl("opq/.wh..wh..opq"), ""));
	EXP(0, put_str(pl("opq/mine"), "mine\n"));
	{
		char o[512];

		snprintf(o, sizeof(o), "br:%s=rw:%s=ro+wh:%s=rr", C->upper, L2_DIR, SQ_DIR);
		if (EXP(0, aufs_mount(o)) < 0)
			return;
	}
	EXP(ENOENT, access(pu("x.txt"), F_OK));
	CHECK_EQ(count_entry(pu("."), "x.txt"), 0);
	CHECK_LIST(pu("d"), "own");
	CHECK_LIST(pu("hide"), "h2");
	EXP(ENOENT, access(pu("hide/h1"), F_OK));
	CHECK_LIST(pu("opq"), "mine");
	EXP(ENOENT, access(pu("opq/o1"), F_OK));
}

static void xino_stable(void)
{
	static const char *names[] = { "a.txt", "d", "d/x", "l2only.txt", "p/q/r/file", "nf" };
	ino_t ino[6];
	struct stat st;
	int fd;

	EXP(0, put_str(pu("nf"), "nf\n"));
	for (int i = 0; i < 6; i++)
		ino[i] = EXP(0, stat(pu("%s", names[i]), &st)) == 0 ? st.st_ino : 0;
	/* copy-up of each: the aufs inode keeps its number */
	fd = EXP(0, open(pu("a.txt"), O_WRONLY | O_APPEND));
	if (fd >= 0) {
		CHECK_EQ(write(fd, "+", 1), 1);
		close(fd);
	}
	EXP(0, chmod(pu("d"), 0711));
	EXP(0, truncate(pu("d/x"), 1));
	EXP(0, chmod(pu("p/q/r/file"), 0600));
	drop_caches();
	for (int i = 0; i < 6; i++)
		if (EXP(0, stat(pu("%s", names[i]), &st)) == 0 && st.st_ino != ino[i])
			FAIL("%s: inode %lu after copy-up and drop_caches, was %lu", names[i],
			     (unsigned long)st.st_ino, (unsigned long)ino[i]);
	drop_caches();
	if (EXP(0, stat(pu("a.txt"), &st)) == 0)
		CHECK_EQ(st.st_ino, ino[0]);
}

/* one st_dev, and no two names of different files share an inode number */
static void ino_unique(void)
{
	DIR *d;
	struct dirent *e;
	struct stat st, rst;
	ino_t *seen = calloc(2048, sizeof(ino_t));
	int n = 0;
	const char *dirs[] = { "many", "d", "." };

	EXP(0, stat(pu("."), &rst));
	for (int k = 0; k < 3; k++) {
		d = opendir(pu("%s", dirs[k]));
		if (!d)
			continue;
		while ((e = readdir(d)) && n < 2048) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "hl2"))
				continue;
			if (lstat(pu("%s/%s", dirs[k], e->d_name), &st) < 0)
				continue;
			if (st.st_dev != rst.st_dev)
				FAIL("%s/%s has st_dev %lx, the union root %lx", dirs[k], e->d_name,
				     (unsigned long)st.st_dev, (unsigned long)rst.st_dev);
			if (e->d_ino != st.st_ino)
				FAIL("%s/%s: d_ino %lu, st_ino %lu", dirs[k], e->d_name,
				     (unsigned long)e->d_ino, (unsigned long)st.st_ino);
			for (int i = 0; i < n; i++)
				if (seen[i] == st.st_ino) {
					FAIL("%s/%s shares inode %lu with another file", dirs[k],
					     e->d_name, (unsigned long)st.st_ino);
					break;
				}
			seen[n++] = st.st_ino;
		}
		closedir(d);
	}
	free(seen);
}

/* aufs(5) "The behaviours of plink and noplink", first example */
static void plink(void)
{
	struct stat a, b;
	int fd = EXP(0, open(pu("hl1"), O_WRONLY | O_APPEND));

	if (fd >= 0) {
		CHECK_EQ(write(fd, "abc\n", 4), 4);
		close(fd);
	}
	CHECK_STR(pu("hl1"), "1\nabc\n");
	CHECK_STR(pu("hl2"), "1\nabc\n");
	if (EXP(0, stat(pu("hl1"), &a)) == 0 && EXP(0, stat(pu("hl2"), &b)) == 0) {
		CHECK_EQ(a.st_ino, b.st_ino);
		CHECK_EQ(a.st_nlink, 2);
		CHECK_EQ(b.st_size, 6);
	}
	drop_caches();
	CHECK_STR(pu("hl2"), "1\nabc\n");
	/* writing through the other name reaches the same file */
	fd = EXP(0, open(pu("hl2"), O_WRONLY | O_APPEND));
	if (fd >= 0) {
		CHECK_EQ(write(fd, "z", 1), 1);
		close(fd);
	}
	CHECK_STR(pu("hl1"), "1\nabc\nz");
	CHECK_STR(ps("hl2"), "1\n");
}

/* second example: with noplink, hl2 does not follow */
static void noplink(void)
{
	int fd;

	if (EXP(0, union_mount("noplink")) < 0)
		return;
	fd = EXP(0, open(pu("hl1"), O_WRONLY | O_APPEND));
	if (fd >= 0) {
		CHECK_EQ(write(fd, "abc\n", 4), 4);
		close(fd);
	}
	CHECK_STR(pu("hl1"), "1\nabc\n");
	CHECK_STR(pu("hl2"), "1\n");
}

static void udba_check(const char *opt)
{
	struct stat st;
	char *s;

	if (EXP(0, union_mount(opt)) < 0)
		return;
	CHECK_STR(pu("l2only.txt"), "l2 only\n");
	CHECK_LIST(pu("d"), "l2sub sub w x y");
	/* removed on the branch: gone at the next lookup */
	EXP(0, unlink(pl("l2only.txt")));
	EXP(ENOENT, stat(pu("l2only.txt"), &st));
	EXP(ENOENT, open(pu("l2only.txt"), O_RDONLY));
	/* created on the branch: there */
	EXP(0, put_str(pl("direct.txt"), "direct\n"));
	CHECK_STR(pu("direct.txt"), "direct\n");
	EXP(0, put_str(pl("d/new2"), "n2\n"));
	CHECK_LIST(pu("d"), "l2sub new2 sub w x y");
	s = list_dir(pu("."));
	if (s && (!strstr(s, "direct.txt") || strstr(s, "l2only.txt")))
		FAIL("union root after direct changes: %s", s);
	free(s);
	/* made on the rw branch directly over a lower name not looked up yet: the upper wins */
	EXP(0, put_str(pw("pub.txt"), "upper\n"));
	CHECK_STR(pu("pub.txt"), "upper\n");
	/* changed in place: reads go to the branch's file */
	EXP(0, put_str(pl("d/w"), "changed\n"));
	CHECK_STR(pu("d/w"), "changed\n");
}

static void udba_reval(void)
{
	udba_check("udba=reval");
}

static void udba_notify(void)
{
	udba_check("udba=notify");
}

static void diropq_default_w(void)
{
	EXP(0, mkdir(pu("nd"), 0755));
	CHECK(exists(pw("nd")));
	CHECK(!exists(pw("nd/.wh..wh..opq")));
	EXP(0, rmdir(pu("empty")));
	EXP(0, mkdir(pu("empty"), 0755));
	CHECK(exists(pw("empty/.wh..wh..opq")));
}

static void diropq_always(void)
{
	if (EXP(0, union_mount("diropq=a")) < 0)
		return;
	EXP(0, mkdir(pu("nd"), 0755));
	CHECK(exists(pw("nd/.wh..wh..opq")));
	CHECK_LIST(pu("nd"), "");
	EXP(0, mkdir(pu("d/sub2"), 0755));
	CHECK(exists(pw("d/sub2/.wh..wh..opq")));
	CHECK_LIST(pu("d"), "l2sub sub sub2 w x y");
}

/* rmdir of a directory holding more whiteouts than dirwh */
static void dirwh(void)
{
	char name[16], *s;
	struct stat st;
	int i, left;

	if (EXP(0, union_mount("dirwh=3")) < 0)
		return;
	for (i = 0; i < MANY_SQ; i++) {
		snprintf(name, sizeof(name), "m%03d", i);
		if (unlink(pu("many/%s", name)) < 0)
			FAIL("unlink many/%s: %s", name, strerror(errno));
	}
	for (i = 0; i < MANY_L2; i++) {
		snprintf(name, sizeof(name), "n%03d", i);
		if (unlink(pu("many/%s", name)) < 0)
			FAIL("unlink many/%s: %s", name, strerror(errno));
	}
	CHECK_LIST(pu("many"), "");
	EXP(0, rmdir(pu("many")));
	EXP(ENOENT, stat(pu("many"), &st));
	/* the whiteouted temporary directory goes away (in the background) */
	for (left = 30; left > 0; left--) {
		s = list_dir(C->upper);
		int stray = 0;
		for (char *t = s ? strtok(s, " ") : NULL; t; t = strtok(NULL, " "))
			if (!strncmp(t, ".wh.", 4) && !aufs_internal(t) && strcmp(t, ".wh.many"))
				stray = 1;
		free(s);
		if (!stray)
			break;
		usleep(100000);
	}
	check_no_stray_wh(C->upper, ".wh.many");
	EXP(0, mkdir(pu("many"), 0755));
	CHECK_LIST(pu("many"), "");
	/* a dir removed right after its whiteouts, under dirwh */
	EXP(0, unlink(pu("d/sub/z")));
	EXP(0, rmdir(pu("d/sub")));
	EXP(ENOENT, stat(pu("d/sub"), &st));
}

/*
 * A dirwh removal runs in a kworker, whose close of the branch directory is
 * deferred: once umount of the union returns, the branch must be unmountable
 * at once (the CI saw "umount /rw: EBUSY" after rmdir-logically-empty).
 */
static void dirwh_umount_branch(void)
{
	static const char rw2[] = "/rw2";
	char o[256], name[16];
	int i, j, busy = 0;

	mkdir(rw2, 0755);
	for (i = 0; i < 20; i++) {
		if (mount("tmpfs", rw2, "tmpfs", 0, "size=16m,mode=0755") < 0) {
			FAIL("mount %s: %s", rw2, strerror(errno));
			return;
		}
		mkdir("/rw2/upper", 0755);
		snprintf(o, sizeof(o), "br:/rw2/upper=rw:%s=ro:%s=rr,dirwh=1", L2_DIR, SQ_DIR);
		if (EXP(0, aufs_mount(o)) < 0) {
			umount(rw2);
			return;
		}
		for (j = 1; j <= 6; j++) {
			snprintf(name, sizeof(name), "rmd/c%d", j);
			EXP(0, unlink(pu("%s", name)));
		}
		EXP(0, rmdir(pu("rmd")));
		if (EXP(0, union_umount()) < 0)
			umount2(UNION, MNT_DETACH);
		if (umount(rw2) < 0) {
			busy++;
			umount2(rw2, MNT_DETACH);
		}
	}
	CHECK_EQ(busy, 0);
}

static int op_search(const char *p)
{
	struct stat st;

	return stat(p, &st);
}

/* aufs(5): for a directory, the permission bits of every branch's directory count */
static void dir_permission_all_branches(void)
{
	struct stat st;

	if (EXP(0, stat(pu("dperm"), &st)) == 0)
		CHECK_EQ(st.st_mode, S_IFDIR | 0755);	/* attributes from the topmost */
	CHECK_EQ(as_user(65534, op_search, pu("dperm/g")), EACCES);
	CHECK_EQ(as_user(65534, op_search, pu("dperm/f")), EACCES);
	CHECK_EQ(as_user(65534, op_search, pu("d/x")), 0);
}

static void rename_dir_rules(void)
{
	struct stat st;

	/* a lower directory without children moves (EXDEV is only for one with children) */
	EXP(0, rename(pu("empty"), pu("empty2")));
	EXP(ENOENT, stat(pu("empty"), &st));
	CHECK_LIST(pu("empty2"), "");
	EXP(0, rename(pu("d/l2sub"), pu("l2sub_moved")));
	CHECK_LIST(pu("d"), "sub w x y");
	/* a renamed dir is opaque when the name had lower entries before */
	EXP(0, mkdir(pu("nd"), 0755));
	EXP(0, put_str(pu("nd/f"), "f\n"));
	EXP(0, unlink(pu("rmdeep/sub/file")));
	EXP(0, rmdir(pu("rmdeep/sub")));
	EXP(0, rmdir(pu("rmdeep")));
	EXP(0, rename(pu("nd"), pu("rmdeep")));
	CHECK_LIST(pu("rmdeep"), "f");
}

static void copyup_atomic(void)
{
	int fd = EXP(0, open(pu("big.bin"), O_WRONLY));

	if (fd >= 0) {
		CHECK_EQ(pwrite(fd, "#", 1, 10), 1);
		close(fd);
	}
	EXP(0, chmod(pu("own.txt"), 0600));
	EXP(0, chmod(pu("p/q/r/file"), 0600));
	check_no_stray_wh(C->upper, NULL);
	check_no_stray_wh(pw("p/q/r"), NULL);
	CHECK(!exists(pw(".aufs.xino")));
	CHECK(!exists(pu(".aufs.xino")));
}

static void coo_leaf_all(void)
{
	DIR *d;
	int fd;

	if (EXP(0, union_mount("coo=leaf")) < 0)
		return;
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));
	close(fd);
	CHECK_STR(pw("a.txt"), "lower a\n");
	d = opendir(pu("ino/sub"));
	if (d)
		closedir(d);
	CHECK(!exists(pw("ino/sub")));
	EXP(0, union_umount());
	if (EXP(0, union_mount("coo=all")) < 0)
		return;
	d = opendir(pu("ino/sub"));
	if (d)
		closedir(d);
	CHECK(exists(pw("ino/sub")));
}

static void shwh(void)
{
	struct stat st;

	if (EXP(0, union_mount("shwh")) < 0)
		return;
	EXP(0, unlink(pu("a.txt")));
	EXP(ENOENT, stat(pu("a.txt"), &st));
	CHECK_EQ(count_entry(pu("."), ".wh.a.txt"), 1);
	CHECK_EQ(count_entry(pu("."), "a.txt"), 0);
}

const struct fcase aufs_cases[] = {
	{ "aufs-whiteout-names", wh_names, F_AUFS },
	{ "aufs-whiteout-hardlinked", wh_linked, F_AUFS },
	{ "aufs-whiteout-nolwh", wh_nolwh, F_AUFS | F_NOMOUNT },
	{ "aufs-wh-prefix-refused", wh_prefix_refused, F_AUFS },
	{ "aufs-namelen-minus-4", namelen_minus_4, F_AUFS },
	{ "aufs-whiteouts-on-branches", wh_on_branches, F_AUFS | F_NOMOUNT },
	{ "aufs-xino-stable-after-copyup", xino_stable, F_AUFS },
	{ "aufs-ino-unique-one-dev", ino_unique, F_AUFS },
	{ "aufs-plink", plink, F_AUFS },
	{ "aufs-noplink", noplink, F_AUFS | F_NOMOUNT },
	{ "aufs-udba-reval", udba_reval, F_AUFS | F_NOMOUNT },
	{ "aufs-udba-notify", udba_notify, F_AUFS | F_NOMOUNT },
	{ "aufs-diropq-w", diropq_default_w, F_AUFS },
	{ "aufs-diropq-a", diropq_always, F_AUFS | F_NOMOUNT },
	{ "aufs-dirwh-rmdir", dirwh, F_AUFS | F_NOMOUNT },
	{ "aufs-dirwh-umount-branch", dirwh_umount_branch, F_AUFS | F_NOMOUNT },
	{ "aufs-dir-permission-all-branches", dir_permission_all_branches, F_AUFS },
	{ "aufs-rename-dir-rules", rename_dir_rules, F_AUFS },
	{ "aufs-copyup-atomic", copyup_atomic, F_AUFS },
	{ "aufs-coo-leaf-all", coo_leaf_all, F_AUFS | F_NOMOUNT },
	{ "aufs-shwh", shwh, F_AUFS | F_NOMOUNT },
	{ NULL, NULL, 0 },
};
