/* SPDX-License-Identifier: GPL-2.0 */
/* live.fetch='s plan (URLs, layer names, layers.list) and one download: host-tested and fuzzed. */
#ifndef LIVE_FETCH_H
#define LIVE_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "live.h"
#include "sha256.h"

/* One layer being downloaded. */
struct fetch_dl {
	char name[64];			/* NN-name.squashfs, as saved */
	char url[1024];
	char path[LIVE_PATH_MAX + 96];
	uint8_t want[SHA256_LEN];
	bool have_want;
	char want_from[160];		/* where the expected sum came from */
	unsigned long long got, total;	/* total 0 = unknown */
	struct sha256 sum;
	uint64_t t0, shown;
	bool quiet;
};

struct fetch_plan {
	struct fetch_dl d[LIVE_MAX_LAYERS];
	size_t n;
};

/* One live.fetch= item (n bytes at item) as a URL in url (len bytes): a /PATH is on the
 * DHCP next-server, a directory (ending in /) means its layers.list. 0 or -errno in f. */
int fetch_item_url(const char *item, size_t n, const char *next_server, char *url, size_t len,
		   struct fail *f);
/* "NN-name.squashfs" from a URL's last path element (other names get the suffix). */
int fetch_layer_name(const char *url, char *name, size_t len, struct fail *f);
/* Add the layer at url (hex: its expected SHA-256 or NULL, from: where that came from). */
int fetch_plan_add(struct fetch_plan *p, const char *url, const char *hex, const char *from,
		   struct fail *f);
/* layers.list's text (changed in place), fetched from list_url: one layer per line, "NAME"
 * or sha256sum's "HEX  NAME"; # comments. */
int fetch_plan_list_text(struct fetch_plan *p, const char *list_url, char *text, struct fail *f);
/* Download d->url into d->path (created), checked against d->want if d->have_want. */
int fetch_file(struct fetch_dl *d, struct fail *f);

#endif
