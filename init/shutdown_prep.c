// SPDX-License-Identifier: GPL-2.0
/*
 * Before switch_root: copy the shutdown program out of the initramfs (deleted by
 * switch_root) to /run/initramfs/shutdown, beside the empty directories it needs there.
 * systemd-shutdown, when that file is executable, pivots into /run/initramfs (the old
 * root at /oldroot) and execs /shutdown VERB. Only the static binary stays in RAM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

/* Never fails the boot: without it, the system only shuts down less cleanly. */
void shutdown_prep(struct live_ctx *ctx)
{
	static const char *const dirs[] = { "oldroot", "oldrun", "dev", "proc", "sys", "run" };
	char path[LIVE_PATH_MAX], *data;
	size_t i, size = 0;
	int err;

	(void)ctx;
	if (access(LIVE_SHUTDOWN_SRC, X_OK) != 0) {
		log_debug("shutdown: no %s in this initramfs: systemd shuts down on its own",
			  LIVE_SHUTDOWN_SRC);
		return;
	}
	if (mkdir(LIVE_SHUTDOWN_DIR, 0755) < 0 && errno != EEXIST) {
		log_warn("shutdown: mkdir %s: %s", LIVE_SHUTDOWN_DIR, strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", LIVE_SHUTDOWN_DIR, dirs[i]);
		mkdir(path, 0755);
	}
	err = file_slurp(LIVE_SHUTDOWN_SRC, &data, &size);
	if (!err) {
		err = file_write_atomic(LIVE_SHUTDOWN, data, size, 0755);
		free(data);
	}
	if (err) {
		log_warn("shutdown: copying %s to %s: %s", LIVE_SHUTDOWN_SRC, LIVE_SHUTDOWN,
			 strerror(-err));
		return;
	}
	log_info("shutdown: %s ready (%zu KiB in RAM)", LIVE_SHUTDOWN, (size + 1023) / 1024);
}
