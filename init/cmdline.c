// SPDX-License-Identifier: GPL-2.0
/* Parse /proc/cmdline (quotes included) into struct live_opts; pure, host-tested. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

void cmdline_defaults(struct live_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->media, sizeof(o->media), "auto");
	snprintf(o->dir, sizeof(o->dir), "%s", LIVE_DIR_DEFAULT);
	snprintf(o->ramsize, sizeof(o->ramsize), "50%%");
	snprintf(o->ramdev, sizeof(o->ramdev), "tmpfs");
	snprintf(o->init, sizeof(o->init), "/sbin/init");
	o->timeout = LIVE_TIMEOUT_DEFAULT;
	o->hook_timeout = LIVE_HOOK_TIMEOUT_DEFAULT;
}

static void append_word(char *list, size_t len, const char *word)
{
	size_t used = strlen(list);

	if (used && used + 1 < len)
		list[used++] = ' ';
	snprintf(list + used, len - used, "%s", word);
}

/* Copy a value into a fixed field; an over-long value is refused, not cut. */
static int set_str(struct live_opts *o, char *dst, size_t len, const char *key, const char *val)
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

static int set_timeout(struct live_opts *o, int *dst, long min, const char *key, const char *val)
{
	char *end, msg[160];
	long t = strtol(val, &end, 10);

	if (!*val || *end || t < min || t > 3600) {
		snprintf(msg, sizeof(msg), "%s=%s: not a number of seconds (%ld-3600), keeping %d;",
			 key, val, min, *dst);
		append_word(o->warnings, sizeof(o->warnings), msg);
		return 1;
	}
	*dst = (int)t;
	return 1;
}

