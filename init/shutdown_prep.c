// SPDX-License-Identifier: GPL-2.0
/*
 * Before switch_root: copy the shutdown program out of the initramfs (deleted by
 * switch_root) to /run/initramfs/shutdown, beside the empty directories it needs there.
 * systemd-shutdown, when that file is executable, pivots into /run/initramfs (the old
 * root at /oldroot) and execs /shutdown VERB. Only the static binary stays in RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

static int copy_file(const char *src, const char *dst, mode_t mode, off_t *size)
{
	char buf[16384];
	ssize_t n = 0;
	int in, out, err = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	*size = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			err = -EIO;
			break;
		}
		*size += n;
	}
	if (n < 0)
		err = -errno;
	close(in);
	if (close(out) < 0 && !err)
		err = -errno;
	if (!err && chmod(dst, mode) < 0)
		err = -errno;
	return err;
}

/* Never fails the boot: without it, the system only shuts down less cleanly. */
void shutdown_prep(struct live_ctx *ctx)
{
	static const char *const dirs[] = { "oldroot", "oldrun", "dev", "proc", "sys", "run" };
	char path[LIVE_PATH_MAX], tmp[LIVE_PATH_MAX];
	off_t size = 0;
	size_t i;
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
	snprintf(tmp, sizeof(tmp), "%s.tmp", LIVE_SHUTDOWN);
	err = copy_file(LIVE_SHUTDOWN_SRC, tmp, 0755, &size);
	if (!err && rename(tmp, LIVE_SHUTDOWN) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		log_warn("shutdown: copying %s to %s: %s", LIVE_SHUTDOWN_SRC, LIVE_SHUTDOWN,
			 strerror(-err));
		return;
	}
	log_info("shutdown: %s ready (%lld KiB in RAM)", LIVE_SHUTDOWN,
		 (long long)(size + 1023) / 1024);
}
