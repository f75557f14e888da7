// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the kernel command line (init/cmdline.c) with every alias (init/alias.c). */
#include "fuzz.h"
#include "live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct live_cfg o;
	char *line = fuzz_str(data, size);

	if (!line)
		return 0;
	cmdline_defaults(&o);
	cmdline_parse(&o, line);
	/* the fields /init uses as paths and numbers stay in range */
	if (o.timeout < 0 || o.timeout > 3600 || o.dir[0] != '/' ||
	    strlen(o.dir) >= sizeof(o.dir) || strlen(o.warnings) >= sizeof(o.warnings) ||
	    strlen(o.unknown) >= sizeof(o.unknown))
		abort();
	free(line);
	return 0;
}
