// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/mbr.c on image files: a hybrid ISO's MBR + GPT (as xorriso writes
 * them), the largest free space, alignment, the 2 TiB limit, and every refusal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mbr.h"

#define MIB		(1ULL << 20)
#define ISO_SECTORS	28672ULL	/* a 14 MiB ISO */

static char tmp[] = "/tmp/test_mbr.XXXXXX";
static char img[64];

static void put32(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static void entry(unsigned char *sec, int slot, unsigned char type, uint64_t start, uint64_t n)
{
	unsigned char *e = sec + 446 + 16 * slot;

	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, n);
}

/*
 * A disk of size bytes starting with what xorriso -isohybrid-mbr -isohybrid-gpt-basdat
 * writes: boot code, entry 1 type 0 over the ISO from sector 0 (bootable), entry 2 the
 * EFI image (0xEF) inside it, a GPT at sector 1 with its backup at the ISO's end; the
 * ISO region is random bytes. ssz: the logical sector size.
 */
static int make_hybrid(uint64_t size, unsigned ssz, bool gpt)
{
	uint64_t iso = 14 * MIB, i;
	unsigned char *d = malloc(iso);
	int fd;

	if (!d)
		return -1;
	srand(7);
	for (i = 0; i < iso; i++)
		d[i] = rand() & 0xff;
	memset(d + 446, 0, 64);
	d[446] = 0x80;
	entry(d, 0, 0x00, 0, iso / ssz);
	entry(d, 1, 0xef, 148 * 512 / ssz, 1968 * 512 / ssz);
	d[510] = 0x55;
	d[511] = 0xaa;
	if (gpt) {
		unsigned char *h = d + ssz;

		memcpy(h, "EFI PART", 8);
		put64(h + 24, 1);
		put64(h + 32, iso / ssz - 1);	/* the backup header: the ISO's last sector */
		put64(h + 72, 2);
		put32(h + 80, 128);
		put32(h + 84, 128);
	}
	fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pwrite(fd, d, iso, 0) != (ssize_t)iso || ftruncate(fd, (off_t)size) < 0) {
		free(d);
		return -1;
	}
	free(d);
	return fd;
}

static int read_table(int fd, uint64_t size, unsigned ssz, struct mbr_table *t)
{
	char why[200];

	return mbr_read(fd, size, ssz, t, why, sizeof(why));
}

static unsigned char *slurp(int fd, size_t n)
{
	unsigned char *b = malloc(n);

	if (b && pread(fd, b, n, 0) != (ssize_t)n) {
		free(b);
		return NULL;
	}
	return b;
}

TEST(hybrid_iso_read)
{
	struct mbr_table t;
	int fd = make_hybrid(256 * MIB, 512, true);

	CHECK(fd >= 0);
	CHECK_EQ(read_table(fd, 256 * MIB, 512, &t), 0);
	CHECK_EQ(t.p[0].type, 0);
	CHECK_EQ(t.p[0].count, ISO_SECTORS);
	CHECK_EQ(t.p[1].type, 0xef);
	CHECK(!t.protective);
	CHECK_EQ(t.gpt_lo[0], 1);
	CHECK_EQ(t.gpt_hi[0], 2 + 32);
	CHECK_EQ(t.gpt_lo[1], ISO_SECTORS - 1 - 32);
	CHECK_EQ(t.gpt_hi[1], ISO_SECTORS);
	CHECK_EQ(t.sectors, 256 * MIB / 512);
	close(fd);
}

TEST(hybrid_iso_plan_all_free_space)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.slot, 2);			/* entries 1 and 2 are the ISO's */
	CHECK_EQ(pl.start, 14 * MIB / 512);
	CHECK_EQ(pl.count, (256 - 14) * MIB / 512);
	CHECK_EQ(mbr_plan_add(&t, 100 * MIB + 4096, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.count, 100 * MIB / 512);	/* rounded down to whole MiB */
	close(fd);
}

