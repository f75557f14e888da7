// SPDX-License-Identifier: GPL-2.0
/* Btrfs: primary superblock at 64 KiB, checked by its crc32c; label and fsid UUID. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define BTRFS_SB_OFF		0x10000
#define BTRFS_SB_SIZE		4096
#define BTRFS_CSUM_SIZE		32
#define BTRFS_FSID_OFF		0x20
#define BTRFS_BYTENR_OFF	0x30
#define BTRFS_MAGIC_OFF		0x40
#define BTRFS_CSUM_TYPE_OFF	0xc4
#define BTRFS_LABEL_OFF		0x12b
#define BTRFS_LABEL_LEN		256
#define BTRFS_CSUM_CRC32C	0

static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return crc;
}

int probe_btrfs_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t sb[BTRFS_SB_SIZE];
	int err;

	err = probe_read(dev, BTRFS_SB_OFF, sb, sizeof(sb));
	if (err)
		return err;
	if (memcmp(sb + BTRFS_MAGIC_OFF, "_BHRfS_M", 8) != 0)
		return -ENOENT;
	/* the superblock says where it lives: a copy elsewhere (stale mirror) is not this fs */
	if (probe_le64(sb + BTRFS_BYTENR_OFF) != BTRFS_SB_OFF)
		return -ENOENT;
	/* crc32c is the default; the other sums (xxhash, sha256, blake2) are taken on trust */
	if (probe_le16(sb + BTRFS_CSUM_TYPE_OFF) == BTRFS_CSUM_CRC32C &&
	    ~crc32c(~0u, sb + BTRFS_CSUM_SIZE, sizeof(sb) - BTRFS_CSUM_SIZE) != probe_le32(sb))
		return -ENOENT;

	snprintf(res->type, sizeof(res->type), "btrfs");
	probe_set_label(res, sb + BTRFS_LABEL_OFF, BTRFS_LABEL_LEN);
	probe_set_uuid_dce(res, sb + BTRFS_FSID_OFF);
	return 0;
}
