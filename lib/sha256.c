// SPDX-License-Identifier: GPL-2.0
/* SHA-256 (FIPS 180-4) in plain C, rounds unrolled: hashes layers while /init copies them. */
#include <errno.h>
#include <string.h>

#include "sha256.h"
#include "sha256_int.h"

/*
 * /init is built with -Os; the compression function is the hot loop of a
 * toram copy (hundreds of MiB), so it alone is compiled for speed.
 */
#pragma GCC optimize("O2")

const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define K sha256_k
#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x)		(ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x)		(ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define s0(x)		(ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define s1(x)		(ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z)	((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z)	(((x) & (y)) | ((z) & ((x) | (y))))

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Message schedule kept as a 16-word ring: W[i & 15]. */
#define W(i)		w[(i) & 15]
#define EXPAND(i)	(W(i) += s1(W((i) - 2)) + W((i) - 7) + s0(W((i) - 15)))
/* One round with the working variables renamed instead of shifted. */
#define RND(a, b, c, d, e, f, g, h, i, wi) do { \
	uint32_t t1 = h + S1(e) + CH(e, f, g) + K[i] + (wi); \
	d += t1; \
	h = t1 + S0(a) + MAJ(a, b, c); \
} while (0)
#define R8(i, WX) do { \
	RND(a, b, c, d, e, f, g, h, (i) + 0, WX((i) + 0)); \
	RND(h, a, b, c, d, e, f, g, (i) + 1, WX((i) + 1)); \
	RND(g, h, a, b, c, d, e, f, (i) + 2, WX((i) + 2)); \
	RND(f, g, h, a, b, c, d, e, (i) + 3, WX((i) + 3)); \
	RND(e, f, g, h, a, b, c, d, (i) + 4, WX((i) + 4)); \
	RND(d, e, f, g, h, a, b, c, (i) + 5, WX((i) + 5)); \
	RND(c, d, e, f, g, h, a, b, (i) + 6, WX((i) + 6)); \
	RND(b, c, d, e, f, g, h, a, (i) + 7, WX((i) + 7)); \
} while (0)

static void compress_c(uint32_t st[8], const uint8_t *p, size_t blocks)
{
	uint32_t w[16];

	while (blocks--) {
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
		uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
		int i;

		for (i = 0; i < 16; i++)
			w[i] = be32(p + 4 * i);
		R8(0, W);
		R8(8, W);
		R8(16, EXPAND);
		R8(24, EXPAND);
		R8(32, EXPAND);
		R8(40, EXPAND);
		R8(48, EXPAND);
		R8(56, EXPAND);
		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
		p += 64;
	}
}

/* The portable rounds, or the CPU's SHA instructions: chosen at the first use. */
static sha256_compress_fn compress_fn;
static int use_arch = -1;	/* -1: not decided yet */

static void compress(uint32_t st[8], const uint8_t *p, size_t blocks)
{
	if (!compress_fn) {
		sha256_compress_fn arch = use_arch ? sha256_arch_compress() : NULL;

		compress_fn = arch ? arch : compress_c;
	}
	compress_fn(st, p, blocks);
}

bool sha256_accelerated(bool allow)
{
	use_arch = allow;
	compress_fn = NULL;
	return allow && sha256_arch_compress() != NULL;
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->fill = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->len += len;
	if (c->fill) {
		size_t n = 64 - c->fill;

		if (n > len)
			n = len;
		memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill < 64)
			return;
		compress(c->h, c->buf, 1);
		c->fill = 0;
	}
	if (len >= 64) {
		compress(c->h, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->fill = len;
	}
}

void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN])
{
	uint64_t bits = c->len * 8;
	int i;

	c->buf[c->fill++] = 0x80;
	if (c->fill > 56) {
		memset(c->buf + c->fill, 0, 64 - c->fill);
		compress(c->h, c->buf, 1);
		c->fill = 0;
	}
	memset(c->buf + c->fill, 0, 56 - c->fill);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(c->h, c->buf, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	memset(c, 0, sizeof(*c));
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

char *sha256_hex(const uint8_t sum[SHA256_LEN], char *hex)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
	return hex;
}

static int nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int sha256_parse_hex(const char *hex, uint8_t sum[SHA256_LEN])
{
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		int hi = nibble(hex[2 * i]), lo = hi < 0 ? -1 : nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		sum[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
