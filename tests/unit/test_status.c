// SPDX-License-Identifier: GPL-2.0
/* Host tests of /run/live/status as hostile input: a stick's label, a layer's file name or a
 * boot-line value with a newline adds no key; the reader refuses a key given twice. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "live.h"
#include "probe.h"
#include "runstatus.h"
#include "toram.h"

static char tmp[] = "/tmp/test_status.XXXXXX";

/* A stick made with mkfs.ext2 -L $'x\nrw=/evil': the label must not become a line. */
TEST(status_label_with_newline_adds_no_key)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	static char buf[16384];
	struct live_status st;
	char cmd[512], img[300];

	snprintf(img, sizeof(img), "%s/evil.img", tmp);
	snprintf(cmd, sizeof(cmd), "truncate -s 4M %s && mkfs.ext2 -q -F -L \"$(printf 'x\\nrw=/evil')\" %s",
		 img, img);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(probe_path(img, &ctx.devs[0].fs), 0);
	CHECK_STR(ctx.devs[0].fs.label, "x\nrw=/evil");
	snprintf(ctx.devs[0].name, sizeof(ctx.devs[0].name), "sdb");
	snprintf(ctx.devs[0].reason, sizeof(ctx.devs[0].reason), "label\nlayers=evil");
	ctx.ndevs = 1;
	ctx.medium = 0;
	snprintf(ctx.dir, sizeof(ctx.dir), "/live\nlayer.x=/evil");
	snprintf(cfg.warnings, sizeof(cfg.warnings), "w\r\nunion=evil");
	CHECK_EQ(status_format(&ctx, buf, sizeof(buf)), 0);
	CHECK(strstr(buf, "\nrw=/evil") == NULL);
	CHECK(strstr(buf, "medium.label=x\\x0arw=/evil\n") != NULL);
	CHECK(strstr(buf, "label=x\\x0arw=/evil size=") != NULL);
	CHECK(strstr(buf, "live.dir=/live\\x0alayer.x=/evil\n") != NULL);
	CHECK(strstr(buf, "warnings=w\\x0d\\x0aunion=evil\n") != NULL);
	CHECK_EQ(runstatus_parse(&st, buf), 0);
	CHECK_STR(runstatus_get(&st, "rw"), LIVE_RW_UPPER);
	CHECK_STR(runstatus_get(&st, "layers"), "");
	CHECK(runstatus_get(&st, "layer.x") == NULL);
	runstatus_free(&st);
}

/* toram's verify.NAME lines: NAME is a file name from the medium. */
TEST(status_toram_name_with_newline)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	static struct toram_job j;

	j.n = 1;
	snprintf(j.l[0].name, sizeof(j.l[0].name), "10-a\nrw=/evil");
	toram_set_status(&ctx, &j, "fallback: %s", "bad\nrw=/x");
	CHECK_STR(ctx.toram_status,
		  "toram=fallback: bad\\x0arw=/x\nverify.10-a\\x0arw=/evil=unchecked\n");
}

TEST(status_reader_refuses_duplicate_keys)
{
	struct live_status st;

	CHECK_EQ(runstatus_parse(&st, "format=1\nrw=/run/live/rw/upper\nrw=/evil\n"), -EBADMSG);
	CHECK_EQ(st.n, 0);
	CHECK_EQ(runstatus_parse(&st, "layers=a\nlayer.a=/m - /i\nlayer.a=/evil - /i\n"), -EBADMSG);
	/* a key that is a prefix of another is not a duplicate */
	CHECK_EQ(runstatus_parse(&st, "rw=/a\nrw.type=tmpfs\nr=1\n"), 0);
	CHECK_EQ(st.n, 3);
	runstatus_free(&st);
}

TEST(status_escape)
{
	char out[16];

	CHECK_STR(runstatus_escape(out, sizeof(out), "a\x01" "b\x7f"), "a\\x01b\\x7f");
	CHECK_STR(runstatus_escape(out, sizeof(out), "caf\xc3\xa9 d\\e"), "caf\xc3\xa9 d\\e");
	/* cut whole: never half an escape */
	CHECK_STR(runstatus_escape(out, 8, "abcde\n"), "abcde");
	CHECK_STR(runstatus_escape(out, 1, "abc"), "");
}

/* An empty device is written as "-": the value's length counts it (was 1 byte short). */
TEST(status_layer_add_empty_device)
{
	struct live_status st;
	struct live_status_layer l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "x");
	runstatus_parse(&st, "layers=\n");
	CHECK_EQ(runstatus_layer_add(&st, &l, 1), 0);
	CHECK_STR(runstatus_get(&st, "layer.x"), " - ");
	snprintf(l.name, sizeof(l.name), "y");
	snprintf(l.mnt, sizeof(l.mnt), "/m/y");
	snprintf(l.image, sizeof(l.image), "/y.squashfs");
	CHECK_EQ(runstatus_layer_add(&st, &l, 1), 0);
	CHECK_STR(runstatus_get(&st, "layer.y"), "/m/y - /y.squashfs");
	runstatus_free(&st);
}

/* Found by tests/fuzz/fuzz_runstatus: a layer added with a newline in its image path
 * (livectl layer add) was written raw, and the file no longer read back (kernel= twice). */
TEST(status_format_escapes_set_values)
{
	struct live_status st, again;
	struct live_status_layer l;
	char *text = NULL;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "x");
	snprintf(l.image, sizeof(l.image), "/a\nrw=/evil");
	CHECK_EQ(runstatus_parse(&st, "rw=/run/live/rw/upper\nlayers=\n"), 0);
	CHECK_EQ(runstatus_layer_add(&st, &l, 1), 0);
	CHECK_EQ(runstatus_set(&st, "k\ney", "v"), 0);
	CHECK_EQ(runstatus_format(&st, &text, NULL), 0);
	CHECK_STR(text, "rw=/run/live/rw/upper\nlayers=x\nlayer.x= - /a\\x0arw=/evil\nk\\x0aey=v\n");
	CHECK_EQ(runstatus_parse(&again, text), 0);
	CHECK_STR(runstatus_get(&again, "rw"), "/run/live/rw/upper");
	runstatus_free(&again);
	runstatus_free(&st);
	free(text);
}

int main(void)
{
	char cmd[300];
	int rc;

	if (!mkdtemp(tmp))
		return 1;
	RUN(status_label_with_newline_adds_no_key);
	RUN(status_toram_name_with_newline);
	RUN(status_reader_refuses_duplicate_keys);
	RUN(status_escape);
	RUN(status_layer_add_empty_device);
	RUN(status_format_escapes_set_values);
	rc = HARNESS_END();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		rc = 1;
	return rc;
}
