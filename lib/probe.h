/* SPDX-License-Identifier: GPL-2.0 */
/* Filesystem probing by on-disk magic: type, label and UUID of a device or image. */
#ifndef LIVE_PROBE_H
#define LIVE_PROBE_H

#include <stdint.h>

#define PROBE_TYPE_MAX	16
#define PROBE_LABEL_MAX	256
#define PROBE_UUID_MAX	64

struct probe_result {
	char type[PROBE_TYPE_MAX];	/* the name mount(2) takes: "iso9660", "ext4", "vfat", ... */
	char label[PROBE_LABEL_MAX];	/* "" when the format has none */
	char uuid[PROBE_UUID_MAX];	/* formatted as blkid prints it; "" when none */
};

/*
 * Probe an open block device or image file by its magic numbers.
 * Returns 0 and fills *res, -ENOENT when no known filesystem is found,
 * or another -errno when the device cannot be read.
 */
int probe_fd(int fd, struct probe_result *res);
int probe_path(const char *path, struct probe_result *res);

#endif
