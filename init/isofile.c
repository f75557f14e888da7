// SPDX-License-Identifier: GPL-2.0
/*
 * live.iso= (findiso=, iso-scan/filename=): the medium is an ISO file on some partition.
 * Each partition is mounted read-only on /run/live/isohost and looked at; the one holding
 * the file stays mounted there (and moves into the new root with /run), the ISO is
 * loop-mounted on /run/live/medium and judged like a CD.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

static int reject(struct live_dev *dev, const char *why)
{
	dev->verdict = DEV_REJECTED;
	snprintf(dev->reason, sizeof(dev->reason), "%s", why);
	log_debug("%s: rejected: %s", dev->name, why);
	return -ENOENT;
}

int isofile_consider(struct live_ctx *ctx, struct live_dev *dev)
{
	char node[64], why[96], file[LIVE_PATH_MAX * 2], loopdev[32], dir[LIVE_PATH_MAX + 32];
	char image[sizeof(ctx->image)];
	struct live_layer l[LIVE_MAX_LAYERS];
	struct probe_result fs;
	struct stat st;
	const char *isotype;
	size_t n = 0;
	const char *type;
	int loopfd, err;

	err = medium_judge_fs(ctx, dev, &type);
	if (err)
		return err;
	snprintf(node, sizeof(node), "/dev/%s", dev->name);
	kmod_load_name(ctx, type);
	file_mkdirs(LIVE_ISOHOST_MNT, 0755);
	if (mount(node, LIVE_ISOHOST_MNT, type, MS_RDONLY | MS_NOSUID | MS_NODEV,
		  medium_mount_data(ctx, type)) < 0) {
		snprintf(why, sizeof(why), "mount as %s failed: %s", type, strerror(errno));
		return reject(dev, why);
	}
	snprintf(file, sizeof(file), "%s%s%s", LIVE_ISOHOST_MNT, *ctx->cfg->iso == '/' ? "" : "/",
		 ctx->cfg->iso);
	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		umount2(LIVE_ISOHOST_MNT, MNT_DETACH);
		snprintf(why, sizeof(why), "no %.80s here", ctx->cfg->iso);
		return reject(dev, why);
	}
	err = probe_path(file, &fs);
	isotype = err ? NULL : medium_mount_type(&fs);
	if (!isotype) {
		umount2(LIVE_ISOHOST_MNT, MNT_DETACH);
		snprintf(why, sizeof(why), "%.60s is not an ISO image (%s)", ctx->cfg->iso,
			 err ? strerror(-err) : fs.type);
		return reject(dev, why);
	}
	kmod_load_name(ctx, "loop");
	kmod_load_name(ctx, isotype);
	err = loop_attach(file, true, loopdev, sizeof(loopdev), &loopfd);
	if (err) {
		umount2(LIVE_ISOHOST_MNT, MNT_DETACH);
		snprintf(why, sizeof(why), "no loop device for %.60s: %s", ctx->cfg->iso, strerror(-err));
		return reject(dev, why);
	}
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	err = mount(loopdev, LIVE_MEDIUM_MNT, isotype, MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0 ?
	      -errno : 0;
	close(loopfd);
	if (err) {
		umount2(LIVE_ISOHOST_MNT, MNT_DETACH);
		snprintf(why, sizeof(why), "%.60s does not mount as %s: %s", ctx->cfg->iso, isotype,
			 strerror(-err));
		return reject(dev, why);
	}
	memcpy(dir, ctx->dir, sizeof(ctx->dir));
	memcpy(image, ctx->image, sizeof(image));
	n = medium_find_layers(ctx, l, &err);
	if (err || !n)
		snprintf(why, sizeof(why), "%.60s has no %s/%s", ctx->cfg->iso, ctx->dir,
			 layers_pattern(ctx->image));
	else if (medium_check_id(ctx, why, sizeof(why)))
		err = -ENOENT;
	if (err || !n) {
		memcpy(ctx->dir, dir, sizeof(ctx->dir));	/* a peer layout's, if found */
		memcpy(ctx->image, image, sizeof(image));
		umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
		umount2(LIVE_ISOHOST_MNT, MNT_DETACH);
		return reject(dev, why);
	}
	dev->verdict = DEV_ACCEPTED;
	snprintf(dev->reason, sizeof(dev->reason), "holds %.50s (%s, label %.20s), %zu layer%s",
		 ctx->cfg->iso, fs.type, fs.label, n, n == 1 ? "" : "s");
	snprintf(ctx->iso_host, sizeof(ctx->iso_host), "%s", dev->name);
	ctx->medium = (int)(dev - ctx->devs);
	log_info("medium: %s on %s (%s), loop-mounted from %s (label \"%s\") with %zu layer%s in %s",
		 ctx->cfg->iso, node, dev->fs.type, loopdev, fs.label, n, n == 1 ? "" : "s",
		 ctx->dir);
	return 0;
}
