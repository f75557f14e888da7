// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: /run/live/status as livectl and the shutdown program read it (lib/runstatus.c):
 * parse, every query, add and remove a layer, write it back as text and JSON. */
#include <stdio.h>

#include "fuzz.h"
#include "runstatus.h"

static FILE *null;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	null = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_status st, again;
	struct live_status_layer l, add;
	char *text = fuzz_str(data, size), *out = NULL, esc[64];
	size_t i, n, len;

	if (!text)
		return 0;
	if (runstatus_parse(&st, text)) {
		free(text);
		return 0;
	}
	runstatus_get(&st, "rw");
	n = runstatus_layer_count(&st);
	for (i = 0; i < n && i < 64; i++)
		runstatus_layer(&st, i, &l);
	memset(&add, 0, sizeof(add));
	/* an empty device is written as "-" */
	snprintf(add.name, sizeof(add.name), "%s", size ? "zz" : "z");
	snprintf(add.image, sizeof(add.image), "%.40s", text);
	runstatus_layer_add(&st, &add, (int)(size & 1));
	if (n && runstatus_layer(&st, 0, &l) == 0)
		runstatus_layer_del(&st, l.name);
	runstatus_set(&st, "toram", "done");
	runstatus_del(&st, "format");
	if (runstatus_format(&st, &out, &len) == 0) {
		/* what is written reads back */
		if (strlen(out) != len || runstatus_parse(&again, out))
			abort();
		runstatus_free(&again);
		free(out);
	}
	if (null)
		runstatus_json(&st, null);
	runstatus_escape(esc, sizeof(esc), text);
	if (strchr(esc, '\n'))
		abort();
	runstatus_free(&st);
	free(text);
	return 0;
}
