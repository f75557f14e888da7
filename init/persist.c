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

/* live.persist.size=: a number of MiB, or with a k/m/g suffix; 0 when unusable. */
static unsigned long long size_bytes(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	case 'm': case 'M': end++; /* fallthrough */
	case '\0': n <<= 20; break;
	default: return 0;
	}
	if (*end == 'i' || *end == 'b' || *end == 'B')
		end++;
	return *end ? 0 : n;
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

static bool dev_matches(const struct pdev *p, const char *spec)
{
	if (!strncmp(spec, "/dev/", 5))
		return !strcmp(spec + 5, p->name);
	if (!strncmp(spec, "LABEL=", 6))
		return !strcmp(spec + 6, p->fs.label);
	if (!strncmp(spec, "UUID=", 5))
		return *p->fs.uuid && !strcasecmp(spec + 5, p->fs.uuid);
	return false;
}

static const struct pdev *find_dev(struct pstate *st, const char *spec, bool wait)
{
	uint64_t deadline = live_now_ms() + (wait ? PERSIST_WAIT_MS : 0);
	size_t i;

	for (;;) {
		scan(st);
		for (i = 0; i < st->ndevs; i++)
			if (dev_matches(&st->devs[i], spec))
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
	const char *shared = NULL, *type = medium_mount_type(p->fs.type);
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
		/* not MS_BIND: the superblock becomes writable, the medium's own mount stays ro */
		if (mount(NULL, LIVE_PERSIST_HOST_MNT, NULL, MS_REMOUNT, NULL) < 0) {
			int err = -errno;

			umount2(LIVE_PERSIST_HOST_MNT, MNT_DETACH);
			return err;
		}
		return 0;
	}
	kmod_load_name(st->ctx, type);
	return mount(node, LIVE_PERSIST_HOST_MNT, type, MS_NOSUID | MS_NODEV,
		     medium_mount_data(st->ctx, type)) < 0 ? -errno : 0;
}

static void host_close(struct pstate *st)
{
	if (st->host_shared)
		mount(NULL, LIVE_PERSIST_HOST_MNT, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	if (umount2(LIVE_PERSIST_HOST_MNT, 0) < 0)
		umount2(LIVE_PERSIST_HOST_MNT, MNT_DETACH);
	st->host_shared = false;
}

/* live-boot's "persistence" label means nothing without a persistence.conf saying "/ union". */
static int conf_line(void *arg, char *line)
{
	char *p = line + strspn(line, " \t");

	(void)arg;
	return p[0] == '/' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\0');
}

static int check_conf(struct pstate *st)
{
	char path[LIVE_PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/persistence.conf", LIVE_RW_MNT);
	if (access(path, F_OK))
		return 0;
	r = file_lines(path, conf_line, NULL);
	if (r == 1)
		return 0;
	snprintf(st->why, sizeof(st->why),
		 "its persistence.conf does not persist / (per-directory persistence is not supported)");
	return -ENOTSUP;
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
	if (mount(node, LIVE_RW_MNT, "ext4", 0, NULL) < 0) {
		snprintf(st->why, sizeof(st->why), "%s does not mount as ext4: %s", what, strerror(errno));
		return -errno;
	}
	err = check_conf(st);
	if (err) {
		umount2(LIVE_RW_MNT, 0);
		return err;
	}
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

static bool file_there(const char *path)
{
	char full[LIVE_PATH_MAX * 2];
	struct stat s;

	snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
	return stat(full, &s) == 0 && S_ISREG(s.st_mode);
}

/* Hosts for image files in the order they are searched: the medium's partition
 * (or the ISO's host), then every other partition by name. */
static size_t host_order(struct pstate *st, const struct pdev **out)
{
	const char *m = medium_name(st->ctx);
	size_t i, n = 0;

	for (i = 0; i < st->ndevs; i++)
		if (!strcmp(st->devs[i].name, m) && host_type_ok(st->devs[i].fs.type))
			out[n++] = &st->devs[i];
	for (i = 0; i < st->ndevs; i++)
		if (strcmp(st->devs[i].name, m) && host_type_ok(st->devs[i].fs.type))
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
			if (!file_there(names[i]))
				continue;
			err = use_file(st, hosts[h], names[i]);
			if (!err)
				return 0;	/* the host stays mounted under the image */
		}
		host_close(st);
	}
	return err;
}

/* live.persist.size=: a new sparse image file with an ext filesystem on the first
 * host with room for it; never over an existing file. */
static int create_file(struct pstate *st, const struct pdev *const *hosts, size_t nhosts,
		       const char *path)
{
	unsigned long long size = size_bytes(st->ctx->opts.persist_size);
	char full[LIVE_PATH_MAX * 2], how[64];
	struct statvfs vfs;
	size_t h;
	int fd, err;

	if (size < (1ULL << 20)) {
		snprintf(st->why, sizeof(st->why), "live.persist.size=%s is not a size of 1M or more",
			 st->ctx->opts.persist_size);
		return -EINVAL;
	}
	for (h = 0; h < nhosts; h++) {
		if (host_open(st, hosts[h]))
			continue;
		snprintf(full, sizeof(full), "%s%s", LIVE_PERSIST_HOST_MNT, path);
		if (statvfs(LIVE_PERSIST_HOST_MNT, &vfs) < 0 ||
		    (unsigned long long)vfs.f_bavail * vfs.f_frsize < size + (1ULL << 20)) {
			host_close(st);
			continue;
		}
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			host_close(st);
			continue;
		}
		err = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
		if (!err && fsync(fd) < 0)
			err = -errno;
		close(fd);
		err = err ?: fsck_mkfs(full, size >> 10, LIVE_PERSIST_LABEL_DEFAULT, how, sizeof(how));
		if (err) {
			unlink(full);
			host_close(st);
			snprintf(st->why, sizeof(st->why), "creating %s on /dev/%s failed: %s", path,
				 hosts[h]->name, strerror(-err));
			return err;
		}
		sync();
		log_info("persistence: created /dev/%s:%s (%llu MiB, %s)", hosts[h]->name, path,
			 size >> 20, how);
		err = use_file(st, hosts[h], path);
		if (err)
			host_close(st);
		return err;
	}
	snprintf(st->why, sizeof(st->why), "no writable partition with %llu MiB free for %s",
		 size >> 20, path);
	return -ENOSPC;
}

