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
	int tries;			/* attempts without progress; 0: FETCH_TRIES (5) */
};

/* live.fetch="SPEC SPEC ...": each SPEC (a comma list of layers and directories, as a
 * single live.fetch= value) is one mirror of the same layers (mirror.c). */
struct fetch_mirrors {
	char buf[1024];			/* the value, split in place */
	const char *spec[LIVE_FETCH_MIRRORS_MAX];
	size_t n;
	size_t order[LIVE_FETCH_MIRRORS_MAX];	/* the order this client tries them in */
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
 * or sha256sum's "HEX  NAME" (its URL then ends in ?v=<16 hex of HEX>, for caches); # comments. */
int fetch_plan_list_text(struct fetch_plan *p, const char *list_url, char *text, struct fail *f);
/* Download d->url into d->path, checked against d->want if d->have_want. With d->got 0 the
 * file is created; else the download goes on at d->got (the next mirror after a failure:
 * the file and d->sum as the last call left them). A failure leaves the partial file. */
int fetch_file(struct fetch_dl *d, struct fail *f);

/* Split a live.fetch= value into mirrors (blanks between them) and check each element:
 * http:// or /PATH, no empty element, at most LIVE_FETCH_MIRRORS_MAX. 0 or -errno in f. */
int fetch_mirrors_parse(struct fetch_mirrors *m, const char *value, struct fail *f);
/* "52:54:00:12:34:56" into mac; -EINVAL when it is not a MAC address. */
int fetch_mac_parse(const char *s, uint8_t mac[6]);
/* m->order: mirrors by descending hash of (MAC, SPEC) (rendezvous hashing: the same client
 * the same first mirror every boot, clients spread evenly, and a dead mirror's clients spread
 * over the others); mac NULL: the order given. */
void fetch_mirrors_order(struct fetch_mirrors *m, const uint8_t *mac);

#endif
