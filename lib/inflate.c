// SPDX-License-Identifier: GPL-2.0
/*
 * A whole-buffer inflate (RFC 1951) with the zlib wrapper (RFC 1950), written from
 * the RFCs for cloop's blocks. Each Huffman code becomes one flat table indexed by
 * the next (bit-reversed) maxbits input bits: one lookup per symbol. Every length,
 * distance and code is checked; a damaged stream is an error, never a wild write.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "inflate.h"

struct bits {
	const uint8_t *p, *end;
	uint64_t buf;
	unsigned n;
};

static void refill(struct bits *b)
{
	while (b->n <= 56 && b->p < b->end) {
		b->buf |= (uint64_t)*b->p++ << b->n;
		b->n += 8;
	}
}

static int getbits(struct bits *b, unsigned k, unsigned *v)
{
	if (b->n < k) {
		refill(b);
		if (b->n < k)
			return -EPIPE;
	}
	*v = (unsigned)(b->buf & ((1u << k) - 1));
	b->buf >>= k;
	b->n -= k;
	return 0;
}

static int decode(struct bits *b, const uint16_t *t, unsigned maxbits, unsigned *sym)
{
	unsigned e, len;

	if (b->n < maxbits)
		refill(b);
	e = t[b->buf & ((1u << maxbits) - 1)];
	len = e & 15;
	if (!len || len > b->n)
		return b->n < maxbits ? -EPIPE : -EINVAL;
	b->buf >>= len;
	b->n -= len;
	*sym = e >> 4;
	return 0;
}

/* The canonical code of lens[0..n) as a flat table; -EINVAL if over-subscribed. */
static int build(uint16_t *t, unsigned *maxbits, const uint8_t *lens, unsigned n)
{
	unsigned count[INFLATE_MAXBITS + 1] = { 0 }, next[INFLATE_MAXBITS + 1];
	unsigned i, len, max = 0, code = 0;
	int left = 1;

	for (i = 0; i < n; i++)
		count[lens[i]]++;
	count[0] = 0;
	for (len = 1; len <= INFLATE_MAXBITS; len++) {
		left = (left << 1) - (int)count[len];
		if (left < 0)
			return -EINVAL;
		if (count[len])
			max = len;
	}
	if (!max)
		max = 1;	/* no codes at all (a block without matches): every lookup fails */
	*maxbits = max;
	memset(t, 0, sizeof(*t) << max);
	for (len = 1; len <= INFLATE_MAXBITS; len++) {
		code = (code + count[len - 1]) << 1;
		next[len] = code;
	}
	for (i = 0; i < n; i++) {
		unsigned c, r = 0, k;

		len = lens[i];
		if (!len)
			continue;
		c = next[len]++;
		for (k = 0; k < len; k++)
			r |= ((c >> k) & 1) << (len - 1 - k);
		for (k = r; k < (1u << max); k += 1u << len)
			t[k] = (uint16_t)(i << 4 | len);
	}
	return 0;
}

static int fixed_tables(struct inflate_state *st)
{
	uint8_t lens[288];
	int err;

	memset(lens, 8, 144);
	memset(lens + 144, 9, 112);
	memset(lens + 256, 7, 24);
	memset(lens + 280, 8, 8);
	err = build(st->lit, &st->litbits, lens, 288);
	memset(lens, 5, 30);
	return err ? err : build(st->dist, &st->distbits, lens, 30);
}

static int dynamic_tables(struct inflate_state *st, struct bits *b)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3,
					   13, 2, 14, 1, 15 };
	uint8_t lens[286 + 30];
	unsigned hlit, hdist, hclen, i, v, sym, clbits;
	int err;

	if ((err = getbits(b, 5, &hlit)) || (err = getbits(b, 5, &hdist)) ||
	    (err = getbits(b, 4, &hclen)))
		return err;
	hlit += 257;
	hdist += 1;
	hclen += 4;
	if (hlit > 286 || hdist > 30)
		return -EINVAL;
	memset(lens, 0, 19);
	for (i = 0; i < hclen; i++) {
		if ((err = getbits(b, 3, &v)))
			return err;
		lens[order[i]] = (uint8_t)v;
	}
	/* the code-length code is built in the literal table, rebuilt right after */
	if ((err = build(st->lit, &clbits, lens, 19)))
		return err;
	for (i = 0; i < hlit + hdist;) {
		unsigned rep, val = 0;

		if ((err = decode(b, st->lit, clbits, &sym)))
			return err;
		if (sym < 16) {
			lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return -EINVAL;
			val = lens[i - 1];
			err = getbits(b, 2, &rep);
			rep += 3;
		} else if (sym == 17) {
			err = getbits(b, 3, &rep);
			rep += 3;
		} else {
			err = getbits(b, 7, &rep);
			rep += 11;
		}
		if (err)
			return err;
		if (i + rep > hlit + hdist)
			return -EINVAL;
		memset(lens + i, (int)val, rep);
		i += rep;
	}
	if (!lens[256])		/* no end-of-block code */
		return -EINVAL;
	if ((err = build(st->lit, &st->litbits, lens, hlit)))
		return err;
	return build(st->dist, &st->distbits, lens + hlit, hdist);
}