static int persist_find(struct pstate *st)
{
	static const char *const labels[] = { LIVE_PERSIST_LABELS };
	static const char *const files[] = { LIVE_PERSIST_FILES };
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
		err = try_files(st, hosts, nhosts, files, sizeof(files) / sizeof(files[0]));
		if (!err)
			return 0;
		if (*st->ctx->opts.persist_size)
			return create_file(st, hosts, nhosts, "/" LIVE_PERSIST_FILE_DEFAULT);
		if (!*st->why)
			snprintf(st->why, sizeof(st->why),
				 "no partition labelled %s, %s, %s or %s, no %s, %s or %s on any partition",
				 labels[0], labels[1], labels[2], labels[3], files[0], files[1], files[2]);
		return -ENOENT;
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
	if (*st->ctx->opts.persist_size)
		return create_file(st, hosts, nhosts, path);
	snprintf(st->why, sizeof(st->why), "no %s on %s (live.persist.size= creates it)", path,
		 *st->spec.dev ? st->spec.dev : "any partition");
	return -ENOENT;
}

static int mount_tmpfs(struct live_ctx *ctx)
{
	char data[64];

	snprintf(data, sizeof(data), "mode=0755,size=%s", ctx->opts.ramsize);
	if (mount("tmpfs", LIVE_RW_MNT, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return live_fail(ctx, -errno, "try a smaller live.ramsize=",
				 "mounting the tmpfs rw branch (%s): %s", data, strerror(errno));
	snprintf(ctx->rw_type, sizeof(ctx->rw_type), "tmpfs");
	log_info("rw branch: tmpfs (%s) on %s", ctx->opts.ramsize, LIVE_RW_MNT);
	return 0;
}

static int make_dir(const char *path)
{
	struct stat s;

	if (mkdir(path, 0755) == 0 || (errno == EEXIST && stat(path, &s) == 0 && S_ISDIR(s.st_mode)))
		return 0;
	return errno == EEXIST ? -ENOTDIR : -errno;
}

int persist_setup(struct live_ctx *ctx)
{
	static struct pstate st;
	int err;

	if (!size_ok(ctx->opts.ramsize))
		return live_fail(ctx, -EINVAL, "use e.g. live.ramsize=50% or live.ramsize=2g",
				 "live.ramsize=%s is not a size", ctx->opts.ramsize);
	file_mkdirs(LIVE_RW_MNT, 0755);
	snprintf(ctx->persist_what, sizeof(ctx->persist_what), "none");
	ctx->persist_fs[0] = ctx->persist_check[0] = '\0';
	if (*ctx->opts.persist) {
		memset(&st, 0, sizeof(st));
		st.ctx = ctx;
		parse_spec(ctx->opts.persist, &st.spec);
		err = persist_find(&st);
		if (!err && (make_dir(LIVE_RW_UPPER) || make_dir(LIVE_RW_WORK))) {
			snprintf(st.why, sizeof(st.why), "cannot make upper/ and work/ on %s: %s",
				 ctx->persist_what, strerror(errno));
			umount2(LIVE_RW_MNT, MNT_DETACH);
			err = -EIO;
		}
		if (!err) {
			snprintf(ctx->rw_type, sizeof(ctx->rw_type), "persistence");
			log_info("rw branch: persistence %s (%s) on %s", ctx->persist_what,
				 ctx->persist_fs, LIVE_RW_MNT);
			return 0;
		}
		snprintf(ctx->persist_what, sizeof(ctx->persist_what), "none");
		log_warn("persistence (live.persist=%s) not used: %s; the rw branch is a tmpfs, "
			 "changes are lost at power-off", ctx->opts.persist, st.why);
	}
	err = mount_tmpfs(ctx);
	if (err)
		return err;
	if (mkdir(LIVE_RW_UPPER, 0755) < 0 || mkdir(LIVE_RW_WORK, 0755) < 0)
		return live_fail(ctx, -errno, NULL, "creating %s and %s: %s", LIVE_RW_UPPER,
				 LIVE_RW_WORK, strerror(errno));
	return 0;
}
