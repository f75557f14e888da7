/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MBR partition table of a disk (or a disk image file): read it, find the largest
 * free space after what is there (partitions, a hybrid ISO's GPT structures, the first
 * MiB), and add one primary partition in a free slot. Nothing else of the disk is written.
 */
#ifndef LIVE_MBR_H
#define LIVE_MBR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MBR_SLOTS	4
#define MBR_ALIGN	(1ULL << 20)	/* new partitions start and end on MiB boundaries */

struct mbr_part {
	unsigned char type;
	uint64_t start, count;		/* in logical sectors; count 0 = unused */
};

struct mbr_table {
	unsigned char raw[512];		/* sector 0 as read */
	unsigned ssz;			/* logical sector size */
	uint64_t sectors;		/* the disk's size in sectors */
	struct mbr_part p[MBR_SLOTS];
	bool protective;		/* an 0xEE entry: Linux reads the GPT, not this table */
	/* a GPT beside a non-protective MBR (xorriso's hybrid ISO): its header and
	 * entries, primary and backup, are kept clear (0 = none) */
	uint64_t gpt_lo[2], gpt_hi[2];
};

/* Where a new partition goes: slot 0..3 (partition number slot + 1). */
struct mbr_plan {
	int slot;
	uint64_t start, count;		/* sectors */
};

/*
 * Read sector 0 (and the GPT headers if any) of fd, a disk of size bytes with logical
 * sector size ssz. 0, or -errno with why set (no 0x55AA signature: -EMEDIUMTYPE).
 */
int mbr_read(int fd, uint64_t size, unsigned ssz, struct mbr_table *t, char *why, size_t len);

/*
 * A primary partition of want bytes (0 = all of it) in the largest free space, 1 MiB
 * aligned, overlapping nothing; min is the smallest size accepted. 0, or -errno with
 * why set: -ENOSPC (no room), -EMLINK (no free slot), -EOPNOTSUPP (protective MBR).
 */
int mbr_plan_add(const struct mbr_table *t, uint64_t want, uint64_t min, struct mbr_plan *pl,
		 char *why, size_t len);

/*
 * Write the plan's entry (type) into sector 0 of fd, after checking that sector 0 is
 * still what t holds; only the 16 bytes of the slot change. Synced and read back.
 */
int mbr_write_add(int fd, const struct mbr_table *t, const struct mbr_plan *pl, unsigned char type,
		  char *why, size_t len);

/* Put sector 0 back as t holds it (undo mbr_write_add). */
int mbr_restore(int fd, const struct mbr_table *t);

#endif
