// SPDX-License-Identifier: GPL-2.0
/* FAT12/16/32 ("vfat") and exFAT: boot sector checks, label from the root directory, XXXX-XXXX serial. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define FAT_ENTRY		32	/* a directory entry, in both FAT and exFAT */

/*
 * FAT boot sector (BPB) offsets. FAT12/16 put the extended BPB at 0x24,
 * FAT32 at 0x40 after its own fields.
 */
#define BPB_SECTOR_SIZE		0x0b
#define BPB_CLUSTER_SIZE	0x0d
#define BPB_RESERVED		0x0e
#define BPB_FATS		0x10
#define BPB_DIR_ENTRIES		0x11
#define BPB_SECTORS		0x13
#define BPB_MEDIA		0x15
#define BPB_FAT_LENGTH		0x16
#define BPB_TOTAL_SECT		0x20
#define BPB_FAT32_LENGTH	0x24
#define BPB_ROOT_CLUSTER	0x2c
#define BPB_FSINFO_SECTOR	0x30
#define EBPB16_SIGN		0x26	/* 0x28: serial only; 0x29: serial and label */
#define EBPB16_SERIAL		0x27
#define EBPB16_MAGIC		0x36
#define EBPB32_SERIAL		0x43
#define EBPB32_MAGIC		0x52

#define FAT12_MAX		0xff4
#define FAT16_MAX		0xfff4
#define FAT32_MAX		0x0ffffff6

#define ATTR_VOLUME_ID		0x08
#define ATTR_DIR		0x10
#define ATTR_LONG_NAME		0x0f
#define ATTR_MASK		0x3f
#define FAT32_ROOT_MAX_CLUSTERS	100	/* bounded walk of the root directory chain */

static int is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

/*
 * The volume label is a root directory entry with the volume-id attribute
 * (what `fatlabel` and Windows change); blkid reports it, not the copy in the
 * boot sector. 1 when found, 0 when not, -errno on a read error.
 */
static int fat_find_label(struct probe_dev *dev, uint64_t off, uint32_t entries, uint8_t label[11])
{
	uint8_t buf[512];
	uint32_t i;

	for (i = 0; i < entries; i++) {
		const uint8_t *ent = buf + (i % (sizeof(buf) / FAT_ENTRY)) * FAT_ENTRY;

		if (i % (sizeof(buf) / FAT_ENTRY) == 0) {
			uint32_t left = entries - i;
			size_t n = left * FAT_ENTRY < sizeof(buf) ? left * FAT_ENTRY : sizeof(buf);
			int err = probe_read(dev, off + (uint64_t)i * FAT_ENTRY, buf, n);

			if (err)
				return err == -ENOENT ? 0 : err;
		}
		if (ent[0] == 0x00)
			break;
		if (ent[0] == 0xe5 || probe_le16(ent + 20) || probe_le16(ent + 26) ||
		    (ent[11] & ATTR_MASK) == ATTR_LONG_NAME)
			continue;
		if ((ent[11] & (ATTR_VOLUME_ID | ATTR_DIR)) == ATTR_VOLUME_ID) {
			memcpy(label, ent, 11);
			if (label[0] == 0x05)	/* 0xe5 escaped, as in file names */
				label[0] = 0xe5;
			return 1;
		}
	}
	return 0;
}

static void fat_set_serial(struct probe_result *res, const uint8_t *s)
{
	if (!probe_is_zero(s, 4))
		snprintf(res->uuid, sizeof(res->uuid), "%02X%02X-%02X%02X", s[3], s[2], s[1], s[0]);
}

static int fat32_root_label(struct probe_dev *dev, const uint8_t *bs, uint32_t sector,
			    uint32_t fat_size, uint8_t label[11])
{
	uint32_t csize = bs[BPB_CLUSTER_SIZE], reserved = probe_le16(bs + BPB_RESERVED);
	uint32_t fat_entries = (uint32_t)((uint64_t)probe_le32(bs + BPB_FAT32_LENGTH) * sector / 4);
	uint32_t next = probe_le32(bs + BPB_ROOT_CLUSTER);
	int loops = FAT32_ROOT_MAX_CLUSTERS, found;

	while (next >= 2 && next < fat_entries && --loops) {
		uint64_t sect = reserved + (uint64_t)fat_size + (uint64_t)(next - 2) * csize;
		uint8_t e[4];

		found = fat_find_label(dev, sect * sector, csize * sector / FAT_ENTRY, label);
		if (found)
			return found;
		if (probe_read(dev, (uint64_t)reserved * sector + (uint64_t)next * 4, e, 4))
			break;
		next = probe_le32(e) & 0x0fffffff;
	}
	return 0;
}

