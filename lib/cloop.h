/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cloop: Knoppix's compressed block images (KNOPPIX/KNOPPIX). A 128-byte preamble
 * ("#!/bin/sh\n#V2.0 Format..." or "V4.0"), the block size and block count (32-bit,
 * big-endian), and num_blocks + 1 64-bit big-endian offsets; block N is the bytes
 * between offset N and N + 1. V2.0 (Debian's create_compressed_fs): header first, zlib.
 * V4.0 (cloop 4, Knoppix 7 and later): the header first or last (then the offsets
 * just before it), the top 4 bits of each offset say how the block is compressed.
 */
#ifndef LIVESTACK_CLOOP_H
#define LIVESTACK_CLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOOP_HEAD_SIZE		136	/* preamble[128], block_size, num_blocks */
#define CLOOP_SIG_OFFSET	0x0b
#define CLOOP_MAX_BLOCK		(4u << 20)

struct inflate_state;

struct cloop {
	int fd;
	int version;			/* 2 or 4 */
	bool header_first;
	uint32_t block_size, nblocks;
	uint64_t file_size;
	uint64_t *ptr;			/* nblocks + 1 entries, flags in the top 4 bits */
	size_t max_clen;		/* the largest compressed block */
	uint8_t *cbuf;			/* one compressed block */
	struct inflate_state *inf;
	char err[200];			/* why cloop_open or cloop_read_block failed */
};

/* Does the file on fd (size bytes) carry a cloop header, at its start or end? */
bool cloop_detect(int fd, uint64_t size);

/*
 * Read and check the header and offset table of the image on fd (not closed on
 * failure: the caller owns it). 0, or -EINVAL (not cloop, bad header or table,
 * truncated) / -ENOTSUP (a compression livestack does not decode) / -ENOMEM with
 * c->err saying what exactly.
 */
int cloop_open(struct cloop *c, int fd);

/* The uncompressed size: nblocks * block_size. */
uint64_t cloop_size(const struct cloop *c);

/* Block n decompressed into out (block_size bytes; a short last block zero-filled). */
int cloop_read_block(struct cloop *c, uint32_t n, uint8_t *out);

/* Free the tables; fd is left open. */
void cloop_close(struct cloop *c);

#endif