static int codes(struct inflate_state *st, struct bits *b, uint8_t *out, size_t outmax,
		 size_t *pos)
{
	static const uint16_t lbase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
					    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
					    227, 258 };
	static const uint8_t lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
					  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
	static const uint16_t dbase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97,
					    129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
					    3073, 4097, 6145, 8193, 12289, 16385, 24577 };
	static const uint8_t dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
					  7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
	size_t o = *pos;
	int err;

	for (;;) {
		unsigned sym, extra, len, dist;
		const uint8_t *from;

		if ((err = decode(b, st->lit, st->litbits, &sym)))
			return err;
		if (sym < 256) {
			if (o == outmax)
				return -EFBIG;
			out[o++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			break;
		sym -= 257;
		if (sym >= 29)
			return -EINVAL;
		if ((err = getbits(b, lext[sym], &extra)))
			return err;
		len = lbase[sym] + extra;
		if ((err = decode(b, st->dist, st->distbits, &sym)))
			return err;
		if (sym >= 30)
			return -EINVAL;
		if ((err = getbits(b, dext[sym], &extra)))
			return err;
		dist = dbase[sym] + extra;
		if (dist > o)
			return -EINVAL;
		if (len > outmax - o)
			return -EFBIG;
		from = out + o - dist;
		if (dist >= len) {
			memcpy(out + o, from, len);
			o += len;
		} else {
			while (len--)
				out[o++] = *from++;
		}
	}
	*pos = o;
	return 0;
}

static int stored(struct bits *b, uint8_t *out, size_t outmax, size_t *pos)
{
	unsigned len, nlen;

	b->buf >>= b->n & 7;	/* to a byte boundary, then give back the whole bytes */
	b->n -= b->n & 7;
	b->p -= b->n / 8;
	b->buf = 0;
	b->n = 0;
	if (b->end - b->p < 4)
		return -EPIPE;
	len = b->p[0] | (unsigned)b->p[1] << 8;
	nlen = b->p[2] | (unsigned)b->p[3] << 8;
	b->p += 4;
	if ((len ^ 0xffff) != nlen)
		return -EINVAL;
	if ((size_t)(b->end - b->p) < len)
		return -EPIPE;
	if (len > outmax - *pos)
		return -EFBIG;
	memcpy(out + *pos, b->p, len);
	b->p += len;
	*pos += len;
	return 0;
}

int inflate_raw(struct inflate_state *st, const uint8_t *in, size_t inlen,
		uint8_t *out, size_t outmax, size_t *outlen, size_t *used)
{
	struct bits b = { .p = in, .end = in + inlen };
	unsigned last = 0, type;
	size_t pos = 0;
	int err = 0;

	while (!last) {
		if ((err = getbits(&b, 1, &last)) || (err = getbits(&b, 2, &type)))
			break;
		if (type == 0)
			err = stored(&b, out, outmax, &pos);
		else if (type == 1)
			err = fixed_tables(st);
		else if (type == 2)
			err = dynamic_tables(st, &b);
		else
			err = -EINVAL;
		if (!err && type)
			err = codes(st, &b, out, outmax, &pos);
		if (err)
			break;
	}
	*outlen = pos;
	if (used)	/* the bytes consumed: whole bytes left in the bit buffer go back */
		*used = (size_t)(b.p - in) - b.n / 8;
	return err;
}

static uint32_t adler32(const uint8_t *p, size_t len)
{
	uint32_t a = 1, c = 0;

	while (len) {
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *p++;
			c += a;
		}
		a %= 65521;
		c %= 65521;
	}
	return c << 16 | a;
}

int inflate_zlib(struct inflate_state *st, const uint8_t *in, size_t inlen,
		 uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t used;
	uint32_t sum;
	int err;

	*outlen = 0;
	if (inlen < 6 || (in[0] & 0x0f) != 8 || (in[0] >> 4) > 7 || (in[1] & 0x20) ||
	    ((unsigned)in[0] << 8 | in[1]) % 31)
		return -EINVAL;		/* not deflate, window > 32K, preset dictionary, bad check */
	err = inflate_raw(st, in + 2, inlen - 2, out, outmax, outlen, &used);
	if (err)
		return err;
	if (inlen - 2 - used < 4)
		return -EPIPE;
	in += 2 + used;
	sum = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
	return sum == adler32(out, *outlen) ? 0 : -EINVAL;
}
