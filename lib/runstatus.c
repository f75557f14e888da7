// SPDX-License-Identifier: GPL-2.0
/* The boot report /run/live/status as data: parse, query, edit, format as text or JSON. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runstatus.h"

static int grow(struct live_status *st)
{
	struct live_status_kv *kv;
	size_t cap;

	if (st->n < st->cap)
		return 0;
	cap = st->cap ? st->cap * 2 : 32;
	kv = realloc(st->kv, cap * sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	st->kv = kv;
	st->cap = cap;
	return 0;
}

static int insert(struct live_status *st, size_t at, const char *key, size_t klen, const char *val)
{
	char *k, *v;

	if (grow(st))
		return -ENOMEM;
	k = strndup(key, klen);
	v = strdup(val);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	memmove(st->kv + at + 1, st->kv + at, (st->n - at) * sizeof(*st->kv));
	st->kv[at].key = k;
	st->kv[at].val = v;
	st->n++;
	return 0;
}

char *runstatus_escape(char *dst, size_t len, const char *src)
{
	size_t used = 0;

	if (!len)
		return dst;
	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		size_t need = c < 0x20 || c == 0x7f ? 4 : 1;

		if (used + need >= len)
			break;
		if (need == 4)
			used += (size_t)snprintf(dst + used, len - used, "\\x%02x", c);
		else
			dst[used++] = (char)c;
	}
	dst[used] = '\0';
	return dst;
}

static bool has_key(const struct live_status *st, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strncmp(st->kv[i].key, key, klen) && !st->kv[i].key[klen])
			return true;
	return false;
}

int runstatus_parse(struct live_status *st, const char *text)
{
	const char *line = text, *end, *eq;
	char *val;
	int err;

	memset(st, 0, sizeof(*st));
	while (*line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		eq = memchr(line, '=', (size_t)(end - line));
		if (eq && eq > line && has_key(st, line, (size_t)(eq - line))) {
			/* a second "rw=" can only come from an injected value: trust neither */
			runstatus_free(st);
			return -EBADMSG;
		}
		if (eq && eq > line) {
			val = strndup(eq + 1, (size_t)(end - eq - 1));
			if (!val) {
				runstatus_free(st);
				return -ENOMEM;
			}
			err = insert(st, st->n, line, (size_t)(eq - line), val);
			free(val);
			if (err) {
				runstatus_free(st);
				return err;
			}
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

void runstatus_free(struct live_status *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->kv[i].key);
		free(st->kv[i].val);
	}
	free(st->kv);
	memset(st, 0, sizeof(*st));
}

static long find(const struct live_status *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->kv[i].key, key))
			return (long)i;
	return -1;
}

const char *runstatus_get(const struct live_status *st, const char *key)
{
	long i = find(st, key);

	return i < 0 ? NULL : st->kv[i].val;
}

int runstatus_set(struct live_status *st, const char *key, const char *val)
{
	const char *dot = strchr(key, '.');
	size_t plen = dot ? (size_t)(dot - key) + 1 : strlen(key);
	long i = find(st, key);
	size_t at = st->n, j;
	char *v;

	if (i >= 0) {
		v = strdup(val);
		if (!v)
			return -ENOMEM;
		free(st->kv[i].val);
		st->kv[i].val = v;
		return 0;
	}
	/* beside its family: after the last "layer.*" for "layer.x", else at the end */
	for (j = 0; dot && j < st->n; j++)
		if (!strncmp(st->kv[j].key, key, plen))
			at = j + 1;
	if (dot && at == st->n) {
		/* no sibling yet: after the bare family key ("layers" for "layer.") */
		for (j = 0; j < st->n; j++)
			if (!strncmp(st->kv[j].key, key, plen - 1))
				at = j + 1;
	}
	return insert(st, at, key, strlen(key), val);
}

int runstatus_del(struct live_status *st, const char *key)
{
	long i = find(st, key);

	if (i < 0)
		return -ENOENT;
	free(st->kv[i].key);
	free(st->kv[i].val);
	memmove(st->kv + i, st->kv + i + 1, (st->n - (size_t)i - 1) * sizeof(*st->kv));
	st->n--;
	return 0;
}

int runstatus_format(const struct live_status *st, char **text, size_t *len)
{
	size_t need = 1, i, used = 0;
	char *buf;

	/* escaped as /init writes them: a value set with a newline (livectl layer add of a
	 * path holding one) must not become a line of its own; 4 bytes per \xNN */
	for (i = 0; i < st->n; i++)
		need += 4 * (strlen(st->kv[i].key) + strlen(st->kv[i].val)) + 2;
	buf = malloc(need);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < st->n; i++) {
		runstatus_escape(buf + used, need - used, st->kv[i].key);
		used += strlen(buf + used);
		buf[used++] = '=';
		runstatus_escape(buf + used, need - used, st->kv[i].val);
		used += strlen(buf + used);
		buf[used++] = '\n';
	}
	buf[used] = '\0';
	*text = buf;
	if (len)
		*len = used;
	return 0;
}

