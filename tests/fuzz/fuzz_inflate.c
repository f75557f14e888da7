// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: lib/inflate.c, zlib and raw deflate streams, into a bounded output buffer. Input byte
 * 0: bit 0 picks raw, the rest scales the output buffer (up to 64 KiB). */
#include "fuzz.h"
#include "inflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct inflate_state st;	/* 128 KiB of tables: not on the stack */
	size_t outmax, outlen = 0, used = 0;
	uint8_t *out;
	int err;

	if (size < 1)
		return 0;
	outmax = ((size_t)(data[0] >> 1) + 1) * 512;
	out = malloc(outmax);
	if (!out)
		return 0;
	if (data[0] & 1)
		err = inflate_raw(&st, data + 1, size - 1, out, outmax, &outlen, &used);
	else
		err = inflate_zlib(&st, data + 1, size - 1, out, outmax, &outlen);
	if (!err && (outlen > outmax || used > size - 1))
		abort();
	free(out);
	return 0;
}
