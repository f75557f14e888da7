// SPDX-License-Identifier: GPL-2.0
/* Host tests of the rw branch options: live.persist.ro (+ dracut's alias), live.ramdev,
 * live.persist.create's sizes (persist_create.c) and zram's live.ramsize (zram.c). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "live.h"
#include "size.h"

#define MIB (1ULL << 20)

static struct live_cfg parse(const char *line)
{
	struct live_cfg o;
	char buf[1024];

	cmdline_defaults(&o);
	snprintf(buf, sizeof(buf), "%s", line);
	cmdline_parse(&o, buf);
	return o;
}

TEST(rw_options_parse)
{
	struct live_cfg o = parse("live.persist=auto");

	CHECK(!o.persist_ro);
	CHECK_STR(o.ramdev, "tmpfs");
	CHECK_STR(o.persist_create, "");
	o = parse("live.persist=auto live.persist.ro live.ramdev=zram live.persist.create");
	CHECK(o.persist_ro);
	CHECK_STR(o.ramdev, "zram");
	CHECK_STR(o.persist_create, "default");
	CHECK_STR(o.warnings, "");
	o = parse("live.persist.create=2G live.ramdev=zfs");
	CHECK_STR(o.persist_create, "2G");
	CHECK_STR(o.ramdev, "tmpfs");
	CHECK(strstr(o.warnings, "live.ramdev=zfs: not tmpfs or zram") != NULL);
	/* dracut: rd.live.overlay=... rd.live.overlay.readonly=1 */
	o = parse("root=live:CDLABEL=X rd.live.overlay=LABEL=P:/o.img rd.live.overlay.readonly=1");
	CHECK(o.persist_ro);
	CHECK_STR(o.unknown, "");
	o = parse("rd.live.overlay.readonly");
	CHECK(o.persist_ro);
	o = parse("rd.live.overlay.readonly=0");
	CHECK(!o.persist_ro);
	o = parse("live.persist.r0");
	CHECK(strstr(o.warnings, "did you mean live.persist.ro") != NULL);
}

TEST(persist_create_default_size)
{
	char why[128];

	/* half the free space (1 MiB kept back), in whole MiB */
	CHECK_EQ(pcreate_size("default", "exfat", 161 * MIB, why, sizeof(why)), 80 * MIB);
	CHECK_EQ(pcreate_size("", "vfat", 1001 * MIB, why, sizeof(why)), 500 * MIB);
	/* at most 4095 MiB (a FAT32 file is under 4 GiB), on any filesystem */
	CHECK_EQ(pcreate_size("default", "ext4", 100000 * MIB, why, sizeof(why)), 4095 * MIB);
	/* too little room: 0 and a reason */
	CHECK_EQ(pcreate_size("default", "vfat", 40 * MIB, why, sizeof(why)), 0);
	CHECK(strstr(why, "under 32 MiB") != NULL);
}

TEST(persist_create_given_size)
{
	char why[128];

	CHECK_EQ(pcreate_size("64", "vfat", 200 * MIB, why, sizeof(why)), 64 * MIB);
	CHECK_EQ(pcreate_size("1G", "ext4", 2000 * MIB, why, sizeof(why)), 1024 * MIB);
	CHECK_EQ(pcreate_size("300M", "exfat", 200 * MIB, why, sizeof(why)), 0);
	CHECK(strstr(why, "300 MiB wanted, 199 MiB free") != NULL);
	CHECK_EQ(pcreate_size("5G", "vfat", 10000 * MIB, why, sizeof(why)), 0);
	CHECK(strstr(why, "FAT32") != NULL);
	CHECK_EQ(pcreate_size("5G", "exfat", 10000 * MIB, why, sizeof(why)), 5120 * MIB);
	CHECK_EQ(pcreate_size("lots", "ext4", 10000 * MIB, why, sizeof(why)), 0);
	CHECK(strstr(why, "not a size") != NULL);
}

