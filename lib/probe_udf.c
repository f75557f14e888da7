// SPDX-License-Identifier: GPL-2.0
/* UDF: volume recognition sequence at 32 KiB, anchor at block 256 or 512; label and UUID as blkid. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define UDF_VRS_OFF		0x8000
#define UDF_VRS_MAX		64
#define UDF_VDS_MAX		64	/* descriptors read from the main sequence, at most */
#define UDF_VD_READ		512	/* every field we read is in the first 512 bytes */

/* Descriptor tag (ECMA-167 3/7.2) */
#define TAG_ID			0	/* u16 */
#define TAG_LOCATION		12	/* u32: the block the descriptor says it is in */
#define TAG_PVD			1
#define TAG_AVDP		2
#define TAG_LVD			6
#define TAG_TD			8

#define AVDP_MAIN_LEN		16	/* extent of the main volume descriptor sequence */
#define AVDP_MAIN_LOC		20
#define PVD_VOLSET_ID		72	/* dstring[128] */
#define PVD_CHARSET		200
#define LVD_CHARSET		20
#define LVD_LOGVOL_ID		84	/* dstring[128] */
#define DSTRING_LEN		128

/* One VRS pass with descriptors every `step` bytes: 1 if an NSR02/NSR03 is in it. */
static int udf_vrs_has_nsr(struct probe_dev *dev, uint32_t step)
{
	static const char *const vrs_ids[] = { "BEA01", "BOOT2", "CD001", "CDW02", "TEA01" };
	uint8_t vsd[7];
	size_t k;
	int b;

	for (b = 0; b < UDF_VRS_MAX; b++) {
		int err = probe_read(dev, UDF_VRS_OFF + (uint64_t)b * step, vsd, sizeof(vsd));

		if (err)
			return err;
		if (vsd[1] == '\0')
			return 0;
		if (!memcmp(vsd + 1, "NSR02", 5) || !memcmp(vsd + 1, "NSR03", 5))
			return 1;
		for (k = 0; k < sizeof(vrs_ids) / sizeof(vrs_ids[0]); k++)
			if (!memcmp(vsd + 1, vrs_ids[k], 5))
				break;
		/* ECMA-167 2/8.3.1: the sequence ends at the first unknown descriptor */
		if (k == sizeof(vrs_ids) / sizeof(vrs_ids[0]))
			return 0;
	}
	return 0;
}

static int udf_charset_is_osta(const uint8_t *cs)
{
	return cs[0] == 0 && !memcmp(cs + 1, "OSTA Compressed Unicode", 23) && cs[24] == 0;
}

/* A dstring: compression id (8 Latin-1, 16 UTF-16BE), characters, length in the last byte. */
static size_t udf_dstring(char *dst, size_t dstlen, const uint8_t *d, size_t size)
{
	size_t clen = d[size - 1];

	dst[0] = '\0';
	if (clen > 0)
		clen--;		/* the length counts the compression id */
	if (clen > size - 2)
		clen = size - 2;
	if (d[0] == 8)
		return probe_to_utf8(dst, dstlen, d + 1, clen, PROBE_ENC_LATIN1);
	if (d[0] == 16)
		return probe_to_utf8(dst, dstlen, d + 1, clen, PROBE_ENC_UTF16BE);
	return 0;
}

/*
 * blkid's UUID from the volume set identifier, whose first 16 characters
 * should be unique (UDF 2.01 2.2.2.5): those 16 when all hex digits, lower
 * cased; else the first 8 if hex plus the next 4 bytes in hex; else the
 * first 8 bytes in hex.
 */
static void udf_volset_uuid(struct probe_result *res, const uint8_t *volset)
{
	char buf[17];
	size_t len, i, nonhex = 16;

	memset(buf, 0, sizeof(buf));
	len = udf_dstring(buf, sizeof(buf), volset, DSTRING_LEN);
	if (len < 8)
		return;
	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)buf[i])) {
			nonhex = i;
			break;
		}
	if (nonhex < 8) {
		for (i = 0; i < 8; i++)
			snprintf(res->uuid + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	} else if (nonhex < 16) {
		for (i = 0; i < 8; i++)
			res->uuid[i] = (char)tolower((unsigned char)buf[i]);
		for (i = 0; i < 4; i++)
			snprintf(res->uuid + 8 + 2 * i, 3, "%02x", (unsigned char)buf[8 + i]);
	} else {
		for (i = 0; i < 16; i++)
			res->uuid[i] = (char)tolower((unsigned char)buf[i]);
		res->uuid[16] = '\0';
	}
}

/* Find the anchor and with it the block size: 0 and *bs, *avdp filled, or -ENOENT. */
static int udf_find_anchor(struct probe_dev *dev, uint32_t *bs, uint8_t avdp[24])
{
	static const uint32_t sizes[] = { 512, 1024, 2048, 4096 };
	static const uint32_t anchors[] = { 256, 512 };	/* 512: unclosed write-once media */
	int nsr[2] = { -1, -1 };	/* VRS with 2048- and 4096-byte descriptors, when tried */
	size_t i, a;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int v = sizes[i] > 2048;

		if (nsr[v] < 0) {
			nsr[v] = udf_vrs_has_nsr(dev, v ? 4096 : 2048);
			if (nsr[v] == -ENOENT)
				nsr[v] = 0;
			if (nsr[v] < 0)
				return nsr[v];
		}
		if (nsr[v] != 1)
			continue;
		for (a = 0; a < 2; a++) {
			if (probe_read(dev, (uint64_t)anchors[a] * sizes[i], avdp, 24))
				continue;
			if (probe_le16(avdp + TAG_ID) == TAG_AVDP &&
			    probe_le32(avdp + TAG_LOCATION) == anchors[a]) {
				*bs = sizes[i];
				return 0;
			}
		}
	}
	return -ENOENT;
}

int probe_udf_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t avdp[24], vd[UDF_VD_READ];
	uint32_t bs, loc, count, b;
	int err, have_label = 0, have_uuid = 0;

	err = udf_find_anchor(dev, &bs, avdp);
	if (err)
		return err;
	snprintf(res->type, sizeof(res->type), "udf");

	count = probe_le32(avdp + AVDP_MAIN_LEN) / bs;
	loc = probe_le32(avdp + AVDP_MAIN_LOC);
	if (count > UDF_VDS_MAX)
		count = UDF_VDS_MAX;
	for (b = 0; b < count && !(have_label && have_uuid); b++) {
		uint16_t tag;

		if (probe_read(dev, (uint64_t)(loc + b) * bs, vd, sizeof(vd)))
			break;
		tag = probe_le16(vd + TAG_ID);
		if (tag == 0 || tag == TAG_TD || probe_le32(vd + TAG_LOCATION) != loc + b)
			break;
		if (tag == TAG_PVD && !have_uuid && udf_charset_is_osta(vd + PVD_CHARSET)) {
			udf_volset_uuid(res, vd + PVD_VOLSET_ID);
			have_uuid = res->uuid[0] != '\0';
		} else if (tag == TAG_LVD && !have_label && udf_charset_is_osta(vd + LVD_CHARSET)) {
			/* the logical volume id is what Windows and GRUB show as the label */
			udf_dstring(res->label, sizeof(res->label), vd + LVD_LOGVOL_ID, DSTRING_LEN);
			probe_rtrim(res->label);
			have_label = res->label[0] != '\0';
		}
	}
	return 0;
}
