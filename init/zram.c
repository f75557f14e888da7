// SPDX-License-Identifier: GPL-2.0
/*
 * live.ramdev=zram: the RAM rw branch on a compressed zram block device with an ext
 * filesystem, instead of a tmpfs. Its size is live.ramsize (a percentage of RAM or an
 * absolute size: the uncompressed size; memory holds only the compressed pages).
 * Mounted with discard, so deleted files give their memory back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "size.h"
#include "log.h"

#define ZRAM_SYS	"/sys/block/zram0"
#define ZRAM_DEV	"/dev/zram0"
#define ZRAM_LABEL	"live-rw-zram"
#define ZRAM_MIN	(16ULL << 20)

/* live.ramsize= as bytes: N% of the RAM, or N with k/m/g (no suffix: bytes, as tmpfs). */
unsigned long long zram_size_bytes(const char *s, unsigned long long ram)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (end != s && *end == '%')
		return end[1] || n > 100 ? 0 : ram / 100 * n;
	return size_parse(s, 1);
}

static int sys_write(const char *attr, const char *val)
{
	char path[96];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", ZRAM_SYS, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val))
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

/* The algorithm in use: the bracketed word of comp_algorithm ("lzo [lzo-rle] lz4"). */
static void current_comp(char *out, size_t len)
{
	char buf[256], *a, *b;

	snprintf(out, len, "?");
	if (file_read(ZRAM_SYS "/comp_algorithm", buf, sizeof(buf)) <= 0)
		return;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
}

static int fail(char *why, size_t len, int err, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return err;
}

int zram_mount(struct live_ctx *ctx, const char *target, char *why, size_t len)
{
	struct sysinfo si;
	unsigned long long ram, size;
	char val[32], how[64];
	int err;

	if (sysinfo(&si) < 0)
		return fail(why, len, -errno, "sysinfo: %s", strerror(errno));
	ram = (unsigned long long)si.totalram * si.mem_unit;
	size = zram_size_bytes(ctx->cfg->ramsize, ram) & ~4095ULL;
	if (size < ZRAM_MIN)
		return fail(why, len, -EINVAL, "live.ramsize=%s is under 16 MiB", ctx->cfg->ramsize);
	err = kmod_load_name(ctx, "zram");
	if (access(ZRAM_SYS "/disksize", W_OK))
		return fail(why, len, err ? err : -ENODEV, "no zram device (module zram: %s)",
			    err ? strerror(-err) : "loaded, but no zram0");
	snprintf(val, sizeof(val), "%llu", size);
	err = sys_write("disksize", val);
	if (err)
		return fail(why, len, err, "setting the zram size failed: %s", strerror(-err));
	current_comp(ctx->rw_comp, sizeof(ctx->rw_comp));
	err = fsck_mkfs(ZRAM_DEV, size >> 10, ZRAM_LABEL, how, sizeof(how), ctx->cfg->helper_timeout);
	if (!err) {
		kmod_load_name(ctx, "ext4");
		if (mount(ZRAM_DEV, target, "ext4", MS_NOSUID | MS_NODEV, "discard") < 0)
			err = -errno;
	}
	if (err) {
		sys_write("reset", "1");
		ctx->rw_comp[0] = '\0';
		return fail(why, len, err, "formatting or mounting " ZRAM_DEV ": %s", strerror(-err));
	}
	snprintf(ctx->rw_dev, sizeof(ctx->rw_dev), "%s", ZRAM_DEV);
	snprintf(ctx->rw_type, sizeof(ctx->rw_type), "zram");
	log_info("rw branch: zram %s (%s, %llu MiB, %s, %s) on %s", ZRAM_DEV, ctx->cfg->ramsize,
		 size >> 20, ctx->rw_comp, how, target);
	return 0;
}
