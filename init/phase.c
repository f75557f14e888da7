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

void live_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