/* Native live.* keys; returns 1 when the word was consumed. */
static int native(struct live_opts *o, const char *key, const char *val, bool has_val)
{
	if (!strcmp(key, "live.media") && has_val)
		return set_str(o, o->media, sizeof(o->media), key, val);
	if (!strcmp(key, "live.dir") && has_val) {
		char abs[sizeof(o->dir) + 1];

		o->dir_set = true;
		if (*val == '/')
			return set_str(o, o->dir, sizeof(o->dir), key, val);
		/* live.dir=live is /live on the medium, not /run/live/mediumlive */
		snprintf(abs, sizeof(abs), "/%.*s", (int)sizeof(o->dir) - 1, val);
		return set_str(o, o->dir, sizeof(o->dir), key, abs);
	}
	if (!strcmp(key, "live.layers") && has_val)
		return set_str(o, o->layers, sizeof(o->layers), key, val);
	if (!strcmp(key, "live.layers.skip") && has_val)
		return set_str(o, o->layers_skip, sizeof(o->layers_skip), key, val);
	if (!strcmp(key, "live.layers.optional") && has_val)
		return set_str(o, o->layers_optional, sizeof(o->layers_optional), key, val);
	if (!strcmp(key, "live.image") && has_val && !strchr(val, '/'))
		return set_str(o, o->image, sizeof(o->image), key, val);
	if (!strcmp(key, "live.union") && has_val) {
		if (strcmp(val, "aufs") && strcmp(val, "overlay") && strcmp(val, "auto")) {
			char msg[160];

			snprintf(msg, sizeof(msg), "live.union=%s: not aufs, overlay or auto, ignored;", val);
			append_word(o->warnings, sizeof(o->warnings), msg);
			return 1;
		}
		return set_str(o, o->unionfs, sizeof(o->unionfs), key, strcmp(val, "auto") ? val : "");
	}
	if (!strcmp(key, "live.ramsize") && has_val)
		return set_str(o, o->ramsize, sizeof(o->ramsize), key, val);
	if (!strcmp(key, "live.timeout") && has_val)
		return set_timeout(o, &o->timeout, 0, key, val);
	if (!strcmp(key, "live.hook.timeout") && has_val)
		return set_timeout(o, &o->hook_timeout, 1, key, val);
	if (!strcmp(key, "live.break"))
		return set_str(o, o->brk, sizeof(o->brk), key, has_val && *val ? val : "premount");
	if (!strcmp(key, "live.debug") && !has_val)
		return o->debug = true, 1;
	if (!strcmp(key, "live.toram") && !has_val)
		return o->toram = true, 1;
	if (!strcmp(key, "live.toram") && !strcmp(val, "background"))
		return o->toram_bg = true, 1;
	if (!strcmp(key, "live.verify") && !has_val)
		return o->verify = true, 1;
	if (!strcmp(key, "live.net"))
		return set_str(o, o->net, sizeof(o->net), key, has_val && *val ? val : "dhcp");
	if (!strcmp(key, "live.fetch") && has_val)
		return set_str(o, o->fetch, sizeof(o->fetch), key, val);
	if (!strcmp(key, "live.fetch.sha256") && has_val)
		return set_str(o, o->fetch_sha256, sizeof(o->fetch_sha256), key, val);
	if (!strcmp(key, "live.nfs") && has_val)
		return set_str(o, o->nfs, sizeof(o->nfs), key, val);
	if (!strcmp(key, "live.persist"))
		return set_str(o, o->persist, sizeof(o->persist), key,
			       has_val && *val ? (strcmp(val, "off") ? val : "") : "auto");
	if (!strcmp(key, "live.persist.size") && has_val)
		return set_str(o, o->persist_size, sizeof(o->persist_size), key, val);
	/* persist_foreign.c: the branch's directory on the persistence fs, and where
	 * live.persist=auto looks for image files */
	if ((!strcmp(key, "live.persist.dir") || !strcmp(key, "live.persist.path")) && has_val) {
		char *dst = key[13] == 'd' ? o->persist_dir : o->persist_path;

		if (*val != '/') {
			char abs[LIVE_PATH_MAX + 1];

			snprintf(abs, sizeof(abs), "/%.*s", LIVE_PATH_MAX - 2, val);
			return set_str(o, dst, LIVE_PATH_MAX, key, abs);
		}
		return set_str(o, dst, LIVE_PATH_MAX, key, val);
	}
	if (!strcmp(key, "live.persist.ro") && !has_val)
		return o->persist_ro = true, 1;
	if (!strcmp(key, "live.persist.create"))
		return set_str(o, o->persist_create, sizeof(o->persist_create), key,
			       has_val && *val ? val : "default");
	if (!strcmp(key, "live.ramdev") && has_val) {
		if (strcmp(val, "tmpfs") && strcmp(val, "zram")) {
			char msg[160];

			snprintf(msg, sizeof(msg), "live.ramdev=%s: not tmpfs or zram, ignored;", val);
			append_word(o->warnings, sizeof(o->warnings), msg);
			return 1;
		}
		return set_str(o, o->ramdev, sizeof(o->ramdev), key, val);
	}
	if (!strcmp(key, "live.todisk") && has_val)
		return set_str(o, o->todisk, sizeof(o->todisk), key, val);
	if (!strcmp(key, "live.iso") && has_val)
		return set_str(o, o->iso, sizeof(o->iso), key, val);
	if (!strcmp(key, "live.id") && has_val)
		return set_str(o, o->id, sizeof(o->id), key, val);
	/* read by /run/initramfs/shutdown (shutdown/main.c): leave the CD in */
	if (!strcmp(key, "live.noeject") && !has_val)
		return 1;
	/* read by the shipped hook hooks/bottom/50-hostname.sh */
	if (!strcmp(key, "live.hostname") && has_val)
		return 1;
	if (!strcmp(key, "init") && has_val)
		return set_str(o, o->init, sizeof(o->init), key, val);
	if (!strcmp(key, "quiet") && !has_val)
		return o->quiet = true, 1;
	return 0;
}

static void word(struct live_opts *o, char *w)
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

int cmdline_parse(struct live_opts *o, const char *line)
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
