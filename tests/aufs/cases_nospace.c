// SPDX-License-Identifier: GPL-2.0
/* A full writable branch (tmpfs shrunk by remount, ext2 image with 64 inodes filled up): each
 * multi-step operation either succeeds or fails with ENOSPC and leaves the union and the branch
 * exactly as before (issue 11 point 2), as a printed table. */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
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

/* a growing text buffer */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names, types, modes, sizes and (union only) contents of a tree, sorted */
static void snap_tree(struct sbuf *b, const char *dir, const char *rel, int contents)
{
	char *names[256], path[512], sub[512];
	struct dirent *e;
	struct stat st;
	int n = 0, i;
	DIR *d = opendir(dir);

	if (!d) {
		sb_printf(b, "%s: opendir %s\n", rel, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		if (lstat(path, &st) < 0) {
			sb_printf(b, "%s: lstat %s\n", sub, strerror(errno));
		} else {
			sb_printf(b, "%s 0%o %lld", sub, (unsigned)st.st_mode,
				  S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL);
			if (contents && S_ISREG(st.st_mode)) {
				size_t len;
				char *c = get_file(path, &len);

				sb_printf(b, " [%.*s]", c ? (int)len : 0, c ? c : "");
				free(c);
			}
			sb_printf(b, "\n");
			if (S_ISDIR(st.st_mode))
				snap_tree(b, path, sub, contents);
		}
		free(names[i]);
	}
}

/* the union's d/ with contents and the whole rw branch */
static char *snapshot(void)
{
	struct sbuf b = { 0 };

	snap_tree(&b, pu("d"), "u:d", 1);
	snap_tree(&b, C->upper, "w:", 0);
	return b.s ? b.s : strdup("");
}

static int op_unlink_y(void) { return unlink(pu("d/y")); }
static int op_unlink_x(void) { return unlink(pu("d/x")); }
static int op_rmdir(void) { return rmdir(pu("d/l2sub")); }
static int op_ren_over(void) { return rename(pu("d/y"), pu("d/w")); }
static int op_ren_new(void) { return rename(pu("d/y"), pu("d/n")); }
static int op_ren_dir(void) { return rename(pu("d/l2sub"), pu("d/nd")); }
static int op_ren_dir_over(void) { return rename(pu("d/nd"), pu("d/l2sub")); }
static int op_link(void) { return link(pu("d/y"), pu("d/ln")); }
static int op_chmod(void) { return chmod(pu("d/w"), 0600); }
static int op_mkdir(void) { return mkdir(pu("d/l2sub"), 0755); }

static int op_creat(void)
{
	int fd = open(pu("d/y"), O_WRONLY | O_CREAT | O_EXCL, 0644);

	return fd < 0 ? -1 : close(fd);
}

static int op_append(void)
{
	int fd = open(pu("d/x"), O_WRONLY | O_APPEND);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, "more\n", 5);
	e = errno;
	close(fd);
	errno = e;
	return n == 5 ? 0 : -1;
}

static int prep_cpup_x(void) { return chmod(pu("d/x"), 0640); }
static int prep_cpup_y(void) { return chmod(pu("d/y"), 0640); }
static int prep_cpup_dir(void) { return chmod(pu("d/l2sub"), 0700); }
static int prep_wh_y(void) { return unlink(pu("d/y")); }
static int prep_wh_dir(void) { return rmdir(pu("d/l2sub")); }
static int prep_newdir(void) { return mkdir(pu("d/nd"), 0755); }

/* the state after success: d's listing, one file and its content (NULL: absent/any) */
struct nsop {
	const char *name;
	int (*prep)(void);
	int (*fn)(void);
	int alt;		/* another acceptable errno (the manual's EXDEV) */
	const char *list;
	const char *file;
	const char *content;
};

static const struct nsop ops[] = {
	{ "unlink lower file", NULL, op_unlink_y, 0, "l2sub sub w x", NULL, NULL },
	{ "unlink upper+lower file", prep_cpup_x, op_unlink_x, 0, "l2sub sub w y", NULL, NULL },
	{ "rmdir lower dir", NULL, op_rmdir, 0, "sub w x y", NULL, NULL },
	{ "rmdir upper+lower dir", prep_cpup_dir, op_rmdir, 0, "sub w x y", NULL, NULL },
	{ "rename lower over lower", NULL, op_ren_over, 0, "l2sub sub w x", "d/w", "sq y\n" },
	{ "rename upper over lower", prep_cpup_y, op_ren_over, 0, "l2sub sub w x", "d/w",
	  "sq y\n" },
	{ "rename lower to new", NULL, op_ren_new, 0, "l2sub n sub w x", "d/n", "sq y\n" },
	{ "rename lower dir", NULL, op_ren_dir, EXDEV, "nd sub w x y", NULL, NULL },
	{ "rename dir over lower dir", prep_newdir, op_ren_dir_over, 0, "l2sub sub w x y",
	  NULL, NULL },
	{ "link lower file", NULL, op_link, 0, "l2sub ln sub w x y", "d/ln", "sq y\n" },
	{ "create over whiteout", prep_wh_y, op_creat, 0, "l2sub sub w x y", "d/y", "" },
	{ "mkdir over whiteout", prep_wh_dir, op_mkdir, 0, "l2sub sub w x y", NULL, NULL },
	{ "copy-up write", NULL, op_append, 0, "l2sub sub w x y", "d/x", "l2 x\nmore\n" },
	{ "copy-up chmod", NULL, op_chmod, 0, "l2sub sub w x y", NULL, NULL },
};

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

/*
 * after without the branch directories it gained (an ancestor copied up before the failing
 * step: invisible in the union, as overlayfs leaves it too); noted.  Returns a new string.
 */
static char *drop_new_dirs(const char *before, const char *after)
{
	struct sbuf b = { 0 };
	const char *l, *e;

	for (l = after; *l; l = *e ? e + 1 : e) {
		char line[512];
		size_t n;

		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		n = (size_t)(e - l) < sizeof(line) - 2 ? (size_t)(e - l) : sizeof(line) - 2;
		memcpy(line, l, n);
		line[n] = '\n';
		line[n + 1] = 0;
		if (!strncmp(line, "w:", 2) && strstr(line, " 040") && !strstr(before, line)) {
			note("left on the branch: %.*s (copied-up ancestor)", (int)n, line);
			continue;
		}
		sb_printf(&b, "%s", line);
	}
	return b.s ? b.s : strdup("");
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

static void check_success(const struct nsop *op)
{
	char *l = list_dir(pu("d"));

	if (!l || strcmp(l, op->list))
		FAIL("%s: d lists \"%s\", expected \"%s\"", op->name, l ? l : "?", op->list);
	free(l);
	if (op->file && op->content)
		CHECK_STR(pu("%s", op->file), op->content);
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
	} else if (!(dropped = drop_new_dirs(before, after)) || strcmp(before, dropped)) {
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
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		int was = C->failed, e[4];

		C->failed = 0;
		e[0] = row(&ops[i], FS_TMPFS, LIM_INODES);
		e[1] = row(&ops[i], FS_TMPFS, LIM_SPACE);
		e[2] = row(&ops[i], FS_EXT, LIM_INODES);
		e[3] = row(&ops[i], FS_EXT, LIM_SPACE);
		note("%-26s %-8s %-8s %-8s %-8s %s", ops[i].name, res(e[0]), res(e[1]), res(e[2]),
		     res(e[3]), C->failed ? "WRONG" : "as expected");
		failed |= C->failed;
		C->failed = was || failed;
	}
}

const struct fcase nospace_cases[] = {
	{ "nospace-table", nospace_table, F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
