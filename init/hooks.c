// SPDX-License-Identifier: GPL-2.0
/* Run the image's hooks /hooks/<phase>/NN-*.sh with busybox sh and LIVE_* variables. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "log.h"
#include "spawn.h"

/* A hook that exits with this status asks for the rescue shell (docs/livestack.7). */
#define HOOK_EXIT_SHELL 3
#define HOOKS_MAX 64
/* what is kept of a hook's output (stdout and stderr) for the log */
#define HOOK_OUTPUT_MAX 65536

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void env_set(struct live_ctx *ctx, const char *phase)
{
	char layers[LIVE_MAX_LAYERS * 72] = "";
	size_t i, used = 0;

	for (i = 0; i < ctx->nlayers; i++) {
		int n = snprintf(layers + used, sizeof(layers) - used, "%s%s", i ? " " : "",
				 ctx->layers[i].mnt);

		if (n < 0 || (size_t)n >= sizeof(layers) - used)
			break;
		used += (size_t)n;
	}
	setenv("LIVE_PHASE", phase, 1);
	setenv("LIVE_MEDIUM", ctx->medium >= 0 ? LIVE_MEDIUM_MNT : "", 1);
	setenv("LIVE_MEDIUM_DEV", ctx->medium >= 0 ? ctx->devs[ctx->medium].name : "", 1);
	setenv("LIVE_DIR", ctx->dir, 1);
	setenv("LIVE_LAYERS", layers, 1);
	setenv("LIVE_RW", *ctx->rw_type ? live_rw_upper(ctx) : "", 1);
	setenv("LIVE_UNION", ctx->unionfs, 1);
	setenv("LIVE_NEWROOT", LIVE_NEWROOT, 1);
	setenv("LIVE_DEBUG", ctx->cfg->debug ? "1" : "", 1);
}

/* The hook's output, one log line each, named after the hook. */
static void log_output(enum log_level lvl, const char *name, char *out)
{
	char *line = out, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		log_msg(lvl, "%s: %s", name, line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

int hooks_run(struct live_ctx *ctx, const char *phase)
{
	char dir[LIVE_PATH_MAX], path[LIVE_PATH_MAX * 2];
	char *names[HOOKS_MAX], *out;
	size_t n = 0, i, len;
	struct dirent *d;
	DIR *dh;
	int want_shell = 0;

	snprintf(dir, sizeof(dir), "%s/%s", LIVE_HOOKS_DIR, phase);
	dh = opendir(dir);
	if (!dh)
		return 0;
	while ((d = readdir(dh)) && n < HOOKS_MAX) {
		len = strlen(d->d_name);
		if (len <= 3 || strcmp(d->d_name + len - 3, ".sh"))
			continue;
		names[n] = strdup(d->d_name);
		if (!names[n]) {
			log_err("hooks of phase %s: out of memory: %s/%s not run", phase, dir,
				d->d_name);
			continue;
		}
		n++;
	}
	closedir(dh);
	out = malloc(HOOK_OUTPUT_MAX);
	if (!out && n)
		log_err("hooks of phase %s: out of memory: their output is not logged", phase);
	qsort(names, n, sizeof(names[0]), by_name);
	env_set(ctx, phase);
	for (i = 0; i < n; i++) {
		const char *argv[] = { LIVE_BUSYBOX, "sh", path, NULL };
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		log_debug("hook %s", path);
		if (out)
			*out = '\0';
		rc = spawn_run_for(argv, NULL, out, out ? HOOK_OUTPUT_MAX : 0,
				   (unsigned)ctx->cfg->hook_timeout * 1000);
		if (rc == -ETIMEDOUT) {
			log_warn("hook %s did not end within %d s (live.hook.timeout=): killed with "
				 "its process group, the boot goes on", path, ctx->cfg->hook_timeout);
			if (out)
				log_output(LOG_WARN, names[i], out);
		} else if (rc == HOOK_EXIT_SHELL) {
			log_warn("hook %s asked for the rescue shell", path);
			if (out)
				log_output(LOG_WARN, names[i], out);
			snprintf(ctx->fail.what, sizeof(ctx->fail.what),
				 "hook %s exited %d (asks for a shell): %.180s", path, rc,
				 out ? out : "");
			want_shell = 1;
		} else if (rc) {
			log_warn("hook %s failed (%s %d), boot goes on; its output follows", path,
				 rc < 0 ? "error" : "exit", rc);
			if (out)
				log_output(LOG_WARN, names[i], out);
		} else if (out && *out) {
			log_output(LOG_INFO, names[i], out);
		}
		free(names[i]);
		live_reap();
	}
	free(out);
	if (want_shell)
		rescue_shell(ctx, phase);
	return 0;
}
