// SPDX-License-Identifier: GPL-2.0
/*
 * The writable branch on /run/live/rw: a persistence partition or image file (live.persist=),
 * checked with e2fsck and created on request (live.persist.size=), else a tmpfs.
 * Either way the union's rw branch is upper/ on it and overlayfs' workdir is work/ beside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "persist_part.h"

#define PERSIST_MAX_DEVS	32
/* an explicit live.persist=LABEL=/UUID=/dev may appear a little after the medium */
#define PERSIST_WAIT_MS		5000

struct pdev {
	char name[32];
	struct probe_result fs;
};

/* What live.persist= asks for: a device spec, a file path on it (or anywhere), or auto. */
struct pspec {
	char dev[LIVE_PATH_MAX];	/* "", "/dev/X", "LABEL=x", "UUID=x" */
	char path[LIVE_PATH_MAX];	/* "" = the device itself is the branch */
	bool automatic;
};

struct pstate {
	struct live_ctx *ctx;
	struct pspec spec;
	struct pdev devs[PERSIST_MAX_DEVS];
	size_t ndevs;
	char why[320];			/* why nothing was used, for the console */
	bool host_shared;		/* PERSIST_HOST is a bind of the medium or isohost */
	bool ntfs_said;			/* the "no NTFS driver" line was printed */
};

/* tmpfs size=: a number with an optional k/m/g or % suffix. */
static bool size_ok(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s)
		return false;
	if (*p && strchr("kKmMgG%", *p))
		p++;
	return *p == '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pdev *)a)->name, ((const struct pdev *)b)->name);
}

/* Every block device with a filesystem we know, sorted by name. */
static void scan(struct pstate *st)
{
	char node[64];
	struct dirent *d;
	DIR *dir = opendir("/sys/class/block");

	st->ndevs = 0;
	if (!dir)
		return;
	while ((d = readdir(dir)) && st->ndevs < PERSIST_MAX_DEVS) {
		struct pdev *p = &st->devs[st->ndevs];

		if (d->d_name[0] == '.' || !strncmp(d->d_name, "loop", 4) ||
		    !strncmp(d->d_name, "ram", 3) || !strncmp(d->d_name, "zram", 4) ||
		    !strncmp(d->d_name, "sr", 2) || strlen(d->d_name) >= sizeof(p->name))
			continue;
		snprintf(node, sizeof(node), "/dev/%s", d->d_name);
		if (probe_path(node, &p->fs))
			continue;
		snprintf(p->name, sizeof(p->name), "%s", d->d_name);
		st->ndevs++;
	}
	closedir(dir);
	qsort(st->devs, st->ndevs, sizeof(st->devs[0]), by_name);
}

static bool is_ext(const char *type)
{
	return !strcmp(type, "ext2") || !strcmp(type, "ext3") || !strcmp(type, "ext4");
}

/* Filesystems an image file can be kept on and written. */
static bool host_type_ok(const char *type)
{
	return is_ext(type) || !strcmp(type, "vfat") || !strcmp(type, "exfat") ||
	       !strcmp(type, "ntfs") || !strcmp(type, "btrfs");
}

static const struct pdev *find_dev(struct pstate *st, const char *spec, bool wait)
{
	uint64_t deadline = live_now_ms() + (wait ? PERSIST_WAIT_MS : 0);
	size_t i;

	for (;;) {
		scan(st);
		for (i = 0; i < st->ndevs; i++)
			if (probe_spec_match(spec, st->devs[i].name, &st->devs[i].fs))
				return &st->devs[i];
		if (live_now_ms() >= deadline)
			return NULL;
		usleep(250000);
	}
}

static void parse_spec(const char *v, struct pspec *s)
{
	const char *colon;

	memset(s, 0, sizeof(*s));
	if (!strcmp(v, "auto") || !strcmp(v, "1") || !strcmp(v, "yes")) {
		s->automatic = true;
		return;
	}
	if (v[0] == '/' && strncmp(v, "/dev/", 5)) {
		snprintf(s->path, sizeof(s->path), "%s", v);
		return;
	}
	/* DEVICE:/path/file.img (dracut's rd.live.overlay= has the same form) */
	colon = strstr(v, ":/");
	if (colon) {
		snprintf(s->dev, sizeof(s->dev), "%.*s", (int)(colon - v), v);
		snprintf(s->path, sizeof(s->path), "%s", colon + 1);
	} else {
		snprintf(s->dev, sizeof(s->dev), "%s", v);
	}
	if (strncmp(s->dev, "/dev/", 5) && strncmp(s->dev, "LABEL=", 6) && strncmp(s->dev, "UUID=", 5)) {
		char label[LIVE_PATH_MAX];

		/* a bare word is a label (archiso's cow_label=, Porteus' changes=) */
		snprintf(label, sizeof(label), "LABEL=%.200s", s->dev);
		snprintf(s->dev, sizeof(s->dev), "%s", label);
	}
}

