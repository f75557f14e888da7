// SPDX-License-Identifier: GPL-2.0
/* cloop images: header, offset table, blocks (the format is described in cloop.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cloop.h"
#include "inflate.h"

#define FLAG_ZLIB	0
#define FLAG_NONE	1
#define FLAG_XZ		2
#define FLAG_LZ4	3
#define FLAG_LZO	4
#define PTR_FLAGS(p)	((unsigned)((p) >> 60))
#define PTR_OFFSET(p)	((p) & 0x0fffffffffffffffULL)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		done += (size_t)n;
	}
	return 0;
}

/* 2 or 4 for a cloop header in h (CLOOP_HEAD_SIZE bytes), 0 otherwise */
static int head_version(const uint8_t *h)
{
	if (!memcmp(h + CLOOP_SIG_OFFSET, "V4.0", 4))
		return 4;
	if (!memcmp(h + CLOOP_SIG_OFFSET, "V2.0", 4))
		return 2;
	return 0;
}

bool cloop_detect(int fd, uint64_t size)
{
	uint8_t h[CLOOP_HEAD_SIZE];

	if (size < CLOOP_HEAD_SIZE)
		return false;
	if (!read_at(fd, h, sizeof(h), 0) && head_version(h))
		return true;
	return !read_at(fd, h, sizeof(h), size - CLOOP_HEAD_SIZE) && head_version(h);
}

static int fail(struct cloop *c, int err, const char *fmt, unsigned long long a,
		unsigned long long b)
{
	snprintf(c->err, sizeof(c->err), fmt, a, b);
	free(c->ptr);
	c->ptr = NULL;
	return err;
}

/* Every offset in [lo, hi], in order, each block of a sane size, a known compression. */
static int check_table(struct cloop *c, uint64_t lo, uint64_t hi)
{
	static const char *const names[] = { "zlib", "none", "xz", "lz4", "lzo" };
	uint64_t limit = (uint64_t)c->block_size + c->block_size / 8 + 1024;
	uint32_t i;

	for (i = 0; i <= c->nblocks; i++) {
		uint64_t off = PTR_OFFSET(c->ptr[i]), len;
		unsigned flags = PTR_FLAGS(c->ptr[i]);

		if (c->version == 2 && flags)
			return fail(c, -EINVAL, "offset %llu of the table is out of range (%llx)",
				    i, c->ptr[i]);
		if (off < lo || off > hi)
			return fail(c, -EINVAL, "block %llu starts at %llu, outside the data "
				    "(the image is damaged or truncated)", i, off);
		if (i == c->nblocks)
			break;
		if (flags > FLAG_LZO)
			return fail(c, -EINVAL, "block %llu has an unknown compression (%llu)",
				    i, flags);
		if (flags > FLAG_NONE) {
			snprintf(c->err, sizeof(c->err), "block %u is compressed with %s: "
				 "livestack decodes zlib and uncompressed cloop blocks only",
				 (unsigned)i, names[flags]);
			free(c->ptr);
			c->ptr = NULL;
			return -ENOTSUP;
		}
		if (PTR_OFFSET(c->ptr[i + 1]) < off)
			return fail(c, -EINVAL, "the offsets of blocks %llu and %llu go backwards",
				    i, i + 1ULL);
		len = PTR_OFFSET(c->ptr[i + 1]) - off;
		if (len > limit || (flags == FLAG_NONE && len > c->block_size))
			return fail(c, -EINVAL, "block %llu is %llu bytes compressed: too large",
				    i, len);
		if (len > c->max_clen)
			c->max_clen = len;
	}
	return 0;
}

