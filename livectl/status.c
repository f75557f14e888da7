// SPDX-License-Identifier: GPL-2.0
/* livectl status: what /init set up (medium, layers, union, rw, boot times), text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livectl.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void human(const struct live_status *st)
{
	const char *dev = runstatus_get(st, "medium"), *v;
	struct live_status_layer l;
	size_t i, n = runstatus_layer_count(st);
	bool first = true;

	if (dev && *dev)
		printf("medium:   %s (%s, label \"%s\") on %s\n", dev,
		       or_dash(runstatus_get(st, "medium.fs")),
		       runstatus_get(st, "medium.label") ? runstatus_get(st, "medium.label") : "",
		       or_dash(runstatus_get(st, "medium.mount")));
	else
		printf("medium:   none (released or network boot)\n");
	printf("live dir: %s\n", or_dash(runstatus_get(st, "live.dir")));
	printf("union:    %s", or_dash(runstatus_get(st, "union")));
	v = runstatus_get(st, "union.note");
	printf("%s%s\n", v && *v ? " -- " : "", v && *v ? v : "");
	printf("branches (top first):\n");
	printf("  %-16s %s (%s, writable)\n", "rw", or_dash(runstatus_get(st, "rw")),
	       or_dash(runstatus_get(st, "rw.type")));
	v = runstatus_get(st, "persist.lower");
	if (v && *v)	/* live.persist.ro: the persistence, read-only, under the RAM branch */
		printf("  %-16s %s (%s, read-only)\n", "persistence", v,
		       or_dash(runstatus_get(st, "persist")));
	for (i = n; i-- > 0;) {
		runstatus_layer(st, i, &l);
		printf("  %-16s %s  %s  %s\n", l.name, or_dash(l.mnt), or_dash(l.dev),
		       or_dash(l.image));
	}
	if (!n)
		printf("  (no squashfs layers)\n");
	v = runstatus_get(st, "time.total");
	printf("boot:     %s ms in /init", or_dash(v));
	for (i = 0; i < st->n; i++) {
		const char *k = st->kv[i].key;

		if (strncmp(k, "time.", 5) || !strcmp(k, "time.total") ||
		    !strcmp(k, "time.start") || !strcmp(k, "time.exec"))
			continue;
		printf("%s%s %s", first ? " (" : ", ", k + 5, st->kv[i].val);
		first = false;
	}
	printf("%s\n", first ? "" : ")");
	printf("kernel:   %s\n", or_dash(runstatus_get(st, "kernel")));
	v = runstatus_get(st, "warnings");
	if (v && *v)
		printf("warnings: %s\n", v);
	v = runstatus_get(st, "unknown");
	if (v && *v)
		printf("unknown parameters: %s\n", v);
}

int status_cmd(int argc, char **argv)
{
	struct live_status st;
	bool json = false, timeline = false;
	const char *svg = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--timeline")) {
			timeline = true;
		} else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
			svg = argv[++i];
		} else {
			livectl_err("status: unknown option '%s' (usage: livectl status "
				    "[--json | --timeline | --svg FILE])", argv[i]);
			return LIVECTL_EUSAGE;
		}
	}
	if (json + timeline + !!svg > 1) {
		livectl_err("status: --json, --timeline and --svg FILE exclude each other");
		return LIVECTL_EUSAGE;
	}
	if (livectl_status_load(&st))
		return LIVECTL_EFAIL;
	if (timeline || svg)
		rc = timeline_cmd(&st, svg);
	else if (json)
		rc = runstatus_json(&st, stdout) ? LIVECTL_EFAIL : LIVECTL_OK;
	else {
		human(&st);
		rc = LIVECTL_OK;
	}
	runstatus_free(&st);
	if (fflush(stdout) != 0)
		rc = LIVECTL_EFAIL;
	return rc;
}
