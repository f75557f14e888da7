// SPDX-License-Identifier: GPL-2.0
/*
 * live.todisk=DEV (Knoppix tohd=): copy the medium's layer directory onto a partition
 * with the toram pass (read once, SHA-256 checked), boot from the copy, and release the
 * medium. The copy is a medium of its own: the next boot can use live.media=DEV (Knoppix
 * fromhd=) without the CD. Nothing on the partition is removed: the layers are written
 * as NAME.part and renamed over a same-named file only once complete and verified.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "toram.h"

/* The device live.todisk= names: /dev/X, LABEL=x or UUID=x among the devices seen. */
static int find_target(struct live_ctx *ctx, const char *spec, char *node, size_t len,
		       struct probe_result *fs)
{
	size_t i;

	if (!strncmp(spec, "/dev/", 5)) {
		snprintf(node, len, "%s", spec);
		return probe_path(node, fs);
	}
	for (i = 0; i < ctx->ndevs; i++) {
		snprintf(node, len, "/dev/%s", ctx->devs[i].name);
		if (probe_path(node, fs))
			continue;
		if (probe_spec_match(spec, ctx->devs[i].name, fs))
			return 0;
	}
	return -ENOENT;
}

/* Copy a small file of the medium's layer directory (SHA256SUMS, the build ID) along. */
static void copy_small(const char *from_dir, const char *to_dir, const char *name)
{
	char src[LIVE_PATH_MAX * 2], dst[LIVE_PATH_MAX * 2];
	char *data;
	size_t n;

	snprintf(src, sizeof(src), "%s/%s", from_dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", to_dir, name);
	if (file_slurp(src, &data, &n))
		return;
	if (file_write_atomic(dst, data, n, 0644))
		log_warn("todisk: could not copy %s: %s", name, strerror(errno));
	free(data);
}

static void drop_parts(const struct toram_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		unlink(j->l[i].dst);
}

/* Rename every NAME.part over NAME; 0 or -errno. */
static int commit_parts(const struct toram_job *j)
{
	char final[LIVE_PATH_MAX];
	size_t i;
	int fd;

	for (i = 0; i < j->n; i++) {
		fd = open(j->l[i].dst, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0) {
			if (fd >= 0)
				close(fd);
			return -errno;
		}
		close(fd);
	}
	for (i = 0; i < j->n; i++) {
		snprintf(final, sizeof(final), "%.*s", (int)(strlen(j->l[i].dst) - 5), j->l[i].dst);
		if (rename(j->l[i].dst, final) < 0)
			return -errno;
	}
	sync();
	return 0;
}

static int fallback(struct live_ctx *ctx, const char *fmt, const char *arg, const char *err)
{
	char why[LIVE_PATH_MAX + 128];

	snprintf(why, sizeof(why), fmt, arg, err);
	log_warn("todisk: %s: booting from the medium", why);
	toram_set_status(ctx, NULL, "fallback: todisk: %s", why);
	return 0;
}

int todisk_run(struct live_ctx *ctx)
{
	static struct toram_job job;
	struct toram_job *j = &job;
	const char *spec = ctx->cfg->todisk;
	char node[48], dir[LIVE_PATH_MAX + 32], dst[LIVE_PATH_MAX + 32], why[LIVE_PATH_MAX + 128];
	struct probe_result fs;
	struct statvfs vfs;
	const struct toram_layer *bad;
	size_t i;
	int err;

	if (find_target(ctx, spec, node, sizeof(node), &fs))
		return fallback(ctx, "live.todisk=%s: no such device%s", spec, "");
	if (ctx->medium >= 0 && !strcmp(node + 5, ctx->devs[ctx->medium].name))
		return fallback(ctx, "live.todisk=%s is the medium itself%s", spec, "");
	if (!*fs.mount_type || !strcmp(fs.type, "iso9660") || !strcmp(fs.type, "squashfs"))
		return fallback(ctx, "%s holds no writable filesystem (%s)", node,
				*fs.type ? fs.type : "none found");
	file_mkdirs(LIVE_TODISK_MNT, 0755);
	kmod_load_name(ctx, fs.mount_type);
	if (mount(node, LIVE_TODISK_MNT, fs.mount_type, MS_NOATIME,
		  medium_mount_data(ctx, fs.mount_type)) < 0)
		return fallback(ctx, "%s does not mount read-write: %s", node, strerror(errno));
	snprintf(dst, sizeof(dst), "%s%s", LIVE_TODISK_MNT, ctx->dir);
	err = file_mkdirs(dst, 0755);
	if (!err)
		err = toram_build_job(ctx, j, dir, sizeof(dir), dst);
	if (err) {
		umount2(LIVE_TODISK_MNT, 0);
		return fallback(ctx, "%s: %s", dst, strerror(-err));
	}
	/* under the medium's own file names, so that the copy is a medium too */
	for (i = 0; i < j->n; i++) {
		const char *base = strrchr(j->l[i].src, '/');

		snprintf(j->l[i].dst, sizeof(j->l[i].dst), "%s/%s.part", dst,
			 base ? base + 1 : j->l[i].src);
	}
	if (statvfs(LIVE_TODISK_MNT, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < j->total + (1ULL << 20)) {
		umount2(LIVE_TODISK_MNT, 0);
		snprintf(why, sizeof(why), "%llu MiB needed, %llu MiB free",
			 (unsigned long long)(j->total >> 20),
			 (unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20);
		return fallback(ctx, "%s is too small: %s", node, why);
	}
	log_info("todisk: copying %zu layer(s), %llu MiB, to %s:%s", j->n,
		 (unsigned long long)(j->total >> 20), node, ctx->dir);
	j->what = "todisk";
	err = toram_pass(j, true, why, sizeof(why));
	bad = err ? NULL : toram_first_mismatch(j);
	if (!err && !bad) {
		err = commit_parts(j);
		if (err)
			snprintf(why, sizeof(why), "%s", strerror(-err));
	}
	if (err || bad) {
		drop_parts(j);
		umount2(LIVE_TODISK_MNT, 0);
		if (bad)
			return fallback(ctx, "layer %s does not match its recorded SHA-256%s",
					bad->name, "");
		return fallback(ctx, "%s: %s", node, why);
	}
	copy_small(dir, dst, LIVE_SUMS_FILE);
	copy_small(dir, dst, LIVE_ID_FILE);
	sync();
	toram_release_medium(ctx, dst);
	toram_set_status(ctx, j, "todisk %s:%s", node, ctx->dir);
	log_info("todisk: the layers are on %s:%s; boot from there next time with "
		 "live.media=%s (Knoppix: fromhd=%s)", node, ctx->dir, node, node);
	return 0;
}
