// SPDX-License-Identifier: GPL-2.0
/* Judge a block device as the live medium: match live.media=, mount it, look for the layers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

/* The mount(2) type (from the probe) of a filesystem a medium may be kept on; NULL for others. */
const char *medium_mount_type(const struct probe_result *fs)
{
	static const char *const ok[] = {
		"iso9660", "udf", "vfat", "exfat", "ext2", "ext3", "ext4", "btrfs", "ntfs",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(fs->type, ok[i]))
			return fs->mount_type;
	return NULL;
}

static int reject(struct live_dev *dev, const char *why)
{
	dev->verdict = DEV_REJECTED;
	snprintf(dev->reason, sizeof(dev->reason), "%s", why);
	log_debug("%s: rejected: %s", dev->name, why);
	return -ENOENT;
}

static bool matches(const struct live_cfg *o, const struct live_dev *dev, char *why, size_t len)
{
	const char *m = o->media;

	if (!strcmp(m, "auto") || probe_spec_match(m, dev->name, &dev->fs))
		return true;
	if (!strncmp(m, "/dev/", 5))
		snprintf(why, len, "not %s", m);
	else if (!strncmp(m, "LABEL=", 6))
		snprintf(why, len, "label \"%s\" is not \"%s\"", dev->fs.label, m + 6);
	else if (!strncmp(m, "UUID=", 5))
		snprintf(why, len, "UUID \"%s\" is not \"%s\"", dev->fs.uuid, m + 5);
	else
		snprintf(why, len, "live.media=%s is not auto, /dev/X, LABEL= or UUID=", m);
	return false;
}

/* The ID a medium must carry: live.id=, else the one built into the initramfs. */
static void want_id_load(struct live_ctx *ctx)
{
	char buf[64];

	if (ctx->want_id_loaded)
		return;
	ctx->want_id_loaded = true;
	if (file_read(LIVE_IMAGE_ID, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, " \t\r\n")] = '\0';
		snprintf(ctx->image_id, sizeof(ctx->image_id), "%s", buf);
	}
	if (!strcmp(ctx->cfg->id, "any") || !strcmp(ctx->cfg->id, "none"))
		ctx->want_id[0] = '\0';
	else
		snprintf(ctx->want_id, sizeof(ctx->want_id), "%s",
			 *ctx->cfg->id ? ctx->cfg->id : ctx->image_id);
}

/* Read <medium>/<live.dir>/livestack.id; with an ID wanted, only that one passes. */
int medium_check_id(struct live_ctx *ctx, char *why, size_t len)
{
	char path[LIVE_PATH_MAX + 64], id[64] = "";

	want_id_load(ctx);
	snprintf(path, sizeof(path), "%s%s/%s", LIVE_MEDIUM_MNT, ctx->dir, LIVE_ID_FILE);
	if (file_read(path, id, sizeof(id)) > 0)
		id[strcspn(id, " \t\r\n")] = '\0';
	snprintf(ctx->medium_id, sizeof(ctx->medium_id), "%s", id);
	if (!*ctx->want_id || !strcasecmp(id, ctx->want_id))
		return 0;
	if (*id)
		snprintf(why, len, "build id %s is not %s (live.id=any accepts it)", id, ctx->want_id);
	else
		snprintf(why, len, "no %s/%s, live.id=%s wanted", ctx->dir, LIVE_ID_FILE,
			 ctx->want_id);
	return -ENOENT;
}

/*
 * A hybrid ISO on a disk (a stick): mount its partition that starts at sector 0, not
 * the whole disk. A mounted whole disk is claimed exclusively, and then none of its
 * other partitions (the persistence partition after the ISO) can be checked or mounted.
 */
static void iso_partition(const struct live_dev *dev, char *node, size_t len)
{
	char path[128], buf[32];
	struct dirent *d;
	DIR *dir;

	if (strcmp(dev->fs.type, "iso9660") && strcmp(dev->fs.type, "udf"))
		return;
	snprintf(path, sizeof(path), "/sys/class/block/%s", dev->name);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, dev->name, strlen(dev->name)) || !strcmp(d->d_name, dev->name))
			continue;
		snprintf(path, sizeof(path), "/sys/class/block/%s/%s/start", dev->name, d->d_name);
		if (file_read(path, buf, sizeof(buf)) > 0 && atoll(buf) == 0) {
			snprintf(node, len, "/dev/%s", d->d_name);
			break;
		}
	}
	closedir(dir);
}

/*
 * Mount options for a type. vfat: Debian's kernel defaults to iocharset=ascii, whose
 * nls module is not in the image (and cannot show non-ASCII names): use utf8, loaded
 * here with the default codepage, since no modprobe helper runs in the initramfs.
 */
