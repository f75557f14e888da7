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

/* Does name contain one of the comma-separated substrings of skip? (live.layers.skip=) */
static bool skipped(const char *skip, const char *name)
{
	const char *p = skip;
	char sub[64];

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n && n < sizeof(sub)) {
			memcpy(sub, p, n);
			sub[n] = '\0';
			if (strstr(name, sub))
				return true;
		}
		p += n + (p[n] == ',');
	}
	return false;
}

/*
 * The layer name of a file in the layers' directory, or false if it is not a layer:
 * NN-name.squashfs (or Porteus' NN-name.xzm), dracut's squashfs.img ("squashfs"); with live.image=FILE only FILE and,
 * for a FILE without a dot, FILE1, FILE2... (Knoppix's KNOPPIX, KNOPPIX1 add-ons), named
 * after the file without .squashfs/.img/.sfs.
 */
static int layer_name(const char *file, const char *image, char *name, size_t len)
{
	static const char *const exts[] = { LIVE_LAYER_SUFFIX, ".img", ".sfs" };
	size_t flen = strlen(file), slen = strlen(LIVE_LAYER_SUFFIX), i, ilen = strlen(image);

	if (*image) {
		if (strcmp(file, image) && (strchr(image, '.') || strncmp(file, image, ilen) ||
					    !file[ilen] || file[ilen + strspn(file + ilen, "0123456789")]))
			return 0;
		for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
			size_t e = strlen(exts[i]);

			if (flen > e && !strcmp(file + flen - e, exts[i])) {
				flen -= e;
				break;
			}
		}
	} else if (!strcmp(file, LIVE_DRACUT_IMG)) {
		file = "squashfs";
		flen = strlen(file);
	} else if (flen > slen && !strcmp(file + flen - slen, LIVE_LAYER_SUFFIX)) {
		flen -= slen;
	} else if (flen > 4 && !strcmp(file + flen - 4, ".xzm")) {
		flen -= 4;	/* Porteus' modules are squashfs files named *.xzm */
	} else {
		return 0;
	}
	if (flen >= len)
		return -ENAMETOOLONG;
	memcpy(name, file, flen);
	name[flen] = '\0';
	return 1;
}

struct layer_sel {
	const char *names;	/* live.layers= */
	const char *skip;	/* live.layers.skip= */
	const char *image;	/* live.image= */
	const char *optional;	/* live.layers.optional=: name substrings taken from optional/ */
};

static int add_dir(const char *dir, const struct layer_sel *sel, bool optional,
		   struct live_layer *out, size_t max, size_t *n)
{
	const char *select = sel->names ? sel->names : "";
	struct dirent *d;
	DIR *dh;

	dh = opendir(dir);
	if (!dh)
		return -errno;
	while ((d = readdir(dh))) {
		struct live_layer *l;
		char name[sizeof(l->name)];

		int is = layer_name(d->d_name, optional || !sel->image ? "" : sel->image, name,
				    sizeof(name));

		if (is < 0)
			log_warn("%s/%s: a layer name has at most %zu characters: not used", dir,
				 d->d_name, sizeof(name) - 1);
		if (is <= 0)
			continue;
		if (optional ? !skipped(sel->optional, name) : !selected(select, name))
			continue;
		if (sel->skip && skipped(sel->skip, name))
			continue;
		if (*n == max) {
			closedir(dh);
			return -E2BIG;
		}
		l = &out[*n];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", name);
		snprintf(l->image, sizeof(l->image), "%s/%s", dir, d->d_name);
		snprintf(l->mnt, sizeof(l->mnt), "%s/%s", LIVE_LAYERS_MNT, l->name);
		(*n)++;
	}
	closedir(dh);
	return 0;
}

static int layers_find(const char *dir, const struct layer_sel *sel, struct live_layer *out,
		       size_t max, size_t *n)
{
	const char *select = sel->names ? sel->names : "";
	char opt[LIVE_PATH_MAX + 16];
	int err;

	*n = 0;
	err = add_dir(dir, sel, false, out, max, n);
	if (!err && sel->optional && *sel->optional) {
		snprintf(opt, sizeof(opt), "%s/optional", dir);
		if (add_dir(opt, sel, true, out, max, n) == -E2BIG)
			err = -E2BIG;
	}
	if (err)
		return err;
	qsort(out, *n, sizeof(*out), by_name);
	if (*select && *n != count_selected(select))
		return -ENOENT;
	return 0;
}

const char *layers_pattern(const char *image)
{
	return *image ? image : "*" LIVE_LAYER_SUFFIX;
}

int layers_list(const char *dir, const char *select, struct live_layer *out, size_t max, size_t *n)
{
	struct layer_sel sel = { .names = select };

	return layers_find(dir, &sel, out, max, n);
}

int layers_opts(const char *dir, const struct live_cfg *o, const char *image,
		struct live_layer *out, size_t max, size_t *n)
{
	struct layer_sel sel = { .names = o->layers, .skip = o->layers_skip, .image = image,
				  .optional = o->layers_optional };

	return layers_find(dir, &sel, out, max, n);
}

#define LAYERS_LOOP_HINT	"the image needs the loop module (modules/base.list): rebuild it " \
				"with livestack-mkimage initramfs"
#define LAYERS_NO_LOOP		" (no /dev/loop-control: loop.ko is not in the image or did not load)"

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
		return live_fail(ctx, err, LAYERS_LOOP_HINT, "layer %s: no loop device for %s: %s%s",
				 l->name, img, strerror(-err), err == -ENOENT ? LAYERS_NO_LOOP : "");
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
		snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
	/* toram.c copied the chosen layers as NAME.squashfs: all of them; todisk.c
	 * kept the medium's names, so they are chosen as on the medium */
	if (*ctx->layers_from && strncmp(ctx->layers_from, LIVE_TODISK_MNT, strlen(LIVE_TODISK_MNT)))
		err = layers_list(dir, "", ctx->layers, LIVE_MAX_LAYERS, &ctx->nlayers);
	else
		err = layers_opts(dir, ctx->cfg, ctx->image, ctx->layers, LIVE_MAX_LAYERS, &ctx->nlayers);
	if (err || !ctx->nlayers)
		return live_fail(ctx, err ? err : -ENOENT, "check live.dir= and live.layers=",
				 "no layers to mount in %s (live.layers=%s): %s", dir,
				 *ctx->cfg->layers ? ctx->cfg->layers : "all",
				 err ? strerror(-err) : "none found");
	kmod_load_name(ctx, "loop");
	kmod_load_name(ctx, "squashfs");
	for (i = 0; i < ctx->nlayers; i++) {
		struct live_layer *l = &ctx->layers[i];

		if (cloop_layer_is(l->image)) {	/* Knoppix's compressed block images */
			err = cloop_layer_mount(ctx, l);
			if (err)
				return err;
			continue;
		}
		err = probe_path(l->image, &fs);
		if (err || strcmp(fs.type, "squashfs"))
			return live_fail(ctx, -EINVAL,
					 "rebuild the layer with livestack-mkimage squashfs, or copy it again",
					 "layer %s: %s is not a squashfs image (%s)", l->name, l->image,
					 err ? strerror(-err) : fs.type);
		err = loop_attach(l->image, true, l->loopdev, sizeof(l->loopdev), &loopfd);
		if (err)
			return live_fail(ctx, err, LAYERS_LOOP_HINT,
					 "layer %s: no loop device for %s: %s%s", l->name, l->image,
					 strerror(-err), err == -ENOENT ? LAYERS_NO_LOOP : "");
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