/* The i-th word of a space-separated list into out; false when there is none. */
static bool word(const char *list, size_t i, char *out, size_t len)
{
	const char *p = list, *e;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		e = strchr(p, ' ');
		if (!e)
			e = p + strlen(p);
		if (i-- == 0) {
			snprintf(out, len, "%.*s", (int)(e - p), p);
			return true;
		}
		p = e;
	}
}

size_t runstatus_layer_count(const struct live_status *st)
{
	const char *list = runstatus_get(st, "layers");
	char name[64];
	size_t n = 0;

	while (list && word(list, n, name, sizeof(name)))
		n++;
	return n;
}

/* "MOUNT LOOPDEV IMAGE": the image is the rest of the line (a path may hold spaces). */
static void split_layer(const char *v, struct live_status_layer *l)
{
	const char *s1 = strchr(v, ' '), *s2 = s1 ? strchr(s1 + 1, ' ') : NULL;

	if (!s1) {
		snprintf(l->mnt, sizeof(l->mnt), "%s", v);
		return;
	}
	snprintf(l->mnt, sizeof(l->mnt), "%.*s", (int)(s1 - v), v);
	if (!s2) {
		snprintf(l->dev, sizeof(l->dev), "%s", s1 + 1);
		return;
	}
	snprintf(l->dev, sizeof(l->dev), "%.*s", (int)(s2 - s1 - 1), s1 + 1);
	snprintf(l->image, sizeof(l->image), "%s", s2 + 1);
}

int runstatus_layer(const struct live_status *st, size_t i, struct live_status_layer *out)
{
	const char *list = runstatus_get(st, "layers"), *v;
	char key[80];

	memset(out, 0, sizeof(*out));
	if (!list || !word(list, i, out->name, sizeof(out->name)))
		return -ENOENT;
	snprintf(key, sizeof(key), "layer.%s", out->name);
	v = runstatus_get(st, key);
	if (v)
		split_layer(v, out);
	return 0;
}

int runstatus_layer_add(struct live_status *st, const struct live_status_layer *l, int top)
{
	const char *old = runstatus_get(st, "layers"), *dev;
	char key[80], *list, *val;
	size_t len;
	int err;

	if (!old)
		old = "";
	len = strlen(old) + strlen(l->name) + 2;
	list = malloc(len);
	dev = *l->dev ? l->dev : "-";
	val = malloc(strlen(l->mnt) + strlen(dev) + strlen(l->image) + 3);
	if (!list || !val) {
		free(list);
		free(val);
		return -ENOMEM;
	}
	if (!*old)
		snprintf(list, len, "%s", l->name);
	else if (top)
		snprintf(list, len, "%s %s", old, l->name);
	else
		snprintf(list, len, "%s %s", l->name, old);
	sprintf(val, "%s %s %s", l->mnt, dev, l->image);
	snprintf(key, sizeof(key), "layer.%s", l->name);
	err = runstatus_set(st, "layers", list);
	if (!err)
		err = runstatus_set(st, key, val);
	free(list);
	free(val);
	return err;
}

int runstatus_layer_del(struct live_status *st, const char *name)
{
	const char *old = runstatus_get(st, "layers");
	char w[64], key[80], *list;
	size_t i, used = 0, len;
	bool found = false;
	int err;

	if (!old)
		return -ENOENT;
	len = strlen(old) + 1;
	list = malloc(len);
	if (!list)
		return -ENOMEM;
	list[0] = '\0';
	for (i = 0; word(old, i, w, sizeof(w)); i++) {
		if (!strcmp(w, name)) {
			found = true;
			continue;
		}
		used += (size_t)snprintf(list + used, len - used, "%s%s", used ? " " : "", w);
	}
	err = found ? runstatus_set(st, "layers", list) : -ENOENT;
	free(list);
	snprintf(key, sizeof(key), "layer.%s", name);
	if (!err)
		runstatus_del(st, key);
	return err;
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s, 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void runstatus_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", f);
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
}

