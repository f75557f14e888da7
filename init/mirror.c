// SPDX-License-Identifier: GPL-2.0
/* live.fetch= mirrors: the value's list of mirrors, checked, and this client's order by its MAC. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"

/* One comma element of a mirror: http://HOST/... or /PATH; n bytes at e. */
static int check_element(const char *spec, const char *e, size_t n, struct fail *f)
{
	const char *colon = memchr(e, ':', n);

	if (!n)
		return http_fail(f, ST_URL, -EINVAL, "live.fetch=%.200s: an empty element (two commas "
				 "in a row, or a comma at an end)", spec);
	if (e[0] == '/')
		return 0;
	if (n >= 7 && !strncmp(e, "http://", 7)) {
		if (n == 7 || e[7] == '/')
			return http_fail(f, ST_URL, -EINVAL, "live.fetch=%.200s: \"%.*s\" names no server",
					 spec, (int)(n > 200 ? 200 : n), e);
		return 0;
	}
	if (colon && colon + 2 < e + n && colon[1] == '/' && colon[2] == '/')
		return http_fail(f, ST_URL, -EPROTONOSUPPORT, "live.fetch=%.200s: \"%.*s\": /init speaks "
				 "http:// only (%.*s:// is not supported%s)", spec,
				 (int)(n > 200 ? 200 : n), e, (int)(colon - e), e,
				 !strncmp(e, "https", 5) ? ": no TLS in /init" : "");
	return http_fail(f, ST_URL, -EINVAL, "live.fetch=%.200s: \"%.*s\" is neither http://SERVER/PATH "
			 "nor /PATH", spec, (int)(n > 200 ? 200 : n), e);
}

int fetch_mirrors_parse(struct fetch_mirrors *m, const char *value, struct fail *f)
{
	char *p;
	size_t i;
	int err;

	memset(m, 0, sizeof(*m));
	if (strlen(value) >= sizeof(m->buf))
		return http_fail(f, ST_URL, -ENAMETOOLONG, "live.fetch= is longer than %zu bytes",
				 sizeof(m->buf) - 1);
	snprintf(m->buf, sizeof(m->buf), "%s", value);
	for (p = m->buf; *p;) {
		size_t n;

		p += strspn(p, " \t");
		if (!*p)
			break;
		if (m->n == LIVE_FETCH_MIRRORS_MAX)
			return http_fail(f, ST_URL, -E2BIG, "live.fetch=%.200s: more than %d mirrors",
					 value, LIVE_FETCH_MIRRORS_MAX);
		n = strcspn(p, " \t");
		m->spec[m->n++] = p;
		p += n;
		if (*p)
			*p++ = '\0';
	}
	if (!m->n)
		return http_fail(f, ST_URL, -EINVAL, "live.fetch= is empty");
	for (i = 0; i < m->n; i++) {
		const char *e = m->spec[i];

		for (;;) {
			size_t n = strcspn(e, ",");

			err = check_element(m->spec[i], e, n, f);
			if (err)
				return err;
			if (!e[n])
				break;
			e += n + 1;
		}
	}
	for (i = 0; i < m->n; i++)
		m->order[i] = i;
	return 0;
}

int fetch_mac_parse(const char *s, uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < 6; i++, s += 3) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = (uint8_t)((isdigit((unsigned char)s[0]) ? s[0] - '0' : (tolower(s[0]) - 'a' + 10)) << 4 |
				   (isdigit((unsigned char)s[1]) ? s[1] - '0' : (tolower(s[1]) - 'a' + 10)));
	}
	return 0;
}

/* FNV-1a 64 of the MAC and the mirror's text, then splitmix64's finalizer: FNV alone keeps
 * too much of the last byte's pattern for MACs that differ in their last byte only. */
static uint64_t score(const uint8_t mac[6], const char *spec)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 0x100000001b3ULL;
	for (; *spec; spec++)
		h = (h ^ (uint8_t)*spec) * 0x100000001b3ULL;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

void fetch_mirrors_order(struct fetch_mirrors *m, const uint8_t *mac)
{
	uint64_t s[LIVE_FETCH_MIRRORS_MAX];
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		m->order[i] = i;
		s[i] = mac ? score(mac, m->spec[i]) : 0;
	}
	/* insertion sort, highest score first; equal scores keep the given order */
	for (i = 1; i < m->n; i++) {
		size_t o = m->order[i];

		for (j = i; j > 0 && s[m->order[j - 1]] < s[o]; j--)
			m->order[j] = m->order[j - 1];
		m->order[j] = o;
	}
}