const char *medium_mount_data(struct live_ctx *ctx, const char *type)
{
	if (strcmp(type, "vfat"))
		return NULL;
	kmod_load_name(ctx, "nls_cp437");
	kmod_load_name(ctx, "nls_utf8");
	return "iocharset=utf8";
}

/* Would dev, not yet examined, also be a medium? Mounted aside, read-only, and let go. */
static bool also_medium(struct live_ctx *ctx, struct live_dev *dev, const struct live_dev *chosen)
{
	static const char peek[] = LIVE_RUN "/peek";
	struct live_layer l[LIVE_MAX_LAYERS];
	char node[64], why[8], dir[LIVE_PATH_MAX + 32], path[LIVE_PATH_MAX + 64], id[64] = "";
	char disk[2][64];
	const char *type;
	size_t n = 0;
	bool yes;

	snprintf(node, sizeof(node), "/dev/%s", dev->name);
	if (probe_path(node, &dev->fs))
		return false;
	dev->probed = true;
	type = medium_mount_type(&dev->fs);
	if (!type || !matches(ctx->cfg, dev, why, sizeof(why)))
		return false;
	/* an isohybrid disk and its partitions are one medium seen twice */
	if (!strcmp(devlist_disk_of(dev->name, disk[0], sizeof(disk[0])),
		    devlist_disk_of(chosen->name, disk[1], sizeof(disk[1]))))
		return false;
	file_mkdirs(peek, 0755);
	/* noload: a look must not replay an ext journal (a persistence partition's
	 * e2fsck comes later and reports what it found) */
	if (mount(node, peek, type, MS_RDONLY | MS_NOSUID | MS_NODEV,
		  strcmp(type, "ext4") ? medium_mount_data(ctx, type) : "noload") < 0)
		return false;
	snprintf(dir, sizeof(dir), "%s%s", peek, ctx->dir);
	yes = layers_opts(dir, ctx->cfg, ctx->image, l, LIVE_MAX_LAYERS, &n) == 0 && n > 0;
	snprintf(path, sizeof(path), "%s/%s", dir, LIVE_ID_FILE);
	if (yes && *ctx->want_id) {
		if (file_read(path, id, sizeof(id)) > 0)
			id[strcspn(id, " \t\r\n")] = '\0';
		yes = !strcasecmp(id, ctx->want_id);
	}
	umount2(peek, MNT_DETACH);
	rmdir(peek);
	return yes;
}

/* Several media present: the choice is made (CD, removable, name); name the others once. */
static void note_others(struct live_ctx *ctx, const struct live_dev *chosen)
{
	char one[48], padded[52], have[sizeof(ctx->others) + 2], disk[32];
	size_t i, used = 0;

	ctx->others[0] = '\0';
	devlist_add_present(ctx);
	for (i = 0; i < ctx->ndevs; i++) {
		struct live_dev *d = &ctx->devs[i];

		if (d == chosen || d->verdict != DEV_UNSEEN || !also_medium(ctx, d, chosen))
			continue;
		d->verdict = DEV_REJECTED;
		snprintf(d->reason, sizeof(d->reason), "also a live medium, /dev/%s chosen (%s)",
			 chosen->name, chosen->cdrom ? "a CD comes first" :
			 chosen->removable && !d->removable ? "removable comes first" :
			 "first by name");
		/* a disk and its partitions are named once, as the disk */
		snprintf(one, sizeof(one), "/dev/%s", devlist_disk_of(d->name, disk, sizeof(disk)));
		snprintf(padded, sizeof(padded), " %s ", one);
		snprintf(have, sizeof(have), " %s ", ctx->others);
		if (strstr(have, padded))
			continue;
		used += (size_t)snprintf(ctx->others + used, sizeof(ctx->others) - used, "%s%s",
					 used ? " " : "", one);
		if (used >= sizeof(ctx->others))
			break;
	}
	if (*ctx->others)
		log_warn("several live media: using /dev/%s (label \"%s\"), not %s; "
			 "choose with live.media=/dev/X, LABEL= or live.id=", chosen->name,
			 chosen->fs.label, ctx->others);
}

/*
 * The peers' own layouts, tried when live.dir= was not given and the medium has no
 * /live: Ubuntu's casper (squashfs files in /casper; its boot line names no directory) and
 * Knoppix (/KNOPPIX/KNOPPIX, KNOPPIX1...; its boot line names none either). On a find,
 * live.dir= (and live.image=) take the layout's values for the rest of the boot.
 */
static const struct { const char *dir, *image, *who; } peer_layouts[] = {
	{ "/casper", "", "casper" },
	{ "/KNOPPIX", "KNOPPIX", "Knoppix" },
};

