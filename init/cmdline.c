// SPDX-License-Identifier: GPL-2.0
/* Parse /proc/cmdline (quotes included) into struct live_cfg; pure, host-tested. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

void cmdline_defaults(struct live_cfg *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->media, sizeof(o->media), "auto");
	snprintf(o->dir, sizeof(o->dir), "%s", LIVE_DIR_DEFAULT);
	snprintf(o->ramsize, sizeof(o->ramsize), "50%%");
	snprintf(o->ramdev, sizeof(o->ramdev), "tmpfs");
	snprintf(o->init, sizeof(o->init), "/sbin/init");
	o->timeout = LIVE_TIMEOUT_DEFAULT;
	o->hook_timeout = LIVE_HOOK_TIMEOUT_DEFAULT;
	o->helper_timeout = LIVE_HELPER_TIMEOUT_DEFAULT;
}

static void append_word(char *list, size_t len, const char *word)
{
	size_t used = strlen(list);

	if (used && used + 1 < len)
		list[used++] = ' ';
	snprintf(list + used, len - used, "%s", word);
}

/* Copy a value into a fixed field; an over-long value is refused, not cut. */
static int set_str(struct live_cfg *o, char *dst, size_t len, const char *key, const char *val)
{
	char msg[160];

	if (strlen(val) >= len) {
		snprintf(msg, sizeof(msg), "%s: value too long, ignored;", key);
		append_word(o->warnings, sizeof(o->warnings), msg);
		return 0;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 1;
}

/* The handlers of the native keys' table: each stores one key's value; 1 = consumed,
 * 0 = not ours after all (the word goes on to the aliases, then to the unknown ones). */
static int k_str(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	(void)has_val;
	return set_str(o, (char *)o + k->off, k->len, k->key, val);
}

/* live.dir=live is /live on the medium, not /run/live/mediumlive; the same for
 * live.persist.dir= and live.persist.path= (persist_foreign.c) */
static int k_abs(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	char abs[LIVE_PATH_MAX + 1];

	if (!strcmp(k->key, "live.dir"))
		o->dir_set = true;
	if (*val == '/')
		return k_str(o, k, val, has_val);
	snprintf(abs, sizeof(abs), "/%.*s", LIVE_PATH_MAX - 2, val);
	return k_str(o, k, abs, has_val);
}

static int k_image(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	return strchr(val, '/') ? 0 : k_str(o, k, val, has_val);
}

/* A value from a fixed list (k->arg: "a|b|c"); "auto" for live.union= is the default "" */
static int k_choice(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	char msg[160];
	const char *p = k->arg;
	size_t n = strlen(val);

	(void)has_val;
	for (; *p; p += strcspn(p, "|"), p += *p == '|')
		if (strcspn(p, "|") == n && !strncmp(p, val, n))
			return k_str(o, k, strcmp(val, "auto") ? val : "", has_val);
	/* "a|b|c" said as "a, b or c" */
	n = (size_t)snprintf(msg, sizeof(msg), "%s=%s: not ", k->key, val);
	for (p = k->arg; *p && n < sizeof(msg); p += *p == '|') {
		size_t w = strcspn(p, "|");

		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%.*s",
				      p == k->arg ? "" : strchr(p, '|') ? ", " : " or ", (int)w, p);
		p += w;
	}
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ", ignored;");
	append_word(o->warnings, sizeof(o->warnings), msg);
	return 1;
}

/* seconds, 0 (live.timeout) or 1 (live.hook.timeout, live.helper.timeout) to 3600 */
static int k_seconds(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	int *dst = (int *)(void *)((char *)o + k->off);
	long min = !strcmp(k->arg, "1");
	char *end, msg[160];
	long t = strtol(val, &end, 10);

	(void)has_val;
	if (!*val || *end || t < min || t > 3600) {
		snprintf(msg, sizeof(msg), "%s=%s: not a number of seconds (%ld-3600), keeping %d;",
			 k->key, val, min, *dst);
		append_word(o->warnings, sizeof(o->warnings), msg);
		return 1;
	}
	*dst = (int)t;
	return 1;
}

static int k_flag(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	(void)has_val;
	(void)val;
	*(bool *)((char *)o + k->off) = true;
	return 1;
}

/* live.toram=background: the only value live.toram takes */
static int k_toram(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	(void)k;
	if (!has_val)
		return o->toram = true, 1;
	if (strcmp(val, "background"))
		return 0;
	return o->toram_bg = true, 1;
}

/* A key given without a value (or with an empty one) stands for k->arg. */
static int k_default(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	return k_str(o, k, *val ? val : k->arg, has_val);
}

/* live.persist=off is "" (none); live.persist alone is "auto" */
static int k_persist(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	return k_str(o, k, !*val ? "auto" : strcmp(val, "off") ? val : "", has_val);
}

/* Known and valid, read by someone else (k->arg names who). */
static int k_other(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val)
{
	(void)has_val;
	(void)o, (void)k, (void)val;
	return 1;
}

#define STR(o) offsetof(struct live_cfg, o), sizeof(((struct live_cfg *)0)->o)
#define NONE 0, 0

/* Every native key, once: the parser, "did you mean", and test_cmdline (which checks
 * that each is in docs/livestack.7) all read this table. */