static const char *medium_name(const struct live_ctx *ctx)
{
	if (*ctx->iso_host)
		return ctx->iso_host;
	return ctx->medium >= 0 ? ctx->devs[ctx->medium].name : "";
}

static bool mounted(const char *dir)
{
	struct stat a, b;
	char parent[LIVE_PATH_MAX + 4];

	snprintf(parent, sizeof(parent), "%s/..", dir);
	return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* Mount dev read-write on PERSIST_HOST. A device already mounted read-only (the
 * medium, the ISO's host) is bound there and only that mount is made writable. */
static int host_open(struct pstate *st, const struct pdev *p)
{
	const char *shared = NULL, *type = medium_mount_type(&p->fs);
	char node[64];

	if (!type || !host_type_ok(p->fs.type))
		return -EROFS;
	snprintf(node, sizeof(node), "/dev/%s", p->name);
	file_mkdirs(LIVE_PERSIST_HOST_MNT, 0755);
	if (*st->ctx->iso_host && !strcmp(p->name, st->ctx->iso_host) && mounted(LIVE_ISOHOST_MNT))
		shared = LIVE_ISOHOST_MNT;
	else if (!*st->ctx->iso_host && !strcmp(p->name, medium_name(st->ctx)) &&
		 mounted(LIVE_MEDIUM_MNT))
		shared = LIVE_MEDIUM_MNT;
	st->host_shared = shared != NULL;
	if (shared) {
		if (mount(shared, LIVE_PERSIST_HOST_MNT, NULL, MS_BIND, NULL) < 0)
			return -errno;
		if (st->ctx->cfg->persist_ro)
			return 0;	/* live.persist.ro: the medium's ro mount as it is */
		/* not MS_BIND: the superblock becomes writable, the medium's own mount stays ro */
		if (mount(NULL, LIVE_PERSIST_HOST_MNT, NULL, MS_REMOUNT, NULL) < 0) {
			int err = -errno;

			umount2(LIVE_PERSIST_HOST_MNT, MNT_DETACH);
			return err;
		}
		return 0;
	}
	kmod_load_name(st->ctx, type);
	if (mount(node, LIVE_PERSIST_HOST_MNT, type, MS_NOSUID | MS_NODEV |
		  (st->ctx->cfg->persist_ro ? MS_RDONLY : 0), medium_mount_data(st->ctx, type)) == 0)
		return 0;
	if (errno == ENODEV && !strcmp(p->fs.type, "ntfs") && !st->ntfs_said) {
		/* Debian 12's 6.1 has neither ntfs3 nor the old ntfs driver */
		log_warn("persistence: %s is NTFS, which this kernel cannot mount (no ntfs3 "
			 "driver): image files on NTFS are not used; keep them on a FAT32, "
			 "exFAT or ext4 partition", node);
		st->ntfs_said = true;
		return -ENODEV;
	}
	return -errno;
}

static void host_close(struct pstate *st)
{
	if (st->host_shared)
		mount(NULL, LIVE_PERSIST_HOST_MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	if (umount2(LIVE_PERSIST_HOST_MNT, 0) < 0)
		umount2(LIVE_PERSIST_HOST_MNT, MNT_DETACH);
	st->host_shared = false;
}

/* Check and mount an ext filesystem on node as the rw branch. */
static int use_fs(struct pstate *st, const char *node, const char *what)
{
	struct live_ctx *ctx = st->ctx;
	struct probe_result fs;
	char check[160];
	int err;

	err = probe_path(node, &fs);
	if (err || !is_ext(fs.type)) {
		snprintf(st->why, sizeof(st->why), "%s holds %s, not an ext2/3/4 filesystem", what,
			 err ? "nothing known" : fs.type);
		return -EMEDIUMTYPE;
	}
	err = fsck_check(ctx, node, check, sizeof(check));
	snprintf(ctx->persist_check, sizeof(ctx->persist_check), "%s", check);
	if (err) {
		snprintf(st->why, sizeof(st->why), "%s: %s; run e2fsck -f on it from a rescue system",
			 what, check);
		return err;
	}
	kmod_load_name(ctx, "ext4");
	if (mount(node, LIVE_RW_MNT, "ext4", ctx->cfg->persist_ro ? MS_RDONLY : 0, NULL) < 0) {
		snprintf(st->why, sizeof(st->why), "%s does not mount as ext4: %s", what, strerror(errno));
		return -errno;
	}
	snprintf(ctx->persist_label, sizeof(ctx->persist_label), "%s", fs.label);
	snprintf(ctx->persist_what, sizeof(ctx->persist_what), "%s", what);
	snprintf(ctx->persist_fs, sizeof(ctx->persist_fs), "%s", fs.type);
	return 0;
}

static int use_partition(struct pstate *st, const struct pdev *p)
{
	char node[64];

	snprintf(node, sizeof(node), "/dev/%s", p->name);
	if (!strcmp(p->name, medium_name(st->ctx))) {
		snprintf(st->why, sizeof(st->why), "%s is the live medium itself", node);
		return -EBUSY;
	}
	return use_fs(st, node, node);
}

/* The image file path on the host open on PERSIST_HOST. */
static int use_file(struct pstate *st, const struct pdev *host, const char *path)
{
	char full[LIVE_PATH_MAX * 2], loopdev[32], what[LIVE_PATH_MAX];
	int loopfd, err;

	snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
	snprintf(what, sizeof(what), "/dev/%s:%s", host->name, path);
	kmod_load_name(st->ctx, "loop");
	err = loop_attach(full, false, loopdev, sizeof(loopdev), &loopfd);
	if (err) {
		snprintf(st->why, sizeof(st->why), "%s: no loop device: %s", what, strerror(-err));
		return err;
	}
	err = use_fs(st, loopdev, what);
	close(loopfd);
	return err;
}

/* A directory on the host (Porteus' changes=/porteus/changes): the host is bound on the
 * rw mount and the branch is that directory (live.persist.dir=). */
static int use_dir(struct pstate *st, const struct pdev *host, const char *path)
{
	struct live_ctx *ctx = st->ctx;

	if (!is_ext(host->fs.type)) {
		snprintf(st->why, sizeof(st->why), "/dev/%s:%s is on %s, which cannot keep a "
			 "union branch (owners, modes, whiteouts)", host->name, path, host->fs.type);
		return -EMEDIUMTYPE;
	}
	if (mount(LIVE_PERSIST_HOST_MNT, LIVE_RW_MNT, NULL, MS_BIND, NULL) < 0) {
		snprintf(st->why, sizeof(st->why), "binding /dev/%s: %s", host->name, strerror(errno));
		return -errno;
	}
	snprintf(ctx->persist_dir, sizeof(ctx->persist_dir), "%s", path);
	snprintf(ctx->persist_what, sizeof(ctx->persist_what), "/dev/%s:%s", host->name, path);
	snprintf(ctx->persist_fs, sizeof(ctx->persist_fs), "%s", host->fs.type);
	snprintf(ctx->persist_label, sizeof(ctx->persist_label), "%s", host->fs.label);
	return 0;
}

static bool dir_there(const char *path)
{
	char full[LIVE_PATH_MAX * 2];
	struct stat s;

	snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
	return strcmp(path, "/") && stat(full, &s) == 0 && S_ISDIR(s.st_mode);
}

static bool file_there(const char *path)
{
	char full[LIVE_PATH_MAX * 2];
	struct stat s;

	snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
	return stat(full, &s) == 0 && S_ISREG(s.st_mode);
}

static bool on_medium_disk(const struct pstate *st, const struct pdev *p)
{
	char a[32], b[32];

	return *medium_name(st->ctx) &&
	       !strcmp(devlist_disk_of(p->name, a, sizeof(a)),
		       devlist_disk_of(medium_name(st->ctx), b, sizeof(b)));
}

/* Hosts for image files in the order they are searched: the medium's partition
 * (or the ISO's host), the other partitions of its disk, then every other
 * partition, each group by name. */
static size_t host_order(struct pstate *st, const struct pdev **out)
{
	const char *m = medium_name(st->ctx);
	size_t i, n = 0;
	int pass;

	for (i = 0; i < st->ndevs; i++)
		if (!strcmp(st->devs[i].name, m) && host_type_ok(st->devs[i].fs.type))
			out[n++] = &st->devs[i];
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < st->ndevs; i++)
			if (strcmp(st->devs[i].name, m) && host_type_ok(st->devs[i].fs.type) &&
			    on_medium_disk(st, &st->devs[i]) == !pass)
				out[n++] = &st->devs[i];
	return n;
}

/* Look for one of names on the hosts; 0 when one is now the rw branch. */
static int try_files(struct pstate *st, const struct pdev *const *hosts, size_t nhosts,
		     const char *const *names, size_t nnames)
{
	size_t h, i;
	int err = -ENOENT;

	for (h = 0; h < nhosts; h++) {
		if (host_open(st, hosts[h]))
			continue;
		for (i = 0; i < nnames; i++) {
			if (nnames == 1 && dir_there(names[i]))
				err = use_dir(st, hosts[h], names[i]);
			else if (!file_there(names[i]))
				continue;
			else
				err = use_file(st, hosts[h], names[i]);
			if (!err)
				return 0;	/* the host stays mounted under the image */
		}
		host_close(st);
	}
	return err;
}

/* live.persist.create: the medium's partition, else the other partitions of its
 * disk (a stick's data partition), else, when its disk has none (a CD, a network
 * boot), every writable partition; live.persist.size= alone: every host. */
static size_t create_hosts(const struct pstate *st, const struct pdev *const *hosts,
			   size_t nhosts, const struct pdev **out)
{
	size_t i, n = 0;

	for (i = 0; i < nhosts; i++)
		if (!*st->ctx->cfg->persist_create || on_medium_disk(st, hosts[i]))
			out[n++] = hosts[i];
	if (n)
		return n;
	for (i = 0; i < nhosts; i++)
		out[n++] = hosts[i];
	return n;
}

static void note(char *buf, size_t len, const char *name, const char *what)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s/dev/%s: %s", used ? "; " : "", name, what);
}

/* A new image file (sparse where the filesystem can) with an ext filesystem, on the
 * first candidate with room; never over an existing file, never on an EFI system
 * partition, nothing repartitioned. */
static int create_file(struct pstate *st, const struct pdev *const *hosts, size_t nhosts,
		       const char *path)
{
	struct live_ctx *ctx = st->ctx;
	const char *opt = *ctx->cfg->persist_create && strcmp(ctx->cfg->persist_create, "default") ?
			  ctx->cfg->persist_create : *ctx->cfg->persist_size ?
			  ctx->cfg->persist_size : "default";
	const struct pdev *cand[PERSIST_MAX_DEVS];
	char full[LIVE_PATH_MAX * 2], how[64], tried[240] = "", why[96];
	unsigned long long size;
	struct statvfs vfs;
	size_t h, n;
	int fd, err;

	if (ctx->cfg->persist_ro) {
		snprintf(st->why, sizeof(st->why), "%s not found, and live.persist.ro creates "
			 "nothing", path);
		return -ENOENT;
	}
	n = create_hosts(st, hosts, nhosts, cand);
	for (h = 0; h < n; h++) {
		const struct pdev *p = cand[h];
		bool nosparse = !strcmp(p->fs.type, "vfat") || !strcmp(p->fs.type, "exfat");

		if (pcreate_is_esp(p->name)) {
			note(tried, sizeof(tried), p->name, "EFI system partition");
			continue;
		}
		if (host_open(st, p)) {
			note(tried, sizeof(tried), p->name, "does not mount writable");
			continue;
		}
		snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
		size = statvfs(LIVE_PERSIST_HOST_MNT, &vfs) < 0 ? 0 :
		       pcreate_size(opt, p->fs.type,
				    (unsigned long long)vfs.f_bavail * vfs.f_frsize, why, sizeof(why));
		if (!size) {
			note(tried, sizeof(tried), p->name, why);
			host_close(st);
			continue;
		}
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			note(tried, sizeof(tried), p->name, errno == EEXIST ?
			     "the file exists (not overwritten)" : strerror(errno));
			host_close(st);
			continue;
		}
		log_info("persistence: creating /dev/%s:%s (%llu MiB)%s", p->name, path, size >> 20,
			 nosparse ? ": FAT/exFAT have no sparse files, the whole size is written "
			 "once, this takes a while" : "");
		err = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
		if (!err && fsync(fd) < 0)
			err = -errno;
		close(fd);
		err = err ?: fsck_mkfs(full, size >> 10, LIVE_PERSIST_LABEL_DEFAULT, how, sizeof(how),
				 ctx->cfg->helper_timeout);
		if (err) {
			unlink(full);
			host_close(st);
			snprintf(st->why, sizeof(st->why), "creating %s on /dev/%s failed: %s", path,
				 p->name, strerror(-err));
			return err;
		}
		sync();
		log_info("persistence: created /dev/%s:%s (%llu MiB, %s)", p->name, path,
			 size >> 20, how);
		err = use_file(st, p, path);
		if (err)
			host_close(st);
		return err;
	}
	snprintf(st->why, sizeof(st->why), "no partition could hold a new %s%s%s", path,
		 *tried ? ": " : " (no writable partition)", tried);
	return -ENOSPC;
}

