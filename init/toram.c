// SPDX-License-Identifier: GPL-2.0
/*
 * live.toram and live.verify: copy the layers into a tmpfs and hash them in the same
 * read pass, check the sums mkimage recorded, then let layers.c mount the copies and
 * release (and eject) the medium. A short RAM or a bad sum means a boot from the medium.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cdrom.h"
#include "fileio.h"
#include "live.h"
#include "log.h"
#include "runstatus.h"
#include "toram.h"

#define MIB		(1024.0 * 1024.0)
#define TMPFS_MAGIC	0x01021994
#define RAMFS_MAGIC	0x858458f6
#define PROGRESS_MS	250

/* Past a verification failure and the rescue shell: the user chose to go on. */
static bool verify_overridden;

static void progress(struct toram_job *j, const struct toram_layer *l, bool last)
{
	uint64_t now = live_now_ms(), ms = now - j->t0_ms;
	double rate = ms ? (double)j->done / MIB * 1000.0 / (double)ms : 0.0;
	unsigned eta = rate > 0 ? (unsigned)((double)(j->total - j->done) / MIB / rate) : 0;

	if (!j->console || (!last && (j->quiet || now - j->last_ms < PROGRESS_MS)))
		return;
	j->last_ms = now;
	if (last) {
		if (!j->quiet)
			log_console("\n");
		log_console("livestack: %s: %zu layer%s, %.1f MiB in %.1f s (%.1f MiB/s)\n",
			    j->what, j->n, j->n == 1 ? "" : "s", (double)j->done / MIB,
			    (double)ms / 1000.0, rate);
		return;
	}
	log_console("\rlivestack: %s: %-16.16s %3u%%  %7.1f/%.1f MiB  %6.1f MiB/s  ETA %u:%02u ",
		    j->what, l->name, j->total ? (unsigned)(j->done * 100 / j->total) : 100,
		    (double)j->done / MIB, (double)j->total / MIB, rate, eta / 60, eta % 60);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * With a second CPU the hash runs beside the copy: the reader fills a ring of buffers
 * and writes each to the tmpfs, the hasher thread follows it through the ring, so a
 * layer takes max(copy, hash) rather than their sum. With one CPU it hashes inline.
 */
#define TORAM_NBUF	3

struct hasher {
	uint8_t *buf[TORAM_NBUF];
	size_t len[TORAM_NBUF];
	unsigned nbuf, head, tail;	/* head: next to fill; tail: next to hash */
	bool threaded, eof;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sha256 c;
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		unsigned i;

		while (h->tail == h->head && !h->eof)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->tail == h->head)
			break;
		i = h->tail % h->nbuf;
		pthread_mutex_unlock(&h->mu);
		sha256_update(&h->c, h->buf[i], h->len[i]);
		pthread_mutex_lock(&h->mu);
		h->tail++;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void hasher_start(struct hasher *h)
{
	sha256_init(&h->c);
	h->head = h->tail = 0;
	h->eof = false;
	if (h->threaded && pthread_create(&h->thread, NULL, hasher_main, h))
		h->threaded = false;
}

/* A buffer the hasher is done with. */
static uint8_t *hasher_buf(struct hasher *h)
{
	if (!h->threaded)
		return h->buf[0];
	pthread_mutex_lock(&h->mu);
	while (h->head - h->tail == h->nbuf)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	return h->buf[h->head % h->nbuf];
}

static void hasher_push(struct hasher *h, size_t n)
{
	if (!h->threaded) {
		sha256_update(&h->c, h->buf[0], n);
		return;
	}
	pthread_mutex_lock(&h->mu);
	h->len[h->head % h->nbuf] = n;
	h->head++;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void hasher_finish(struct hasher *h, uint8_t out[SHA256_LEN])
{
	if (h->threaded) {
		pthread_mutex_lock(&h->mu);
		h->eof = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	sha256_final(&h->c, out);
}

/* Read src once: every byte goes to the hash and, when copying, to dst. */
static int pass_layer(struct toram_job *j, struct toram_layer *l, bool copy, struct hasher *h,
		      char *why, size_t len)
{
	uint64_t off = 0, copied = 0;
	struct stat st;
	int in, out = -1, err = 0;

	in = open(l->src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(why, len, "layer %s: %s: %s", l->name, l->src, strerror(errno));
		return -errno;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (copy) {
		out = open(l->dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
		if (out < 0) {
			err = -errno;
			snprintf(why, len, "layer %s: %s: %s", l->name, l->dst, strerror(errno));
			close(in);
			return err;
		}
	}
	hasher_start(h);
	for (;;) {
		uint8_t *buf = hasher_buf(h);
		ssize_t n = read(in, buf, TORAM_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			snprintf(why, len, "layer %s: read error at %llu MiB of %s: %s", l->name,
				 (unsigned long long)(off >> 20), l->src, strerror(errno));
			break;
		}
		if (!n)
			break;
		/* the drive fetches the next chunk while this one is hashed and written */
		posix_fadvise(in, (off_t)(off + (uint64_t)n), TORAM_BUF, POSIX_FADV_WILLNEED);
		hasher_push(h, (size_t)n);
		if (copy) {
			err = write_all(out, buf, (size_t)n);
			if (err) {
				snprintf(why, len, "layer %s: writing %s: %s", l->name, l->dst,
					 strerror(-err));
				break;
			}
		}
		off += (uint64_t)n;
		j->done += (uint64_t)n;
		progress(j, l, false);
	}
	hasher_finish(h, l->got);
	/* the copy is as long as the layer, and the read found no more or less */
	if (!err && copy)
		copied = fstat(out, &st) < 0 ? 0 : (uint64_t)st.st_size;
	if (!err && (off != l->size || (copy && copied != l->size))) {
		err = -EIO;
		snprintf(why, len, "layer %s: read %llu bytes, copied %llu, expected %llu", l->name,
			 (unsigned long long)off, (unsigned long long)copied,
			 (unsigned long long)l->size);
	}
	if (!err)
		l->verdict = !l->have_sum ? TORAM_UNCHECKED :
			     memcmp(l->got, l->want, SHA256_LEN) ? TORAM_MISMATCH : TORAM_OK;
	if (out >= 0)
		close(out);
	close(in);
	return err;
}

int toram_pass(struct toram_job *j, bool copy, char *why, size_t len)
{
	static struct hasher h;
	unsigned b;
	size_t i;
	int err = 0;

	memset(&h, 0, sizeof(h));
	h.threaded = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	h.nbuf = h.threaded ? TORAM_NBUF : 1;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	for (b = 0; b < h.nbuf && !err; b++)
		if (!(h.buf[b] = malloc(TORAM_BUF)))
			err = -ENOMEM;
	if (err) {
		snprintf(why, len, "no memory for %u buffers of %u MiB", h.nbuf, TORAM_BUF >> 20);
		goto out_free;
	}
	j->done = 0;
	j->t0_ms = j->last_ms = live_now_ms();
	for (i = 0; i < j->n && !err; i++)
		err = pass_layer(j, &j->l[i], copy, &h, why, len);
	j->elapsed_ms = live_now_ms() - j->t0_ms;
	if (!err)
		progress(j, &j->l[j->n - 1], true);
	else if (j->console && !j->quiet)
		log_console("\n");
out_free:
	for (b = 0; b < h.nbuf; b++)
		free(h.buf[b]);
	return err;
}

const struct toram_layer *toram_first_mismatch(const struct toram_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->l[i].verdict == TORAM_MISMATCH)
			return &j->l[i];
	return NULL;
}

/* "HEX  NAME.squashfs" (sha256sum's text or binary mode '*'; a directory part and a
 * CRLF ending are ignored), one line per layer. */
static int sums_line(void *arg, char *line)
{
	struct toram_job *j = arg;
	uint8_t sum[SHA256_LEN];
	char *name = line + SHA256_HEX_LEN, *slash;
	size_t i;

	if (strlen(line) < SHA256_HEX_LEN + 2 || sha256_parse_hex(line, sum) || *name != ' ')
		return 0;
	name += strspn(name, " *");
	name[strcspn(name, "\r")] = '\0';
	slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	for (i = 0; i < j->n; i++) {
		struct toram_layer *l = &j->l[i];

		if (!strncmp(name, l->name, strlen(l->name)) &&
		    !strcmp(name + strlen(l->name), LIVE_LAYER_SUFFIX)) {
			memcpy(l->want, sum, SHA256_LEN);
			l->have_sum = true;
		}
	}
	return 0;
}

void toram_load_sums(struct toram_job *j, const char *dir)
{
	char path[LIVE_PATH_MAX + 64], text[160];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, LIVE_SUMS_FILE);
	file_lines(path, sums_line, j);
	for (i = 0; i < j->n; i++) {
		struct toram_layer *l = &j->l[i];

		snprintf(path, sizeof(path), "%s.sha256", l->src);
		if (!l->have_sum && file_read(path, text, sizeof(text)) >= SHA256_HEX_LEN &&
		    !sha256_parse_hex(text, l->want))
			l->have_sum = true;
	}
}

static uint64_t meminfo_kib(const char *key)
{
	char buf[4096], *p;
	size_t klen = strlen(key);

	if (file_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoull(p + klen + 1, NULL, 10);
	return 0;
}

static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	char parent[LIVE_PATH_MAX + 4];

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

int toram_mount_tmpfs(const struct toram_job *j)
{
	char opts[64];
	/* a page of slack per layer for the last partial page, and a little more */
	unsigned long long size = j->total + (unsigned long long)j->n * 4096 + (1ULL << 20);

	file_mkdirs(LIVE_TORAM_DIR, 0755);
	snprintf(opts, sizeof(opts), "size=%llu,mode=0755", size);
	if (mount("tmpfs", LIVE_TORAM_DIR, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return -errno;
	return 0;
}

static void drop_tmpfs(void)
{
	umount2(LIVE_TORAM_DIR, MNT_DETACH);
	rmdir(LIVE_TORAM_DIR);
}

void toram_eject(const char *dev)
{
	int err = cdrom_eject(dev);

	if (err)
		log_warn("toram: could not eject %s: %s (remove the disc by hand)", dev,
			 strerror(-err));
	else
		log_info("toram: ejected %s: the disc can be taken out", dev);
}

void toram_set_status(struct live_ctx *ctx, const struct toram_job *j, const char *fmt, ...)
{
	static const char *const verdicts[] = { "unchecked", "ok", "mismatch" };
	char *b = ctx->toram_status, raw[sizeof(ctx->toram_status)], esc[sizeof(ctx->toram_status)];
	size_t len = sizeof(ctx->toram_status), used;
	va_list ap;
	size_t i;

	/* a layer's file name or a reason may hold a newline: escaped, one line each */
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	used = (size_t)snprintf(b, len, "toram=%s\n", runstatus_escape(esc, sizeof(esc), raw));
	for (i = 0; j && i < j->n && used < len; i++)
		used += (size_t)snprintf(b + used, len - used, "verify.%s=%s\n",
					 runstatus_escape(esc, sizeof(esc), j->l[i].name),
					 verdicts[j->l[i].verdict]);
	if (j && j->elapsed_ms && used < len)
		snprintf(b + used, len - used, "toram.bytes=%llu\ntoram.ms=%llu\ntoram.mib_s=%.1f\n",
			 (unsigned long long)j->done, (unsigned long long)j->elapsed_ms,
			 (double)j->done / MIB * 1000.0 / (double)j->elapsed_ms);
}

int toram_build_job(struct live_ctx *ctx, struct toram_job *j, char *dir, size_t dlen,
		    const char *dst_dir)
{
	struct live_layer found[LIVE_MAX_LAYERS];
	struct stat st;
	size_t i, n = 0;
	int err;

	snprintf(dir, dlen, "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
	err = layers_opts(dir, ctx->cfg, ctx->image, found, LIVE_MAX_LAYERS, &n);
	if (err || !n)
		return err ? err : -ENOENT;
	memset(j, 0, sizeof(*j));
	for (i = 0; i < n; i++) {
		struct toram_layer *l = &j->l[i];

		snprintf(l->name, sizeof(l->name), "%s", found[i].name);
		snprintf(l->src, sizeof(l->src), "%s", found[i].image);
		snprintf(l->dst, sizeof(l->dst), "%s/%s%s", dst_dir, l->name, LIVE_LAYER_SUFFIX);
		if (stat(l->src, &st) < 0)
			return -errno;
		l->size = (uint64_t)st.st_size;
		j->total += l->size;
	}
	j->n = n;
	j->quiet = ctx->cfg->quiet;
	j->console = true;
	toram_load_sums(j, dir);
	return 0;
}

/* Will union.c mount aufs? (live.toram=background needs it.) */
static bool aufs_coming(struct live_ctx *ctx)
{
	const char *want = *ctx->cfg->unionfs ? ctx->cfg->unionfs :
			   *ctx->image_union ? ctx->image_union : "aufs";

	return !strcmp(want, "aufs") && kmod_fs_available(ctx, "aufs");
}

/* The layers are copied to from (RAM or a disk): layers.c mounts them from there; the
 * medium can go. */
void toram_release_medium(struct live_ctx *ctx, const char *from)
{
	const struct live_dev *m = ctx->medium >= 0 ? &ctx->devs[ctx->medium] : NULL;
	char node[48];

	snprintf(ctx->layers_from, sizeof(ctx->layers_from), "%s", from);
	if (umount2(LIVE_MEDIUM_MNT, 0) < 0) {
		log_warn("toram: the medium stays mounted (%s): do not remove it", strerror(errno));
		return;
	}
	rmdir(LIVE_MEDIUM_MNT);
	if (m && m->cdrom) {
		snprintf(node, sizeof(node), "/dev/%s", m->name);
		toram_eject(node);
	} else {
		log_info("toram: medium released: it can be removed");
	}
}

static int mismatch_fail(struct live_ctx *ctx, const struct toram_layer *bad)
{
	char got[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];

	verify_overridden = true;
	return live_fail(ctx, -EBADMSG,
			 "the medium is damaged or altered: write it again; exit this shell to boot from it anyway",
			 "live.verify: layer %s does not match its recorded SHA-256 (%s, expected %s)",
			 bad->name, sha256_hex(bad->got, got), sha256_hex(bad->want, want));
}

static void warn_unchecked(const struct toram_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (!j->l[i].have_sum)
			log_warn("verify: no SHA-256 recorded for layer %s on the medium: unchecked",
				 j->l[i].name);
}

/* live.verify without a copy: one read pass with the same progress line; state is
 * what toram= reports either way (the verify.* lines tell the result). */
static int verify_only(struct live_ctx *ctx, struct toram_job *j, const char *state)
{
	const struct toram_layer *bad;
	char why[LIVE_PATH_MAX + 128];
	int err;

	j->what = "verify";
	err = toram_pass(j, false, why, sizeof(why));
	toram_set_status(ctx, j, "%s", state);
	if (err)
		return live_fail(ctx, err, "the medium may be damaged", "live.verify: %s", why);
	warn_unchecked(j);
	bad = toram_first_mismatch(j);
	if (bad)
		return mismatch_fail(ctx, bad);
	log_info("verify: every layer with a recorded SHA-256 matches it");
	return 0;
}

int toram_run(struct live_ctx *ctx)
{
	static struct toram_job job;
	struct toram_job *j = &job;
	bool copy = ctx->cfg->toram || ctx->cfg->toram_bg, bg = ctx->cfg->toram_bg;
	bool verify = ctx->cfg->verify && !verify_overridden;
	const struct toram_layer *bad;
	char dir[LIVE_PATH_MAX + 32], why[LIVE_PATH_MAX + 128], fb[256];
	uint64_t avail, need;
	struct statfs sfs;
	int err;

	if (verify_overridden && ctx->cfg->verify) {
		log_warn("verify: going on from the medium after the failed check");
		toram_set_status(ctx, NULL, "fallback: verification failed, booting from the medium");
		return 0;
	}
	toram_set_status(ctx, NULL, "no");
	if (*ctx->cfg->todisk && is_mountpoint(LIVE_MEDIUM_MNT))
		return todisk_run(ctx);
	if (!copy && !verify)
		return 0;
	if (!is_mountpoint(LIVE_MEDIUM_MNT)) {
		/* a network boot fetched the layers into RAM already */
		toram_set_status(ctx, NULL, "no: the layers are not on a mounted medium");
		return 0;
	}
	if (copy && statfs(LIVE_MEDIUM_MNT, &sfs) == 0 &&
	    ((unsigned long)sfs.f_type == TMPFS_MAGIC || (unsigned long)sfs.f_type == RAMFS_MAGIC)) {
		/* live.fetch= downloaded the layers into a tmpfs: a second copy buys nothing */
		log_info("toram: the layers are in RAM already (%s is a tmpfs)", LIVE_MEDIUM_MNT);
		toram_set_status(ctx, NULL, "no: the layers are in RAM already");
		if (!verify)
			return 0;
		copy = false;
	}
	err = toram_build_job(ctx, j, dir, sizeof(dir), LIVE_TORAM_DIR);
	if (err) {
		/* layers.c names what is missing */
		toram_set_status(ctx, NULL, "fallback: no layers in %s", dir);
		return 0;
	}
	if (!copy) {
		/* "no", or why not: kept as toram= (verify_only rewrites the status) */
		snprintf(fb, sizeof(fb), "%s", ctx->toram_status + strlen("toram="));
		fb[strcspn(fb, "\n")] = '\0';
		return verify_only(ctx, j, fb);
	}

	avail = meminfo_kib("MemAvailable") << 10;
	need = j->total + (j->total / 8 > TORAM_MARGIN_MIN ? j->total / 8 : TORAM_MARGIN_MIN);
	if (avail < need) {
		log_warn("toram: not enough RAM: the layers need %llu MiB and %llu MiB to spare, "
			 "%llu MiB available: booting from the medium",
			 (unsigned long long)(j->total >> 20), (unsigned long long)((need - j->total) >> 20),
			 (unsigned long long)(avail >> 20));
		snprintf(fb, sizeof(fb), "fallback: not enough RAM (need %llu MiB, available %llu MiB)",
			 (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
		if (verify)
			return verify_only(ctx, j, fb);
		toram_set_status(ctx, j, "%s", fb);
		return 0;
	}
	if (bg && verify) {
		log_warn("toram: live.verify checks before the boot: copying now, not in the background");
		bg = false;
	} else if (bg && !aufs_coming(ctx)) {
		log_warn("toram: live.toram=background needs aufs: copying now, before the boot");
		bg = false;
	}
	err = toram_mount_tmpfs(j);
	if (err) {
		log_warn("toram: no tmpfs at %s (%s): booting from the medium", LIVE_TORAM_DIR,
			 strerror(-err));
		snprintf(fb, sizeof(fb), "fallback: tmpfs: %s", strerror(-err));
		toram_set_status(ctx, NULL, "%s", fb);
		return verify ? verify_only(ctx, j, fb) : 0;
	}
	if (bg) {
		err = toram_background(ctx, j);
		if (!err)
			return 0;
		log_warn("toram: no background helper (%s): copying now", strerror(-err));
	}
	j->what = "toram";
	err = toram_pass(j, true, why, sizeof(why));
	if (err) {
		drop_tmpfs();
		log_warn("toram: %s: booting from the medium", why);
		toram_set_status(ctx, j, "fallback: %s", why);
		if (verify)
			return live_fail(ctx, err, "the medium may be damaged", "live.verify: %s", why);
		return 0;
	}
	warn_unchecked(j);
	bad = toram_first_mismatch(j);
	if (bad) {
		drop_tmpfs();
		if (verify) {
			toram_set_status(ctx, j, "fallback: layer %s does not match its SHA-256",
					 bad->name);
			return mismatch_fail(ctx, bad);
		}
		log_warn("toram: layer %s does not match its recorded SHA-256: the copy is "
			 "dropped, booting from the medium (live.verify stops here instead)",
			 bad->name);
		toram_set_status(ctx, j, "fallback: layer %s does not match its SHA-256", bad->name);
		return 0;
	}
	toram_release_medium(ctx, LIVE_TORAM_DIR);
	toram_set_status(ctx, j, "done");
	return 0;
}
