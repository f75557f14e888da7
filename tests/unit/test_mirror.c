// SPDX-License-Identifier: GPL-2.0
/* Unit tests for init/mirror.c: live.fetch='s mirror list and the choice by MAC address. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "harness.h"

static int parse(struct fetch_mirrors *m, const char *v, struct fail *f)
{
	f->stage = ST_NONE;
	f->why[0] = '\0';
	return fetch_mirrors_parse(m, v, f);
}

TEST(one_value_is_one_mirror)
{
	static struct fetch_mirrors m;
	struct fail f;

	CHECK_EQ(parse(&m, "http://10.0.2.2/live/10-a.squashfs,http://10.0.2.2/live/20-b.squashfs", &f), 0);
	CHECK_EQ(m.n, 1);
	CHECK_STR(m.spec[0], "http://10.0.2.2/live/10-a.squashfs,http://10.0.2.2/live/20-b.squashfs");
	CHECK_EQ(parse(&m, "/livestack/", &f), 0);
	CHECK_EQ(m.n, 1);
}

TEST(blanks_separate_mirrors)
{
	static struct fetch_mirrors m;
	struct fail f;

	CHECK_EQ(parse(&m, "  http://a/live/ \thttp://b:8080/live/  /livestack/ ", &f), 0);
	CHECK_EQ(m.n, 3);
	CHECK_STR(m.spec[0], "http://a/live/");
	CHECK_STR(m.spec[1], "http://b:8080/live/");
	CHECK_STR(m.spec[2], "/livestack/");
	CHECK_EQ(m.order[0], 0);
	CHECK_EQ(m.order[2], 2);
}

TEST(bad_input_has_a_clear_message)
{
	static struct fetch_mirrors m;
	struct fail f;

	CHECK_EQ(parse(&m, "http://a/x.squashfs,,http://a/y.squashfs", &f), -EINVAL);
	CHECK(strstr(f.why, "an empty element"));
	CHECK_EQ(f.stage, ST_URL);
	CHECK_EQ(parse(&m, "http://a/live/ http://b/x.squashfs,", &f), -EINVAL);
	CHECK(strstr(f.why, "an empty element") && strstr(f.why, "http://b/x.squashfs,"));
	CHECK_EQ(parse(&m, "   ", &f), -EINVAL);
	CHECK(strstr(f.why, "live.fetch= is empty"));
	CHECK_EQ(parse(&m, "http://a/ https://b/live/", &f), -EPROTONOSUPPORT);
	CHECK(strstr(f.why, "\"https://b/live/\": /init speaks http:// only (https:// is not supported: no TLS"));
	CHECK_EQ(parse(&m, "ftp://b/live/", &f), -EPROTONOSUPPORT);
	CHECK(strstr(f.why, "ftp:// is not supported"));
	CHECK_EQ(parse(&m, "b/live/", &f), -EINVAL);
	CHECK(strstr(f.why, "\"b/live/\" is neither http://SERVER/PATH nor /PATH"));
	CHECK_EQ(parse(&m, "http:///live/", &f), -EINVAL);
	CHECK(strstr(f.why, "names no server"));
	CHECK_EQ(parse(&m, "/1/ /2/ /3/ /4/ /5/ /6/ /7/ /8/", &f), 0);
	CHECK_EQ(m.n, 8);
	CHECK_EQ(parse(&m, "/1/ /2/ /3/ /4/ /5/ /6/ /7/ /8/ /9/", &f), -E2BIG);
	CHECK(strstr(f.why, "more than 8 mirrors"));
}

/* The boot line as mkimage pxe writes it: the quotes make the mirrors one value. */
TEST(cmdline_quoted_value)
{
	static struct live_cfg o;
	static struct fetch_mirrors m;
	struct fail f;

	cmdline_defaults(&o);
	cmdline_parse(&o, "ip=dhcp \"live.fetch=http://a/l/ http://b/l/\" console=ttyS0");
	CHECK_STR(o.fetch, "http://a/l/ http://b/l/");
	CHECK_STR(o.unknown, "console=ttyS0");	/* ip= is an alias (live.net) */
	CHECK_EQ(parse(&m, o.fetch, &f), 0);
	CHECK_EQ(m.n, 2);
	cmdline_defaults(&o);
	cmdline_parse(&o, "live.fetch=\"http://a/l/ http://b/l/\"");
	CHECK_STR(o.fetch, "http://a/l/ http://b/l/");
}

