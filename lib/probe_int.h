/* SPDX-License-Identifier: GPL-2.0 */
/* Private to lib/probe*.c: the device reader, field decoders and the per-format probes. */
#ifndef LIVE_PROBE_INT_H
#define LIVE_PROBE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"

/* The device under probe: reads go through probe_read() only. */
struct probe_dev {
	int fd;
	uint64_t size;		/* bytes, from lseek(SEEK_END): works for files and block devices */
};

/*
 * A format's probe: 0 and res->type/label/uuid filled when the format is
 * recognised, -ENOENT when it is not (a read past the end of the device
 * counts as "not recognised"), another -errno when the device cannot be read.
 */
typedef int (*probe_fn)(struct probe_dev *dev, struct probe_result *res);

/* Read exactly len bytes at off; -ENOENT if that is past the end of the device. */
int probe_read(struct probe_dev *dev, uint64_t off, void *buf, size_t len);

enum probe_enc { PROBE_ENC_LATIN1, PROBE_ENC_UTF16LE, PROBE_ENC_UTF16BE };

/* Text from a fixed-size field: up to the first NUL, trailing white space removed. */
void probe_copy_text(char *dst, size_t dstlen, const void *src, size_t len);
/* Label from a fixed-size field: up to the first NUL, trailing white space removed (blkid). */
void probe_set_label(struct probe_result *res, const void *src, size_t len);
/* The same from a Latin-1 or UTF-16 field, converted to UTF-8. */
void probe_set_label_enc(struct probe_result *res, const void *src, size_t len, enum probe_enc enc);
/* Encode to UTF-8 into dst (NUL-terminated, stops at a NUL character); returns the length. */
size_t probe_to_utf8(char *dst, size_t dstlen, const void *src, size_t len, enum probe_enc enc);
/* Right-trim white space in place (blkid_rtrim_whitespace). */
void probe_rtrim(char *s);
/* 16-byte DCE UUID as 8-4-4-4-12 lower-case hex; left empty when all zero, as blkid does. */
void probe_set_uuid_dce(struct probe_result *res, const uint8_t *uuid);
int probe_is_zero(const void *p, size_t len);

static inline uint16_t probe_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t probe_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t probe_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)probe_le32(b) | (uint64_t)probe_le32(b + 4) << 32;
}

static inline uint16_t probe_be16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* probe_luks.c */
int probe_luks_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_udf.c */
int probe_udf_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_iso9660.c */
int probe_iso9660_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_fat.c */
int probe_fat_identify_vfat(struct probe_dev *dev, struct probe_result *res);
int probe_fat_identify_exfat(struct probe_dev *dev, struct probe_result *res);
/* probe_ext.c */
int probe_ext_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_ntfs.c */
int probe_ntfs_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_squashfs.c */
int probe_squashfs_identify(struct probe_dev *dev, struct probe_result *res);
/* probe_btrfs.c */
int probe_btrfs_identify(struct probe_dev *dev, struct probe_result *res);

#endif
