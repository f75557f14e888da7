// SPDX-License-Identifier: GPL-2.0
/* Device discovery: coldplug over sysfs, then kernel uevents, one poll() loop with a deadline. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat.h"
#include "fileio.h"
#include "live.h"
#include "log.h"

/* While waiting for the medium: how often sysfs is walked again besides the events. */
#ifndef DEVICES_RESYNC_MS
#define DEVICES_RESYNC_MS	2000
#endif

static int uevent_open(void)
{
	struct live_sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 4 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    LIVE_NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* SO_RCVBUF is capped by net.core.rmem_max (~200 KiB): a burst of module and
	 * device events may overflow it, so ask past the cap (root); ENOBUFS is still
	 * handled by a sysfs walk (drain) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Coldplug: every device already present gets its driver by modalias. */
static void coldplug_modaliases(struct live_ctx *ctx)
{
	char path[512], alias[512];
	struct dirent *b, *d;
	DIR *bus, *devs;

	bus = opendir("/sys/bus");
	if (!bus)
		return;
	while ((b = readdir(bus))) {
		if (b->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/%s/devices", b->d_name);
		devs = opendir(path);
		if (!devs)
			continue;
		while ((d = readdir(devs))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/modalias",
				 b->d_name, d->d_name);
			if (file_read(path, alias, sizeof(alias)) > 0) {
				alias[strcspn(alias, "\n")] = '\0';
				snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s",
					 b->d_name, d->d_name);
				kmod_load_modalias(ctx, alias, path);
			}
		}
		closedir(devs);
	}
	closedir(bus);
}

/* Consider a device; returns true when it became the medium. */
static bool try_dev(struct live_ctx *ctx, struct live_dev *dev)
{
	if (!dev || !ctx->judge || dev->verdict == DEV_REJECTED || ctx->medium >= 0)
		return ctx->medium >= 0;
	return ctx->judge(ctx, dev) == 0;
}

static int by_preference(const void *a, const void *b)
{
	const struct live_dev *x = a, *y = b;

	if (devlist_order(x, y))
		return -1;
	if (devlist_order(y, x))
		return 1;
	return 0;
}

/* Add the block devices present; judge those from index first on, in preference order. */
static void scan_block(struct live_ctx *ctx, size_t first)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/block");
	size_t i;

	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			devlist_add(ctx, d->d_name);
	closedir(dir);
	/* what is present at once is judged in preference order: CDs, removable, name */
	qsort(ctx->devs + first, ctx->ndevs - first, sizeof(ctx->devs[0]), by_preference);
	for (i = first; i < ctx->ndevs; i++)
		if (try_dev(ctx, &ctx->devs[i]))
			break;
}

static void coldplug_block(struct live_ctx *ctx)
{
	scan_block(ctx, ctx->ndevs);
}

/* One uevent datagram: "action@devpath\0KEY=VAL\0..." */
static void uevent_handle(struct live_ctx *ctx, char *buf, size_t len)
{
	const char *action = "", *subsystem = "", *devname = "", *modalias = NULL;
	const char *devtype = "", *devpath = NULL;
	char syspath[512];
	size_t off = strlen(buf) + 1;

	while (off < len) {
		char *kv = buf + off;

		off += strlen(kv) + 1;
		if (!strncmp(kv, "ACTION=", 7))
			action = kv + 7;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			subsystem = kv + 10;
		else if (!strncmp(kv, "DEVNAME=", 8))
			devname = kv + 8;
		else if (!strncmp(kv, "DEVTYPE=", 8))
			devtype = kv + 8;
		else if (!strncmp(kv, "MODALIAS=", 9))
			modalias = kv + 9;
		else if (!strncmp(kv, "DEVPATH=", 8))
			devpath = kv + 8;
	}
	if (!strcmp(action, "add") && modalias) {
		if (devpath)
			snprintf(syspath, sizeof(syspath), "/sys%s", devpath);
		kmod_load_modalias(ctx, modalias, devpath ? syspath : NULL);
	}
	if (strcmp(subsystem, "block") || !*devname)
		return;
	(void)devtype;
	if (!strcmp(action, "add")) {
		try_dev(ctx, devlist_add(ctx, devname));
	} else if (!strcmp(action, "change")) {
		/* a disc was inserted: judge the drive again */
		struct live_dev *dev = devlist_add(ctx, devname);

		if (dev && dev->cdrom) {
			dev->verdict = DEV_UNSEEN;
			dev->probed = false;
			try_dev(ctx, dev);
		}
	}
}

/* Every device sysfs has now: drivers by modalias, then the block devices not seen yet. */
static void resync(struct live_ctx *ctx)
{
	coldplug_modaliases(ctx);
	coldplug_block(ctx);
}

