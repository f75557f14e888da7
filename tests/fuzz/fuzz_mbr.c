// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: lib/mbr.c reading a disk's sector 0 and GPT, then planning a partition. Input: byte 0
 * picks the sector size (512 or 4096), bytes 1-4 the disk size in MiB, the rest is the disk. */
#include <errno.h>

#include "fuzz.h"
#include "mbr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned ssz;
	uint64_t disk;
	char why[256];
	int fd;

	if (size < 5)
		return 0;
	ssz = data[0] & 1 ? 4096 : 512;
	disk = ((uint64_t)data[1] | (uint64_t)data[2] << 8 | (uint64_t)data[3] << 16 |
		(uint64_t)data[4] << 24) << 20;
	fd = fuzz_memfd(data + 5, size - 5);
	if (fd < 0)
		return 0;
	if (mbr_read(fd, disk, ssz, &t, why, sizeof(why)) == 0) {
		int err = mbr_plan_add(&t, (uint64_t)(data[0] >> 1) << 20, 32ULL << 20, &pl, why,
				       sizeof(why));

		/* a plan lies on the disk, after the first MiB, inside the MBR's 32 bits */
		if (!err && (pl.start < (1ULL << 20) / ssz || pl.start + pl.count > t.sectors ||
			     pl.count > 0xffffffffULL || pl.start > 0xffffffffULL || !pl.count))
			abort();
		/* and overlaps no partition */
		for (int i = 0; !err && i < MBR_SLOTS; i++)
			if (t.p[i].count && pl.start < t.p[i].start + t.p[i].count &&
			    t.p[i].start < pl.start + pl.count)
				abort();
	}
	close(fd);
	return 0;
}
