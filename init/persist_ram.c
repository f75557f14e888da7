// SPDX-License-Identifier: GPL-2.0
/*
 * The RAM rw branch on /run/live/rw: a tmpfs, or with live.ramdev=zram an ext filesystem
 * on a compressed zram device (zram.c), falling back to a tmpfs with one console line.
 * live.persist.ro: the persistence filesystem (mounted read-only on /run/live/rw by
 * persist.c) moves to /run/live/persist-ro and its branch directory becomes a read-only
 * branch under the RAM one: what is stored on it is seen, nothing is written to it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

static int mount_tmpfs(struct live_ctx *ctx)
{
	char data[64];

	snprintf(data, sizeof(data), "mode=0755,size=%s", ctx->cfg->ramsize);
	if (mount("tmpfs", LIVE_RW_MNT, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return live_fail(ctx, -errno, errno == ENOMEM || errno == EINVAL ?
				 "try a smaller live.ramsize=" : "see 'ls -ld " LIVE_RW_MNT "' and 'mount'",
				 "mounting the tmpfs rw branch on %s (%s): %s", LIVE_RW_MNT, data,
				 strerror(errno));
	snprintf(ctx->rw_type, sizeof(ctx->rw_type), "tmpfs");
	log_info("rw branch: tmpfs (%s) on %s", ctx->cfg->ramsize, LIVE_RW_MNT);
	return 0;
}

int ram_branch_mount(struct live_ctx *ctx)
{
	char why[200];

	ctx->rw_dev[0] = ctx->rw_comp[0] = '\0';
	if (!strcmp(ctx->cfg->ramdev, "zram")) {
		if (zram_mount(ctx, LIVE_RW_MNT, why, sizeof(why)) == 0)
			return 0;
		log_warn("live.ramdev=zram not used: %s; the rw branch is a tmpfs", why);
	}
	return mount_tmpfs(ctx);
}

int persist_ro_lower(struct live_ctx *ctx, char *why, size_t len)
{
	const char *upper = live_rw_upper(ctx);
	size_t pre = strlen(LIVE_RW_MNT);
	struct stat s;

	if (strncmp(upper, LIVE_RW_MNT, pre) || (upper[pre] && upper[pre] != '/')) {
		snprintf(why, len, "its branch %s is not on %s", upper, LIVE_RW_MNT);
		return -EINVAL;
	}
	file_mkdirs(LIVE_PERSIST_RO_MNT, 0755);
	snprintf(ctx->rw_lower, sizeof(ctx->rw_lower), "%s%s", LIVE_PERSIST_RO_MNT, upper + pre);
	if (mount(LIVE_RW_MNT, LIVE_PERSIST_RO_MNT, NULL, MS_MOVE, NULL) < 0) {
		snprintf(why, len, "moving it to %s: %s", LIVE_PERSIST_RO_MNT, strerror(errno));
		ctx->rw_lower[0] = '\0';
		return -errno;
	}
	/* the RAM branch takes the default upper/ and work/ */
	ctx->rw_upper[0] = ctx->rw_work[0] = '\0';
	if (stat(ctx->rw_lower, &s) < 0 || !S_ISDIR(s.st_mode)) {
		log_info("persistence: %s holds no changes yet (no %s)", ctx->persist_what,
			 ctx->rw_lower);
		ctx->rw_lower[0] = '\0';
	}
	log_info("persistence: %s read-only (live.persist.ro) under a RAM branch: changes are "
		 "lost at power-off, the stick is not written", ctx->persist_what);
	return 0;
}