static void drain(struct live_ctx *ctx, int fd)
{
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			/* the kernel dropped events: what they announced is in sysfs */
			log_debug("uevent socket overflowed: walking sysfs again");
			resync(ctx);
			if (ctx->medium >= 0)
				return;
			continue;
		}
		if (n <= 0)
			return;
		buf[n] = '\0';
		uevent_handle(ctx, buf, (size_t)n);
		if (ctx->medium >= 0)
			return;
	}
}

/* Open the uevent socket (so nothing is missed), then give present devices their drivers. */
int devices_coldplug(struct live_ctx *ctx)
{
	if (ctx->uevent_fd < 0) {
		ctx->uevent_fd = uevent_open();
		if (ctx->uevent_fd < 0)
			log_warn("uevent socket: %s; relying on coldplug scans",
				 strerror(-ctx->uevent_fd));
	}
	coldplug_modaliases(ctx);
	return 0;
}

/* The first search: until live.timeout, with a countdown; fills ctx->fail if none. */
static int wait_medium(struct live_ctx *ctx)
{
	uint64_t start = live_now_ms(), deadline = start + (uint64_t)ctx->cfg->timeout * 1000;
	uint64_t next_resync = 0;
	int fd, shown = -1;
	char devs[1024];

	if (ctx->uevent_fd < 0)
		devices_coldplug(ctx);
	fd = ctx->uevent_fd;
	/* drivers loaded since coldplug announced their devices on the socket; a rescan
	 * finds devices of modules loaded before it was open (none, normally) */
	drain(ctx, fd);
	coldplug_block(ctx);
	while (ctx->medium < 0) {
		uint64_t now = live_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left;

		if (now >= deadline)
			break;
		/* events are the fast path; a sysfs walk every RESYNC_MS is the safety net
		 * for a device whose event was lost or came before its driver could load */
		if (now >= next_resync) {
			if (next_resync)
				resync(ctx);
			next_resync = now + DEVICES_RESYNC_MS;
			if (ctx->medium >= 0)
				break;
		}
		left = (int)((deadline - now + 999) / 1000);
		if (now - start >= 1000 && left != shown && !ctx->cfg->quiet) {
			log_console("\rlivestack: waiting for the live medium (live.media=%s): %3d s ",
				    ctx->cfg->media, left);
			shown = left;
		}
		if (fd >= 0) {
			if (poll(&p, 1, 250) > 0)
				drain(ctx, fd);
		} else {
			usleep(250000);
			coldplug_modaliases(ctx);
			coldplug_block(ctx);
		}
	}
	if (shown >= 0)
		log_console("\n");
	if (ctx->medium >= 0)
		return 0;
	devlist_describe(ctx, devs, sizeof(devs));
	return live_fail(ctx, -ENODEV,
			 "check that the medium is attached; set live.media=/dev/NAME, LABEL= or UUID=, "
			 "live.dir= if the layers live elsewhere, or a longer live.timeout=",
			 "no live medium found within %d s: looked for %s with %s/%s; devices seen:%s",
			 ctx->cfg->timeout,
			 strcmp(ctx->cfg->media, "auto") ? ctx->cfg->media : "any device",
			 ctx->dir, layers_pattern(ctx->image), devs[0] ? devs : " none");
}

void devices_events(struct live_ctx *ctx)
{
	if (ctx->uevent_fd >= 0)
		drain(ctx, ctx->uevent_fd);
}

void devices_rescan(struct live_ctx *ctx, bool all)
{
	char path[300];
	size_t i, n = 0;

	if (ctx->medium >= 0)
		return;
	for (i = 0; i < ctx->ndevs; i++) {
		struct live_dev *d = &ctx->devs[i];

		snprintf(path, sizeof(path), "/sys/class/block/%s", d->name);
		if (access(path, F_OK))
			continue;	/* unplugged */
		if (d->verdict == DEV_REJECTED && (all || d->probe_err == -ENOMEDIUM)) {
			d->verdict = DEV_UNSEEN;
			d->probed = false;
		}
		if (n != i)
			ctx->devs[n] = *d;
		n++;
	}
	ctx->ndevs = n;
	/* a device already there whose driver never loaded gets it now: walk sysfs */
	coldplug_modaliases(ctx);
	devices_events(ctx);
	scan_block(ctx, 0);	/* the new ones too, all in preference order */
}

/* Wait for the medium until live.timeout, each device judged by ctx->judge; else explain. */
int devices_find_medium(struct live_ctx *ctx)
{
	return wait_medium(ctx);
}