static bool is_uint(const char *s)
{
	if (!*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A number when it looks like one, else a string. */
static void json_val(FILE *f, const char *v)
{
	if (is_uint(v) && (v[0] != '0' || !v[1]))
		fputs(v, f);
	else
		runstatus_json_str(f, v);
}

static void field(FILE *f, bool *first, const char *name, const char *v)
{
	fprintf(f, "%s\n    ", *first ? "" : ",");
	*first = false;
	runstatus_json_str(f, name);
	fputs(": ", f);
	runstatus_json_str(f, v ? v : "");
}

/* "candidate.sr0=accepted fs=iso9660 label=X size=N: reason" */
static void json_candidate(FILE *f, const char *dev, const char *v)
{
	const char *fs = strstr(v, " fs="), *label = strstr(v, " label="),
		   *size = label ? strstr(label, " size=") : NULL,
		   *reason = size ? strstr(size, ": ") : NULL;
	char buf[512];
	bool first = true;

	fputs("{", f);
	field(f, &first, "device", dev);
	if (!fs || !label || !size || !reason || fs > label) {
		field(f, &first, "text", v);
		fputs("\n  }", f);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(fs - v), v);
	field(f, &first, "verdict", buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)(label - fs - 4), fs + 4);
	field(f, &first, "fs", strcmp(buf, "-") ? buf : "");
	snprintf(buf, sizeof(buf), "%.*s", (int)(size - label - 7), label + 7);
	field(f, &first, "label", strcmp(buf, "-") ? buf : "");
	snprintf(buf, sizeof(buf), "%.*s", (int)(reason - size - 6), size + 6);
	fputs(",\n    \"size\": ", f);
	json_val(f, buf);
	field(f, &first, "reason", reason + 2);
	fputs("\n  }", f);
}

/* Keys shown as plain top-level members, renamed where a '.' would be awkward. */
static const struct {
	const char *key, *json;
} plain[] = {
	{ "format", "format" }, { "kernel", "kernel" }, { "live.dir", "live_dir" },
	{ "union", "union" }, { "union.note", "union_note" }, { "toram", "toram" },
	{ "init", "init" }, { "unknown", "unknown" }, { "warnings", "warnings" },
};

static bool handled(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(key, plain[i].key))
			return true;
	return !strcmp(key, "medium") || !strncmp(key, "medium.", 7) ||
	       !strncmp(key, "candidate.", 10) || !strcmp(key, "layers") ||
	       !strncmp(key, "layer.", 6) || !strcmp(key, "rw") || !strcmp(key, "rw.type") ||
	       !strncmp(key, "time.", 5);
}

int runstatus_json(const struct live_status *st, FILE *f)
{
	struct live_status_layer l;
	bool first;
	size_t i, n;
	const char *v;

	fputs("{", f);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		v = runstatus_get(st, plain[i].key);
		if (!v)
			continue;
		fprintf(f, "\n  \"%s\": ", plain[i].json);
		if (!strcmp(plain[i].key, "format"))
			json_val(f, v);
		else
			runstatus_json_str(f, v);
		fputs(",", f);
	}
	fputs("\n  \"medium\": {", f);
	first = true;
	field(f, &first, "device", runstatus_get(st, "medium"));
	field(f, &first, "fs", runstatus_get(st, "medium.fs"));
	field(f, &first, "label", runstatus_get(st, "medium.label"));
	field(f, &first, "uuid", runstatus_get(st, "medium.uuid"));
	field(f, &first, "mount", runstatus_get(st, "medium.mount"));
	fputs("\n  },\n  \"candidates\": [", f);
	first = true;
	for (i = 0; i < st->n; i++) {
		if (strncmp(st->kv[i].key, "candidate.", 10))
			continue;
		fputs(first ? "\n  " : ",\n  ", f);
		first = false;
		json_candidate(f, st->kv[i].key + 10, st->kv[i].val);
	}
	fputs("],\n  \"layers\": [", f);
	n = runstatus_layer_count(st);
	for (i = 0; i < n; i++) {
		bool lf = true;

		runstatus_layer(st, i, &l);
		fputs(i ? ",\n  {" : "\n  {", f);
		field(f, &lf, "name", l.name);
		field(f, &lf, "mount", l.mnt);
		field(f, &lf, "device", strcmp(l.dev, "-") ? l.dev : "");
		field(f, &lf, "image", l.image);
		fputs("\n  }", f);
	}
	fputs("],\n  \"rw\": {", f);
	first = true;
	field(f, &first, "path", runstatus_get(st, "rw"));
	field(f, &first, "type", runstatus_get(st, "rw.type"));
	fputs("\n  },\n  \"time_ms\": {", f);
	first = true;
	for (i = 0; i < st->n; i++) {
		if (strncmp(st->kv[i].key, "time.", 5))
			continue;
		fprintf(f, "%s\n    ", first ? "" : ",");
		first = false;
		runstatus_json_str(f, st->kv[i].key + 5);
		fputs(": ", f);
		json_val(f, st->kv[i].val);
	}
	fputs("\n  },\n  \"other\": {", f);
	first = true;
	for (i = 0; i < st->n; i++)
		if (!handled(st->kv[i].key))
			field(f, &first, st->kv[i].key, st->kv[i].val);
	fputs("\n  }\n}\n", f);
	return ferror(f) ? -EIO : 0;
}
