// SPDX-License-Identifier: GPL-2.0
/*
 * The MBR partition table: read it, plan one new primary partition in the largest free
 * space, write that one entry. A hybrid ISO (xorriso -isohybrid-mbr with
 * -isohybrid-gpt-basdat) has an MBR whose first entry covers the ISO from sector 0 and a
 * GPT that Linux and UEFI ignore because the MBR has no protective 0xEE entry; both of
 * its GPT copies are kept clear like the partitions. A protective MBR (a GPT disk) is
 * not written: its table is the GPT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbr.h"

#define MBR_TABLE	446
#define MBR_MAX32	0xffffffffULL
#define GPT_ENTRIES_MAX	(1U << 16)

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le32(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

/* A GPT header at sector 1: the sectors of both copies of the header and entries. */
static void read_gpt(int fd, struct mbr_table *t)
{
	unsigned char *hdr = malloc(t->ssz);
	uint64_t alt, entries_lba, n, esz, esec;

	if (!hdr)
		return;
	if (pread(fd, hdr, t->ssz, t->ssz) != (ssize_t)t->ssz || memcmp(hdr, "EFI PART", 8))
		goto out;
	alt = get_le(hdr + 32, 8);
	entries_lba = get_le(hdr + 72, 8);
	n = get_le(hdr + 80, 4);
	esz = get_le(hdr + 84, 4);
	if (n > GPT_ENTRIES_MAX || esz < 128 || esz > 4096)
		n = 128, esz = 128;	/* nonsense: keep the usual 16 KiB clear */
	esec = (n * esz + t->ssz - 1) / t->ssz;
	t->gpt_lo[0] = 1;
	t->gpt_hi[0] = (entries_lba > 1 && entries_lba < t->sectors ? entries_lba : 2) + esec;
	/* the backup header at alt, its entries just before it */
	if (alt > esec && alt < t->sectors) {
		t->gpt_lo[1] = alt - esec;
		t->gpt_hi[1] = alt + 1;
	}
out:
	free(hdr);
}

int mbr_read(int fd, uint64_t size, unsigned ssz, struct mbr_table *t, char *why, size_t len)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (ssz < 512 || ssz > 65536 || (ssz & (ssz - 1))) {
		snprintf(why, len, "sector size %u is not a power of 2 from 512", ssz);
		return -EINVAL;
	}
	t->ssz = ssz;
	t->sectors = size / ssz;
	if (pread(fd, t->raw, sizeof(t->raw), 0) != (ssize_t)sizeof(t->raw)) {
		snprintf(why, len, "reading sector 0: %s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	if (t->raw[510] != 0x55 || t->raw[511] != 0xaa) {
		snprintf(why, len, "no MBR partition table (no 55 AA signature in sector 0)");
		return -EMEDIUMTYPE;
	}
	for (i = 0; i < MBR_SLOTS; i++) {
		const unsigned char *e = t->raw + MBR_TABLE + 16 * i;

		t->p[i].type = e[4];
		t->p[i].start = get_le(e + 8, 4);
		t->p[i].count = get_le(e + 12, 4);
		t->protective |= e[4] == 0xee;
	}
	read_gpt(fd, t);
	return 0;
}

struct extent {
	uint64_t lo, hi;
};