int cloop_open(struct cloop *c, int fd)
{
	uint8_t h[CLOOP_HEAD_SIZE], *raw;
	uint64_t table, tpos, lo, hi;
	struct stat st;
	uint32_t i;
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (fstat(fd, &st) < 0)
		return fail(c, -errno, "cannot stat the image", 0, 0);
	c->file_size = (uint64_t)st.st_size;
	if (c->file_size < CLOOP_HEAD_SIZE)
		return fail(c, -EINVAL, "%llu bytes: too short for a cloop header", c->file_size, 0);
	if ((err = read_at(fd, h, sizeof(h), 0)))
		return fail(c, err, "cannot read the header", 0, 0);
	c->version = head_version(h);
	c->header_first = c->version != 0;
	if (!c->version) {
		if ((err = read_at(fd, h, sizeof(h), c->file_size - CLOOP_HEAD_SIZE)))
			return fail(c, err, "cannot read the header at the end", 0, 0);
		c->version = head_version(h);
	}
	if (!c->version)
		return fail(c, -EINVAL, "no cloop V2.0/V4.0 signature at the start or the end",
			    0, 0);
	c->block_size = be32(h + 128);
	c->nblocks = be32(h + 132);
	if (c->block_size < 512 || c->block_size % 512 || c->block_size > CLOOP_MAX_BLOCK)
		return fail(c, -EINVAL, "block size %llu is not a multiple of 512 up to %llu",
			    c->block_size, CLOOP_MAX_BLOCK);
	if (!c->nblocks)
		return fail(c, -EINVAL, "the header says 0 blocks", 0, 0);
	table = ((uint64_t)c->nblocks + 1) * 8;
	if (CLOOP_HEAD_SIZE + table > c->file_size)
		return fail(c, -EINVAL, "%llu blocks do not fit in %llu bytes (truncated?)",
			    c->nblocks, c->file_size);
	tpos = c->header_first ? CLOOP_HEAD_SIZE : c->file_size - CLOOP_HEAD_SIZE - table;
	lo = c->header_first ? CLOOP_HEAD_SIZE + table : 0;
	hi = c->header_first ? c->file_size : tpos;
	raw = malloc(table);
	c->ptr = malloc(table);
	if (!raw || !c->ptr) {
		free(raw);
		return fail(c, -ENOMEM, "no memory for %llu offsets", c->nblocks + 1ULL, 0);
	}
	err = read_at(fd, raw, table, tpos);
	for (i = 0; !err && i <= c->nblocks; i++)
		c->ptr[i] = be64(raw + (size_t)i * 8);
	free(raw);
	if (err)
		return fail(c, err, "cannot read the offset table at %llu", tpos, 0);
	if (PTR_OFFSET(c->ptr[c->nblocks]) > hi)
		return fail(c, -EINVAL, "truncated: the blocks end at byte %llu, the data at %llu",
			    PTR_OFFSET(c->ptr[c->nblocks]), hi);
	if ((err = check_table(c, lo, hi)))
		return err;
	c->cbuf = malloc(c->max_clen ? c->max_clen : 1);
	c->inf = malloc(sizeof(*c->inf));
	if (!c->cbuf || !c->inf) {
		cloop_close(c);
		snprintf(c->err, sizeof(c->err), "no memory for a block");
		return -ENOMEM;
	}
	return 0;
}

uint64_t cloop_size(const struct cloop *c)
{
	return (uint64_t)c->nblocks * c->block_size;
}

int cloop_read_block(struct cloop *c, uint32_t n, uint8_t *out)
{
	uint64_t off, len;
	size_t got = 0;
	int err;

	if (n >= c->nblocks) {
		snprintf(c->err, sizeof(c->err), "block %u is beyond the last (%u)", n, c->nblocks);
		return -EINVAL;
	}
	off = PTR_OFFSET(c->ptr[n]);
	len = PTR_OFFSET(c->ptr[n + 1]) - off;
	if ((err = read_at(c->fd, c->cbuf, (size_t)len, off))) {
		snprintf(c->err, sizeof(c->err), "block %u: reading %llu bytes at %llu: %s", n,
			 (unsigned long long)len, (unsigned long long)off, strerror(-err));
		return err == -EPIPE ? -EIO : err;
	}
	if (PTR_FLAGS(c->ptr[n]) == FLAG_NONE) {
		memcpy(out, c->cbuf, (size_t)len);
		got = (size_t)len;
	} else {
		err = inflate_zlib(c->inf, c->cbuf, (size_t)len, out, c->block_size, &got);
		if (err) {
			snprintf(c->err, sizeof(c->err), "block %u: damaged zlib data (%s)", n,
				 err == -EFBIG ? "longer than a block" :
				 err == -EPIPE ? "cut short" : "bad code or checksum");
			return -EIO;
		}
	}
	memset(out + got, 0, c->block_size - got);
	return 0;
}

void cloop_close(struct cloop *c)
{
	free(c->ptr);
	free(c->cbuf);
	free(c->inf);
	c->ptr = NULL;
	c->cbuf = NULL;
	c->inf = NULL;
}
