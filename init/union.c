// SPDX-License-Identifier: GPL-2.0
/* Stack the rw branch over the layers on the new root: aufs, else overlayfs, saying so. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

static int append(char *buf, size_t len, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (*used + n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf + *used, s, n + 1);
	*used += n;
	return 0;
}

/* aufs(5): "br:DIR=PERM:..." top first; ':' and ',' cannot be escaped there. ro (NULL
 * or "" = none) is live.persist.ro's branch under rw: ro+wh, its whiteouts still hide. */
int union_build_aufs(char *buf, size_t len, const char *rw, const char *ro,
		     const struct live_layer *l, size_t n)
{
	size_t used = 0, i;
	int err;

	if (strpbrk(rw, ":,=") || (ro && strpbrk(ro, ":,=")))
		return -EINVAL;
	err = append(buf, len, &used, "br:");
	err = err ?: append(buf, len, &used, rw);
	err = err ?: append(buf, len, &used, "=rw");
	if (ro && *ro) {
		err = err ?: append(buf, len, &used, ":");
		err = err ?: append(buf, len, &used, ro);
		err = err ?: append(buf, len, &used, "=ro+wh");
	}
	for (i = n; !err && i-- > 0;) {
		if (strpbrk(l[i].mnt, ":,="))
			return -EINVAL;
		err = append(buf, len, &used, ":");
		err = err ?: append(buf, len, &used, l[i].mnt);
		err = err ?: append(buf, len, &used, "=rr");
	}
	return err;
}

static int append_escaped(char *buf, size_t len, size_t *used, const char *s)
{
	char one[3] = { '\\', 0, 0 };
	int err = 0;

	for (; *s && !err; s++) {
		if (*s == ':' || *s == ',' || *s == '\\') {
			one[1] = *s;
			err = append(buf, len, used, one);
		} else {
			char c[2] = { *s, 0 };

			err = append(buf, len, used, c);
		}
	}
	return err;
}

/* overlayfs: lowerdir= lists the top layer first; ':' and ',' escaped with '\'.
 * ro (NULL or "" = none): live.persist.ro's branch, the top lowerdir. */
int union_build_overlay(char *buf, size_t len, const char *upper, const char *work,
			const char *ro, const struct live_layer *l, size_t n)
{
	size_t used = 0, i;
	int err;

	if (!n)
		return -EINVAL;
	err = append(buf, len, &used, "lowerdir=");
	if (ro && *ro) {
		err = err ?: append_escaped(buf, len, &used, ro);
		err = err ?: append(buf, len, &used, ":");
	}
	for (i = n; !err && i-- > 0;) {
		err = append_escaped(buf, len, &used, l[i].mnt);
		if (!err && i)
			err = append(buf, len, &used, ":");
	}
	err = err ?: append(buf, len, &used, ",upperdir=");
	err = err ?: append_escaped(buf, len, &used, upper);
	err = err ?: append(buf, len, &used, ",workdir=");
	err = err ?: append_escaped(buf, len, &used, work);
	return err;
}

static int mount_aufs(struct live_ctx *ctx)
{
	char opts[4096];
	int err;

	err = union_build_aufs(opts, sizeof(opts), live_rw_upper(ctx), ctx->rw_lower,
			       ctx->layers, ctx->nlayers);
	if (err) {
		if (err == -ENAMETOOLONG)
			snprintf(ctx->union_note, sizeof(ctx->union_note),
				 "the branch list of %zu layers is longer than %zu bytes",
				 ctx->nlayers, sizeof(opts) - 1);
		else
			snprintf(ctx->union_note, sizeof(ctx->union_note),
				 "a branch path has ':', ',' or '=' which aufs cannot take");
		return err;
	}
	err = kmod_load_name(ctx, "aufs");
	if (err == -EKEYREJECTED || err == -ENOKEY || err == -EPERM) {
		/* Secure Boot's lockdown: an unsigned module, or one signed by an unknown key */
		snprintf(ctx->union_note, sizeof(ctx->union_note), "%s: aufs.ko is not signed by a "
			 "key this machine trusts: enrol " LIVE_MEDIUM_MNT LIVE_MOK_CERT " with "
			 "mokutil --import, reboot", strerror(-err));
		return err;
	}
	if (err && err != -ENOENT) {
		snprintf(ctx->union_note, sizeof(ctx->union_note), "aufs module did not load: %s",
			 strerror(-err));
		return err;
	}
	if (mount("none", LIVE_NEWROOT, "aufs", 0, opts) < 0) {
		err = -errno;
		snprintf(ctx->union_note, sizeof(ctx->union_note), "mount -t aufs failed: %s%s",
			 strerror(errno), errno == ENODEV ? " (no aufs in this kernel or image)" : "");
		return err;
	}
	log_debug("aufs: %s", opts);
	return 0;
}

