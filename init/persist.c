// SPDX-License-Identifier: GPL-2.0
/* The writable branch: a tmpfs of live.ramsize on /run/live/rw (persistence arrives later). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

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

int persist_setup(struct live_ctx *ctx)
{
	char data[64];

	if (!size_ok(ctx->opts.ramsize))
		return live_fail(ctx, -EINVAL, "use e.g. live.ramsize=50% or live.ramsize=2g",
				 "live.ramsize=%s is not a size", ctx->opts.ramsize);
	file_mkdirs(LIVE_RW_MNT, 0755);
	snprintf(data, sizeof(data), "mode=0755,size=%s", ctx->opts.ramsize);
	if (mount("tmpfs", LIVE_RW_MNT, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return live_fail(ctx, -errno, "try a smaller live.ramsize=",
				 "mounting the tmpfs rw branch (%s): %s", data, strerror(errno));
	if (mkdir(LIVE_RW_UPPER, 0755) < 0 || mkdir(LIVE_RW_WORK, 0755) < 0)
		return live_fail(ctx, -errno, NULL, "creating %s and %s: %s", LIVE_RW_UPPER,
				 LIVE_RW_WORK, strerror(errno));
	snprintf(ctx->rw_type, sizeof(ctx->rw_type), "tmpfs");
	log_info("rw branch: tmpfs (%s) on %s", ctx->opts.ramsize, LIVE_RW_MNT);
	return 0;
}
