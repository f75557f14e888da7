// SPDX-License-Identifier: GPL-2.0
/* ISO 9660 (with Joliet): volume descriptors at 32 KiB; label and date-derived UUID as blkid shows them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define ISO_SECTOR		2048
#define ISO_VD_FIRST		(16 * ISO_SECTOR)	/* system area (MBR of an isohybrid) comes before */
#define ISO_VD_SCAN		16			/* descriptors looked at after the first */
#define ISO_VD_SUPPLEMENTARY	2
#define ISO_VD_END		0xff

/* Offsets in a primary or supplementary volume descriptor (ECMA-119 8.4) */
#define VD_TYPE			0
#define VD_ID			1
#define VD_VOLUME_ID		40	/* 32 bytes: a-characters, or UCS-2BE in Joliet */
#define VD_ESCAPES		88	/* Joliet: "%/@", "%/C" or "%/E" */
#define VD_CREATED		813	/* 17 bytes: "YYYYMMDDHHMMSScc" + GMT offset */
#define VD_MODIFIED		830
#define VD_DATE_LEN		17
#define VD_READ			(VD_MODIFIED + VD_DATE_LEN)

/*
 * blkid's UUID for ISO 9660: the modification date, else the creation date,
 * as YYYY-MM-DD-HH-MM-SS-cc. A date of all '0' with offset 0 is "unset".
 * Returns 1 when this date was used (even if it yields no UUID), 0 if unset.
 */
static int iso_date_uuid(struct probe_result *res, const uint8_t *d)
{
	size_t i, zeros = 0;

	for (i = 0; i < 16; i++)
		if (d[i] == '0')
			zeros++;
	if (zeros == 16 && d[16] == 0)
		return 0;
	if (probe_is_zero(d, 16))	/* blkid never prints an all-NUL "UUID" */
		return 1;
	snprintf(res->uuid, sizeof(res->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
		 (const char *)d, (const char *)d + 4, (const char *)d + 6, (const char *)d + 8,
		 (const char *)d + 10, (const char *)d + 12, (const char *)d + 14);
	/* %.Ns stops at a NUL inside a garbage date; blkid would print it raw: close enough */
	return 1;
}

/* Does the Joliet (UCS-2BE) id spell the first 16 characters of the ASCII one? */
static int joliet_is_prefix(const uint8_t *ascii, const uint8_t *ucs2)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (ucs2[2 * i] != 0 || ucs2[2 * i + 1] != ascii[i])
			return 0;
	return 1;
}

int probe_iso9660_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t pvd[VD_READ], vd[VD_ESCAPES + 3];
	uint64_t off;
	int err, i;

	err = probe_read(dev, ISO_VD_FIRST, pvd, sizeof(pvd));
	if (err)
		return err;
	if (memcmp(pvd + VD_ID, "CD001", 5) != 0)
		return -ENOENT;

	snprintf(res->type, sizeof(res->type), "iso9660");
	if (!iso_date_uuid(res, pvd + VD_MODIFIED))
		iso_date_uuid(res, pvd + VD_CREATED);

	/*
	 * Joliet's volume id holds only 16 UCS-2 characters; blkid keeps the
	 * PVD's 32-character label when Joliet's is just its prefix, and takes
	 * Joliet's (lower case, non-ASCII) otherwise.
	 */
	off = ISO_VD_FIRST + ISO_SECTOR;
	for (i = 0; i < ISO_VD_SCAN; i++, off += ISO_SECTOR) {
		if (probe_read(dev, off, vd, sizeof(vd)) != 0 || vd[VD_TYPE] == ISO_VD_END)
			break;
		if (vd[VD_TYPE] != ISO_VD_SUPPLEMENTARY)
			continue;
		if (memcmp(vd + VD_ESCAPES, "%/@", 3) != 0 &&
		    memcmp(vd + VD_ESCAPES, "%/C", 3) != 0 &&
		    memcmp(vd + VD_ESCAPES, "%/E", 3) != 0)
			continue;
		if (joliet_is_prefix(pvd + VD_VOLUME_ID, vd + VD_VOLUME_ID))
			break;
		probe_set_label_enc(res, vd + VD_VOLUME_ID, 32, PROBE_ENC_UTF16BE);
		return 0;
	}
	probe_set_label(res, pvd + VD_VOLUME_ID, 32);
	return 0;
}
