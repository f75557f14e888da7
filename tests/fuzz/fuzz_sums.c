// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a medium's SHA256SUMS (init/toram.c's toram_load_sums) for three layers. */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "live.h"
#include "toram.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_sums.%d", (int)getpid());
	mkdir(dir, 0700);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "10-base", "20-x", "10-base-extra" };
	static struct toram_job j;
	char path[128];
	size_t i;

	memset(&j, 0, sizeof(j));
	j.n = 3;
	for (i = 0; i < j.n; i++) {
		snprintf(j.l[i].name, sizeof(j.l[i].name), "%s", names[i]);
		snprintf(j.l[i].src, sizeof(j.l[i].src), "%s/%s.squashfs", dir, names[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LIVE_SUMS_FILE);
	if (fuzz_file(path, data, size))
		return 0;
	toram_load_sums(&j, dir);
	return 0;
}