/* live.persist.create=partition: nothing labelled for persistence exists (else it is
 * never made again); a new partition in the free space of the medium's disk, used now. */
static int create_part(struct pstate *st)
{
	static const char *const labels[] = { LIVE_PERSIST_LABELS };
	char node[64], why[sizeof(st->why)];
	const struct pdev *p;
	size_t i, j;
	int err;

	snprintf(why, sizeof(why), "%s", st->why);
	for (j = 0; j < sizeof(labels) / sizeof(labels[0]); j++)
		for (i = 0; i < st->ndevs; i++)
			if (!strcmp(st->devs[i].fs.label, labels[j])) {
				snprintf(st->why, sizeof(st->why), "/dev/%s (label %s) is there but "
					 "not usable (%.200s): no new partition is made",
					 st->devs[i].name, labels[j], why);
				return -EEXIST;
			}
	if (st->ctx->cfg->persist_ro) {
		snprintf(st->why, sizeof(st->why), "no persistence found, and live.persist.ro "
			 "creates nothing");
		return -ENOENT;
	}
	err = ppart_create(st->ctx, node, sizeof(node), st->why, sizeof(st->why));
	if (err)
		return err;
	p = find_dev(st, node, true);
	if (!p) {
		snprintf(st->why, sizeof(st->why), "%s was made but does not probe", node);
		return -ENOENT;
	}
	err = use_partition(st, p);
	return err ?: ppart_layout(LIVE_RW_MNT, st->why, sizeof(st->why));
}

