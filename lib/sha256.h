/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4): streaming context, one-shot helper, lowercase hex. */
#ifndef LIVE_SHA256_H
#define LIVE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64	/* without the NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];	/* partial block */
	size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);
/* One shot. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* hex must hold SHA256_HEX_LEN + 1 bytes; returns hex. */
char *sha256_hex(const uint8_t sum[SHA256_LEN], char *hex);
/* Allow (default) or forbid the CPU's SHA instructions (x86 SHA-NI); returns whether
 * they are now used. For tests and benchmarks of the portable code. */
bool sha256_accelerated(bool allow);
/* Parse 64 hex digits (either case) into sum; 0 or -EINVAL. */
int sha256_parse_hex(const char *hex, uint8_t sum[SHA256_LEN]);

#endif
