// SPDX-License-Identifier: GPL-2.0
/* LUKS 1 and 2 containers: magic, UUID, and the LUKS2 label; reported, never opened. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define LUKS_MAGIC		"LUKS\xba\xbe"
#define LUKS_MAGIC_LEN		6
#define LUKS_VERSION_OFF	6	/* u16 big endian */
#define LUKS_UUID_OFF		168	/* 40 bytes, text, in both versions */
#define LUKS_UUID_LEN		40
#define LUKS2_LABEL_OFF		24	/* 48 bytes */
#define LUKS2_LABEL_LEN		48
#define LUKS2_HDR_OFFSET_OFF	256	/* u64 be: 0 in the primary header */
#define LUKS_HDR_READ		264

int probe_luks_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t h[LUKS_HDR_READ];
	uint16_t version;
	int err;

	err = probe_read(dev, 0, h, sizeof(h));
	if (err)
		return err;
	if (memcmp(h, LUKS_MAGIC, LUKS_MAGIC_LEN) != 0)
		return -ENOENT;
	version = probe_be16(h + LUKS_VERSION_OFF);
	if (version != 1 && version != 2)
		return -ENOENT;
	if (version == 2 && !probe_is_zero(h + LUKS2_HDR_OFFSET_OFF, 8))
		return -ENOENT;

	snprintf(res->type, sizeof(res->type), "crypto_LUKS");
	if (version == 2)
		probe_set_label(res, h + LUKS2_LABEL_OFF, LUKS2_LABEL_LEN);
	/* stored as text already; blkid copies it and trims it like a label */
	probe_copy_text(res->uuid, sizeof(res->uuid), h + LUKS_UUID_OFF, LUKS_UUID_LEN);
	return 0;
}