static int persist_find(struct pstate *st)
{
	static const char *const labels[] = { LIVE_PERSIST_LABELS };
	static const char *const files[] = { LIVE_PERSIST_FILES };
	char names[12][LIVE_PATH_MAX];
	const char *namep[12];
	size_t nnames;
	const struct pdev *hosts[PERSIST_MAX_DEVS];
	const struct pdev *p;
	const char *path = st->spec.path;
	size_t nhosts, i, j;
	int err;

	if (st->spec.automatic) {
		scan(st);
		for (j = 0; j < sizeof(labels) / sizeof(labels[0]); j++)
			for (i = 0; i < st->ndevs; i++)
				if (!strcmp(st->devs[i].fs.label, labels[j]) &&
				    !use_partition(st, &st->devs[i]))
					return 0;
		nhosts = host_order(st, hosts);
		nnames = foreign_files(st->ctx, names, 12);
		for (i = 0; i < nnames; i++)
			namep[i] = names[i];
		err = try_files(st, hosts, nhosts, namep, nnames);
		if (!err)
			return 0;
		if (ppart_wanted(st->ctx->cfg->persist_create))
			return err == -ENOENT ? create_part(st) : err;
		if (*st->ctx->cfg->persist_size || *st->ctx->cfg->persist_create)
			return create_file(st, hosts, nhosts, "/" LIVE_PERSIST_FILE_DEFAULT);
		if (!*st->why)
			snprintf(st->why, sizeof(st->why),
				 "no partition labelled %s, %s, %s or %s, no %s, %s or %s on any partition",
				 labels[0], labels[1], labels[2], labels[3], files[0], files[1], files[2]);
		return -ENOENT;
	}
	if (ppart_wanted(st->ctx->cfg->persist_create)) {
		snprintf(st->why, sizeof(st->why), "live.persist.create=partition goes with "
			 "live.persist=auto (the new partition is found by its label)");
		return -EINVAL;
	}
	if (*st->spec.dev) {
		p = find_dev(st, st->spec.dev, true);
		if (!p) {
			snprintf(st->why, sizeof(st->why), "no device %s", st->spec.dev);
			return -ENOENT;
		}
		if (!*path)
			return use_partition(st, p);
		hosts[0] = p;
		nhosts = 1;
	} else {
		scan(st);
		nhosts = host_order(st, hosts);
	}
	err = try_files(st, hosts, nhosts, &path, 1);
	if (!err || err != -ENOENT)
		return err;
	if (*st->ctx->cfg->persist_size || *st->ctx->cfg->persist_create)
		return create_file(st, hosts, nhosts, path);
	snprintf(st->why, sizeof(st->why), "no %s on %s (live.persist.size= creates it)", path,
		 *st->spec.dev ? st->spec.dev : "any partition");
	return -ENOENT;
}

