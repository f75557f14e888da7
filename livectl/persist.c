// SPDX-License-Identifier: GPL-2.0
/* livectl persist save: the RAM session's changes written into an ext2/3/4 persistence image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layout.h"
#include "livectl.h"
#include "probe.h"
#include "spawn.h"

/* In the persistence filesystem: the branch itself, and overlayfs' workdir beside it. */
#define SAVE_UPPER	"upper"
#define SAVE_WORK	"work"
#define SAVE_NEW	".upper.new"
#define SAVE_OLD	".upper.old"
#define SAVE_LABEL	LIVE_PERSIST_LABEL_DEFAULT
#define RENAME_EXCHANGE_FLAG	(1 << 1)
#define LINKS_MAX	4096

struct save_ctx {
	uint64_t files, bytes, dirs;
	/* hard links: the first copy of each (dev, ino) with more than one link */
	struct {
		dev_t dev;
		ino_t ino;
		char *path;
	} links[LINKS_MAX];
	size_t nlinks;
	int err;
	char errpath[PATH_MAX];
};

static int fail(struct save_ctx *c, int err, const char *path)
{
	if (!c->err) {
		c->err = err;
		snprintf(c->errpath, sizeof(c->errpath), "%s", path);
	}
	return err;
}

/* Extended attributes (trusted.overlay.*, security.*, user.*): kept where both sides can. */
static void copy_xattrs(const char *src, const char *dst)
{
	char names[4096], val[4096];
	ssize_t n, len;
	char *k;

	n = llistxattr(src, names, sizeof(names));
	for (k = names; n > 0 && k < names + n; k += strlen(k) + 1) {
		len = lgetxattr(src, k, val, sizeof(val));
		if (len >= 0)
			lsetxattr(dst, k, val, (size_t)len, 0);
	}
}

static int copy_data(struct save_ctx *c, const char *src, const char *dst, const struct stat *sb)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n, w;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail(c, -errno, src);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		err = fail(c, -errno, dst);
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = fail(c, -errno, src);
			break;
		}
		for (w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				err = fail(c, -errno, dst);
				break;
			}
			w += k;
		}
		if (err)
			break;
		c->bytes += (uint64_t)n;
	}
	if (!err && (fchown(out, sb->st_uid, sb->st_gid) < 0 ||
		     fchmod(out, sb->st_mode & 07777) < 0))
		err = fail(c, -errno, dst);
	close(in);
	if (close(out) < 0 && !err)
		err = fail(c, -errno, dst);
	return err;
}

/* The owner, mode (not of symlinks), xattrs and times of src on dst. */
static int copy_meta(struct save_ctx *c, const char *src, const char *dst, const struct stat *sb)
{
	struct timespec ts[2] = { sb->st_atim, sb->st_mtim };

	if (lchown(dst, sb->st_uid, sb->st_gid) < 0)
		return fail(c, -errno, dst);
	if (!S_ISLNK(sb->st_mode) && chmod(dst, sb->st_mode & 07777) < 0)
		return fail(c, -errno, dst);
	copy_xattrs(src, dst);
	if (utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, -errno, dst);
	return 0;
}

static const char *seen_link(struct save_ctx *c, const struct stat *sb, const char *dst)
{
	size_t i;

	for (i = 0; i < c->nlinks; i++)
		if (c->links[i].dev == sb->st_dev && c->links[i].ino == sb->st_ino)
			return c->links[i].path;
	if (c->nlinks < LINKS_MAX) {
		c->links[c->nlinks].dev = sb->st_dev;
		c->links[c->nlinks].ino = sb->st_ino;
		c->links[c->nlinks].path = strdup(dst);
		if (c->links[c->nlinks].path)
			c->nlinks++;
	}
	return NULL;
}

/*
 * aufs' own bookkeeping at the branch root is not part of the session: pseudo-links and
 * orphans are rebuilt at mount. Whiteouts (.wh.NAME) and opaque markers (.wh..wh..opq)
 * everywhere else are the session's deletions and are copied like any file.
 */
static bool skipped(const char *rel)
{
	return !strcmp(rel, "/.wh..wh.plnk") || !strcmp(rel, "/.wh..wh.orph");
}

