// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/sha256.c: FIPS 180 vectors, split updates, sha256sum(1) on a random file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sha256.h"

static const char *hex_of(const void *data, size_t len)
{
	static char hex[SHA256_HEX_LEN + 1];
	uint8_t sum[SHA256_LEN];

	sha256(data, len, sum);
	return sha256_hex(sum, hex);
}

TEST(sha256_empty)
{
	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256_abc)
{
	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256_448_bits)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	CHECK_STR(hex_of(m, strlen(m)),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_896_bits)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	CHECK_STR(hex_of(m, strlen(m)),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_million_a)
{
	char *m = malloc(1000000);

	memset(m, 'a', 1000000);
	CHECK_STR(hex_of(m, 1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

/* The same million 'a' fed in odd pieces crosses every block boundary case. */
TEST(sha256_split_updates)
{
	static const size_t steps[] = { 1, 63, 64, 65, 127, 3, 4096, 55, 56, 57 };
	char hex[SHA256_HEX_LEN + 1];
	uint8_t sum[SHA256_LEN];
	struct sha256 c;
	char chunk[4096];
	size_t done = 0, i = 0;

	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	while (done < 1000000) {
		size_t n = steps[i++ % 10];

		if (n > 1000000 - done)
			n = 1000000 - done;
		sha256_update(&c, chunk, n);
		done += n;
	}
	sha256_final(&c, sum);
	CHECK_STR(sha256_hex(sum, hex), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_hex_roundtrip)
{
	const char *h = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	uint8_t sum[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];

	CHECK_EQ(sha256_parse_hex(h, sum), 0);
	CHECK_STR(sha256_hex(sum, hex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(sha256_parse_hex("abc", sum) < 0);
	CHECK(sha256_parse_hex("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sum) < 0);
}

/* A random 3 MiB + 17 bytes file, hashed in 1 MiB reads, against sha256sum(1). */
TEST(sha256_matches_sha256sum)
{
	char path[] = "/tmp/test_sha256.XXXXXX", cmd[256], want[SHA256_HEX_LEN + 1] = "";
	char hex[SHA256_HEX_LEN + 1];
	size_t len = 3 * 1048576 + 17, n;
	uint8_t sum[SHA256_LEN], *buf = malloc(1048576);
	struct sha256 c;
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0 && buf);
	if (fd < 0 || !buf)
		return;
	srand(4);
	for (n = 0; n < len; n += 1048576) {
		size_t k = len - n < 1048576 ? len - n : 1048576, j;

		for (j = 0; j < k; j++)
			buf[j] = (uint8_t)rand();
		CHECK_EQ(write(fd, buf, k), (long long)k);
	}
	lseek(fd, 0, SEEK_SET);
	sha256_init(&c);
	while ((n = (size_t)read(fd, buf, 1048576)) > 0 && n != (size_t)-1)
		sha256_update(&c, buf, n);
	sha256_final(&c, sum);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fscanf(f, "%64s", want) == 1);
		pclose(f);
	}
	CHECK_STR(sha256_hex(sum, hex), want);
	unlink(path);
	free(buf);
}

/* The CPU's SHA instructions (when there are any) and the portable rounds agree. */
TEST(sha256_accel_matches_portable)
{
	size_t len = 1048576 + 13, i, n;
	uint8_t *buf = malloc(len), a[SHA256_LEN], b[SHA256_LEN];

	CHECK(buf != NULL);
	if (!buf)
		return;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	for (n = 0; n <= len; n = n ? n * 3 + 1 : 1) {
		sha256_accelerated(true);
		sha256(buf, n, a);
		sha256_accelerated(false);
		sha256(buf, n, b);
		CHECK(memcmp(a, b, SHA256_LEN) == 0);
	}
	sha256_accelerated(true);
	free(buf);
}

static void run_all(void)
{
	RUN(sha256_empty);
	RUN(sha256_abc);
	RUN(sha256_448_bits);
	RUN(sha256_896_bits);
	RUN(sha256_million_a);
	RUN(sha256_split_updates);
	RUN(sha256_hex_roundtrip);
	RUN(sha256_matches_sha256sum);
}

int main(void)
{
	bool accel = sha256_accelerated(true);

	printf("# with the CPU's SHA instructions: %s\n", accel ? "yes" : "none on this CPU");
	run_all();
	printf("# portable rounds\n");
	sha256_accelerated(false);
	run_all();
	RUN(sha256_accel_matches_portable);
	return HARNESS_END();
}
