// SPDX-License-Identifier: GPL-2.0
/* Random operations on the union, each checked against an in-memory model of what the union
 * must contain: data ops (write, truncate, read, mmap at random offsets) on files that start on
 * the squashfs branch, and namespace ops (create, unlink, link, rename of files and dirs, mkdir, rmdir). Seeded and
 * time-bounded; a remount and drop_caches now and then check what the rw branch keeps. */
#include "fsop.h"

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NDIR 5		/* m, m/d0 .. m/d3 */
#define NNAME 15	/* f00 .. f13, g0 */
#define MAXLEN (96 * 1024)

/* an inode of the model; names point at inodes, so hard links share one */
struct mfile {
	int exists;	/* nlink > 0 */
	int nlink;
	char *data;
	size_t len;
};

#define NINODE (NDIR * NNAME + 1)
static struct mfile inodes[NINODE];	/* [0] is the absent file */
static int names[NDIR][NNAME];		/* inode index, 0 = no such name */
#define MF(d, n) (&inodes[names[d][n]])
static int dirs[NDIR];
static int lowerdir[NDIR];	/* the directory (still) has lower-branch origin: EXDEV allowed */
static unsigned rng;
static long nops;
static char hist[8][128];

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n ? rng % n : 0;
}

static const char *dname(int d)
{
	static const char *n[NDIR] = { "m", "m/d0", "m/d1", "m/d2", "m/d3" };

	return n[d];
}

static const char *fname(int n)
{
	static char b[NNAME][4];

	if (n == NNAME - 1)
		return "g0";
	snprintf(b[n], 4, "f%02d", n);
	return b[n];
}

static const char *fpath(int d, int n)
{
	return pu("%s/%s", dname(d), fname(n));
}

static void logop(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logop(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hist[nops & 7], sizeof(hist[0]), fmt, ap);
	va_end(ap);
}

static int mfail;
#define MCHECK(cond, ...) do { if (!(cond)) { FAIL(__VA_ARGS__); mfail = 1; } } while (0)

/* the errno an op gave against the one the model predicts */
static void mexpect(long r, int want, const char *what)
{
	int got = r < 0 ? errno : 0;

	MCHECK(got == want, "op %ld %s: got %s, model says %s", nops, what,
	       got ? strerror(got) : "success", want ? strerror(want) : "success");
}

static void set_len(struct mfile *f, size_t len)
{
	f->data = realloc(f->data, len + 1);
	if (len > f->len)
		memset(f->data + f->len, 0, len - f->len);
	f->len = len;
}

static void verify_file(int d, int n)
{
	size_t len;
	char *b = get_file(fpath(d, n), &len);
	struct mfile *f = MF(d, n);

	if (!b) {
		MCHECK(!f->exists && errno == ENOENT, "op %ld: read %s: %s (model: %s)", nops,
		       fpath(d, n), strerror(errno), f->exists ? "exists" : "absent");
		return;
	}
	if (f->exists) {
		struct stat st;

		if (stat(fpath(d, n), &st) == 0 && st.st_nlink != (nlink_t)f->nlink)
			MCHECK(0, "op %ld: %s has nlink %lu, model %d", nops, fpath(d, n),
			       (unsigned long)st.st_nlink, f->nlink);
	}
	if (!f->exists)
		MCHECK(0, "op %ld: %s exists, model says absent", nops, fpath(d, n));
	else if (len != f->len || memcmp(b, f->data, len)) {
		size_t i = 0;

		while (i < len && i < f->len && b[i] == f->data[i])
			i++;
		MCHECK(0, "op %ld: %s has %zu bytes, model %zu, first difference at %zu", nops,
		       fpath(d, n), len, f->len, i);
	}
	free(b);
}

static void verify_all(void)
{
	char want[NNAME * 4 + NDIR * 4 + 8];

	for (int d = 0; d < NDIR && !mfail; d++) {
		if (!dirs[d])
			continue;
		want[0] = 0;
		/* sorted listing: d0..d3 sort before f.., g0 last */
		if (d == 0)
			for (int k = 1; k < NDIR; k++)
				if (dirs[k]) {
					strcat(want, *want ? " " : "");
					strcat(want, dname(k) + 2);
				}
		for (int n = 0; n < NNAME; n++)
			if (MF(d, n)->exists) {
				strcat(want, *want ? " " : "");
				strcat(want, fname(n));
			}
		char *got = list_dir(pu("%s", dname(d)));
		MCHECK(got && !strcmp(got, want), "op %ld: readdir %s: \"%s\", model \"%s\"", nops,
		       dname(d), got ? got : strerror(errno), want);
		free(got);
		for (int n = 0; n < NNAME && !mfail; n++)
			verify_file(d, n);
	}
}

static int new_inode(void)
{
	for (int i = 1; i < NINODE; i++)
		if (!inodes[i].exists) {
			free(inodes[i].data);
			memset(&inodes[i], 0, sizeof(inodes[i]));
			inodes[i].exists = 1;
			inodes[i].nlink = 1;
			return i;
		}
	return 0;	/* cannot happen: more inodes than names */
}

