// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: an HTTP server's answer (init/http.c's head parser, a redirect's Location) and
 * live.fetch='s URLs and layers.list (init/fetch.c). Input: the response; after a 0 byte, a
 * live.fetch= item; after a second, a layers.list. */
#include "fetch.h"
#include "fuzz.h"
#include "http.h"

static void head(const uint8_t *data, size_t size)
{
	static struct http h;
	struct url u = { "server", "8080", "/live/" };
	struct fail f;
	char url[1024];

	if (size > sizeof(h.buf) - 1)
		size = sizeof(h.buf) - 1;
	memcpy(h.buf, data, size);
	h.have = size;
	if (http_parse_head(&h) == 0) {
		if (h.off > h.have)
			abort();
		if (h.status >= 300 && h.status < 400 && http_follow(url, sizeof(url), &u, &h, &f) == 0)
			http_url_parse(url, &u, &f);
		http_retryable(h.status);
	}
}

static void fetch_item(const char *item)
{
	static struct fetch_plan p;
	struct fail f;
	struct url u;
	char url[1024], name[64];

	p.n = 0;
	if (fetch_item_url(item, strcspn(item, ","), "10.0.2.2", url, sizeof(url), &f) == 0) {
		if (strlen(url) >= sizeof(url))
			abort();
		if (http_url_parse(url, &u, &f) == 0 && fetch_layer_name(url, name, sizeof(name), &f) == 0 &&
		    (name[0] == '.' || strchr(name, '/')))
			abort();
		fetch_plan_add(&p, url, NULL, NULL, &f);
	}
}

static void list(char *text)
{
	static struct fetch_plan p;
	struct fail f;
	size_t i;

	p.n = 0;
	if (fetch_plan_list_text(&p, "http://server/live/layers.list", text, &f) == 0)
		for (i = 0; i < p.n; i++)
			if (p.d[i].name[0] == '.' || strchr(p.d[i].name, '/') ||
			    strncmp(p.d[i].url, "http://server/live/", 19))
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *z = memchr(data, 0, size), *z2;
	char *s;

	head(data, z ? (size_t)(z - data) : size);
	if (!z)
		return 0;
	z++;
	size -= (size_t)(z - data);
	z2 = memchr(z, 0, size);
	s = fuzz_str(z, z2 ? (size_t)(z2 - z) : size);
	if (s && *s)
		fetch_item(s);
	free(s);
	if (!z2)
		return 0;
	size -= (size_t)(z2 + 1 - z);
	s = fuzz_str(z2 + 1, size);
	if (s)
		list(s);
	free(s);
	return 0;
}
