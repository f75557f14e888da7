/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inflate: a whole-buffer zlib (RFC 1950) / deflate (RFC 1951) decoder, for the
 * blocks of cloop images. Written here so that the static /init needs no libz.
 */
#ifndef LIVESTACK_INFLATE_H
#define LIVESTACK_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#define INFLATE_MAXBITS	15

/* Decoding tables, rebuilt per block; ~130 KiB: allocate it, do not put it on a stack. */
struct inflate_state {
	uint16_t lit[1 << INFLATE_MAXBITS];	/* (symbol << 4) | code length; 0: no code */
	uint16_t dist[1 << INFLATE_MAXBITS];
	unsigned litbits, distbits;		/* the longest code of each table */
};

/*
 * Decode one zlib stream in[0..inlen) into out (at most outmax bytes); *outlen gets
 * the size. 0, or -EINVAL for a damaged stream (bad header, bad code, distance too
 * far, Adler-32 mismatch), -EFBIG when it does not fit, -EPIPE when it is truncated.
 */
int inflate_zlib(struct inflate_state *st, const uint8_t *in, size_t inlen,
		 uint8_t *out, size_t outmax, size_t *outlen);

/* The same for a raw deflate stream (no zlib header, no checksum). */
int inflate_raw(struct inflate_state *st, const uint8_t *in, size_t inlen,
		uint8_t *out, size_t outmax, size_t *outlen, size_t *used);

#endif