static int by_lo(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int mbr_plan_add(const struct mbr_table *t, uint64_t want, uint64_t min, struct mbr_plan *pl,
		 char *why, size_t len)
{
	struct extent used[MBR_SLOTS + 3];
	uint64_t a = MBR_ALIGN / t->ssz, cur = 0, best_lo = 0, best_n = 0, mib = MBR_ALIGN;
	size_t n = 0, i;

	memset(pl, 0, sizeof(*pl));
	pl->slot = -1;
	if (t->protective) {
		snprintf(why, len, "the disk has a GPT (protective MBR): only an MBR table is "
			 "extended");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < MBR_SLOTS && pl->slot < 0; i++)
		if (t->p[i].type == 0 && t->p[i].count == 0)
			pl->slot = (int)i;
	if (pl->slot < 0) {
		snprintf(why, len, "all 4 MBR slots are in use");
		return -EMLINK;
	}
	/* the first MiB (boot code, the tables), the partitions, the GPT copies */
	used[n++] = (struct extent){ 0, a };
	for (i = 0; i < MBR_SLOTS; i++)
		if (t->p[i].count)
			used[n++] = (struct extent){ t->p[i].start, t->p[i].start + t->p[i].count };
	for (i = 0; i < 2; i++)
		if (t->gpt_hi[i])
			used[n++] = (struct extent){ t->gpt_lo[i], t->gpt_hi[i] };
	qsort(used, n, sizeof(used[0]), by_lo);
	for (i = 0; i <= n; i++) {
		uint64_t lo = (cur + a - 1) / a * a;
		uint64_t hi = i < n ? used[i].lo : t->sectors;

		/* entries past the disk's end (a 512-byte table on a 4096-byte disk) */
		if (hi > t->sectors)
			hi = t->sectors;
		hi = hi / a * a;
		/* the MBR holds 32-bit sector numbers */
		if (lo <= MBR_MAX32 && hi > lo) {
			if (hi - lo > MBR_MAX32)
				hi = lo + MBR_MAX32 / a * a;
			if (hi - lo > best_n) {
				best_lo = lo;
				best_n = hi - lo;
			}
		}
		if (i < n && used[i].hi > cur)
			cur = used[i].hi;
	}
	want = want / t->ssz / a * a;
	if (want && want * t->ssz < min) {
		snprintf(why, len, "%llu MiB is under the smallest size, %llu MiB",
			 (unsigned long long)(want * t->ssz / mib), (unsigned long long)(min / mib));
		return -EINVAL;
	}
	if (best_n * t->ssz < min || (want && want > best_n)) {
		if (want)
			snprintf(why, len, "%llu MiB wanted, the largest free space on the disk is "
				 "%llu MiB", (unsigned long long)(want * t->ssz / mib),
				 (unsigned long long)(best_n * t->ssz / mib));
		else
			snprintf(why, len, "no free space of %llu MiB or more after the partitions "
				 "(the largest is %llu MiB)", (unsigned long long)(min / mib),
				 (unsigned long long)(best_n * t->ssz / mib));
		return -ENOSPC;
	}
	pl->start = best_lo;
	pl->count = want ? want : best_n;
	return 0;
}

int mbr_write_add(int fd, const struct mbr_table *t, const struct mbr_plan *pl, unsigned char type,
		  char *why, size_t len)
{
	unsigned char now[512], back[512], *e;

	if (pl->slot < 0 || pl->slot >= MBR_SLOTS || !pl->count || pl->start > MBR_MAX32 ||
	    pl->count > MBR_MAX32) {
		snprintf(why, len, "no partition planned");
		return -EINVAL;
	}
	if (pread(fd, now, sizeof(now), 0) != (ssize_t)sizeof(now)) {
		snprintf(why, len, "reading sector 0: %s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	if (memcmp(now, t->raw, sizeof(now))) {
		snprintf(why, len, "sector 0 changed since it was read: nothing written");
		return -ESTALE;
	}
	e = now + MBR_TABLE + 16 * pl->slot;
	memset(e, 0, 16);
	/* CHS past 1024 cylinders (LBA only), as partitioning tools write for big disks */
	e[1] = 0xfe; e[2] = 0xff; e[3] = 0xff;
	e[4] = type;
	e[5] = 0xfe; e[6] = 0xff; e[7] = 0xff;
	put_le32(e + 8, pl->start);
	put_le32(e + 12, pl->count);
	if (pwrite(fd, now, sizeof(now), 0) != (ssize_t)sizeof(now) || fsync(fd) < 0) {
		int err = errno ? errno : EIO;

		snprintf(why, len, "writing sector 0: %s", strerror(err));
		mbr_restore(fd, t);
		return -err;
	}
	if (pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
	    memcmp(back, now, sizeof(now))) {
		snprintf(why, len, "sector 0 does not read back as written");
		mbr_restore(fd, t);
		return -EIO;
	}
	return 0;
}

int mbr_restore(int fd, const struct mbr_table *t)
{
	if (pwrite(fd, t->raw, sizeof(t->raw), 0) != (ssize_t)sizeof(t->raw) || fsync(fd) < 0)
		return errno ? -errno : -EIO;
	return 0;
}