static int mount_overlay(struct live_ctx *ctx)
{
	char opts[4096];
	int err;

	if (!*live_rw_work(ctx))
		return live_fail(ctx, -EINVAL, "boot with live.persist=off, or convert the branch",
				 "%s has no workdir beside it: overlayfs cannot use it",
				 live_rw_upper(ctx));
	err = union_build_overlay(opts, sizeof(opts), live_rw_upper(ctx), live_rw_work(ctx),
				  ctx->rw_lower, ctx->layers, ctx->nlayers);
	if (err)
		return live_fail(ctx, err, "mount fewer layers (live.layers=NAME,...), or give them "
				 "shorter names", "overlayfs options too long for %zu layers (%s; "
				 "the kernel takes %zu bytes)", ctx->nlayers, ctx->union_note,
				 sizeof(opts) - 1);
	kmod_load_name(ctx, "overlay");
	if (mount("overlay", LIVE_NEWROOT, "overlay", 0, opts) < 0)
		return live_fail(ctx, -errno, errno == ENODEV ? "put overlay.ko (modules/base.list) "
				 "or aufs.ko (livestack-mkimage --aufs) in the image" :
				 "live.union=aufs, or live.persist=off",
				 "mount -t overlay on %s failed: %s%s (%s)", LIVE_NEWROOT,
				 strerror(errno), errno == ENODEV ? ": no overlayfs in this kernel or "
				 "image" : "", ctx->union_note);
	log_debug("overlay: %s", opts);
	return 0;
}

int union_mount(struct live_ctx *ctx)
{
	/* a persistence branch's whiteouts decide (persist_foreign.c) */
	const char *want = *ctx->rw_union ? ctx->rw_union : *ctx->cfg->unionfs ?
			   ctx->cfg->unionfs : *ctx->image_union ? ctx->image_union : "aufs";
	int err;

	mkdir(LIVE_NEWROOT, 0755);
	ctx->union_note[0] = '\0';
	if (!strcmp(want, "aufs")) {
		err = mount_aufs(ctx);
		if (!err) {
			snprintf(ctx->unionfs, sizeof(ctx->unionfs), "aufs");
			log_info("union: aufs on %s", LIVE_NEWROOT);
			foreign_binds(ctx);
			return 0;
		}
		/* never the other union over a branch with aufs whiteouts */
		if (*ctx->rw_union)
			return live_fail(ctx, err, "boot with live.persist=off",
					 "aufs did not mount over %s (%s)", live_rw_upper(ctx),
					 ctx->union_note);
		/* the one console line that says we degraded, and why */
		log_warn("aufs not used (%s): falling back to overlayfs", ctx->union_note);
	} else {
		snprintf(ctx->union_note, sizeof(ctx->union_note), "live.union=%s", want);
	}
	err = mount_overlay(ctx);
	if (err)
		return err;
	snprintf(ctx->unionfs, sizeof(ctx->unionfs), "overlay");
	log_info("union: overlayfs on %s", LIVE_NEWROOT);
	foreign_binds(ctx);
	return 0;
}