TEST(zram_ramsize)
{
	CHECK_EQ(zram_size_bytes("50%", 1000 * MIB), 500 * MIB);
	CHECK_EQ(zram_size_bytes("512m", 1000 * MIB), 512 * MIB);
	CHECK_EQ(zram_size_bytes("2G", 1000 * MIB), 2048 * MIB);
	CHECK_EQ(zram_size_bytes("4096", 1000 * MIB), 4096);	/* bytes, as tmpfs' size= */
	CHECK_EQ(zram_size_bytes("150%", 1000 * MIB), 0);
	CHECK_EQ(zram_size_bytes("x", 1000 * MIB), 0);
	CHECK_EQ(zram_size_bytes("5%x", 1000 * MIB), 0);
}

TEST(size_parse_forms)
{
	/* the one parser of live.persist.create=, live.ramsize= (zram) and mkimage usb */
	CHECK_EQ(size_parse("64", MIB), 64 * MIB);
	CHECK_EQ(size_parse("64", 1), 64);
	CHECK_EQ(size_parse("64", 0), 0);		/* a suffix is required */
	CHECK_EQ(size_parse("4k", 0), 4096);
	CHECK_EQ(size_parse("512MiB", 0), 512 * MIB);
	CHECK_EQ(size_parse("2gb", 0), 2048 * MIB);
	CHECK_EQ(size_parse("1T", 0), 1ULL << 40);
	CHECK_EQ(size_parse("1Tx", 0), 0);
	CHECK_EQ(size_parse("-1G", 0), 0);
	CHECK_EQ(size_parse(" 1G", 0), 0);
	CHECK_EQ(size_parse("", MIB), 0);
	CHECK_EQ(size_parse("99999999999999T", 0), 0);	/* does not fit */
}

TEST(size_parse_2_64_and_above)
{
	/* strtoull gives 2^64-1 for these: an error, not "the largest size" */
	CHECK_EQ(size_parse("18446744073709551615", 1), ~0ULL);	/* 2^64-1 itself fits */
	CHECK_EQ(size_parse("18446744073709551616", 1), 0);	/* 2^64 */
	CHECK_EQ(size_parse("99999999999999999999999", 1), 0);
	CHECK_EQ(size_parse("18446744073709551616", MIB), 0);
	CHECK_EQ(zram_size_bytes("18446744073709551616", 1000 * MIB), 0);
}

/* live.helper.timeout=: an e2fsck that hangs (and leaves a child holding its output) is
 * killed with its process group at the deadline, the persistence is not used, and the
 * result says why; one that ends in time is judged by its exit code. */
TEST(fsck_helper_deadline)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	const char *hang[] = { "/bin/sh", "-c", "sleep 60 & sleep 60", "e2fsck", "/dev/x", NULL };
	const char *clean[] = { "/bin/sh", "-c", "echo clean", "e2fsck", "/dev/x", NULL };
	char result[200];
	uint64_t t0;
	int err;

	cmdline_defaults(&cfg);
	CHECK_EQ(cfg.helper_timeout, 300);
	cfg = parse("live.helper.timeout=1");
	CHECK_EQ(cfg.helper_timeout, 1);
	t0 = live_now_ms();
	err = fsck_run(&ctx, hang, "/dev/x", result, sizeof(result));
	CHECK_EQ(err, -EUCLEAN);
	CHECK(live_now_ms() - t0 < 5000);
	CHECK(strstr(result, "did not end within 1 s (live.helper.timeout=): killed, not used") != NULL);
	/* the whole group is gone: no "sleep 60" is left */
	CHECK(system("sleep 0.3; ! pgrep -f '^sleep 60$' >/dev/null") == 0);
	CHECK_EQ(fsck_run(&ctx, clean, "/dev/x", result, sizeof(result)), 0);
	CHECK(strstr(result, "e2fsck exit 0: clean") != NULL);
	cfg = parse("live.helper.timeout=0");
	CHECK_EQ(cfg.helper_timeout, 300);
	CHECK(strstr(cfg.warnings, "live.helper.timeout=0: not a number of seconds (1-3600)") != NULL);
}

int main(void)
{
	RUN(rw_options_parse);
	RUN(persist_create_default_size);
	RUN(persist_create_given_size);
	RUN(zram_ramsize);
	RUN(size_parse_forms);
	RUN(size_parse_2_64_and_above);
	RUN(fsck_helper_deadline);
	return HARNESS_END();
}