static void drop_name(int d, int n)
{
	struct mfile *f = MF(d, n);

	if (names[d][n] && --f->nlink == 0)
		f->exists = 0;
	names[d][n] = 0;
}

static void op_write(int d, int n)
{
	struct mfile *f = MF(d, n);
	size_t off = rnd(f->len + 2000), len = 1 + rnd(3000);
	char *buf = malloc(len);
	int fd;

	if (off + len > MAXLEN)
		off = 0;
	gen_data(rng, buf, len);
	logop("write %s off %zu len %zu", fpath(d, n), off, len);
	fd = open(fpath(d, n), O_WRONLY);
	mexpect(fd, f->exists ? 0 : ENOENT, hist[nops & 7]);
	if (fd >= 0) {
		mexpect(pwrite(fd, buf, len, off) == (ssize_t)len ? 0 : -1, 0, hist[nops & 7]);
		close(fd);
		if (off + len > f->len)
			set_len(f, off + len);
		memcpy(f->data + off, buf, len);
	}
	free(buf);
}

static void op_truncate(int d, int n)
{
	struct mfile *f = MF(d, n);
	size_t len = rnd(f->len + f->len / 2 + 100);

	logop("truncate %s %zu", fpath(d, n), len);
	mexpect(truncate(fpath(d, n), len), f->exists ? 0 : ENOENT, hist[nops & 7]);
	if (f->exists)
		set_len(f, len);
}

static void op_mmap(int d, int n)
{
	struct mfile *f = MF(d, n);
	size_t off, len;
	char *m;
	int fd;

	if (!f->exists || !f->len)
		return op_write(d, n);
	off = rnd(f->len);
	len = 1 + rnd(f->len - off);
	logop("mmap-write %s off %zu len %zu", fpath(d, n), off, len);
	fd = open(fpath(d, n), O_RDWR);
	mexpect(fd, 0, hist[nops & 7]);
	if (fd < 0)
		return;
	m = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	MCHECK(m != MAP_FAILED, "op %ld: %s: mmap: %s", nops, hist[nops & 7], strerror(errno));
	if (m != MAP_FAILED) {
		MCHECK(!memcmp(m, f->data, f->len), "op %ld: %s: mapped data differs from model",
		       nops, hist[nops & 7]);
		gen_data(rng, f->data + off, len);
		memcpy(m + off, f->data + off, len);
		if (rnd(2))
			msync(m, f->len, MS_SYNC);
		munmap(m, f->len);
	}
	close(fd);
}

static void op_create(int d, int n)
{
	struct mfile *f = MF(d, n);
	size_t len = rnd(5000);
	char *buf = malloc(len + 1);
	int fd, want = !dirs[d] ? ENOENT : f->exists ? EEXIST : 0;

	gen_data(rng, buf, len);
	logop("create %s len %zu", fpath(d, n), len);
	fd = open(fpath(d, n), O_WRONLY | O_CREAT | O_EXCL, 0644);
	mexpect(fd, want, hist[nops & 7]);
	if (fd >= 0) {
		if (len)
			MCHECK(write(fd, buf, len) == (ssize_t)len, "op %ld: short write", nops);
		close(fd);
		names[d][n] = new_inode();
		f = MF(d, n);
		set_len(f, len);
		memcpy(f->data, buf, len);
	}
	free(buf);
}

static void op_unlink(int d, int n)
{
	struct mfile *f = MF(d, n);

	logop("unlink %s", fpath(d, n));
	mexpect(unlink(fpath(d, n)), f->exists ? 0 : ENOENT, hist[nops & 7]);
	drop_name(d, n);
}

static void op_link(int d, int n)
{
	int d2 = rnd(NDIR), n2 = rnd(NNAME), want;
	char from[512];

	snprintf(from, sizeof(from), "%s", fpath(d, n));
	want = !MF(d, n)->exists || !dirs[d2] ? ENOENT : MF(d2, n2)->exists ? EEXIST : 0;
	logop("link %s %s", from, fpath(d2, n2));
	mexpect(link(from, fpath(d2, n2)), want, hist[nops & 7]);
	if (want)
		return;
	names[d2][n2] = names[d][n];
	MF(d, n)->nlink++;
}

static void op_rename(int d, int n)
{
	int d2 = rnd(NDIR), n2 = rnd(NNAME), want;
	char from[512];

	/* two names of one inode: POSIX says do nothing; not exercised (overlayfs without
	 * index may see two inodes there) */
	if (names[d][n] && names[d][n] == names[d2][n2] && (d != d2 || n != n2))
		return;
	snprintf(from, sizeof(from), "%s", fpath(d, n));
	want = !MF(d, n)->exists || !dirs[d2] ? ENOENT : 0;
	logop("rename %s %s", from, fpath(d2, n2));
	mexpect(rename(from, fpath(d2, n2)), want, hist[nops & 7]);
	if (want || (d == d2 && n == n2))
		return;
	drop_name(d2, n2);
	names[d2][n2] = names[d][n];
	names[d][n] = 0;
}

