// SPDX-License-Identifier: GPL-2.0
/* The squashfs layers: list <live.dir>/NN-name.squashfs sorted, mount each read-only. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct live_layer *)a)->name, ((const struct live_layer *)b)->name);
}

/* Is name in the comma list sel? ("" selects everything) */
static bool selected(const char *sel, const char *name)
{
	size_t len = strlen(name);
	const char *p = sel;

	if (!*sel)
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static size_t count_selected(const char *sel)
{
	size_t n = 0;

	if (!*sel)
		return 0;
	for (n = 1; *sel; sel++)
		n += *sel == ',';
	return n;
}

int layers_list(const char *dir, const char *select, struct live_layer *out, size_t max, size_t *n)
{
	const size_t slen = strlen(LIVE_LAYER_SUFFIX);
	struct dirent *d;
	DIR *dh;

	*n = 0;
	dh = opendir(dir);
	if (!dh)
		return -errno;
	while ((d = readdir(dh))) {
		size_t len = strlen(d->d_name);
		struct live_layer *l;

		/* dracut's single layer, /LiveOS/squashfs.img, counts as layer "squashfs" */
		if (!strcmp(d->d_name, LIVE_DRACUT_IMG))
			len = strlen("squashfs") + slen;
		else if (len <= slen || strcmp(d->d_name + len - slen, LIVE_LAYER_SUFFIX) ||
			 len - slen >= sizeof(l->name))
			continue;
		if (*n == max) {
			closedir(dh);
			return -E2BIG;
		}
		l = &out[*n];
		memset(l, 0, sizeof(*l));
		memcpy(l->name, d->d_name, len - slen);
		l->name[len - slen] = '\0';
		if (!selected(select, l->name))
			continue;
		snprintf(l->image, sizeof(l->image), "%s/%s", dir, d->d_name);
		snprintf(l->mnt, sizeof(l->mnt), "%s/%s", LIVE_LAYERS_MNT, l->name);
		(*n)++;
	}
	closedir(dh);
	qsort(out, *n, sizeof(*out), by_name);
	if (*select && *n != count_selected(select))
		return -ENOENT;
	return 0;
}

/*
 * Older dracut media wrap an ext4 image in the squashfs (LiveOS/rootfs.img, or
 * ext3fs.img): the layer is then that filesystem, mounted read-only beside it.
 */
static int inner_rootfs(struct live_ctx *ctx, struct live_layer *l)
{
	static const char *const inner[] = { "LiveOS/rootfs.img", "LiveOS/ext3fs.img" };
	char img[LIVE_PATH_MAX + 32], mnt[LIVE_PATH_MAX + 8], dev[32];
	struct probe_result fs;
	int err, loopfd;
	size_t i;

	for (i = 0; i < sizeof(inner) / sizeof(inner[0]); i++) {
		snprintf(img, sizeof(img), "%s/%s", l->mnt, inner[i]);
		if (access(img, F_OK) == 0)
			break;
	}
	if (i == sizeof(inner) / sizeof(inner[0]))
		return 0;
	err = probe_path(img, &fs);
	if (err || strncmp(fs.type, "ext", 3))
		return live_fail(ctx, -EINVAL, "rebuild the medium",
				 "layer %s: %s is not an ext2/3/4 image (%s)", l->name, img,
				 err ? strerror(-err) : fs.type);
	kmod_load_name(ctx, "ext4");
	err = loop_attach(img, true, dev, sizeof(dev), &loopfd);
	if (err)
		return live_fail(ctx, err, NULL, "layer %s: no loop device for %s: %s",
				 l->name, img, strerror(-err));
	snprintf(mnt, sizeof(mnt), "%s.rootfs", l->mnt);
	file_mkdirs(mnt, 0755);
	err = mount(dev, mnt, "ext4", MS_RDONLY | MS_NODEV, "noload") < 0 ? -errno : 0;
	close(loopfd);
	if (err)
		return live_fail(ctx, err, "the image is damaged: rebuild the medium",
				 "layer %s: %s does not mount as ext4: %s", l->name, img,
				 strerror(-err));
	snprintf(l->mnt, sizeof(l->mnt), "%s", mnt);
	snprintf(l->loopdev, sizeof(l->loopdev), "%s", dev);
	log_info("layer %s: %s inside it on %s", l->name, inner[i], mnt);
	return 0;
}

int layers_mount(struct live_ctx *ctx)
{
	char dir[LIVE_PATH_MAX + 32];
	struct probe_result fs;
	int loopfd;
	size_t i;
	int err;

	if (*ctx->layers_from)	/* toram.c copied them to RAM */
		snprintf(dir, sizeof(dir), "%s", ctx->layers_from);
	else
		snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->opts.dir);
	err = layers_list(dir, ctx->opts.layers, ctx->layers, LIVE_MAX_LAYERS, &ctx->nlayers);
	if (err || !ctx->nlayers)
		return live_fail(ctx, err ? err : -ENOENT, "check live.dir= and live.layers=",
				 "no layers to mount in %s (live.layers=%s): %s", dir,
				 *ctx->opts.layers ? ctx->opts.layers : "all",
				 err ? strerror(-err) : "none found");
	kmod_load_name(ctx, "loop");
	kmod_load_name(ctx, "squashfs");
	for (i = 0; i < ctx->nlayers; i++) {
		struct live_layer *l = &ctx->layers[i];

		err = probe_path(l->image, &fs);
		if (err || strcmp(fs.type, "squashfs"))
			return live_fail(ctx, -EINVAL,
					 "rebuild the layer with livestack-mkimage squashfs, or copy it again",
					 "layer %s: %s is not a squashfs image (%s)", l->name, l->image,
					 err ? strerror(-err) : fs.type);
		err = loop_attach(l->image, true, l->loopdev, sizeof(l->loopdev), &loopfd);
		if (err)
			return live_fail(ctx, err, "is the loop module in the image?",
					 "layer %s: no loop device for %s: %s", l->name, l->image,
					 strerror(-err));
		file_mkdirs(l->mnt, 0755);
		err = mount(l->loopdev, l->mnt, "squashfs", MS_RDONLY | MS_NODEV, NULL) < 0 ? -errno : 0;
		close(loopfd);
		if (err) {
			return live_fail(ctx, err,
					 "the image is damaged: rebuild it, or copy it to the medium again",
					 "layer %s: %s does not mount as squashfs: %s", l->name,
					 l->image, strerror(-err));
		}
		log_info("layer %s: %s on %s", l->name, l->loopdev, l->mnt);
		err = inner_rootfs(ctx, l);
		if (err)
			return err;
	}
	return 0;
}