/* Only the 16 bytes of the new slot change: boot code, the other entries, the GPT and
 * the ISO's data are byte for byte what they were. */
TEST(write_changes_only_the_slot)
{
	struct mbr_table t, t2;
	struct mbr_plan pl;
	char why[200];
	size_t n = 16 * MIB, i, diff = 0, outside = 0;
	int fd = make_hybrid(256 * MIB, 512, true);
	unsigned char *before = slurp(fd, n), *after;

	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(mbr_write_add(fd, &t, &pl, 0x83, why, sizeof(why)), 0);
	after = slurp(fd, n);
	CHECK(before && after);
	for (i = 0; before && after && i < n; i++)
		if (before[i] != after[i]) {
			diff++;
			outside += i < 446 + 32 || i >= 446 + 48;
		}
	CHECK(diff > 0);
	CHECK_EQ(outside, 0);
	CHECK_EQ(read_table(fd, 256 * MIB, 512, &t2), 0);
	CHECK_EQ(t2.p[2].type, 0x83);
	CHECK_EQ(t2.p[2].start, 14 * MIB / 512);
	CHECK_EQ(t2.p[2].count, 242 * MIB / 512);
	CHECK_EQ(t2.p[0].count, ISO_SECTORS);
	CHECK_EQ(t2.p[1].type, 0xef);
	/* a second plan finds no room: the new partition took it all */
	CHECK_EQ(mbr_plan_add(&t2, 0, 32 * MIB, &pl, why, sizeof(why)), -ENOSPC);
	/* undo puts sector 0 back */
	CHECK_EQ(mbr_restore(fd, &t), 0);
	free(after);
	after = slurp(fd, n);
	CHECK(after && before && !memcmp(after, before, n));
	free(before);
	free(after);
	close(fd);
}

/* busybox fdisk, an independent reader, sees the new partition where it was put. */
TEST(fdisk_reads_the_new_entry)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200], cmd[160], line[256];
	bool seen = false;
	FILE *p;
	int fd = make_hybrid(64 * MIB, 512, true);

	if (system("busybox fdisk --help >/dev/null 2>&1") == 127 || access("/usr/bin/busybox", X_OK)) {
		printf("# busybox not installed: skipped\n");
		close(fd);
		return;
	}
	read_table(fd, 64 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(mbr_write_add(fd, &t, &pl, 0x83, why, sizeof(why)), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "busybox fdisk -l %s 2>/dev/null", img);
	p = popen(cmd, "r");
	/* "IMG3  1023,254,63 1023,254,63  28672  131071  102400 50.0M 83 Linux": the
	 * first two plain numbers are the start and end sectors */
	while (p && fgets(line, sizeof(line), p)) {
		unsigned long long num[2];
		char *tok, *save, *end;
		int n = 0;

		if (strncmp(line, img, strlen(img)) || line[strlen(img)] != '3' || !strstr(line, " 83 "))
			continue;
		for (tok = strtok_r(line + strlen(img) + 1, " \t", &save); tok && n < 2;
		     tok = strtok_r(NULL, " \t", &save)) {
			num[n] = strtoull(tok, &end, 10);
			n += end != tok && !*end;
		}
		seen = n == 2 && num[0] == 28672 && num[1] == 64 * MIB / 512 - 1;
	}
	if (p)
		pclose(p);
	CHECK(seen);
}

TEST(iso_sized_disk_has_no_room)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200];
	int fd = make_hybrid(14 * MIB, 512, true);

	read_table(fd, 14 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), -ENOSPC);
	CHECK(strstr(why, "no free space of 32 MiB") != NULL);
	CHECK(strstr(why, "the largest is 0 MiB") != NULL);
	/* a little room, under the minimum */
	close(fd);
	fd = make_hybrid(40 * MIB, 512, true);
	read_table(fd, 40 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), -ENOSPC);
	CHECK(strstr(why, "the largest is 26 MiB") != NULL);
	CHECK_EQ(mbr_plan_add(&t, 0, 16 * MIB, &pl, why, sizeof(why)), 0);
	close(fd);
}

