// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a cloop image (lib/cloop.c): header, offset table, and the first blocks inflated. */
#include "cloop.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cloop c;
	uint8_t *out;
	uint32_t i;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	cloop_detect(fd, size);
	if (cloop_open(&c, fd) == 0) {
		out = malloc(c.block_size);
		for (i = 0; out && i < c.nblocks && i < 4; i++)
			cloop_read_block(&c, i, out);
		if (out && c.nblocks)
			cloop_read_block(&c, c.nblocks - 1, out);
		free(out);
		cloop_size(&c);
		cloop_close(&c);
	}
	close(fd);
	return 0;
}
