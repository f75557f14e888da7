// SPDX-License-Identifier: GPL-2.0
/* Host tests of livectl's pure part, lib/runstatus: parsing, editing and JSON of /run/live/status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runstatus.h"

static const char sample[] =
	"format=1\n"
	"kernel=6.1.0-56-amd64\n"
	"medium=/dev/sr0\n"
	"medium.fs=iso9660\n"
	"medium.label=LIVESTACK\n"
	"medium.uuid=2024-01-01-00-00-00-00\n"
	"medium.mount=/run/live/medium\n"
	"live.dir=/live\n"
	"candidate.sr0=accepted fs=iso9660 label=LIVESTACK size=4096: iso9660, 1 layer in /live\n"
	"candidate.vda=rejected fs=- label=- size=512: no known filesystem\n"
	"layers=10-base 20-desk\n"
	"layer.10-base=/run/live/layers/10-base /dev/loop0 /run/live/medium/live/10-base.squashfs\n"
	"layer.20-desk=/run/live/layers/20-desk /dev/loop1 /run/live/medium/live/my dir/20-desk.squashfs\n"
	"union=aufs\n"
	"rw=/run/live/rw/upper\n"
	"rw.type=tmpfs\n"
	"\n"
	"not a key value line\n"
	"unknown=foo=\"bar baz\"\n"
	"time.premount=12\n"
	"time.total=345\n";

/* ---- a strict little JSON checker (RFC 8259 grammar, no extensions) ---- */
static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *value(const char *p, int depth);

static const char *string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 5;
				continue;
			}
			if (!*p || !strchr("\"\\/bfnrt", *p))
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	return p > s ? p : NULL;
}