TEST(mac_parse)
{
	uint8_t mac[6];

	CHECK_EQ(fetch_mac_parse("52:54:00:12:34:56", mac), 0);
	CHECK(mac[0] == 0x52 && mac[3] == 0x12 && mac[5] == 0x56);
	CHECK_EQ(fetch_mac_parse("AA:bb:cc:dd:ee:FF", mac), 0);
	CHECK(mac[0] == 0xaa && mac[5] == 0xff);
	CHECK_EQ(fetch_mac_parse("", mac), -EINVAL);
	CHECK_EQ(fetch_mac_parse("52:54:00:12:34", mac), -EINVAL);
	CHECK_EQ(fetch_mac_parse("52:54:00:12:34:56:78", mac), -EINVAL);
	CHECK_EQ(fetch_mac_parse("52-54-00-12-34-56", mac), -EINVAL);
}

/* The same MAC the same order, whatever the order of the list; every mirror once. */
TEST(order_is_stable)
{
	static struct fetch_mirrors m, r;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct fail f;
	size_t i, seen = 0;

	CHECK_EQ(parse(&m, "http://a/l/ http://b/l/ http://c/l/", &f), 0);
	CHECK_EQ(parse(&r, "http://c/l/ http://a/l/ http://b/l/", &f), 0);
	fetch_mirrors_order(&m, mac);
	fetch_mirrors_order(&r, mac);
	for (i = 0; i < 3; i++) {
		CHECK_STR(m.spec[m.order[i]], r.spec[r.order[i]]);
		seen |= 1u << m.order[i];
	}
	CHECK_EQ(seen, 7);
	fetch_mirrors_order(&r, NULL);
	CHECK(r.order[0] == 0 && r.order[1] == 1 && r.order[2] == 2);
}

/* 1000 MACs over 3 mirrors: each is the first choice of 25-42 %, and a dead mirror's
 * clients go to both others (their second choice), not all to one. */
static void spread(const char *what, uint8_t base[6], int step_mode)
{
	static struct fetch_mirrors m;
	struct fail f;
	int first[3] = { 0 }, second_of_0[3] = { 0 }, i, k;
	uint32_t x = 12345;

	CHECK_EQ(parse(&m, "http://10.0.0.1/livestack/ http://10.0.0.2/livestack/ http://10.0.0.3/livestack/", &f), 0);
	for (i = 0; i < 1000; i++) {
		uint8_t mac[6];

		memcpy(mac, base, 6);
		if (step_mode) {	/* consecutive addresses, as a classroom bought at once */
			mac[4] = (uint8_t)(base[4] + ((base[5] + i) >> 8));
			mac[5] = (uint8_t)(base[5] + i);
		} else {		/* scattered */
			for (k = 3; k < 6; k++) {
				x = x * 1103515245u + 12345u;
				mac[k] = (uint8_t)(x >> 16);
			}
		}
		fetch_mirrors_order(&m, mac);
		first[m.order[0]]++;
		if (m.order[0] == 0)
			second_of_0[m.order[1]]++;
	}
	printf("# %s: first choice %d/%d/%d of 1000; mirror 0's clients fail over to 1: %d, 2: %d\n",
	       what, first[0], first[1], first[2], second_of_0[1], second_of_0[2]);
	for (k = 0; k < 3; k++)
		CHECK(first[k] >= 250 && first[k] <= 420);
	CHECK(second_of_0[1] > first[0] / 4 && second_of_0[2] > first[0] / 4);
}

TEST(order_spreads_consecutive_macs)
{
	uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x00, 0x00 };

	spread("consecutive", base, 1);
}

TEST(order_spreads_scattered_macs)
{
	uint8_t base[6] = { 0x00, 0x1b, 0x21, 0, 0, 0 };

	spread("scattered", base, 0);
}

int main(void)
{
	RUN(one_value_is_one_mirror);
	RUN(blanks_separate_mirrors);
	RUN(bad_input_has_a_clear_message);
	RUN(cmdline_quoted_value);
	RUN(mac_parse);
	RUN(order_is_stable);
	RUN(order_spreads_consecutive_macs);
	RUN(order_spreads_scattered_macs);
	return HARNESS_END();
}
