// SPDX-License-Identifier: GPL-2.0
/* What every phase shares: the boot clock, the way a phase reports its failure, and the
 * collection of the orphans PID 1 adopts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "live.h"

uint64_t live_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int live_fail(struct live_ctx *ctx, int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->fail.what, sizeof(ctx->fail.what), fmt, ap);
	va_end(ap);
	snprintf(ctx->fail.hint, sizeof(ctx->fail.hint), "%s", hint ? hint : "");
	return err < 0 ? err : -EIO;
}

/* The state that starts as the config: where the layers are (medium.c may replace it with
 * a peer's layout), the persistence's directory (persist.c), live.net= (net.c). */
void live_state_from_cfg(struct live_ctx *ctx)
{
	snprintf(ctx->dir, sizeof(ctx->dir), "%s", ctx->cfg->dir);
	snprintf(ctx->image, sizeof(ctx->image), "%s", ctx->cfg->image);
	snprintf(ctx->persist_dir, sizeof(ctx->persist_dir), "%s", ctx->cfg->persist_dir);
	snprintf(ctx->net, sizeof(ctx->net), "%s", ctx->cfg->net);
}

void live_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