static const char *value(const char *p, int depth)
{
	p = ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		int obj = *p == '{';

		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = string(ws(p));
				if (!p)
					return NULL;
				p = ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = value(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return string(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return number(p);
}

static int json_valid(const char *text)
{
	const char *end = value(text, 0);

	return end && *ws(end) == '\0';
}

static char *to_json(const struct live_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	runstatus_json(st, f);
	fclose(f);
	return buf;
}

TEST(livectl_status_parse_keeps_order_skips_junk)
{
	struct live_status st;

	CHECK_EQ(runstatus_parse(&st, sample), 0);
	CHECK_EQ(st.n, 19);
	CHECK_STR(st.kv[0].key, "format");
	CHECK_STR(runstatus_get(&st, "unknown"), "foo=\"bar baz\"");
	CHECK_STR(runstatus_get(&st, "medium.label"), "LIVESTACK");
	CHECK(runstatus_get(&st, "not a key value line") == NULL);
	CHECK(runstatus_get(&st, "nosuch") == NULL);
	runstatus_free(&st);
}

TEST(livectl_status_layers_with_spaces_in_image)
{
	struct live_status st;
	struct live_status_layer l;

	runstatus_parse(&st, sample);
	CHECK_EQ(runstatus_layer_count(&st), 2);
	CHECK_EQ(runstatus_layer(&st, 1, &l), 0);
	CHECK_STR(l.name, "20-desk");
	CHECK_STR(l.mnt, "/run/live/layers/20-desk");
	CHECK_STR(l.dev, "/dev/loop1");
	CHECK_STR(l.image, "/run/live/medium/live/my dir/20-desk.squashfs");
	CHECK_EQ(runstatus_layer(&st, 2, &l), -ENOENT);
	runstatus_free(&st);
}

TEST(livectl_status_layer_add_top_bottom_del)
{
	struct live_status st;
	struct live_status_layer l = { "50-extra", "/run/live/layers/50-extra", "/dev/loop2",
				       "/tmp/50-extra.squashfs" };
	char *text;
	size_t len;

	runstatus_parse(&st, sample);
	CHECK_EQ(runstatus_layer_add(&st, &l, 1), 0);
	CHECK_STR(runstatus_get(&st, "layers"), "10-base 20-desk 50-extra");
	CHECK_STR(runstatus_get(&st, "layer.50-extra"),
		  "/run/live/layers/50-extra /dev/loop2 /tmp/50-extra.squashfs");
	/* the new line sits beside the other layer. lines */
	CHECK_STR(st.kv[13].key, "layer.50-extra");
	CHECK_EQ(runstatus_layer_del(&st, "50-extra"), 0);
	CHECK(runstatus_get(&st, "layer.50-extra") == NULL);
	snprintf(l.name, sizeof(l.name), "05-low");
	CHECK_EQ(runstatus_layer_add(&st, &l, 0), 0);
	CHECK_STR(runstatus_get(&st, "layers"), "05-low 10-base 20-desk");
	CHECK_EQ(runstatus_layer_del(&st, "10-base"), 0);
	CHECK_STR(runstatus_get(&st, "layers"), "05-low 20-desk");
	CHECK_EQ(runstatus_layer_del(&st, "nosuch"), -ENOENT);
	CHECK_EQ(runstatus_format(&st, &text, &len), 0);
	CHECK(strstr(text, "\nlayers=05-low 20-desk\n") != NULL);
	CHECK(strstr(text, "layer.10-base=") == NULL);
	CHECK_EQ(len, strlen(text));
	free(text);
	runstatus_free(&st);
}

TEST(livectl_status_add_to_empty_layers)
{
	struct live_status st;
	struct live_status_layer l = { "x", "/m/x", "-", "/x.squashfs" };

	runstatus_parse(&st, "format=1\nlayers=\nunion=aufs\n");
	CHECK_EQ(runstatus_layer_add(&st, &l, 1), 0);
	CHECK_STR(runstatus_get(&st, "layers"), "x");
	CHECK_STR(st.kv[2].key, "layer.x");
	CHECK_EQ(runstatus_layer_del(&st, "x"), 0);
	CHECK_STR(runstatus_get(&st, "layers"), "");
	CHECK_EQ(runstatus_layer_count(&st), 0);
	runstatus_free(&st);
}

TEST(livectl_status_format_roundtrip)
{
	struct live_status st, st2;
	char *text;
	size_t i;

	runstatus_parse(&st, sample);
	CHECK_EQ(runstatus_format(&st, &text, NULL), 0);
	CHECK_EQ(runstatus_parse(&st2, text), 0);
	CHECK_EQ(st2.n, st.n);
	for (i = 0; i < st.n && i < st2.n; i++) {
		CHECK_STR(st2.kv[i].key, st.kv[i].key);
		CHECK_STR(st2.kv[i].val, st.kv[i].val);
	}
	free(text);
	runstatus_free(&st);
	runstatus_free(&st2);
}

TEST(livectl_json_valid_and_structured)
{
	struct live_status st;
	char *j;

	runstatus_parse(&st, sample);
	j = to_json(&st);
	CHECK(j != NULL);
	CHECK(json_valid(j));
	CHECK(strstr(j, "\"union\": \"aufs\"") != NULL);
	CHECK(strstr(j, "\"format\": 1,") != NULL);
	CHECK(strstr(j, "\"unknown\": \"foo=\\\"bar baz\\\"\"") != NULL);
	CHECK(strstr(j, "\"verdict\": \"rejected\"") != NULL);
	CHECK(strstr(j, "\"size\": 4096") != NULL);
	CHECK(strstr(j, "\"image\": \"/run/live/medium/live/my dir/20-desk.squashfs\"") != NULL);
	CHECK(strstr(j, "\"premount\": 12") != NULL);
	CHECK(strstr(j, "\"type\": \"tmpfs\"") != NULL);
	/* bottom first, as in layers= */
	CHECK(strstr(j, "10-base") < strstr(j, "20-desk"));
	free(j);
	runstatus_free(&st);
}

TEST(livectl_json_escapes_control_and_bad_utf8)
{
	struct live_status st;
	char *j;

	runstatus_parse(&st, "medium.label=a\tb\x01\"\\\xe9z\xc3\xa9\n"
			"weird.key=\xff\n");
	j = to_json(&st);
	CHECK(json_valid(j));
	CHECK(strstr(j, "\"label\": \"a\\tb\\u0001\\\"\\\\\\ufffdz\xc3\xa9\"") != NULL);
	/* unknown keys are kept under "other" */
	CHECK(strstr(j, "\"other\": {\n    \"weird.key\": \"\\ufffd\"") != NULL);
	free(j);
	runstatus_free(&st);
}

TEST(livectl_json_empty_status)
{
	struct live_status st;
	char *j;

	runstatus_parse(&st, "");
	CHECK_EQ(st.n, 0);
	j = to_json(&st);
	CHECK(json_valid(j));
	CHECK(strstr(j, "\"layers\": []") != NULL);
	free(j);
	runstatus_free(&st);
}

TEST(livectl_json_checker_rejects_bad_json)
{
	CHECK(!json_valid("{\"a\": 1,}"));
	CHECK(!json_valid("{\"a\" 1}"));
	CHECK(!json_valid("[\"\x01\"]"));
	CHECK(json_valid("{\"a\": [1, \"x\", {}], \"b\": null}"));
}

int main(void)
{
	RUN(livectl_status_parse_keeps_order_skips_junk);
	RUN(livectl_status_layers_with_spaces_in_image);
	RUN(livectl_status_layer_add_top_bottom_del);
	RUN(livectl_status_add_to_empty_layers);
	RUN(livectl_status_format_roundtrip);
	RUN(livectl_json_valid_and_structured);
	RUN(livectl_json_escapes_control_and_bad_utf8);
	RUN(livectl_json_empty_status);
	RUN(livectl_json_checker_rejects_bad_json);
	return HARNESS_END();
}