const struct live_key live_keys[] = {
	{ "live.media",		KEY_VALUE, k_str,	STR(media), "" },
	{ "live.dir",		KEY_VALUE, k_abs,	STR(dir), "" },
	{ "live.layers",	KEY_VALUE, k_str,	STR(layers), "" },
	{ "live.layers.skip",	KEY_VALUE, k_str,	STR(layers_skip), "" },
	{ "live.layers.optional", KEY_VALUE, k_str,	STR(layers_optional), "" },
	{ "live.image",		KEY_VALUE, k_image,	STR(image), "" },
	{ "live.union",		KEY_VALUE, k_choice,	STR(unionfs), "aufs|overlay|auto" },
	{ "live.ramsize",	KEY_VALUE, k_str,	STR(ramsize), "" },
	{ "live.timeout",	KEY_VALUE, k_seconds,	STR(timeout), "0" },
	{ "live.hook.timeout",	KEY_VALUE, k_seconds,	STR(hook_timeout), "1" },
	{ "live.helper.timeout", KEY_VALUE, k_seconds,	STR(helper_timeout), "1" },
	{ "live.break",		KEY_EITHER, k_default,	STR(brk), "premount" },
	{ "live.debug",		KEY_FLAG, k_flag,	STR(debug), "" },
	{ "live.toram",		KEY_EITHER, k_toram,	NONE, "" },
	{ "live.verify",	KEY_FLAG, k_flag,	STR(verify), "" },
	{ "live.net",		KEY_EITHER, k_default,	STR(net), "dhcp" },
	{ "live.fetch",		KEY_VALUE, k_str,	STR(fetch), "" },
	{ "live.fetch.sha256",	KEY_VALUE, k_str,	STR(fetch_sha256), "" },
	{ "live.nfs",		KEY_VALUE, k_str,	STR(nfs), "" },
	{ "live.persist",	KEY_EITHER, k_persist,	STR(persist), "" },
	{ "live.persist.size",	KEY_VALUE, k_str,	STR(persist_size), "" },
	{ "live.persist.dir",	KEY_VALUE, k_abs,	STR(persist_dir), "" },
	{ "live.persist.path",	KEY_VALUE, k_abs,	STR(persist_path), "" },
	{ "live.persist.ro",	KEY_FLAG, k_flag,	STR(persist_ro), "" },
	{ "live.persist.create", KEY_EITHER, k_default,	STR(persist_create), "default" },
	{ "live.ramdev",	KEY_VALUE, k_choice,	STR(ramdev), "tmpfs|zram" },
	{ "live.todisk",	KEY_VALUE, k_str,	STR(todisk), "" },
	{ "live.iso",		KEY_VALUE, k_str,	STR(iso), "" },
	{ "live.id",		KEY_VALUE, k_str,	STR(id), "" },
	{ "live.noeject",	KEY_FLAG, k_other,	NONE, "shutdown/main.c" },
	{ "live.hostname",	KEY_VALUE, k_other,	NONE, "hooks/bottom/50-hostname.sh" },
	{ "init",		KEY_VALUE, k_str,	STR(init), "" },
	{ "quiet",		KEY_FLAG, k_flag,	STR(quiet), "" },
};
const size_t live_nkeys = sizeof(live_keys) / sizeof(live_keys[0]);

/* Native keys; returns 1 when the word was consumed. */
static int native(struct live_cfg *o, const char *key, const char *val, bool has_val)
{
	size_t i;

	for (i = 0; i < live_nkeys; i++) {
		const struct live_key *k = &live_keys[i];

		if (strcmp(k->key, key))
			continue;
		if ((k->val == KEY_VALUE && !has_val) || (k->val == KEY_FLAG && has_val))
			return 0;
		return k->set(o, k, val, has_val);
	}
	return 0;
}

static void word(struct live_cfg *o, char *w)
{
	char *eq = strchr(w, '=');
	const char *val = "";
	bool has_val = false;
	char msg[200];

	if (eq) {
		*eq = '\0';
		val = eq + 1;
		has_val = true;
	}
	if (native(o, w, val, has_val) || alias_apply(o, w, val, has_val) > 0)
		goto out;
	if (!strncmp(w, "live.", 5)) {
		const char *near = alias_closest_native(w);

		snprintf(msg, sizeof(msg), "unknown parameter %s%s%s%s%s ignored;", w,
			 has_val ? "=" : "", val, near ? ", did you mean " : "", near ? near : "");
		append_word(o->warnings, sizeof(o->warnings), msg);
	}
	if (eq)
		*eq = '=';
	append_word(o->unknown, sizeof(o->unknown), w);
	return;
out:
	if (eq)
		*eq = '=';
}

int cmdline_parse(struct live_cfg *o, const char *line)
{
	char w[1024];
	size_t n;
	int words = 0;

	while (*line) {
		bool quoted = false;

		while (isspace((unsigned char)*line))
			line++;
		if (!*line)
			break;
		/* like the kernel: double quotes group, and are dropped */
		for (n = 0; *line && (quoted || !isspace((unsigned char)*line)); line++) {
			if (*line == '"') {
				quoted = !quoted;
				continue;
			}
			if (n + 1 < sizeof(w))
				w[n++] = *line;
		}
		w[n] = '\0';
		word(o, w);
		words++;
	}
	return words;
}
