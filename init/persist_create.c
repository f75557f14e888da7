// SPDX-License-Identifier: GPL-2.0
/*
 * live.persist.create[=SIZE]: how big the new persistence image file is, and which
 * partitions may hold it (never an EFI system partition). The file itself is made by
 * persist.c's create_file(), never over an existing file, with no repartitioning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "size.h"

#define MIB			(1ULL << 20)
/* the default: half the free space, at most 4095 MiB (a FAT32 file is under 4 GiB) */
#define CREATE_DEFAULT_MAX	(4095 * MIB)
#define CREATE_MIN		(32 * MIB)
#define FAT_FILE_MAX		(4095 * MIB)

unsigned long long pcreate_size(const char *opt, const char *fstype, unsigned long long avail,
				char *why, size_t len)
{
	unsigned long long size;

	/* keep 1 MiB of the partition free for its own metadata */
	avail = avail > MIB ? avail - MIB : 0;
	if (!*opt || !strcmp(opt, "default")) {
		size = avail / 2;
		if (size > CREATE_DEFAULT_MAX)
			size = CREATE_DEFAULT_MAX;
		size &= ~(MIB - 1);
		if (size < CREATE_MIN) {
			snprintf(why, len, "%llu MiB free, the default size (half of it) is under "
				 "%llu MiB", (avail + MIB) >> 20, CREATE_MIN >> 20);
			return 0;
		}
		return size;
	}
	size = size_parse(opt, MIB) & ~(MIB - 1);
	if (size < MIB) {
		snprintf(why, len, "%s is not a size of 1M or more", opt);
		return 0;
	}
	if (!strcmp(fstype, "vfat") && size > FAT_FILE_MAX) {
		snprintf(why, len, "%llu MiB: a FAT32 file is under 4 GiB (at most 4095M)",
			 size >> 20);
		return 0;
	}
	if (size > avail) {
		snprintf(why, len, "%llu MiB wanted, %llu MiB free", size >> 20, avail >> 20);
		return 0;
	}
	return size;
}

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The EFI system partition's type: 0xEF in an MBR, C12A7328-F81F-11D2-BA4B-00A0C93EC93B
 * (stored mixed-endian) in a GPT. */
static const unsigned char esp_guid[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

bool pcreate_is_esp(const char *name)
{
	unsigned char mbr[512], gpt[512], ent[128];
	char path[128], disk[32], num[16];
	unsigned long long part, lba, esize;
	bool protective = false;
	int fd, i;

	snprintf(path, sizeof(path), "/sys/class/block/%s/partition", name);
	if (file_read(path, num, sizeof(num)) <= 0)
		return false;
	part = strtoull(num, NULL, 10);
	snprintf(path, sizeof(path), "/dev/%s", devlist_disk_of(name, disk, sizeof(disk)));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (pread(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr) || mbr[510] != 0x55 ||
	    mbr[511] != 0xaa)
		goto no;
	for (i = 0; i < 4; i++)
		protective |= mbr[446 + 16 * i + 4] == 0xee;
	/* Linux reads the MBR unless it is protective (the hybrid ISO has both tables) */
	if (!protective) {
		close(fd);
		return part >= 1 && part <= 4 && mbr[446 + 16 * (part - 1) + 4] == 0xef;
	}
	if (pread(fd, gpt, sizeof(gpt), 512) != (ssize_t)sizeof(gpt) || memcmp(gpt, "EFI PART", 8))
		goto no;
	lba = le(gpt + 72, 8);
	esize = le(gpt + 84, 4);
	if (part < 1 || part > le(gpt + 80, 4) || esize < 16 || esize > sizeof(ent) * 8)
		goto no;
	if (pread(fd, ent, 16, (off_t)(lba * 512 + (part - 1) * esize)) != 16)
		goto no;
	close(fd);
	return !memcmp(ent, esp_guid, sizeof(esp_guid));
no:
	close(fd);
	return false;
}