int probe_fat_identify_vfat(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t bs[512], label[11];
	uint32_t sector, reserved, fats, dir_entries, sect_count, fat_length, fat_size;
	uint32_t dir_size, clusters, max_count;
	int strong, found = 0, err;

	err = probe_read(dev, 0, bs, sizeof(bs));
	if (err)
		return err;
	/* a named FAT type is enough; a bare jump or 55 AA also needs the checks below */
	strong = !memcmp(bs + EBPB32_MAGIC, "MSWIN", 5) || !memcmp(bs + EBPB32_MAGIC, "FAT32   ", 8) ||
		 !memcmp(bs + EBPB16_MAGIC, "MSDOS", 5) || !memcmp(bs + EBPB16_MAGIC, "FAT16   ", 8) ||
		 !memcmp(bs + EBPB16_MAGIC, "FAT12   ", 8) || !memcmp(bs + EBPB16_MAGIC, "FAT     ", 8);
	if (!strong) {
		if (bs[0] != 0xeb && bs[0] != 0xe9 && !(bs[510] == 0x55 && bs[511] == 0xaa))
			return -ENOENT;
		if (bs[510] != 0x55 || bs[511] != 0xaa)
			return -ENOENT;
		/* OS/2 puts FAT-like pseudo boot sectors on JFS and HPFS */
		if (!memcmp(bs + EBPB16_MAGIC, "JFS     ", 8) || !memcmp(bs + EBPB16_MAGIC, "HPFS    ", 8))
			return -ENOENT;
	}

	sector = probe_le16(bs + BPB_SECTOR_SIZE);
	reserved = probe_le16(bs + BPB_RESERVED);
	fats = bs[BPB_FATS];
	if (!fats || !reserved || !(bs[BPB_MEDIA] >= 0xf8 || bs[BPB_MEDIA] == 0xf0) ||
	    !is_pow2(bs[BPB_CLUSTER_SIZE]) || !is_pow2(sector) || sector < 512 || sector > 4096)
		return -ENOENT;

	dir_entries = probe_le16(bs + BPB_DIR_ENTRIES);
	sect_count = probe_le16(bs + BPB_SECTORS);
	if (!sect_count)
		sect_count = probe_le32(bs + BPB_TOTAL_SECT);
	fat_length = probe_le16(bs + BPB_FAT_LENGTH);
	if (!fat_length)
		fat_length = probe_le32(bs + BPB_FAT32_LENGTH);
	fat_size = fat_length * fats;
	dir_size = (dir_entries * FAT_ENTRY + sector - 1) / sector;
	/* unsigned wrap-around on nonsense sizes gives a huge count, rejected below (as blkid) */
	clusters = (sect_count - (reserved + fat_size + dir_size)) / bs[BPB_CLUSTER_SIZE];
	if (!probe_le16(bs + BPB_FAT_LENGTH) && probe_le32(bs + BPB_FAT32_LENGTH))
		max_count = FAT32_MAX;
	else
		max_count = clusters > FAT12_MAX ? FAT16_MAX : FAT12_MAX;
	if (clusters > max_count)
		return -ENOENT;

	if (probe_le16(bs + BPB_FAT_LENGTH)) {
		found = fat_find_label(dev, (uint64_t)(reserved + fat_size) * sector, dir_entries, label);
		if (found < 0)
			return found;
		if (bs[EBPB16_SIGN] == 0x28 || bs[EBPB16_SIGN] == 0x29)
			fat_set_serial(res, bs + EBPB16_SERIAL);
	} else if (probe_le32(bs + BPB_FAT32_LENGTH)) {
		uint16_t fsinfo = probe_le16(bs + BPB_FSINFO_SECTOR);

		found = fat32_root_label(dev, bs, sector, fat_size, label);
		if (found < 0)
			return found;
		fat_set_serial(res, bs + EBPB32_SERIAL);
		/* FAT32 has an FSInfo sector with its signatures, or all zero there */
		if (fsinfo) {
			uint8_t fi[488];

			err = probe_read(dev, (uint64_t)fsinfo * sector, fi, sizeof(fi));
			if (err)
				return err;
			if (memcmp(fi, "RRaA", 4) && memcmp(fi, "RRdA", 4) && !probe_is_zero(fi, 4))
				return -ENOENT;
			if (memcmp(fi + 484, "rrAa", 4) && !probe_is_zero(fi + 484, 4))
				return -ENOENT;
		}
	}

	snprintf(res->type, sizeof(res->type), "vfat");
	if (found)
		probe_set_label(res, label, sizeof(label));	/* raw OEM code page bytes, as blkid */
	return 0;
}

/* exFAT boot sector offsets */
#define EXFAT_NAME		3	/* "EXFAT   " */
#define EXFAT_ZERO		11	/* 53 bytes that must be zero */
#define EXFAT_ZERO_LEN		53
#define EXFAT_FAT_OFFSET	80
#define EXFAT_FAT_LENGTH	84
#define EXFAT_HEAP_OFFSET	88
#define EXFAT_CLUSTER_COUNT	92
#define EXFAT_ROOT_CLUSTER	96
#define EXFAT_SERIAL		100
#define EXFAT_SECTOR_SHIFT	108
#define EXFAT_CLUSTER_SHIFT	109
#define EXFAT_NR_FATS		110
#define EXFAT_ENTRY_EOD		0x00
#define EXFAT_ENTRY_LABEL	0x83
#define EXFAT_LABEL_MAX		11	/* UTF-16 characters */
#define EXFAT_DIR_MAX_ENTRIES	65536	/* the label is among the first few entries */

