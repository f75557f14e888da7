// SPDX-License-Identifier: GPL-2.0
/* NTFS: boot sector checks, label from the $Volume MFT record, UUID from the volume serial. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

/* Boot sector */
#define NTFS_OEM_OFF		3	/* "NTFS    " */
#define NTFS_SECTOR_SIZE_OFF	0x0b
#define NTFS_SPC_OFF		0x0d
#define NTFS_RESERVED_OFF	0x0e
#define NTFS_FATS_OFF		0x10
#define NTFS_ROOT_ENTRIES_OFF	0x11
#define NTFS_SECTORS_OFF	0x13
#define NTFS_SECTORS_FAT_OFF	0x16
#define NTFS_LARGE_SECTORS_OFF	0x20
#define NTFS_NR_SECTORS_OFF	0x28
#define NTFS_MFT_LCN_OFF	0x30
#define NTFS_MFTMIRR_LCN_OFF	0x38
#define NTFS_CPMFT_OFF		0x40	/* int8: clusters per MFT record, or -log2(bytes) */
#define NTFS_SERIAL_OFF		0x48
#define NTFS_BOOT_READ		0x54

/* MFT record and attributes */
#define MFT_RECORD_VOLUME	3
#define MFT_ATTRS_OFF		0x14
#define MFT_BYTES_ALLOC_OFF	0x1c
#define ATTR_TYPE_OFF		0
#define ATTR_LEN_OFF		4
#define ATTR_VALUE_LEN_OFF	0x10
#define ATTR_VALUE_OFF_OFF	0x14
#define ATTR_HDR_LEN		0x16
#define ATTR_VOLUME_NAME	0x60
#define ATTR_END		0xffffffffu
#define NTFS_MAX_CLUSTER	(2u * 1024 * 1024)
#define NTFS_MAX_MFT_RECORD	(64u * 1024)

static int ntfs_cluster_sectors(uint8_t spc, uint32_t *out)
{
	if (spc && spc <= 128 && !(spc & (spc - 1))) {
		*out = spc;
		return 0;
	}
	if (spc >= 240 && spc <= 249) {	/* 2^(256-n): clusters above 64 KiB */
		*out = 1u << (256 - spc);
		return 0;
	}
	return -ENOENT;
}

static int ntfs_label(struct probe_dev *dev, struct probe_result *res, uint64_t off, uint32_t size)
{
	uint8_t *rec;
	uint64_t pos;
	int err;

	rec = malloc(size);
	if (!rec)
		return -ENOMEM;
	err = probe_read(dev, off, rec, size);
	if (err)
		goto out_free;
	err = -ENOENT;
	if (memcmp(rec, "FILE", 4) != 0)
		goto out_free;
	err = 0;
	/* walk the attributes of $Volume up to $VOLUME_NAME (UTF-16LE, resident) */
	for (pos = probe_le16(rec + MFT_ATTRS_OFF);
	     pos + ATTR_HDR_LEN <= size && pos <= probe_le32(rec + MFT_BYTES_ALLOC_OFF);) {
		uint32_t type = probe_le32(rec + pos + ATTR_TYPE_OFF);
		uint32_t len = probe_le32(rec + pos + ATTR_LEN_OFF);

		if (!len || type == ATTR_END)
			break;
		if (type == ATTR_VOLUME_NAME) {
			uint32_t vlen = probe_le32(rec + pos + ATTR_VALUE_LEN_OFF);
			uint16_t voff = probe_le16(rec + pos + ATTR_VALUE_OFF_OFF);

			if (pos + voff + vlen <= size)
				probe_set_label_enc(res, rec + pos + voff, vlen, PROBE_ENC_UTF16LE);
			break;
		}
		pos += len;
	}
out_free:
	free(rec);
	return err;
}

int probe_ntfs_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t bs[NTFS_BOOT_READ], magic[4];
	uint32_t sector, spc, mft_size;
	uint64_t nr_clusters, mft_off, serial;
	int8_t cpmft;
	int err;

	err = probe_read(dev, 0, bs, sizeof(bs));
	if (err)
		return err;
	if (memcmp(bs + NTFS_OEM_OFF, "NTFS    ", 8) != 0)
		return -ENOENT;

	sector = probe_le16(bs + NTFS_SECTOR_SIZE_OFF);
	if (sector < 256 || sector > 4096 || (sector & (sector - 1)))
		return -ENOENT;
	if (ntfs_cluster_sectors(bs[NTFS_SPC_OFF], &spc) || sector * spc > NTFS_MAX_CLUSTER)
		return -ENOENT;
	/* the FAT fields of the BPB must be zero */
	if (probe_le16(bs + NTFS_RESERVED_OFF) || bs[NTFS_FATS_OFF] ||
	    probe_le16(bs + NTFS_ROOT_ENTRIES_OFF) || probe_le16(bs + NTFS_SECTORS_OFF) ||
	    probe_le16(bs + NTFS_SECTORS_FAT_OFF) || probe_le32(bs + NTFS_LARGE_SECTORS_OFF))
		return -ENOENT;

	cpmft = (int8_t)bs[NTFS_CPMFT_OFF];
	if (cpmft > 0) {
		if (cpmft & (cpmft - 1) || cpmft > 64)
			return -ENOENT;
		mft_size = (uint32_t)cpmft * spc * sector;
	} else {
		if (cpmft < -31 || cpmft > -9)	/* 2^9 .. 2^31 bytes; 0 is invalid */
			return -ENOENT;
		mft_size = 1u << -cpmft;
	}
	if (mft_size < 4 || mft_size > NTFS_MAX_MFT_RECORD)
		return -ENOENT;

	nr_clusters = probe_le64(bs + NTFS_NR_SECTORS_OFF) / spc;
	if (probe_le64(bs + NTFS_MFT_LCN_OFF) > nr_clusters ||
	    probe_le64(bs + NTFS_MFTMIRR_LCN_OFF) > nr_clusters)
		return -ENOENT;
	mft_off = probe_le64(bs + NTFS_MFT_LCN_OFF) * spc * sector;

	/* $MFT itself must be there: a boot sector alone is not a filesystem */
	err = probe_read(dev, mft_off, magic, sizeof(magic));
	if (err)
		return err;
	if (memcmp(magic, "FILE", 4) != 0)
		return -ENOENT;
	err = ntfs_label(dev, res, mft_off + MFT_RECORD_VOLUME * (uint64_t)mft_size, mft_size);
	if (err)
		return err;

	snprintf(res->type, sizeof(res->type), "ntfs");
	serial = probe_le64(bs + NTFS_SERIAL_OFF);
	if (serial)
		snprintf(res->uuid, sizeof(res->uuid), "%016" PRIX64, serial);
	return 0;
}