TEST(size_wanted_too_big_or_small)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 300 * MIB, 32 * MIB, &pl, why, sizeof(why)), -ENOSPC);
	CHECK_STR(why, "300 MiB wanted, the largest free space on the disk is 242 MiB");
	CHECK_EQ(mbr_plan_add(&t, 8 * MIB, 32 * MIB, &pl, why, sizeof(why)), -EINVAL);
	CHECK_EQ(mbr_plan_add(&t, 242 * MIB, 32 * MIB, &pl, why, sizeof(why)), 0);
	close(fd);
}

TEST(no_free_slot)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[512];
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	pread(fd, sec, 512, 0);
	entry(sec, 2, 0x83, 20 * MIB / 512, MIB / 512);
	entry(sec, 3, 0x0c, 30 * MIB / 512, MIB / 512);
	pwrite(fd, sec, 512, 0);
	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), -EMLINK);
	CHECK_STR(why, "all 4 MBR slots are in use");
	/* an entry of type 0 with a size is in use too (xorriso's first one is) */
	entry(sec, 3, 0x00, 30 * MIB / 512, MIB / 512);
	pwrite(fd, sec, 512, 0);
	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), -EMLINK);
	close(fd);
}

TEST(protective_mbr_and_no_table_refused)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[512];
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	pread(fd, sec, 512, 0);
	memset(sec + 446, 0, 64);
	entry(sec, 0, 0xee, 1, 256 * MIB / 512 - 1);
	pwrite(fd, sec, 512, 0);
	read_table(fd, 256 * MIB, 512, &t);
	CHECK(t.protective);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), -EOPNOTSUPP);
	sec[511] = 0;
	pwrite(fd, sec, 512, 0);
	CHECK_EQ(mbr_read(fd, 256 * MIB, 512, &t, why, sizeof(why)), -EMEDIUMTYPE);
	CHECK(strstr(why, "no MBR") != NULL);
	CHECK_EQ(mbr_read(fd, 256 * MIB, 1000, &t, why, sizeof(why)), -EINVAL);
	close(fd);
}

/* The largest gap wins, between partitions too; starts are rounded up to a MiB. */
TEST(largest_gap_aligned)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[512];
	char why[200];
	int fd = make_hybrid(512 * MIB, 512, false);

	pread(fd, sec, 512, 0);
	memset(sec + 446, 0, 64);
	entry(sec, 0, 0x83, MIB / 512, 10 * MIB / 512 + 1);	/* ends 1 sector past 11 MiB */
	entry(sec, 3, 0x83, 300 * MIB / 512, 150 * MIB / 512);	/* 300..450, 62 MiB after it */
	pwrite(fd, sec, 512, 0);
	read_table(fd, 512 * MIB, 512, &t);
	CHECK_EQ(t.gpt_hi[0], 0);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.slot, 1);
	CHECK_EQ(pl.start, 12 * MIB / 512);
	CHECK_EQ(pl.count, (300 - 12) * MIB / 512);
	close(fd);
}

/* A GPT backup beyond every partition is kept clear like a partition. */
TEST(gpt_backup_kept_clear)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[1024];
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	pread(fd, sec, 1024, 0);
	put64(sec + 512 + 32, 20 * MIB / 512);		/* backup header at 20 MiB */
	pwrite(fd, sec, 1024, 0);
	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(t.gpt_hi[1], 20 * MIB / 512 + 1);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.start, 21 * MIB / 512);
	CHECK_EQ(pl.count, (256 - 21) * MIB / 512);
	close(fd);
}

