// SPDX-License-Identifier: GPL-2.0
/*
 * The list of block devices /init has seen (ctx->devs): one place that adds a device and
 * decides what it is (size, CD, removable), the order media are preferred in, the whole
 * disk of a partition, and the list as the rescue message shows it. devices.c (events,
 * coldplug) and medium.c (other media present) both add through here; it calls nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"

/* CDs first, then removable devices, then by name: a deterministic choice. */
bool devlist_order(const struct live_dev *a, const struct live_dev *b)
{
	if (a->cdrom != b->cdrom)
		return a->cdrom;
	if (a->removable != b->removable)
		return a->removable;
	return strcmp(a->name, b->name) < 0;
}

/* The whole disk a block device belongs to ("sda" for "sda1" and "sda"). */
const char *devlist_disk_of(const char *name, char *buf, size_t len)
{
	char path[128], link[256], *slash;
	ssize_t n;

	snprintf(buf, len, "%s", name);
	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
	if (access(path, F_OK))
		return buf;
	snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return buf;
	link[n] = '\0';
	/* ../../devices/.../block/sda/sda1 */
	if ((slash = strrchr(link, '/'))) {
		*slash = '\0';
		if ((slash = strrchr(link, '/')))
			snprintf(buf, len, "%s", slash + 1);
	}
	return buf;
}

/*
 * The device called name, added if new: its size, CD or not, and removable: a CD, or
 * the whole disk's sysfs "removable" flag (a partition has none of its own). RAM, loop
 * and zram devices are never media. NULL when not a candidate or the list is full.
 */
struct live_dev *devlist_add(struct live_ctx *ctx, const char *name)
{
	char path[300], buf[64];
	struct live_dev *dev;
	size_t i;

	if (name[0] == '.' || !strncmp(name, "ram", 3) || !strncmp(name, "loop", 4) ||
	    !strncmp(name, "zram", 4) || strlen(name) >= sizeof(dev->name))
		return NULL;
	for (i = 0; i < ctx->ndevs; i++)
		if (!strcmp(ctx->devs[i].name, name))
			return &ctx->devs[i];
	if (ctx->ndevs == LIVE_MAX_DEVS)
		return NULL;
	dev = &ctx->devs[ctx->ndevs++];
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
	if (file_read(path, buf, sizeof(buf)) > 0)
		dev->size = strtoull(buf, NULL, 10) * 512;
	dev->cdrom = !strncmp(name, "sr", 2);
	snprintf(path, sizeof(path), "/sys/class/block/%s/removable",
		 devlist_disk_of(name, buf, sizeof(buf)));
	dev->removable = dev->cdrom || (file_read(path, buf, sizeof(buf)) > 0 && buf[0] == '1');
	return dev;
}

/* Block devices that appeared but whose uevent was not read yet join the list. */
void devlist_add_present(struct live_ctx *ctx)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/block");

	while (dir && (d = readdir(dir)))
		devlist_add(ctx, d->d_name);
	if (dir)
		closedir(dir);
}

void devlist_describe(const struct live_ctx *ctx, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ctx->ndevs && used < len; i++) {
		const struct live_dev *d = &ctx->devs[i];
		int n = snprintf(buf + used, len - used, "\n  %-8s %8llu MiB  %-9s %-16s %s",
				 d->name, (unsigned long long)(d->size >> 20),
				 *d->fs.type ? d->fs.type : "-",
				 *d->fs.label ? d->fs.label : "-",
				 d->verdict == DEV_UNSEEN ? "not examined" : d->reason);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}
