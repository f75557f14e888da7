// SPDX-License-Identifier: GPL-2.0
/*
 * livectl persist convert --to aufs|overlay DIR: rewrite a union branch's whiteouts in
 * place. aufs: ".wh.NAME" files, ".wh..wh..opq" in opaque directories, ".wh..wh.*"
 * internals (plnk, orph, aufs). overlayfs: a 0/0 character device NAME, and the
 * trusted.overlay.opaque="y" xattr on opaque directories. Each entry is converted by
 * creating the new form, then removing the old, so an interrupted run leaves both and a
 * second run finishes it. A whiteout keeps its mode, owner and times across the change;
 * directories keep their times.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fileio.h"
#include "layout.h"
#include "livectl.h"

#define WH		".wh."
#define WH_OPQ		".wh..wh..opq"
#define WH_META		".wh..wh."
#define OVL_OPAQUE	"trusted.overlay.opaque"
#define OVL_REDIRECT	"trusted.overlay.redirect"
/* mode of the opaque marker aufs makes (aufs/whout.c: S_IFREG | 0444) */
#define OPQ_MODE	0444

struct conv {
	bool to_overlay;
	unsigned long whiteouts, opaque, meta, skipped, dirs;
	int err;
};

static bool is_ovl_whiteout(const struct stat *s)
{
	return S_ISCHR(s->st_mode) && s->st_rdev == makedev(0, 0);
}

static void keep_attrs(int dirfd, const char *name, const struct stat *s)
{
	struct timespec t[2] = { s->st_atim, s->st_mtim };

	if (fchownat(dirfd, name, s->st_uid, s->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dirfd, name, s->st_mode & 07777, 0) < 0 ||
	    utimensat(dirfd, name, t, AT_SYMLINK_NOFOLLOW) < 0)
		livectl_err("persist convert: keeping the owner/mode/times of %s: %s", name,
			    strerror(errno));
}

static int rm_one(const char *path, const struct stat *s, int type, struct FTW *f)
{
	(void)s; (void)f;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int fail(struct conv *c, const char *dir, const char *name, const char *what)
{
	livectl_err("persist convert: %s/%s: %s: %s", dir, name, what, strerror(errno));
	c->err = -errno;
	return c->err;
}

/* aufs' .wh.NAME -> overlayfs' 0/0 device NAME */
static int to_overlay_entry(struct conv *c, const char *dir, int dfd, const char *name)
{
	const char *target = name + strlen(WH);
	struct stat s, t;
	char path[PATH_MAX];

	if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, dir, name, "stat");
	if (!strcmp(name, WH_OPQ)) {
		if (fsetxattr(dfd, OVL_OPAQUE, "y", 1, 0) < 0)
			return fail(c, dir, "", "setting " OVL_OPAQUE);
		if (unlinkat(dfd, name, 0) < 0)
			return fail(c, dir, name, "unlink");
		c->opaque++;
		return 0;
	}
	if (!strncmp(name, WH_META, strlen(WH_META))) {
		/* aufs' own bookkeeping (pseudo-links, orphans, the whiteout base) */
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (S_ISDIR(s.st_mode) ? nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 :
		    unlinkat(dfd, name, 0) < 0)
			return fail(c, dir, name, "removing aufs' internal entry");
		c->meta++;
		return 0;
	}
	if (!S_ISREG(s.st_mode) || !*target) {
		livectl_err("persist convert: %s/%s: not a whiteout file, left as it is", dir, name);
		c->skipped++;
		return 0;
	}
	if (fstatat(dfd, target, &t, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!is_ovl_whiteout(&t)) {
			livectl_err("persist convert: %s/%s: both a whiteout and the entry it hides, "
				    "left as they are", dir, target);
			c->skipped++;
			return 0;
		}
		/* an interrupted run made the device already */
	} else if (mknodat(dfd, target, S_IFCHR | (s.st_mode & 07777), makedev(0, 0)) < 0) {
		return fail(c, dir, target, "mknod");
	}
	keep_attrs(dfd, target, &s);
	if (unlinkat(dfd, name, 0) < 0)
		return fail(c, dir, name, "unlink");
	c->whiteouts++;
	return 0;
}