size_t medium_find_layers(struct live_ctx *ctx, struct live_layer *l, int *errp)
{
	const struct live_cfg *o = ctx->cfg;
	char dir[LIVE_PATH_MAX + 32], old_dir[sizeof(ctx->dir)], old_image[sizeof(ctx->image)];
	size_t n = 0, i;

	snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
	*errp = layers_opts(dir, o, ctx->image, l, LIVE_MAX_LAYERS, &n);
	if ((!*errp && n) || o->dir_set || *ctx->image || *o->layers)
		return *errp ? 0 : n;
	memcpy(old_dir, ctx->dir, sizeof(old_dir));
	memcpy(old_image, ctx->image, sizeof(old_image));
	for (i = 0; i < sizeof(peer_layouts) / sizeof(peer_layouts[0]); i++) {
		snprintf(ctx->dir, sizeof(ctx->dir), "%s", peer_layouts[i].dir);
		snprintf(ctx->image, sizeof(ctx->image), "%s", peer_layouts[i].image);
		snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
		n = 0;
		if (!layers_opts(dir, o, ctx->image, l, LIVE_MAX_LAYERS, &n) && n) {
			log_info("medium: no %s here, but %s's layout: live.dir=%s%s%s", old_dir,
				 peer_layouts[i].who, ctx->dir, *ctx->image ? " live.image=" : "",
				 ctx->image);
			*errp = 0;
			return n;
		}
	}
	memcpy(ctx->dir, old_dir, sizeof(old_dir));
	memcpy(ctx->image, old_image, sizeof(old_image));
	return 0;
}

/* Probe dev, match it against live.media= (or the build ID), find its mount type. */
int medium_judge_fs(struct live_ctx *ctx, struct live_dev *dev, const char **typep)
{
	char node[64], why[96];
	const char *type;

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
	want_id_load(ctx);
	/* with a build ID to match, a label or UUID that a multi-boot tool changed does not matter */
	if (!matches(ctx->cfg, dev, why, sizeof(why)) &&
	    (!*ctx->want_id || !strncmp(ctx->cfg->media, "/dev/", 5)))
		return reject(dev, why);
	type = medium_mount_type(&dev->fs);
	if (!type) {
		snprintf(why, sizeof(why), "%s is not a filesystem a medium is kept on", dev->fs.type);
		return reject(dev, why);
	}
	*typep = type;
	return 0;
}

int medium_consider(struct live_ctx *ctx, struct live_dev *dev)
{
	char node[64], why[96], dir[sizeof(ctx->dir)], image[sizeof(ctx->image)];
	struct live_layer probe_layers[LIVE_MAX_LAYERS];
	const char *type;
	size_t n = 0;
	int err;

	err = medium_judge_fs(ctx, dev, &type);
	if (err)
		return err;
	snprintf(node, sizeof(node), "/dev/%s", dev->name);
	kmod_load_name(ctx, type);
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	iso_partition(dev, node, sizeof(node));
	if (mount(node, LIVE_MEDIUM_MNT, type, MS_RDONLY | MS_NOSUID | MS_NODEV,
		  medium_mount_data(ctx, type)) < 0) {
		snprintf(why, sizeof(why), "mount as %s failed: %s", type, strerror(errno));
		return reject(dev, why);
	}
	memcpy(dir, ctx->dir, sizeof(dir));
	memcpy(image, ctx->image, sizeof(image));
	n = medium_find_layers(ctx, probe_layers, &err);
	if (err || n == 0) {
		umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
		if (err == -ENOENT && *ctx->cfg->layers)
			snprintf(why, sizeof(why), "not all of live.layers=%s in %s",
				 ctx->cfg->layers, ctx->dir);
		else
			snprintf(why, sizeof(why), "no %s/%s", ctx->dir, layers_pattern(ctx->image));
		return reject(dev, why);
	}
	if (medium_check_id(ctx, why, sizeof(why))) {
		umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
		memcpy(ctx->dir, dir, sizeof(dir));	/* a peer layout's, if one was found */
		memcpy(ctx->image, image, sizeof(image));
		return reject(dev, why);
	}
	dev->verdict = DEV_ACCEPTED;
	snprintf(dev->reason, sizeof(dev->reason), "%s, %zu layer%s in %s%s%s", type, n,
		 n == 1 ? "" : "s", ctx->dir, *ctx->medium_id ? ", id " : "", ctx->medium_id);
	ctx->medium = (int)(dev - ctx->devs);
	log_info("medium: %s (%s, label \"%s\") with %zu layer%s in %s", node, dev->fs.type,
		 dev->fs.label, n, n == 1 ? "" : "s", ctx->dir);
	note_others(ctx, dev);
	return 0;
}
