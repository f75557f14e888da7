// SPDX-License-Identifier: GPL-2.0
/* Judge a block device as the live medium: match live.media=, mount it, look for the layers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

/* CDs first, then removable devices, then by name: a deterministic choice. */
bool medium_wanted_order(const struct live_dev *a, const struct live_dev *b)
{
	if (a->cdrom != b->cdrom)
		return a->cdrom;
	if (a->removable != b->removable)
		return a->removable;
	return strcmp(a->name, b->name) < 0;
}

/* Filesystems a medium may carry, and the type mount(2) wants for each. */
static const char *mount_type(const char *probed)
{
	static const char *const ok[][2] = {
		{ "iso9660", "iso9660" }, { "udf", "udf" }, { "vfat", "vfat" },
		{ "exfat", "exfat" }, { "ext2", "ext4" }, { "ext3", "ext4" }, { "ext4", "ext4" },
		{ "btrfs", "btrfs" }, { "ntfs", "ntfs3" }, { "ntfs3", "ntfs3" },
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(probed, ok[i][0]))
			return ok[i][1];
	return NULL;
}

static int reject(struct live_dev *dev, const char *why)
{
	dev->verdict = DEV_REJECTED;
	snprintf(dev->reason, sizeof(dev->reason), "%s", why);
	log_debug("%s: rejected: %s", dev->name, why);
	return -ENOENT;
}

static bool matches(const struct live_opts *o, const struct live_dev *dev, char *why, size_t len)
{
	const char *m = o->media;

	if (!strcmp(m, "auto"))
		return true;
	if (!strncmp(m, "/dev/", 5)) {
		if (!strcmp(m + 5, dev->name))
			return true;
		snprintf(why, len, "not %s", m);
		return false;
	}
	if (!strncmp(m, "LABEL=", 6)) {
		if (!strcmp(m + 6, dev->fs.label))
			return true;
		snprintf(why, len, "label \"%s\" is not \"%s\"", dev->fs.label, m + 6);
		return false;
	}
	if (!strncmp(m, "UUID=", 5)) {
		if (*dev->fs.uuid && !strcasecmp(m + 5, dev->fs.uuid))
			return true;
		snprintf(why, len, "UUID \"%s\" is not \"%s\"", dev->fs.uuid, m + 5);
		return false;
	}
	snprintf(why, len, "live.media=%s is not auto, /dev/X, LABEL= or UUID=", m);
	return false;
}

int medium_consider(struct live_ctx *ctx, struct live_dev *dev)
{
	char node[64], why[96], dir[LIVE_PATH_MAX + 32];
	struct live_layer probe_layers[LIVE_MAX_LAYERS];
	const char *type;
	size_t n = 0;
	int err;

	snprintf(node, sizeof(node), "/dev/%s", dev->name);
	if (!dev->probed) {
		dev->probed = true;
		dev->probe_err = probe_path(node, &dev->fs);
	}
	if (dev->probe_err == -ENOMEDIUM)
		return reject(dev, "no medium in the drive");
	if (dev->probe_err == -ENOENT)
		return reject(dev, "no known filesystem");
	if (dev->probe_err) {
		snprintf(why, sizeof(why), "cannot read: %s", strerror(-dev->probe_err));
		return reject(dev, why);
	}
	if (!matches(&ctx->opts, dev, why, sizeof(why)))
		return reject(dev, why);
	type = mount_type(dev->fs.type);
	if (!type) {
		snprintf(why, sizeof(why), "%s is not a filesystem a medium is kept on", dev->fs.type);
		return reject(dev, why);
	}
	kmod_load_name(ctx, type);
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	if (mount(node, LIVE_MEDIUM_MNT, type, MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
		snprintf(why, sizeof(why), "mount as %s failed: %s", type, strerror(errno));
		return reject(dev, why);
	}
	snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->opts.dir);
	err = layers_list(dir, ctx->opts.layers, probe_layers, LIVE_MAX_LAYERS, &n);
	if (err || n == 0) {
		umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
		if (err == -ENOENT && *ctx->opts.layers)
			snprintf(why, sizeof(why), "not all of live.layers=%s in %s",
				 ctx->opts.layers, ctx->opts.dir);
		else
			snprintf(why, sizeof(why), "no %s/*%s", ctx->opts.dir, LIVE_LAYER_SUFFIX);
		return reject(dev, why);
	}
	dev->verdict = DEV_ACCEPTED;
	snprintf(dev->reason, sizeof(dev->reason), "%s, %zu layer%s in %s", type, n,
		 n == 1 ? "" : "s", ctx->opts.dir);
	ctx->medium = (int)(dev - ctx->devs);
	log_info("medium: %s (%s, label \"%s\") with %zu layer%s in %s", node, dev->fs.type,
		 dev->fs.label, n, n == 1 ? "" : "s", ctx->opts.dir);
	return 0;
}

void medium_describe_devs(const struct live_ctx *ctx, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ctx->ndevs && used < len; i++) {
		const struct live_dev *d = &ctx->devs[i];
		int n = snprintf(buf + used, len - used, "\n  %-8s %8llu MiB  %-9s %-16s %s",
				 d->name, (unsigned long long)(d->size >> 20),
				 *d->fs.type ? d->fs.type : "-",
				 *d->fs.label ? d->fs.label : "-",
				 d->verdict == DEV_UNSEEN ? "not examined" : d->reason);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}