static int copy_tree(struct save_ctx *c, const char *src, const char *dst, const char *rel)
{
	char s[PATH_MAX], d[PATH_MAX], r[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	const char *first;
	DIR *dh;
	ssize_t n;
	int err = 0;

	dh = opendir(src);
	if (!dh)
		return fail(c, -errno, src);
	while (!err && (e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= (int)sizeof(s) ||
		    snprintf(d, sizeof(d), "%s/%s", dst, e->d_name) >= (int)sizeof(d) ||
		    snprintf(r, sizeof(r), "%s/%s", rel, e->d_name) >= (int)sizeof(r)) {
			err = fail(c, -ENAMETOOLONG, s);
			break;
		}
		if (skipped(r))
			continue;
		if (lstat(s, &sb) < 0) {
			if (errno == ENOENT)
				continue;	/* deleted while we copy */
			err = fail(c, -errno, s);
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			if (mkdir(d, 0700) < 0)
				err = fail(c, -errno, d);
			else
				err = copy_tree(c, s, d, r);
			if (!err)
				err = copy_meta(c, s, d, &sb);
			c->dirs++;
			continue;
		}
		if (sb.st_nlink > 1 && !S_ISDIR(sb.st_mode) && (first = seen_link(c, &sb, d))) {
			if (link(first, d) < 0)
				err = fail(c, -errno, d);
			c->files++;
			continue;
		}
		if (S_ISREG(sb.st_mode)) {
			err = copy_data(c, s, d, &sb);
		} else if (S_ISLNK(sb.st_mode)) {
			n = readlink(s, target, sizeof(target) - 1);
			if (n < 0) {
				err = fail(c, -errno, s);
				break;
			}
			target[n] = '\0';
			if (symlink(target, d) < 0)
				err = fail(c, -errno, d);
		} else {
			/* devices, fifos, sockets, and overlayfs' 0/0 whiteouts */
			if (mknod(d, sb.st_mode, sb.st_rdev) < 0)
				err = fail(c, -errno, d);
		}
		if (!err)
			err = copy_meta(c, s, d, &sb);
		c->files++;
	}
	closedir(dh);
	return err;
}

/* rm -rf, not crossing into other filesystems. */
static int remove_tree(const char *path)
{
	char p[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	DIR *dh;
	int err = 0;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(sb.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	dh = opendir(path);
	if (!dh)
		return -errno;
	while ((e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		err = remove_tree(p);
		if (err)
			break;
	}
	closedir(dh);
	if (!err && rmdir(path) < 0)
		err = -errno;
	return err;
}

/* Bytes and inodes a tree needs (for the free-space check and a new image's size). */
static void measure(const char *path, uint64_t *bytes, uint64_t *inodes)
{
	char p[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	DIR *dh;

	if (lstat(path, &sb) < 0)
		return;
	(*inodes)++;
	*bytes += ((uint64_t)sb.st_size + 4095) & ~(uint64_t)4095;
	if (!S_ISDIR(sb.st_mode) || !(dh = opendir(path)))
		return;
	while ((e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		measure(p, bytes, inodes);
	}
	closedir(dh);
}

/* A new image file of size_mib MiB with an ext2/4 filesystem (mkfs.ext4, else busybox mke2fs). */
static int create_image(const char *file, uint64_t size_mib, const char *label)
{
	const char *ext4[] = { "mkfs.ext4", "-q", "-F", "-L", label, file, NULL };
	const char *bb[] = { "mke2fs", "-F", "-L", label, file, NULL };
	char out[1024];
	int fd, rc;

	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		livectl_err("persist save: cannot create %s: %s", file, strerror(errno));
		return -errno;
	}
	if (ftruncate(fd, (off_t)(size_mib << 20)) < 0) {
		rc = -errno;
		livectl_err("persist save: cannot size %s to %llu MiB: %s", file,
			    (unsigned long long)size_mib, strerror(-rc));
		close(fd);
		unlink(file);
		return rc;
	}
	close(fd);
	rc = spawn_run(ext4, NULL, out, sizeof(out));
	if (rc == -ENOENT)
		rc = spawn_run(bb, NULL, out, sizeof(out));
	if (rc) {
		livectl_err("persist save: neither mkfs.ext4 nor mke2fs could format %s (%s): %s",
			    file, rc < 0 ? strerror(-rc) : "failed", out);
		unlink(file);
		return -EIO;
	}
	return 0;
}

struct save_opts {
	const char *to, *from, *label;
	uint64_t size_mib;
};

/* Mount the target (loop for a file) on mnt; *created when a new image was made. */
static int mount_target(const struct save_opts *o, const char *mnt, uint64_t need, bool *created)
{
	char dev[64];
	struct probe_result pr;
	struct stat sb;
	uint64_t mib;
	int err, loopfd = -1;

	*created = false;
	if (stat(o->to, &sb) < 0) {
		if (errno != ENOENT) {
			livectl_err("persist save: %s: %s", o->to, strerror(errno));
			return -errno;
		}
		/* twice what the session holds, at least 64 MiB: room to save again */
		mib = o->size_mib ? o->size_mib : (need * 2 >> 20) + 64;
		err = create_image(o->to, mib, o->label);
		if (err)
			return err;
		*created = true;
		if (stat(o->to, &sb) < 0)
			return -errno;
	}
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		livectl_err("persist save: %s is neither a file nor a block device", o->to);
		return -EINVAL;
	}
	err = probe_path(o->to, &pr);
	if (err || strncmp(pr.type, "ext", 3)) {
		livectl_err("persist save: %s holds %s, not an ext2/3/4 filesystem: livectl formats "
			    "only the image files it creates; make one with mke2fs -L %s %s",
			    o->to, err ? "no known filesystem" : pr.type, SAVE_LABEL, o->to);
		return -EINVAL;
	}
	if (S_ISBLK(sb.st_mode)) {
		snprintf(dev, sizeof(dev), "%s", o->to);
	} else {
		err = loop_attach(o->to, false, dev, sizeof(dev), &loopfd);
		if (err) {
			livectl_err("persist save: no loop device for %s: %s", o->to, strerror(-err));
			return err;
		}
	}
	err = mount(dev, mnt, *pr.mount_type ? pr.mount_type : "ext4", MS_NOSUID | MS_NODEV,
		    NULL) < 0 ? -errno : 0;
	if (loopfd >= 0)
		close(loopfd);
	if (err)
		livectl_err("persist save: mounting %s (%s) failed: %s%s", o->to, pr.type,
			    strerror(-err), err == -ENODEV ? " (is the ext4 module loaded?)" : "");
	return err;
}

static int syncdir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syncfs(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Put new in the place of upper: an atomic exchange where the filesystem can. */
static int swap_in(const char *mnt)
{
	char up[PATH_MAX], nw[PATH_MAX], old[PATH_MAX];
	struct stat sb;
	int err;

	snprintf(up, sizeof(up), "%s/%s", mnt, SAVE_UPPER);
	snprintf(nw, sizeof(nw), "%s/%s", mnt, SAVE_NEW);
	snprintf(old, sizeof(old), "%s/%s", mnt, SAVE_OLD);
	if (lstat(up, &sb) < 0)
		return rename(nw, up) < 0 ? -errno : 0;
	if (syscall(SYS_renameat2, AT_FDCWD, nw, AT_FDCWD, up, RENAME_EXCHANGE_FLAG) == 0) {
		/* the new tree is in place in one step; the old one now sits in .upper.new */
		err = syncdir(mnt);
		return err ? err : remove_tree(nw);
	}
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* no exchange: a crash between the renames leaves .upper.old and .upper.new */
	if (rename(up, old) < 0)
		return -errno;
	if (rename(nw, up) < 0) {
		err = -errno;
		rename(old, up);
		return err;
	}
	syncdir(mnt);
	return remove_tree(old);
}

/* Would the image land in what is being saved (the union, or the rw branch itself)? */
static bool in_session(const char *to, const struct stat *from)
{
	char parent[PATH_MAX], *slash;
	struct root_union ru;
	struct stat tb, root;

	if (stat(to, &tb) < 0) {
		snprintf(parent, sizeof(parent), "%s", to);
		slash = strrchr(parent, '/');
		if (slash == parent)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			snprintf(parent, sizeof(parent), ".");
		if (stat(parent, &tb) < 0)
			return false;
	}
	if (S_ISBLK(tb.st_mode))
		return false;
	if (tb.st_dev == from->st_dev)
		return true;
	if (stat("/", &root) < 0 || tb.st_dev != root.st_dev || mounts_root(&ru))
		return false;
	/* on the root union: written into the rw branch, i.e. into itself */
	return !strcmp(ru.type, "aufs") || !strcmp(ru.type, "overlay");
}

static int save(const struct save_opts *o)
{
	char mnt[PATH_MAX], nw[PATH_MAX], path[PATH_MAX];
	struct save_ctx *c;
	struct statvfs sv;
	struct stat sb;
	uint64_t need = 0, inodes = 0;
	bool created;
	int err, rc = LIVECTL_EFAIL;

	if (stat(o->from, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		livectl_err("persist save: %s is not a directory (the rw branch)", o->from);
		return LIVECTL_EFAIL;
	}
	if (in_session(o->to, &sb)) {
		livectl_err("persist save: %s is inside the branch being saved; put it elsewhere "
			    "(another disk, the medium's partition, /tmp to fetch it later)", o->to);
		return LIVECTL_EFAIL;
	}
	measure(o->from, &need, &inodes);
	snprintf(mnt, sizeof(mnt), "%s/save.%d", LIVE_RUN, (int)getpid());
	if (mkdir(mnt, 0700) < 0) {
		snprintf(mnt, sizeof(mnt), "/tmp/livectl-save.%d", (int)getpid());
		if (mkdir(mnt, 0700) < 0) {
			livectl_err("persist save: cannot create a mount point: %s", strerror(errno));
			return LIVECTL_EFAIL;
		}
	}
	if (mount_target(o, mnt, need, &created)) {
		rmdir(mnt);
		return LIVECTL_EFAIL;
	}
	c = calloc(1, sizeof(*c));
	snprintf(nw, sizeof(nw), "%s/%s", mnt, SAVE_NEW);
	/* leftovers of an interrupted save go first: they were never in place */
	remove_tree(nw);
	snprintf(path, sizeof(path), "%s/%s", mnt, SAVE_OLD);
	remove_tree(path);
	if (statvfs(mnt, &sv) == 0 &&
	    ((uint64_t)sv.f_bavail * sv.f_frsize < need || (sv.f_favail && sv.f_favail < inodes))) {
		livectl_err("persist save: %s has %llu MiB and %llu inodes free, the session needs "
			    "about %llu MiB and %llu inodes (beside the previous save until the new "
			    "one is complete)", o->to,
			    (unsigned long long)((uint64_t)sv.f_bavail * sv.f_frsize >> 20),
			    (unsigned long long)sv.f_favail, (unsigned long long)(need >> 20),
			    (unsigned long long)inodes);
		goto out_umount;
	}
	if (!c) {
		livectl_err("persist save: out of memory");
		goto out_umount;
	}
	err = mkdir(nw, 0700) < 0 ? fail(c, -errno, nw) : copy_tree(c, o->from, nw, "");
	if (!err)
		err = copy_meta(c, o->from, nw, &sb);
	/* everything on disk before the new tree takes the old one's place */
	if (!err && (err = syncdir(mnt)))
		fail(c, err, mnt);
	if (err) {
		livectl_err("persist save: %s: %s; the previous save in %s is untouched",
			    c->errpath, strerror(-c->err), o->to);
		remove_tree(nw);
		goto out_umount;
	}
	err = swap_in(mnt);
	snprintf(path, sizeof(path), "%s/%s", mnt, SAVE_WORK);
	if (!err && mkdir(path, 0755) < 0 && errno != EEXIST)
		err = -errno;
	if (!err)
		err = syncdir(mnt);
	if (err) {
		livectl_err("persist save: putting the new tree in place in %s: %s", o->to,
			    strerror(-err));
		goto out_umount;
	}
	printf("saved %s to %s%s: %llu files, %llu directories, %llu bytes (in /%s)\n", o->from,
	       o->to, created ? " (new image)" : "", (unsigned long long)c->files,
	       (unsigned long long)c->dirs, (unsigned long long)c->bytes, SAVE_UPPER);
	livectl_note("persist save: %s to %s, %llu files, %llu bytes", o->from, o->to,
		     (unsigned long long)c->files, (unsigned long long)c->bytes);
	rc = LIVECTL_OK;
out_umount:
	if (c) {
		while (c->nlinks)
			free(c->links[--c->nlinks].path);
		free(c);
	}
	if (umount2(mnt, 0) < 0) {
		livectl_err("persist save: unmounting %s: %s", mnt, strerror(errno));
		umount2(mnt, MNT_DETACH);
		rc = LIVECTL_EFAIL;
	}
	rmdir(mnt);
	return rc;
}

static const char persist_usage[] =
	"usage: livectl persist save --to FILE|DEVICE [--size MiB] [--label LABEL] [--from DIR]\n"
	"       livectl persist convert --to aufs|overlay DIR\n";

int persist_cmd(int argc, char **argv)
{
	struct save_opts o = { NULL, LIVE_RW_UPPER, SAVE_LABEL, 0 };
	char *end;
	int i;

	if (argc >= 2 && !strcmp(argv[1], "convert"))
		return convert_cmd(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "save")) {
		fputs(persist_usage, stderr);
		return LIVECTL_EUSAGE;
	}
	for (i = 2; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val || (strcmp(opt, "--to") && strcmp(opt, "--from") && strcmp(opt, "--size") &&
			     strcmp(opt, "--label"))) {
			livectl_err("persist save: unexpected '%s'", opt);
			fputs(persist_usage, stderr);
			return LIVECTL_EUSAGE;
		}
		i++;
		if (!strcmp(opt, "--to"))
			o.to = val;
		else if (!strcmp(opt, "--from"))
			o.from = val;
		else if (!strcmp(opt, "--label"))
			o.label = val;
		else {
			o.size_mib = strtoull(val, &end, 10);
			if (*end || !o.size_mib) {
				livectl_err("persist save: --size %s is not a number of MiB", val);
				return LIVECTL_EUSAGE;
			}
		}
	}
	if (!o.to) {
		livectl_err("persist save: where to? --to FILE or --to DEVICE");
		fputs(persist_usage, stderr);
		return LIVECTL_EUSAGE;
	}
	return save(&o);
}
