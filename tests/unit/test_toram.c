// SPDX-License-Identifier: GPL-2.0
/* Unit tests for init/toram.c: the copy+hash pass, recorded sums, status lines, parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "live.h"
#include "toram.h"

static char tmp[] = "/tmp/test_toram.XXXXXX";

static void write_random(const char *path, size_t len, unsigned seed)
{
	FILE *f = fopen(path, "w");
	size_t i;

	srand(seed);
	for (i = 0; f && i < len; i++)
		fputc(rand() & 0xff, f);
	if (f)
		fclose(f);
}

static void sha256sum_of(const char *path, char *hex)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	hex[0] = '\0';
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%64s", hex) != 1)
			hex[0] = '\0';
		pclose(p);
	}
}

/* Two layers in tmp/live, their copies into tmp/ram; sums in the SHA256SUMS given. */
static void job_setup(struct toram_job *j, const char *sums_fmt)
{
	static const char *const names[] = { "10-base", "20-extra" };
	char path[512], hex[2][SHA256_HEX_LEN + 1];
	struct stat st;
	FILE *f;
	size_t i;

	memset(j, 0, sizeof(*j));
	for (i = 0; i < 2; i++) {
		struct toram_layer *l = &j->l[i];

		snprintf(l->name, sizeof(l->name), "%s", names[i]);
		snprintf(l->src, sizeof(l->src), "%s/live/%s.squashfs", tmp, names[i]);
		snprintf(l->dst, sizeof(l->dst), "%s/ram/%s.squashfs", tmp, names[i]);
		if (stat(l->src, &st) < 0)
			write_random(l->src, i ? 3 * 1048576 + 4097 : 300000, (unsigned)i + 1);
		stat(l->src, &st);
		l->size = (uint64_t)st.st_size;
		j->total += l->size;
		sha256sum_of(l->src, hex[i]);
	}
	j->n = 2;
	j->what = "toram";
	j->quiet = true;
	j->console = false;
	snprintf(path, sizeof(path), "%s/live/SHA256SUMS", tmp);
	unlink(path);
	if (sums_fmt) {
		f = fopen(path, "w");
		if (f) {
			fprintf(f, sums_fmt, hex[0], hex[1]);
			fclose(f);
		}
	}
	snprintf(path, sizeof(path), "%s/live", tmp);
	toram_load_sums(j, path);
}

TEST(toram_copy_hashes_in_one_pass)
{
	struct toram_job j;
	char why[512] = "", a[SHA256_HEX_LEN + 1], b[SHA256_HEX_LEN + 1];

	job_setup(&j, "%s  10-base.squashfs\r\n%s *live/20-extra.squashfs\n");
	CHECK(j.l[0].have_sum && j.l[1].have_sum);
	CHECK_EQ(toram_pass(&j, true, why, sizeof(why)), 0);
	CHECK_EQ(j.done, j.total);
	CHECK_EQ(j.l[0].verdict, TORAM_OK);
	CHECK_EQ(j.l[1].verdict, TORAM_OK);
	CHECK(toram_first_mismatch(&j) == NULL);
	sha256sum_of(j.l[1].src, a);
	sha256sum_of(j.l[1].dst, b);
	CHECK_STR(b, a);
}

TEST(toram_mismatch_names_the_layer)
{
	struct toram_job j;
	char why[512] = "";

	/* %.0s swallows the real sum of 10-base: it is recorded as all zeros */
	job_setup(&j, "%.0s" "0000000000000000000000000000000000000000000000000000000000000000"
		  "  10-base.squashfs\n%s  20-extra.squashfs\n");
	CHECK_EQ(toram_pass(&j, false, why, sizeof(why)), 0);
	CHECK_EQ(j.l[0].verdict, TORAM_MISMATCH);
	CHECK_EQ(j.l[1].verdict, TORAM_OK);
	CHECK(toram_first_mismatch(&j) == &j.l[0]);
}

TEST(toram_sidecar_sums_and_unchecked)
{
	struct toram_job j;
	char why[512] = "", path[512], hex[SHA256_HEX_LEN + 1];
	FILE *f;

	job_setup(&j, NULL);
	CHECK(!j.l[0].have_sum && !j.l[1].have_sum);
	/* NN-name.squashfs.sha256 beside the layer, sha256sum's own output */
	sha256sum_of(j.l[1].src, hex);
	snprintf(path, sizeof(path), "%s.sha256", j.l[1].src);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s  20-extra.squashfs\n", hex);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/live", tmp);
	toram_load_sums(&j, path);
	CHECK(!j.l[0].have_sum && j.l[1].have_sum);
	CHECK_EQ(toram_pass(&j, false, why, sizeof(why)), 0);
	CHECK_EQ(j.l[0].verdict, TORAM_UNCHECKED);
	CHECK_EQ(j.l[1].verdict, TORAM_OK);
	snprintf(path, sizeof(path), "%s.sha256", j.l[1].src);
	unlink(path);
}

TEST(toram_missing_source_is_an_error)
{
	struct toram_job j;
	char why[512] = "";

	job_setup(&j, NULL);
	snprintf(j.l[1].src, sizeof(j.l[1].src), "%s/live/nosuch.squashfs", tmp);
	CHECK(toram_pass(&j, true, why, sizeof(why)) < 0);
	CHECK(strstr(why, "layer 20-extra") != NULL);
}

TEST(toram_status_lines)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	struct toram_job j;
	char why[512];

	job_setup(&j, "%s  10-base.squashfs\n%s  20-extra.squashfs\n");
	toram_pass(&j, false, why, sizeof(why));
	toram_set_status(&ctx, &j, "done");
	CHECK(!strncmp(ctx.toram_status, "toram=done\nverify.10-base=ok\nverify.20-extra=ok\n", 48));
	CHECK(strstr(ctx.toram_status, "\ntoram.mib_s=") != NULL);
	toram_set_status(&ctx, NULL, "no");
	CHECK_STR(ctx.toram_status, "toram=no\n");
}

TEST(toram_parameters)
{
	struct live_cfg o;

	cmdline_defaults(&o);
	cmdline_parse(&o, "live.toram=background live.verify");
	CHECK(o.toram_bg && o.verify && !o.toram);
	cmdline_defaults(&o);
	cmdline_parse(&o, "copytoram");
	CHECK(o.toram && !o.toram_bg && !o.verify);
	cmdline_defaults(&o);
	cmdline_parse(&o, "rd.live.ram toram");
	CHECK(o.toram);
}

int main(void)
{
	char path[512];
	int rc;

	if (!mkdtemp(tmp))
		return 1;
	snprintf(path, sizeof(path), "%s/live", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ram", tmp);
	mkdir(path, 0755);
	RUN(toram_copy_hashes_in_one_pass);
	RUN(toram_mismatch_names_the_layer);
	RUN(toram_sidecar_sums_and_unchecked);
	RUN(toram_missing_source_is_an_error);
	RUN(toram_status_lines);
	RUN(toram_parameters);
	rc = HARNESS_END();
	snprintf(path, sizeof(path), "rm -rf %s", tmp);
	if (system(path))
		rc = 1;
	return rc;
}
