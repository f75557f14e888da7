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

		if (len <= slen || strcmp(d->d_name + len - slen, LIVE_LAYER_SUFFIX) ||
		    len - slen >= sizeof(l->name))
			continue;
		if (*n == max) {
			closedir(dh);
			return -E2BIG;
		}
		l = &out[*n];
		memset(l, 0, sizeof(*l));
		memcpy(l->name, d->d_name, len - slen);
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
	}
	return 0;
}