/* The boot region checksum (exFAT spec 3.4) over sectors 0-10, repeated through sector 11. */
static int exfat_checksum_ok(struct probe_dev *dev, uint32_t sector)
{
	uint8_t buf[4096];
	uint32_t sum = 0, s, i;
	int err;

	for (s = 0; s < 11; s++) {
		err = probe_read(dev, (uint64_t)s * sector, buf, sector);
		if (err)
			return err;
		for (i = 0; i < sector; i++) {
			if (s == 0 && (i == 106 || i == 107 || i == 112))	/* flags, percent in use */
				continue;
			sum = ((sum & 1) ? 0x80000000u : 0) + (sum >> 1) + buf[i];
		}
	}
	err = probe_read(dev, 11ull * sector, buf, sector);
	if (err)
		return err;
	for (i = 0; i < sector; i += 4)
		if (probe_le32(buf + i) != sum)
			return -ENOENT;
	return 0;
}

static int exfat_find_label(struct probe_dev *dev, const uint8_t *bs, uint8_t ent[FAT_ENTRY])
{
	uint32_t sshift = bs[EXFAT_SECTOR_SHIFT], cshift = bs[EXFAT_CLUSTER_SHIFT];
	uint64_t csize = 1ull << (sshift + cshift);
	uint64_t heap = (uint64_t)probe_le32(bs + EXFAT_HEAP_OFFSET) << sshift;
	uint64_t fat = (uint64_t)probe_le32(bs + EXFAT_FAT_OFFSET) << sshift;
	uint32_t cluster = probe_le32(bs + EXFAT_ROOT_CLUSTER);
	uint64_t off = heap + ((uint64_t)(cluster - 2) << (sshift + cshift));
	uint32_t i;
	int err;

	for (i = 0; i < EXFAT_DIR_MAX_ENTRIES; i++) {
		err = probe_read(dev, off, ent, FAT_ENTRY);
		if (err)
			return err == -ENOENT ? 0 : err;
		if (ent[0] == EXFAT_ENTRY_EOD)
			return 0;
		if (ent[0] == EXFAT_ENTRY_LABEL)
			return 1;
		off += FAT_ENTRY;
		if ((off - heap) % csize == 0) {	/* end of cluster: follow the FAT */
			uint8_t e[4];

			if (probe_read(dev, fat + (uint64_t)cluster * 4, e, 4))
				return 0;
			cluster = probe_le32(e);
			if (cluster < 2 || cluster > 0xffffff6)
				return 0;
			off = heap + ((uint64_t)(cluster - 2) << (sshift + cshift));
		}
	}
	return 0;
}

int probe_fat_identify_exfat(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t bs[512], ent[FAT_ENTRY];
	uint32_t sshift, cshift, nfats, fat_off, fat_len, heap, root;
	int err, found;

	err = probe_read(dev, 0, bs, sizeof(bs));
	if (err)
		return err;
	if (memcmp(bs + EXFAT_NAME, "EXFAT   ", 8) != 0)
		return -ENOENT;
	if (memcmp(bs, "\xeb\x76\x90", 3) != 0 || bs[510] != 0x55 || bs[511] != 0xaa ||
	    !probe_is_zero(bs + EXFAT_ZERO, EXFAT_ZERO_LEN))
		return -ENOENT;

	sshift = bs[EXFAT_SECTOR_SHIFT];
	cshift = bs[EXFAT_CLUSTER_SHIFT];
	nfats = bs[EXFAT_NR_FATS];
	fat_off = probe_le32(bs + EXFAT_FAT_OFFSET);
	fat_len = probe_le32(bs + EXFAT_FAT_LENGTH);
	heap = probe_le32(bs + EXFAT_HEAP_OFFSET);
	root = probe_le32(bs + EXFAT_ROOT_CLUSTER);
	if (nfats < 1 || nfats > 2 || sshift < 9 || sshift > 12 || cshift > 25 - sshift)
		return -ENOENT;
	if (fat_off < 24 || (uint64_t)fat_off + (uint64_t)fat_len * nfats > heap ||
	    heap > 1u << 31)
		return -ENOENT;
	if (root < 2 || root > (uint64_t)probe_le32(bs + EXFAT_CLUSTER_COUNT) + 1)
		return -ENOENT;
	err = exfat_checksum_ok(dev, 1u << sshift);
	if (err)
		return err;

	found = exfat_find_label(dev, bs, ent);
	if (found < 0)
		return found;
	snprintf(res->type, sizeof(res->type), "exfat");
	if (found) {
		size_t n = (size_t)ent[1] * 2;

		probe_set_label_enc(res, ent + 2, n < 2 * EXFAT_LABEL_MAX ? n : 2 * EXFAT_LABEL_MAX,
				    PROBE_ENC_UTF16LE);
	}
	fat_set_serial(res, bs + EXFAT_SERIAL);
	return 0;
}
