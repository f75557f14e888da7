// SPDX-License-Identifier: GPL-2.0
/* livectl status --timeline / --svg FILE: the boot as spans (kernel, each /init phase) from the status times. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livectl.h"

#define TL_MAX_SPANS	32
#define TL_NAME_MAX	32

struct tl_span {
	char name[TL_NAME_MAX];
	unsigned long long start, len;	/* ms since the kernel started (CLOCK_BOOTTIME) */
};

struct tl {
	struct tl_span span[TL_MAX_SPANS];
	size_t n;
	unsigned long long end;		/* time.exec: the real init was executed */
};

/* A decimal number of ms, nothing else (the status file is input like any other). */
static int tl_ms(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > 100ULL * 24 * 3600 * 1000)
		return -EINVAL;
	return 0;
}

static int tl_add(struct tl *tl, const char *name, unsigned long long start,
		  unsigned long long len)
{
	struct tl_span *s;

	if (tl->n >= TL_MAX_SPANS)
		return -E2BIG;
	s = &tl->span[tl->n++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->start = start;
	s->len = len;
	return 0;
}

/*
 * The spans of a boot: the kernel from 0 to time.start, then each phase (time.NAME, in
 * the order /init ran them and wrote them) end to end; what /init spent outside its
 * phases (hooks, a live.break= shell, the status write) is the rest up to time.exec.
 */
static int tl_build(const struct live_status *st, struct tl *tl, const char **why)
{
	unsigned long long start, t, len, sum = 0;
	size_t i;

	memset(tl, 0, sizeof(*tl));
	if (tl_ms(runstatus_get(st, "time.start"), &start) ||
	    tl_ms(runstatus_get(st, "time.exec"), &tl->end) || tl->end < start) {
		*why = "no usable time.start and time.exec (written by /init since format 1)";
		return -EINVAL;
	}
	tl_add(tl, "kernel", 0, start);
	t = start;
	for (i = 0; i < st->n; i++) {
		const char *k = st->kv[i].key;

		if (strncmp(k, "time.", 5) || !strcmp(k, "time.total") ||
		    !strcmp(k, "time.start") || !strcmp(k, "time.exec"))
			continue;
		if (tl_ms(st->kv[i].val, &len)) {
			*why = "a phase time that is not a number of ms";
			return -EINVAL;
		}
		if (tl_add(tl, k + 5, t, len)) {
			*why = "more phases than a timeline shows";
			return -E2BIG;
		}
		t += len;
		sum += len;
	}
	if (start + sum > tl->end) {
		*why = "the phases take longer than /init ran (time.exec)";
		return -EINVAL;
	}
	if (tl->end > t)
		tl_add(tl, "outside phases", t, tl->end - t);
	return 0;
}

static void tl_text(const struct tl *tl, FILE *f, int width)
{
	unsigned long long total = tl->end ? tl->end : 1;
	size_t i;

	fprintf(f, "boot timeline: %llu ms from kernel start to the real init\n", tl->end);
	for (i = 0; i < tl->n; i++) {
		const struct tl_span *s = &tl->span[i];
		int a = (int)(s->start * (unsigned long long)width / total);
		int b = (int)((s->start + s->len) * (unsigned long long)width / total);
		int c;

		if (b == a && s->len)
			b = a + 1;	/* a phase that ran is at least one mark */
		if (b > width)
			b = width;
		fprintf(f, "%-15.15s %7llu %7llu ms |", s->name, s->start, s->len);
		for (c = 0; c < width; c++)
			fputc(c >= a && c < b ? '#' : ' ', f);
		fputs("|\n", f);
	}
	fprintf(f, "%-15s %7s %7s     0%*llu ms\n", "", "start", "length", width - 1, tl->end);
}

static void tl_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
		}
	}
}

/* A tick step of 1, 2 or 5 times a power of ten giving at most ~10 ticks. */
static unsigned long long tl_step(unsigned long long total)
{
	unsigned long long p = 1;

	for (;;) {
		if (total / p <= 10)
			return p;
		if (total / (2 * p) <= 10)
			return 2 * p;
		if (total / (5 * p) <= 10)
			return 5 * p;
		p *= 10;
	}
}

/* In the spirit of systemd-analyze plot: one row per span, an axis in ms. */
static void tl_svg(const struct tl *tl, FILE *f)
{
	const int left = 130, plot = 700, row = 22, top = 40;
	unsigned long long total = tl->end ? tl->end : 1, t, step = tl_step(total);
	int h = top + (int)tl->n * row + 30;
	size_t i;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n", left + plot + 80, h);
	fprintf(f, "<title>livestack boot: %llu ms to the real init</title>\n", tl->end);
	fprintf(f, "<text x=\"10\" y=\"20\" font-size=\"14\">livestack boot: %llu ms from kernel "
		"start to the real init</text>\n", tl->end);
	for (t = 0; t <= total; t += step) {
		int x = left + (int)(t * (unsigned long long)plot / total);

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>"
			"<text x=\"%d\" y=\"%d\" fill=\"#666\" font-size=\"10\">%llu ms</text>\n",
			x, top - 6, x, h - 22, x + 2, h - 8, t);
	}
	for (i = 0; i < tl->n; i++) {
		const struct tl_span *s = &tl->span[i];
		int x = left + (int)(s->start * (unsigned long long)plot / total);
		int w = (int)(s->len * (unsigned long long)plot / total);
		int y = top + (int)i * row;

		if (w < 1)
			w = 1;
		fprintf(f, "<g><title>");
		tl_xml(f, s->name);
		fprintf(f, ": %llu ms, from %llu ms</title>"
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			"<text x=\"10\" y=\"%d\">", s->len, s->start, x, y, w, row - 6,
			i == 0 ? "#9ab" : !strcmp(s->name, "outside phases") ? "#db9" : "#5a8",
			y + row - 10);
		tl_xml(f, s->name);
		fprintf(f, "</text><text x=\"%d\" y=\"%d\" font-size=\"10\">%llu ms</text></g>\n",
			x + w + 4, y + row - 10, s->len);
	}
	fputs("</svg>\n", f);
}

/* status --timeline (svg == NULL) or --svg FILE ("-" is stdout). */
int timeline_cmd(const struct live_status *st, const char *svg)
{
	const char *why = "", *cols = getenv("COLUMNS");
	int width = 50, err;
	struct tl tl;
	FILE *f;

	err = tl_build(st, &tl, &why);
	if (err) {
		livectl_err("status: no timeline from %s: %s", livectl_status_path(), why);
		return LIVECTL_EFAIL;
	}
	if (!svg) {
		if (cols && atoi(cols) >= 60 && atoi(cols) <= 1000)
			width = atoi(cols) - 30;
		tl_text(&tl, stdout, width);
		return LIVECTL_OK;
	}
	f = strcmp(svg, "-") ? fopen(svg, "w") : stdout;
	if (!f) {
		livectl_err("status: cannot write %s: %s", svg, strerror(errno));
		return LIVECTL_EFAIL;
	}
	tl_svg(&tl, f);
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) {
		livectl_err("status: cannot write %s: %s", svg, strerror(errno));
		return LIVECTL_EFAIL;
	}
	return LIVECTL_OK;
}
