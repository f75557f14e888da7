// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: live-boot's persistence.conf as init/persist_foreign.c reads it from a stick. */
#include <stdio.h>

#include "fuzz.h"
#include "live.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	static const char mnt[] = "/run/live/persistence/sdb1";
	char path[64];
	size_t i;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	foreign_conf(&ctx, path, mnt);
	close(fd);
	/* a bind goes under the persistence to a path of the new root other than / and /lib */
	for (i = 0; i < ctx.nbinds; i++) {
		const struct live_bind *b = &ctx.binds[i];

		if (b->dest[0] != '/' || !strcmp(b->dest, "/") || strstr(b->dest, "//") ||
		    !strncmp(b->dest, "/lib/live", 9) || !strcmp(b->dest, "/lib") || !fuzz_path_tame(b->dest) ||
		    strncmp(b->src, mnt, sizeof(mnt) - 1) || b->src[sizeof(mnt) - 1] != '/' ||
		    !fuzz_path_tame(b->src + sizeof(mnt)))
			abort();
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_setup(false, true, false);
	return 0;
}