TEST(sector_size_4096)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200];
	int fd = make_hybrid(256 * MIB, 4096, true);

	CHECK_EQ(read_table(fd, 256 * MIB, 4096, &t), 0);
	CHECK_EQ(t.p[0].count, 14 * MIB / 4096);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.start, 14 * MIB / 4096);
	CHECK_EQ(pl.count, 242 * MIB / 4096);
	close(fd);
}

/* A table written for 512-byte sectors on a 4096-byte-sector disk: an entry lies past the
 * disk's end, and the gap before it stops at the end of the disk, not at that entry. */
TEST(gap_capped_at_disk_end)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[512];
	char why[200];
	int fd = make_hybrid(64 * MIB, 4096, false);	/* 16384 sectors of 4096 bytes */

	pread(fd, sec, 512, 0);
	memset(sec + 446, 0, 64);
	entry(sec, 0, 0x83, 2048, 2048);		/* 8..16 MiB */
	entry(sec, 1, 0x83, 100000, 1000);		/* past the end (390 MiB in) */
	pwrite(fd, sec, 512, 0);
	CHECK_EQ(read_table(fd, 64 * MIB, 4096, &t), 0);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK_EQ(pl.slot, 2);
	CHECK_EQ(pl.start, 4096);
	CHECK_EQ(pl.count, 16384 - 4096);
	CHECK(pl.start + pl.count <= t.sectors);
	/* wanting more than the disk holds is refused, not planned past its end */
	CHECK_EQ(mbr_plan_add(&t, 100 * MIB, 32 * MIB, &pl, why, sizeof(why)), -ENOSPC);
	close(fd);
}

/* Past 2 TiB (512-byte sectors) the MBR cannot say where: the partition stops there. */
TEST(mbr_32bit_limit)
{
	struct mbr_table t;
	struct mbr_plan pl;
	char why[200];
	uint64_t size = 3ULL << 40;
	int fd = make_hybrid(16 * MIB, 512, true);

	CHECK_EQ(read_table(fd, size, 512, &t), 0);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	CHECK(pl.count <= 0xffffffffULL);
	CHECK_EQ(pl.count % 2048, 0);
	CHECK_EQ(pl.start, 14 * MIB / 512);
	close(fd);
}

TEST(stale_table_not_written)
{
	struct mbr_table t;
	struct mbr_plan pl;
	unsigned char sec[512], now[512];
	char why[200];
	int fd = make_hybrid(256 * MIB, 512, true);

	read_table(fd, 256 * MIB, 512, &t);
	CHECK_EQ(mbr_plan_add(&t, 0, 32 * MIB, &pl, why, sizeof(why)), 0);
	pread(fd, sec, 512, 0);
	sec[10] ^= 1;		/* someone else wrote sector 0 meanwhile */
	pwrite(fd, sec, 512, 0);
	CHECK_EQ(mbr_write_add(fd, &t, &pl, 0x83, why, sizeof(why)), -ESTALE);
	pread(fd, now, 512, 0);
	CHECK(!memcmp(now, sec, 512));
	pl.slot = -1;
	CHECK_EQ(mbr_write_add(fd, &t, &pl, 0x83, why, sizeof(why)), -EINVAL);
	close(fd);
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	snprintf(img, sizeof(img), "%s/disk.img", tmp);
	RUN(hybrid_iso_read);
	RUN(hybrid_iso_plan_all_free_space);
	RUN(write_changes_only_the_slot);
	RUN(fdisk_reads_the_new_entry);
	RUN(iso_sized_disk_has_no_room);
	RUN(size_wanted_too_big_or_small);
	RUN(no_free_slot);
	RUN(protective_mbr_and_no_table_refused);
	RUN(largest_gap_aligned);
	RUN(gpt_backup_kept_clear);
	RUN(sector_size_4096);
	RUN(gap_capped_at_disk_end);
	RUN(mbr_32bit_limit);
	RUN(stale_table_not_written);
	unlink(img);
	rmdir(tmp);
	return HARNESS_END();
}