/* overlayfs' 0/0 device NAME -> aufs' .wh.NAME */
static int to_aufs_entry(struct conv *c, const char *dir, int dfd, const char *name,
			 const struct stat *s)
{
	char wh[NAME_MAX + 8];
	int fd;

	if (strlen(name) + strlen(WH) > NAME_MAX) {
		livectl_err("persist convert: %s/%s: the name is too long for an aufs whiteout, "
			    "left as it is", dir, name);
		c->skipped++;
		return 0;
	}
	snprintf(wh, sizeof(wh), WH "%s", name);
	fd = openat(dfd, wh, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, s->st_mode & 07777);
	if (fd < 0)
		return fail(c, dir, wh, "create");
	close(fd);
	keep_attrs(dfd, wh, s);
	if (unlinkat(dfd, name, 0) < 0)
		return fail(c, dir, name, "unlink");
	c->whiteouts++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int convert_dir(struct conv *c, const char *dir, bool top);

static int convert_names(struct conv *c, const char *dir, int dfd, char **names, size_t n)
{
	char sub[PATH_MAX];
	struct stat s;
	size_t i;

	for (i = 0; i < n && !c->err; i++) {
		const char *name = names[i];

		if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* removed with an aufs internal directory */
		if (c->to_overlay && !strncmp(name, WH, strlen(WH))) {
			to_overlay_entry(c, dir, dfd, name);
			continue;
		}
		if (!c->to_overlay && is_ovl_whiteout(&s)) {
			to_aufs_entry(c, dir, dfd, name, &s);
			continue;
		}
		if (S_ISDIR(s.st_mode)) {
			if (snprintf(sub, sizeof(sub), "%s/%s", dir, name) >= (int)sizeof(sub)) {
				errno = ENAMETOOLONG;
				return fail(c, dir, name, "path");
			}
			convert_dir(c, sub, false);
		}
	}
	return c->err;
}

static int convert_dir(struct conv *c, const char *dir, bool top)
{
	struct timespec t[2];
	struct dirent *d;
	struct stat ds;
	char **names = NULL, v[8];
	size_t n = 0, cap = 0;
	int dfd;
	DIR *dh;

	(void)top;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &ds) < 0) {
		livectl_err("persist convert: %s: %s", dir, strerror(errno));
		c->err = -errno;
		if (dfd >= 0)
			close(dfd);
		return c->err;
	}
	c->dirs++;
	dh = fdopendir(dup(dfd));
	while (dh && (d = readdir(dh))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!more)
				break;
			names = more;
		}
		names[n] = strdup(d->d_name);
		if (names[n])
			n++;
	}
	if (dh)
		closedir(dh);
	qsort(names, n, sizeof(*names), by_name);
	convert_names(c, dir, dfd, names, n);
	if (!c->err && !c->to_overlay && fgetxattr(dfd, OVL_OPAQUE, v, sizeof(v)) > 0) {
		int fd = openat(dfd, WH_OPQ, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, OPQ_MODE);

		if (fd < 0) {
			fail(c, dir, WH_OPQ, "create");
		} else {
			struct timespec mt[2] = { ds.st_mtim, ds.st_mtim };

			fchmod(fd, OPQ_MODE);
			futimens(fd, mt);
			close(fd);
			if (fremovexattr(dfd, OVL_OPAQUE) < 0)
				fail(c, dir, "", "removing " OVL_OPAQUE);
			else
				c->opaque++;
		}
	}
	if (!c->to_overlay && fgetxattr(dfd, OVL_REDIRECT, v, sizeof(v)) >= 0) {
		livectl_err("persist convert: %s: an overlayfs redirect (renamed directory), "
			    "which aufs cannot follow: left as it is", dir);
		c->skipped++;
	}
	/* the directory's times as they were (entries were added and removed) */
	t[0] = ds.st_atim;
	t[1] = ds.st_mtim;
	futimens(dfd, t);
	while (n)
		free(names[--n]);
	free(names);
	close(dfd);
	return c->err;
}

/* Is dir (resolved) a writable branch of a mounted union, or the live system's rw? */
static bool branch_in_use(const char *dir)
{
	char line[8192], real[PATH_MAX];
	struct live_status st;
	const char *v;
	size_t len = strlen(dir);
	FILE *f;

	memset(&st, 0, sizeof(st));
	if (access(livectl_status_path(), R_OK) == 0 && livectl_status_load(&st) == 0) {
		v = runstatus_get(&st, "rw");
		if (v && *v && realpath(v, real) && !strcmp(real, dir))
			return true;
	}
	f = fopen("/proc/self/mounts", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		/* aufs "br:DIR=rw", overlayfs "upperdir=DIR" */
		while ((p = strstr(p, dir))) {
			char before = p == line ? ' ' : p[-1], after = p[len];

			if ((before == ':' || before == '=') && (after == '=' || after == ',' ||
								 after == ' ' || after == ':')) {
				fclose(f);
				return true;
			}
			p += len;
		}
	}
	fclose(f);
	return false;
}

static const char convert_usage[] =
	"usage: livectl persist convert --to aufs|overlay DIR\n";

int convert_cmd(int argc, char **argv)
{
	struct conv c = { 0 };
	const char *to = NULL, *dir = NULL;
	char real[PATH_MAX];
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else if (!strncmp(argv[i], "--to=", 5))
			to = argv[i] + 5;
		else if (!dir && argv[i][0] != '-')
			dir = argv[i];
		else {
			livectl_err("persist convert: unexpected '%s'", argv[i]);
			fputs(convert_usage, stderr);
			return LIVECTL_EUSAGE;
		}
	}
	if (!to || !dir || (strcmp(to, "aufs") && strcmp(to, "overlay"))) {
		fputs(convert_usage, stderr);
		return LIVECTL_EUSAGE;
	}
	if (!realpath(dir, real)) {
		livectl_err("persist convert: %s: %s", dir, strerror(errno));
		return LIVECTL_EFAIL;
	}
	if (branch_in_use(real)) {
		livectl_err("persist convert: %s is the writable branch of a mounted union (the "
			    "live system's?); convert it from another system or after a boot with "
			    "live.persist=off", real);
		return LIVECTL_EFAIL;
	}
	c.to_overlay = !strcmp(to, "overlay");
	convert_dir(&c, real, true);
	printf("%s %s to %s whiteouts: %lu whiteouts, %lu opaque directories, %lu aufs "
	       "internal entries removed, %lu left as they were, %lu directories\n",
	       c.err ? "stopped converting" : "converted", real, to, c.whiteouts, c.opaque,
	       c.meta, c.skipped, c.dirs);
	if (c.err)
		return LIVECTL_EFAIL;
	livectl_note("persist convert --to %s %s: %lu whiteouts, %lu opaque", to, real,
		     c.whiteouts, c.opaque);
	return c.skipped ? LIVECTL_EFAIL : LIVECTL_OK;
}
