// SPDX-License-Identifier: GPL-2.0
/* SquashFS 4 (the only version Linux mounts): magic "hsqs" at 0; no label, no UUID. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define SQFS_MAGIC_OFF		0
#define SQFS_MAJOR_OFF		28	/* u16 le, after inodes, mkfs_time, block_size, ... */
#define SQFS_BLOCK_SIZE_OFF	12
#define SQFS_BLOCK_LOG_OFF	22
#define SQFS_BYTES_USED_OFF	40	/* u64 le */
#define SQFS_SB_SIZE		96

int probe_squashfs_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t sb[SQFS_SB_SIZE];
	int err;

	err = probe_read(dev, 0, sb, sizeof(sb));
	if (err)
		return err;
	if (memcmp(sb + SQFS_MAGIC_OFF, "hsqs", 4) != 0)
		return -ENOENT;
	/* v3 and older ("squashfs3" to blkid) cannot be mounted by a 6.1 kernel */
	if (probe_le16(sb + SQFS_MAJOR_OFF) != 4)
		return -ENOENT;
	/* a truncated image (a half-copied layer) is no squashfs */
	if (probe_le64(sb + SQFS_BYTES_USED_OFF) > dev->size)
		return -ENOENT;
	snprintf(res->type, sizeof(res->type), "squashfs");
	return 0;
}
