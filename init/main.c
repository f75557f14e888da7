// SPDX-License-Identifier: GPL-2.0
/* /init: the boot sequence as a table of phases, run in order, each timed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

static int phase_top(struct live_ctx *ctx)
{
	(void)ctx;
	return 0;
}


/* Coldplug first (devices.c): the drivers' bus scans run in the kernel while the base
 * set loads (kmod.c); coldplug loads by modalias, kmod.c knows nothing of devices. */
static int phase_modules(struct live_ctx *ctx)
{
	devices_coldplug(ctx);
	return kmod_load_base(ctx);
}

static int phase_bottom(struct live_ctx *ctx)
{
	return switchroot_check(ctx, LIVE_NEWROOT);
}

/* Names are what live.break= and /hooks/<name>/ use; see docs/livestack.7. */
static const struct live_phase phases[] = {
	{ "init-top",	phase_top },
	{ "modules",	phase_modules },
	{ "net",	net_setup },
	{ "premount",	source_find },
	{ "toram",	toram_run },
	{ "layers",	layers_mount },
	{ "rw",		persist_setup },
	{ "mount",	union_mount },
	{ "bottom",	phase_bottom },
};

static void run_phase(struct live_ctx *ctx, size_t i)
{
	const struct live_phase *p = &phases[i];
	uint64_t t0;
	int err;

	if (!strcmp(ctx->cfg->brk, p->name)) {
		memset(&ctx->fail, 0, sizeof(ctx->fail));
		snprintf(ctx->fail.what, sizeof(ctx->fail.what),
			 "live.break=%s asked for a shell before this phase", p->name);
		rescue_shell(ctx, p->name);
	}
	hooks_run(ctx, p->name);
	t0 = live_now_ms();
	for (;;) {
		struct retry_mounts before, failed;

		memset(&ctx->fail, 0, sizeof(ctx->fail));
		retry_mounts_read(&before);
		err = p->run(ctx);
		live_reap();
		if (!err)
			break;
		retry_mounts_read(&failed);
		rescue_shell(ctx, p->name);
		/* what the attempt left goes first; what the shell mounted stays */
		retry_undo(&before, &failed);
		live_reap();
		log_info("retrying phase %s", p->name);
	}
	ctx->phase_ms[i] = live_now_ms() - t0;
}

int main(int argc, char **argv)
{
	static struct live_ctx ctx;
	static struct live_cfg cfg;
	size_t i;

	if (getpid() != 1)
		return early_not_init();
	ctx.t_start_ms = live_now_ms();
	/* the kernel gives init the words it does not know that have no '=' (and every
	 * word after "--"): they belong to the real init (runlevel, single, -b) */
	ctx.init_args = argc > 1 ? (char *const *)argv + 1 : (char *const *)argv + argc;
	rescue_install_crash_handler();
	ctx.medium = -1;
	ctx.uevent_fd = -1;
	ctx.phases = phases;
	ctx.nphases = sizeof(phases) / sizeof(phases[0]);
	cmdline_defaults(&cfg);
	ctx.cfg = &cfg;
	ctx.amend = &cfg;
	while (early_mount(&ctx, &cfg)) {
		rescue_shell(&ctx, "early");
		log_info("retrying phase early");
	}
	live_state_from_cfg(&ctx);
	log_setup(true, cfg.quiet, cfg.debug);
	log_info("starting (kernel %s, %llu ms since boot)", ctx.kver,
		 (unsigned long long)ctx.t_start_ms);
	if (*cfg.warnings)
		log_warn("%s", cfg.warnings);

	for (i = 0; i < ctx.nphases; i++)
		run_phase(&ctx, i);

	for (;;) {
		switchroot_exec(&ctx, LIVE_NEWROOT);
		rescue_shell(&ctx, "init");
	}
}