static void op_mkdir_rmdir(void)
{
	int d = 1 + rnd(NDIR - 1), empty = 1;

	for (int n = 0; n < NNAME; n++)
		empty &= !MF(d, n)->exists;
	if (rnd(2)) {
		logop("mkdir %s", dname(d));
		mexpect(mkdir(pu("%s", dname(d)), 0755), dirs[d] ? EEXIST : 0, hist[nops & 7]);
		dirs[d] = 1;
	} else {
		logop("rmdir %s", dname(d));
		mexpect(rmdir(pu("%s", dname(d))), !dirs[d] ? ENOENT : !empty ? ENOTEMPTY : 0,
			hist[nops & 7]);
		if (empty && dirs[d])
			dirs[d] = lowerdir[d] = 0;
	}
}

/* rename of directories m/d0..d3 onto another of those names */
static void op_rename_dir(void)
{
	int d = 1 + rnd(NDIR - 1), d2 = 1 + rnd(NDIR - 1), empty2 = 1, want, want2 = -1;
	long r;
	int e;

	for (int n = 0; n < NNAME; n++)
		empty2 &= !MF(d2, n)->exists;
	if (!dirs[d])
		want = ENOENT;
	else if (d == d2)
		want = 0;
	else if (dirs[d2] && !empty2)
		want = ENOTEMPTY, want2 = EEXIST;
	else
		want = 0, want2 = lowerdir[d] ? EXDEV : -1;
	logop("rename-dir %s %s", dname(d), dname(d2));
	errno = 0;
	r = rename(pu("%s", dname(d)), pu("%s", dname(d2)));
	e = r < 0 ? errno : 0;
	/* a directory of lower origin may be refused with EXDEV before anything else */
	if (e == EXDEV && dirs[d] && d != d2 && lowerdir[d])
		return;
	MCHECK(e == want || (want2 >= 0 && e == want2), "op %ld %s: got %s, model says %s", nops,
	       hist[nops & 7], e ? strerror(e) : "success", want ? strerror(want) : "success");
	if (e || d == d2)
		return;
	for (int n = 0; n < NNAME; n++) {
		names[d2][n] = names[d][n];
		names[d][n] = 0;
	}
	dirs[d2] = 1;
	dirs[d] = 0;
	lowerdir[d2] = lowerdir[d];
	lowerdir[d] = 0;
}

static void op_read(int d, int n)
{
	logop("read %s", fpath(d, n));
	verify_file(d, n);
}

int model_run(unsigned seed, int seconds)
{
	struct timespec t0, t;
	char name[32];

	rng = seed ? seed : 1;
	mfail = 0;
	nops = 0;
	memset(inodes, 0, sizeof(inodes));
	memset(names, 0, sizeof(names));
	memset(dirs, 0, sizeof(dirs));
	memset(lowerdir, 0, sizeof(lowerdir));
	dirs[0] = dirs[1] = 1;
	lowerdir[1] = 1;
	for (int i = 0; i < MODEL_FILES; i++) {
		struct mfile *f;

		names[0][i] = new_inode();
		f = MF(0, i);
		set_len(f, (size_t)(i * 4099) % 30000 + 1);
		gen_data(100 + i, f->data, f->len);
	}
	names[1][NNAME - 1] = new_inode();
	set_len(MF(1, NNAME - 1), 3);
	memcpy(MF(1, NNAME - 1)->data, "g0\n", 3);
	(void)name;

	if (EXP(0, union_mount(NULL)) < 0)
		return -1;
	verify_all();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int d = rnd(NDIR), n = rnd(NNAME), op = rnd(100);

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (mfail || t.tv_sec - t0.tv_sec >= seconds)
			break;
		nops++;
		if (op < 22)
			op_write(d, n);
		else if (op < 32)
			op_truncate(d, n);
		else if (op < 44)
			op_read(d, n);
		else if (op < 54)
			op_mmap(d, n);
		else if (op < 68)
			op_create(d, n);
		else if (op < 76)
			op_unlink(d, n);
		else if (op < 82)
			op_link(d, n);
		else if (op < 90)
			op_rename(d, n);
		else if (op < 93)
			op_rename_dir();
		else
			op_mkdir_rmdir();
		if (nops % 50 == 0)
			verify_all();
		if (nops % 300 == 0) {
			drop_caches();
			verify_all();
		}
		if (nops % 500 == 0 && !mfail) {
			logop("remount");
			if (EXP(0, union_umount()) < 0 || EXP(0, union_mount(NULL)) < 0) {
				mfail = 1;
				break;
			}
			verify_all();
		}
	}
	if (!mfail)
		verify_all();
	if (!mfail && EXP(0, union_umount()) == 0 && EXP(0, union_mount(NULL)) == 0)
		verify_all();
	note("model: seed %u, %ld operations%s", seed, nops, mfail ? ", FAILED; last ops:" : "");
	if (mfail)
		for (long i = nops - 7 > 1 ? nops - 7 : 1; i <= nops; i++)
			note("  op %ld: %s", i, hist[i & 7]);
	for (int i = 0; i < NINODE; i++)
		free(inodes[i].data);
	memset(inodes, 0, sizeof(inodes));
	return mfail ? -1 : 0;
}
