// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper: pre-enrol a MOK in a copy of OVMF's variable store, as MokManager would
 * after "Enroll MOK": the MokList variable (shim's GUID 605dab50-e046-4300-abb6-3dd810dd8b23,
 * attributes NV|BS), one EFI_SIGNATURE_LIST with one X.509 certificate (DER).
 * usage: ovmf_mok VARS.fd CERT.der   (VARS.fd edited in place; Debian 12 has no virt-fw-vars)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FVH_SIG_OFF	0x28	/* "_FVH" in EFI_FIRMWARE_VOLUME_HEADER */
#define FVH_HLEN_OFF	0x30	/* its HeaderLength (u16) */
#define STORE_HDR	28	/* VARIABLE_STORE_HEADER: GUID, Size, Format, State, 6 reserved */
#define VAR_HDR		60	/* AUTHENTICATED_VARIABLE_HEADER */
#define VAR_ADDED	0x3f

/* EFI GUIDs in their byte order on disk (first three fields little-endian). */
static const uint8_t auth_store_guid[16] = {	/* aaf32c78-947b-439a-a180-2e144ec37792 */
	0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92 };
static const uint8_t shim_guid[16] = {		/* 605dab50-e046-4300-abb6-3dd810dd8b23 */
	0x50, 0xab, 0x5d, 0x60, 0x46, 0xe0, 0x00, 0x43,
	0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23 };
static const uint8_t x509_guid[16] = {		/* a5c059a1-94e4-4aa7-87b5-ab155c2bf072 */
	0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
	0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

static uint8_t *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;

	if (f && fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(*len)) && fread(buf, 1, *len, f) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	if (!buf)
		fprintf(stderr, "ovmf_mok: cannot read %s\n", path);
	return buf;
}

int main(int argc, char **argv)
{
	static const char name[] = "MokList";
	long vlen, clen;
	uint8_t *vars, *cert, *v;
	size_t off, end, hlen, need, nsize = 2 * sizeof(name), dsize;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: ovmf_mok VARS.fd CERT.der\n");
		return 2;
	}
	vars = slurp(argv[1], &vlen);
	cert = slurp(argv[2], &clen);
	if (!vars || !cert)
		return 1;
	if (clen < 4 || cert[0] != 0x30) {
		fprintf(stderr, "ovmf_mok: %s: not a DER certificate\n", argv[2]);
		return 1;
	}
	hlen = vars[FVH_HLEN_OFF] | vars[FVH_HLEN_OFF + 1] << 8;
	if (vlen < 0x1000 || memcmp(vars + FVH_SIG_OFF, "_FVH", 4) || hlen + STORE_HDR > (size_t)vlen ||
	    memcmp(vars + hlen, auth_store_guid, 16)) {
		fprintf(stderr, "ovmf_mok: %s: not an OVMF variable store with authenticated "
			"variables\n", argv[1]);
		return 1;
	}
	end = hlen + rd32(vars + hlen + 16);
	if (end > (size_t)vlen)
		return 1;
	/* walk the variables to the first free byte (StartId 0xffff) */
	for (off = hlen + STORE_HDR; off + VAR_HDR <= end && vars[off] == 0xaa && vars[off + 1] == 0x55;) {
		uint32_t ns = rd32(vars + off + 36), ds = rd32(vars + off + 40);

		if (vars[off + 2] == VAR_ADDED && ns == nsize && !memcmp(vars + off + 44, shim_guid, 16)) {
			fprintf(stderr, "ovmf_mok: %s already has a MokList\n", argv[1]);
			return 1;
		}
		off = (off + VAR_HDR + ns + ds + 3) & ~(size_t)3;
	}
	dsize = 28 + 16 + (size_t)clen;	/* EFI_SIGNATURE_LIST header, owner GUID, the cert */
	need = VAR_HDR + nsize + dsize;
	if (off + need > end) {
		fprintf(stderr, "ovmf_mok: %s: no room for %zu bytes\n", argv[1], need);
		return 1;
	}
	for (size_t i = off; i < off + need; i++)
		if (vars[i] != 0xff) {
			fprintf(stderr, "ovmf_mok: %s: the free space is not erased\n", argv[1]);
			return 1;
		}
	v = vars + off;
	memset(v, 0, need);
	v[0] = 0xaa;			/* StartId 0x55aa */
	v[1] = 0x55;
	v[2] = VAR_ADDED;		/* State */
	wr32(v + 4, 0x3);		/* Attributes: NON_VOLATILE | BOOTSERVICE_ACCESS */
	/* MonotonicCount, TimeStamp, PubKeyIndex: 0 (not an authenticated write) */
	wr32(v + 36, nsize);
	wr32(v + 40, dsize);
	memcpy(v + 44, shim_guid, 16);
	for (size_t i = 0; i < sizeof(name); i++)
		v[VAR_HDR + 2 * i] = name[i];	/* UTF-16LE, with its NUL */
	v += VAR_HDR + nsize;
	memcpy(v, x509_guid, 16);	/* SignatureType */
	wr32(v + 16, dsize);		/* SignatureListSize */
	wr32(v + 20, 0);		/* SignatureHeaderSize */
	wr32(v + 24, 16 + clen);	/* SignatureSize: owner GUID + data */
	memcpy(v + 28, shim_guid, 16);	/* SignatureOwner */
	memcpy(v + 44, cert, clen);
	f = fopen(argv[1], "r+b");
	if (!f || fseek(f, (long)off, SEEK_SET) || fwrite(vars + off, 1, need, f) != need || fclose(f)) {
		fprintf(stderr, "ovmf_mok: cannot write %s\n", argv[1]);
		return 1;
	}
	printf("ovmf_mok: MokList (%zu bytes) at offset %zu of %s\n", dsize, off, argv[1]);
	return 0;
}
