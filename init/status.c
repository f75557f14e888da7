// SPDX-License-Identifier: GPL-2.0
/* The boot report /run/live/status: key=value facts, candidates' verdicts, phase timings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "live.h"
#include "runstatus.h"

#define OUT_VALS	6	/* the most %s of one put() */

struct out {
	char *buf;
	size_t len, used;
	bool full;
	char val[OUT_VALS][LIVE_WORDS_MAX * 4];	/* escaped values, used in turn */
	unsigned next;
};

/* s with its control characters escaped: a label "x\nrw=/evil" must not add a line */
static const char *V(struct out *o, const char *s)
{
	char *v = o->val[o->next++ % OUT_VALS];

	return runstatus_escape(v, sizeof(o->val[0]), s);
}

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

int status_format(const struct live_ctx *ctx, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	const struct live_dev *m = ctx->medium >= 0 ? &ctx->devs[ctx->medium] : NULL;
	uint64_t now = live_now_ms();
	size_t i;

	put(&o, "format=%d\n", LIVE_FORMAT_VERSION);
	put(&o, "kernel=%s\n", V(&o, ctx->kver));
	put(&o, "medium=%s%s\n", m ? "/dev/" : "", V(&o, m ? m->name : ctx->medium_src));
	put(&o, "medium.fs=%s\n", V(&o, m ? m->fs.type : ""));
	put(&o, "medium.label=%s\n", V(&o, m ? m->fs.label : ""));
	put(&o, "medium.uuid=%s\n", V(&o, m ? m->fs.uuid : ""));
	put(&o, "medium.mount=%s\n", m || *ctx->medium_src ? LIVE_MEDIUM_MNT : "");
	put(&o, "medium.id=%s\n", V(&o, ctx->medium_id));
	put(&o, "medium.others=%s\n", V(&o, ctx->others));
	if (*ctx->iso_host) {
		put(&o, "medium.iso=%s\n", V(&o, ctx->cfg->iso));
		put(&o, "isohost=/dev/%s %s\n", V(&o, ctx->iso_host), LIVE_ISOHOST_MNT);
	}
	put(&o, "live.dir=%s\n", V(&o, ctx->dir));
	if (*ctx->netdev)	/* the lease itself is in /run/live/net */
		put(&o, "net=%s\n", V(&o, ctx->netdev));
	for (i = 0; i < ctx->ndevs; i++) {
		const struct live_dev *d = &ctx->devs[i];

		put(&o, "candidate.%s=%s fs=%s label=%s size=%llu: %s\n", V(&o, d->name),
		    d->verdict == DEV_ACCEPTED ? "accepted" :
		    d->verdict == DEV_REJECTED ? "rejected" : "unexamined",
		    V(&o, *d->fs.type ? d->fs.type : "-"), V(&o, *d->fs.label ? d->fs.label : "-"),
		    (unsigned long long)d->size, V(&o, d->reason));
	}
	put(&o, "layers=");
	for (i = 0; i < ctx->nlayers; i++)
		put(&o, "%s%s", i ? " " : "", V(&o, ctx->layers[i].name));
	put(&o, "\n");
	for (i = 0; i < ctx->nlayers; i++)
		put(&o, "layer.%s=%s %s %s\n", V(&o, ctx->layers[i].name),
		    V(&o, ctx->layers[i].mnt), V(&o, ctx->layers[i].loopdev),
		    V(&o, ctx->layers[i].image));
	put(&o, "union=%s\n", V(&o, ctx->unionfs));
	if (*ctx->union_note)
		put(&o, "union.note=%s\n", V(&o, ctx->union_note));
	put(&o, "rw=%s\n", V(&o, live_rw_upper(ctx)));
	put(&o, "rw.type=%s\n", V(&o, ctx->rw_type));
	put(&o, "persist=%s\n", V(&o, *ctx->persist_what ? ctx->persist_what : "none"));
	put(&o, "persist.fs=%s\n", V(&o, ctx->persist_fs));
	put(&o, "persist.format=%s\n", V(&o, *ctx->persist_format ? ctx->persist_format : "none"));
	for (i = 0; i < ctx->nbinds && *ctx->persist_format; i++)
		put(&o, "persist.bind=%s %s\n", V(&o, ctx->binds[i].src), V(&o, ctx->binds[i].dest));
	put(&o, "persist.check=%s\n", V(&o, ctx->persist_check));
	if (*ctx->rw_dev)	/* zram.c: live.ramdev=zram */
		put(&o, "rw.dev=%s\nrw.comp=%s\n", V(&o, ctx->rw_dev), V(&o, ctx->rw_comp));
	/* live.persist.ro: the persistence is a read-only branch under the RAM one */
	put(&o, "persist.ro=%d\n", ctx->cfg->persist_ro && strcmp(ctx->persist_what, "none") &&
	    *ctx->persist_what);
	if (*ctx->rw_lower)
		put(&o, "persist.lower=%s\n", V(&o, ctx->rw_lower));
	/* toram.c: toram=, verify.NAME=, toram.bytes/ms/mib_s= */
	put(&o, "%s", *ctx->toram_status ? ctx->toram_status : "toram=no\n");
	put(&o, "init=%s\n", V(&o, ctx->cfg->init));
	put(&o, "unknown=%s\n", V(&o, ctx->cfg->unknown));
	put(&o, "warnings=%s\n", V(&o, ctx->cfg->warnings));
	for (i = 0; i < ctx->nphases && i < sizeof(ctx->phase_ms) / sizeof(ctx->phase_ms[0]); i++)
		put(&o, "time.%s=%llu\n", V(&o, ctx->phases[i].name),
		    (unsigned long long)ctx->phase_ms[i]);
	/* ms on CLOCK_BOOTTIME: when /init started, and now (just before exec) */
	put(&o, "time.start=%llu\n", (unsigned long long)ctx->t_start_ms);
	put(&o, "time.total=%llu\n", (unsigned long long)(now - ctx->t_start_ms));
	put(&o, "time.exec=%llu\n", (unsigned long long)now);
	return o.full ? -ENOSPC : 0;
}

int status_write(struct live_ctx *ctx, const char *path)
{
	char buf[16384];
	int err = status_format(ctx, buf, sizeof(buf));

	if (err)
		return err;
	return file_write_atomic(path, buf, strlen(buf), 0644);
}