int persist_setup(struct live_ctx *ctx)
{
	static struct pstate st;
	const char *spec;
	int err;

	if (!size_ok(ctx->cfg->ramsize))
		return live_fail(ctx, -EINVAL, "use e.g. live.ramsize=50% or live.ramsize=2g",
				 "live.ramsize=%s is not a size", ctx->cfg->ramsize);
	file_mkdirs(LIVE_RW_MNT, 0755);
	snprintf(ctx->persist_what, sizeof(ctx->persist_what), "none");
	ctx->persist_fs[0] = ctx->persist_check[0] = '\0';
	/* live.persist.create alone means live.persist=auto */
	spec = *ctx->cfg->persist ? ctx->cfg->persist : *ctx->cfg->persist_create ? "auto" : "";
	/* Porteus' changes= directory replaces it (persist_dir): each attempt starts afresh */
	snprintf(ctx->persist_dir, sizeof(ctx->persist_dir), "%s", ctx->cfg->persist_dir);
	if (*spec) {
		memset(&st, 0, sizeof(st));
		st.ctx = ctx;
		parse_spec(spec, &st.spec);
		err = persist_find(&st);
		/* whose persistence it is, where its branch is (persist_foreign.c) */
		err = err ?: foreign_layout(ctx, st.why, sizeof(st.why));
		if (err < 0 && mounted(LIVE_RW_MNT))
			umount2(LIVE_RW_MNT, MNT_DETACH);
		if (err < 0)
			ctx->rw_upper[0] = ctx->rw_union[0] = ctx->persist_format[0] = '\0';
		/* live.persist.ro: it becomes a read-only branch under the RAM one */
		if (!err && ctx->cfg->persist_ro) {
			err = persist_ro_lower(ctx, st.why, sizeof(st.why));
			if (!err)
				goto tmpfs;
			umount2(LIVE_RW_MNT, MNT_DETACH);
			ctx->rw_upper[0] = ctx->rw_union[0] = ctx->persist_format[0] = '\0';
		}
		if (!err) {
			snprintf(ctx->rw_type, sizeof(ctx->rw_type), "persistence");
			log_info("rw branch: persistence %s (%s) on %s", ctx->persist_what,
				 ctx->persist_fs, LIVE_RW_MNT);
			return 0;
		}
		if (err == 1)
			goto tmpfs;
		snprintf(ctx->persist_what, sizeof(ctx->persist_what), "none");
		log_warn("persistence (live.persist=%s) not used: %s; the rw branch is a tmpfs, "
			 "changes are lost at power-off", spec, st.why);
	}
tmpfs:
	err = ram_branch_mount(ctx);
	if (err)
		return err;
	if (mkdir(LIVE_RW_UPPER, 0755) < 0 || mkdir(LIVE_RW_WORK, 0755) < 0)
		return live_fail(ctx, -errno, NULL, "creating %s and %s: %s", LIVE_RW_UPPER,
				 LIVE_RW_WORK, strerror(errno));
	return 0;
}
