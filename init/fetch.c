// SPDX-License-Identifier: GPL-2.0
/* live.fetch=: the layers over HTTP/1.1 into a tmpfs, with progress, retries, Range resume, SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fetch.h"
#include "fileio.h"
#include "http.h"
#include "live.h"
#include "log.h"
#include "sha256.h"

#define FETCH_TRIES		5	/* attempts in a row without progress */
#define FETCH_MIRROR_TRIES	2	/* the same, on each of several mirrors, before the next */
#define FETCH_BACKOFF_MS	1000	/* first wait; doubles up to the cap */
#define FETCH_BACKOFF_MAX_MS	16000
#define FETCH_REDIRECTS		5
#define FETCH_SMALL_MAX		65536	/* layers.list, .sha256 */
#define FETCH_BUF		(256 * 1024)
/* left free for the rw branch and the system once the layers are in RAM */
#define FETCH_RAM_RESERVE	(96ULL << 20)
#define FETCH_LIST		"layers.list"

static const char *const stage_names[] = {
	"", "bad URL", "server unreachable", "connection dropped", "HTTP error", "not enough RAM",
	"checksum", "local error",
};

/* GET a small file (layers.list, .sha256) whole; *status gets the final HTTP status. */
static int get_small_once(const char *start, char *out, size_t max, int *status, struct fail *f)
{
	char url[1024];
	struct url u;
	static struct http h;
	size_t got = 0;
	int err;

	snprintf(url, sizeof(url), "%s", start);
	err = http_get_follow(&h, &u, url, sizeof(url), 0, FETCH_REDIRECTS, f);
	if (err)
		goto out_close;
	*status = h.status;
	if (h.status != 200) {
		err = http_fail(f, ST_HTTP, http_retryable(h.status) ? -EAGAIN : -ENOENT,
			    "%s: HTTP %d", url, h.status);
		goto out_close;
	}
	if (h.chunked) {
		err = http_fail(f, ST_HTTP, -EPROTO, "%s: chunked transfer encoding is not supported", url);
		goto out_close;
	}
	got = h.have - h.off;
	if (h.length >= 0 && got > (size_t)h.length)
		got = (size_t)h.length;	/* bytes past Content-Length are not the file's */
	if (got >= max) {
		err = http_fail(f, ST_HTTP, -EFBIG, "%s: larger than %zu bytes", url, max);
		goto out_close;
	}
	memcpy(out, h.buf + h.off, got);
	while (h.length < 0 || got < (size_t)h.length) {
		ssize_t n = http_recv(h.fd, out + got, max - got);

		if (n < 0) {
			err = http_fail(f, ST_DROPPED, -EAGAIN, "%s: %s", url, strerror((int)-n));
			goto out_close;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (h.length >= 0 && got > (size_t)h.length)
			got = (size_t)h.length;
		if (got == max) {
			err = http_fail(f, ST_HTTP, -EFBIG, "%s: larger than %zu bytes", url, max - 1);
			goto out_close;
		}
	}
	out[got] = '\0';
	if (h.length >= 0 && (size_t)h.length != got)
		err = http_fail(f, ST_DROPPED, -EAGAIN, "%s: got %zu of %lld bytes", url, got, h.length);
out_close:
	close(h.fd);
	return err;
}

static void backoff_sleep(int *ms)
{
	usleep((useconds_t)*ms * 1000);
	*ms = *ms * 2 > FETCH_BACKOFF_MAX_MS ? FETCH_BACKOFF_MAX_MS : *ms * 2;
}

/* Connection trouble is retried with back-off (max tries); HTTP answers (404) are final. */
static int get_small(const char *url, char *out, size_t max, int *status, int max_tries,
		     struct fail *f)
{
	int tries, wait_ms = FETCH_BACKOFF_MS, err = 0;

	*status = 0;
	for (tries = 1; tries <= max_tries; tries++) {
		err = get_small_once(url, out, max, status, f);
		if (!err || (f->stage != ST_UNREACHABLE && f->stage != ST_DROPPED && err != -EAGAIN))
			return err;
		if (tries < max_tries) {
			log_warn("fetch: %s: %s; retrying in %d s (try %d of %d)", url, f->why,
				 wait_ms / 1000, tries + 1, max_tries);
			backoff_sleep(&wait_ms);
		}
	}
	snprintf(f->why + strlen(f->why), sizeof(f->why) - strlen(f->why), " (%d tr%s)", max_tries,
		 max_tries == 1 ? "y" : "ies");
	return err;
}

static unsigned long long mem_available(void)
{
	char buf[4096], *p;

	if (file_read("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "MemAvailable:");
	return p ? strtoull(p + 13, NULL, 10) << 10 : 0;
}

static void progress(struct fetch_dl *d, bool last)
{
	uint64_t now = live_now_ms(), ms = now - d->t0;
	unsigned long long rate = ms ? d->got * 1000 / ms : 0;

	if (d->quiet || (!last && now - d->shown < 500))
		return;
	d->shown = now;
	if (d->total)
		log_console("\rlivestack: fetch %s: %3llu%% %llu.%llu of %llu.%llu MiB, %llu.%llu MiB/s ",
			    d->name, d->got * 100 / d->total, d->got >> 20, (d->got % (1 << 20)) * 10 >> 20,
			    d->total >> 20, (d->total % (1 << 20)) * 10 >> 20, rate >> 20,
			    (rate % (1 << 20)) * 10 >> 20);
	else
		log_console("\rlivestack: fetch %s: %llu.%llu MiB, %llu.%llu MiB/s ", d->name,
			    d->got >> 20, (d->got % (1 << 20)) * 10 >> 20, rate >> 20,
			    (rate % (1 << 20)) * 10 >> 20);
	if (last)
		log_console("\n");
}

static int restart(struct fetch_dl *d, int fd, struct fail *f)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return http_fail(f, ST_LOCAL, -errno, "%s: %s", d->path, strerror(errno));
	d->got = 0;
	sha256_init(&d->sum);
	return 0;
}

static int store(struct fetch_dl *d, int fd, const char *buf, size_t len, struct fail *f)
{
	size_t done = 0;

	/* nothing to check against: do not spend the CPU (it is the bottleneck on slow cores) */
	if (d->have_want)
		sha256_update(&d->sum, buf, len);
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return http_fail(f, errno == ENOSPC ? ST_RAM : ST_LOCAL, -errno,
				     "writing %s at %llu MiB: %s", d->path, (d->got + done) >> 20,
				     strerror(errno));
		done += (size_t)n;
	}
	d->got += len;
	return 0;
}

/* Of n bytes received, those that belong to the file: none past its known size (a server
 * that sends more than its Content-Length does not add them to the layer). */
static size_t body_take(const struct fetch_dl *d, size_t n)
{
	if (d->total && d->got + n > d->total)
		return d->got < d->total ? (size_t)(d->total - d->got) : 0;
	return n;
}

/* One connection's worth: 0 when the file is complete, -EAGAIN to try again. */
static int get_once(struct fetch_dl *d, int fd, struct fail *f)
{
	static char buf[FETCH_BUF];
	static struct http h;
	char url[1024];
	struct url u;
	int err;

	snprintf(url, sizeof(url), "%s", d->url);
	err = http_get_follow(&h, &u, url, sizeof(url), d->got, FETCH_REDIRECTS, f);
	if (err)
		goto out_close;
	if (h.status == 416 && d->total && d->got == d->total) {
		err = 0;
		goto out_close;
	}
	if (h.status != 200 && h.status != 206) {
		err = http_fail(f, ST_HTTP, http_retryable(h.status) ? -EAGAIN : -ENOENT,
			    "%s: HTTP %d%s", url, h.status, h.status == 404 ? " Not Found" : "");
		goto out_close;
	}
	if (h.chunked) {
		err = http_fail(f, ST_HTTP, -EPROTO, "%s: chunked transfer encoding is not supported", url);
		goto out_close;
	}
	if (h.status == 206 && h.range_start >= 0 && (unsigned long long)h.range_start == d->got) {
		if (h.range_total > 0)
			d->total = (unsigned long long)h.range_total;
	} else {
		/* a 200 to a Range request (or a range we did not ask for): from the start */
		if (d->got && !d->quiet)
			log_console("\n");
		if (d->got)
			log_warn("fetch %s: the server does not resume (HTTP %d): starting again",
				 d->name, h.status);
		err = restart(d, fd, f);
		if (err)
			goto out_close;
		d->total = h.status == 200 && h.length >= 0 ? (unsigned long long)h.length : 0;
	}
	if (d->total && d->total - d->got + FETCH_RAM_RESERVE > mem_available()) {
		err = http_fail(f, ST_RAM, -ENOMEM,
			    "%s needs %llu MiB more, %llu MiB of RAM available (%llu MiB kept free)",
			    d->name, (d->total - d->got) >> 20, mem_available() >> 20,
			    FETCH_RAM_RESERVE >> 20);
		goto out_close;
	}
	err = store(d, fd, h.buf + h.off, body_take(d, h.have - h.off), f);
	while (!err && (!d->total || d->got < d->total)) {
		ssize_t n = http_recv(h.fd, buf, sizeof(buf));

		if (n == 0 && !d->total)
			break;
		if (n <= 0) {
			err = http_fail(f, ST_DROPPED, -EAGAIN, "%s:%s: %s at %llu of %llu bytes", u.host,
				    u.port, n == 0 ? "connection closed" : strerror((int)-n), d->got,
				    d->total);
			break;
		}
		err = store(d, fd, buf, body_take(d, (size_t)n), f);
		progress(d, false);
	}
out_close:
	close(h.fd);
	return err;
}

int fetch_file(struct fetch_dl *d, struct fail *f)
{
	int tries = 0, wait_ms = FETCH_BACKOFF_MS, err, fd;
	int max_tries = d->tries > 0 ? d->tries : FETCH_TRIES;
	uint8_t sum[SHA256_LEN];
	char hex[2][SHA256_HEX_LEN + 16];	/* room for " (verified)" */

	fd = open(d->path, O_RDWR | O_CREAT | (d->got ? 0 : O_TRUNC) | O_CLOEXEC, 0644);
	if (fd < 0)
		return http_fail(f, ST_LOCAL, -errno, "%s: %s", d->path, strerror(errno));
	if (!d->got) {
		sha256_init(&d->sum);
		d->t0 = d->shown = live_now_ms();
	} else if (lseek(fd, (off_t)d->got, SEEK_SET) < 0) {
		err = http_fail(f, ST_LOCAL, -errno, "%s: %s", d->path, strerror(errno));
		close(fd);
		return err;
	}
	for (;;) {
		unsigned long long before = d->got;

		err = get_once(d, fd, f);
		if (!err || (err != -EAGAIN && f->stage != ST_UNREACHABLE && f->stage != ST_DROPPED))
			break;
		if (d->got > before) {
			/* progress: a fresh budget of tries */
			tries = 0;
			wait_ms = FETCH_BACKOFF_MS;
		}
		if (++tries == max_tries) {
			snprintf(f->why + strlen(f->why), sizeof(f->why) - strlen(f->why),
				 " (%d tr%s)", max_tries, max_tries == 1 ? "y" : "ies");
			break;
		}
		if (!d->quiet && d->got)
			log_console("\n");
		log_warn("fetch %s: %s; retrying in %d s (try %d of %d)%s", d->name, f->why,
			 wait_ms / 1000, tries + 1, max_tries, d->got ? ", resuming" : "");
		backoff_sleep(&wait_ms);
	}
	if (err) {
		if (!d->quiet && d->got)
			log_console("\n");
		close(fd);
		return err;
	}
	progress(d, true);
	close(fd);
	sha256_final(&d->sum, sum);
	sha256_hex(sum, hex[0]);
	if (d->have_want && memcmp(sum, d->want, SHA256_LEN)) {
		unlink(d->path);
		sha256_hex(d->want, hex[1]);
		return http_fail(f, ST_CHECKSUM, -EBADMSG,
			     "%s: SHA-256 mismatch: got %s, expected %s (from %s)", d->name, hex[0],
			     hex[1], d->want_from);
	}
	log_info("fetch %s: %llu bytes in %llu ms, %s%s", d->name, d->got,
		 (unsigned long long)(live_now_ms() - d->t0), d->have_want ? "sha256 " : "",
		 d->have_want ? strcat(hex[0], " (verified)") : "not verified (no checksum)");
	return 0;
}

int fetch_layer_name(const char *url, char *name, size_t len, struct fail *f)
{
	const char *b = strrchr(url, '/'), *dot;
	size_t n, slen = strlen(LIVE_LAYER_SUFFIX);

	b = b ? b + 1 : url;
	n = strcspn(b, "?#");
	if (!n || n + slen >= len)
		return http_fail(f, ST_URL, -EINVAL, "%s: no layer file name in the URL", url);
	/* ".x" would be saved as ".squashfs", a hidden file the layer scan skips */
	if (b[0] == '.')
		return http_fail(f, ST_URL, -EINVAL, "%s: the layer file name starts with a dot", url);
	if (n > slen && !strncmp(b + n - slen, LIVE_LAYER_SUFFIX, slen))
		snprintf(name, len, "%.*s", (int)n, b);
	else {	/* dracut's squashfs.img, archiso's airootfs.sfs */
		dot = memchr(b, '.', n);
		snprintf(name, len, "%.*s%s", (int)(dot ? (size_t)(dot - b) : n), b, LIVE_LAYER_SUFFIX);
	}
	return 0;
}

int fetch_plan_add(struct fetch_plan *p, const char *url, const char *hex, const char *from,
		    struct fail *f)
{
	struct fetch_dl *d;
	int err;

	if (p->n == LIVE_MAX_LAYERS)
		return http_fail(f, ST_URL, -E2BIG, "more than %d layers", LIVE_MAX_LAYERS);
	d = &p->d[p->n];
	memset(d, 0, sizeof(*d));
	if (strlen(url) >= sizeof(d->url))
		return http_fail(f, ST_URL, -ENAMETOOLONG, "URL too long: %.80s...", url);
	snprintf(d->url, sizeof(d->url), "%s", url);
	err = fetch_layer_name(url, d->name, sizeof(d->name), f);
	if (err)
		return err;
	if (hex && *hex) {
		if (sha256_parse_hex(hex, d->want))
			return http_fail(f, ST_CHECKSUM, -EINVAL, "%s: \"%.70s\" is not a SHA-256 (64 hex digits)",
				     from, hex);
		d->have_want = true;
		snprintf(d->want_from, sizeof(d->want_from), "%s", from);
	}
	p->n++;
	return 0;
}

int fetch_plan_list_text(struct fetch_plan *p, const char *list_url, char *text, struct fail *f)
{
	char base[1024], url[1200], from[160];
	char *line, *save, *name, *hex;
	int err;

	if (!strrchr(list_url, '/'))
		return http_fail(f, ST_URL, -EINVAL, "%s: not a URL", list_url);
	snprintf(base, sizeof(base), "%.*s", (int)(strrchr(list_url, '/') - list_url + 1), list_url);
	for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		hex = NULL;
		name = line;
		if (strspn(line, "0123456789abcdefABCDEF") == SHA256_HEX_LEN &&
		    (line[SHA256_HEX_LEN] == ' ' || line[SHA256_HEX_LEN] == '\t')) {
			hex = line;
			line[SHA256_HEX_LEN] = '\0';
			name = line + SHA256_HEX_LEN + 1;
			name += strspn(name, " \t*");
		}
		name[strcspn(name, " \t")] = '\0';
		if (strchr(name, '/'))
			return http_fail(f, ST_URL, -EINVAL, "%s: \"%s\": names in the list are file names",
				     list_url, name);
		/* ?v=: the first 16 hex digits of its SHA-256, a name per content for HTTP
		 * caches (nginx.conf marks such URLs immutable); the server ignores it */
		if (hex)
			snprintf(url, sizeof(url), "%s%s?v=%.16s", base, name, hex);
		else
			snprintf(url, sizeof(url), "%s%s", base, name);
		snprintf(from, sizeof(from), "%s", list_url);
		err = fetch_plan_add(p, url, hex, from, f);
		if (err)
			return err;
	}
	if (!p->n)
		return http_fail(f, ST_URL, -ENOENT, "%s lists no layers", list_url);
	return 0;
}

/* The expected sums: live.fetch.sha256= (in order), the list's, else URL.sha256. */
/* layers.list at list_url. */
static int plan_list(struct fetch_plan *p, const char *list_url, int tries, struct fail *f)
{
	static char text[FETCH_SMALL_MAX];
	int status, err;

	err = get_small(list_url, text, sizeof(text), &status, tries, f);
	return err ? err : fetch_plan_list_text(p, list_url, text, f);
}

static int plan_sums(struct fetch_plan *p, const char *given, int tries, struct fail *f)
{
	char url[1100], text[512];
	const char *g = given;
	size_t i;
	int status, err;

	for (i = 0; i < p->n && *g; i++) {
		char hex[SHA256_HEX_LEN + 2];
		size_t n = strcspn(g, ",");

		snprintf(hex, sizeof(hex), "%.*s", (int)(n < sizeof(hex) - 1 ? n : sizeof(hex) - 1), g);
		if (n != SHA256_HEX_LEN || sha256_parse_hex(hex, p->d[i].want))
			return http_fail(f, ST_CHECKSUM, -EINVAL,
				     "live.fetch.sha256=%.80s: not a comma list of SHA-256s (64 hex digits)",
				     given);
		p->d[i].have_want = true;
		snprintf(p->d[i].want_from, sizeof(p->d[i].want_from), "live.fetch.sha256=");
		g += n + (g[n] == ',');
	}
	for (i = 0; i < p->n; i++) {
		struct fetch_dl *d = &p->d[i];

		if (d->have_want)
			continue;
		snprintf(url, sizeof(url), "%s.sha256", d->url);
		err = get_small(url, text, sizeof(text), &status, tries, f);
		if (err && status == 404) {
			log_warn("fetch %s: no %s (HTTP 404): the layer will not be verified", d->name, url);
			continue;
		}
		if (err)
			return err;
		text[strspn(text, "0123456789abcdefABCDEF")] = '\0';
		if (strlen(text) != SHA256_HEX_LEN || sha256_parse_hex(text, d->want))
			return http_fail(f, ST_CHECKSUM, -EINVAL, "%s does not start with a SHA-256", url);
		d->have_want = true;
		snprintf(d->want_from, sizeof(d->want_from), "%s", url);
	}
	return 0;
}

int fetch_item_url(const char *item, size_t n, const char *next_server, char *url, size_t len,
		   struct fail *f)
{
	bool dir = n && item[n - 1] == '/';
	int k;

	if (!n)
		return http_fail(f, ST_URL, -EINVAL, "an empty URL");
	if (item[0] == '/') {
		/* /PATH: on the boot loader's server, else the DHCP next-server */
		if (!next_server || !*next_server)
			return http_fail(f, ST_URL, -EINVAL, "%.*s: a path, and no server (no boot "
					 "loader ip=, no DHCP next-server)",
					 (int)(n > 200 ? 200 : n), item);
		k = snprintf(url, len, "http://%s%.*s", next_server, (int)n, item);
	} else {
		k = snprintf(url, len, "%.*s", (int)n, item);
	}
	/* the whole URL, layers.list included, must fit: it was cut, then strcat overflowed */
	if (k < 0 || (size_t)k + (dir ? strlen(FETCH_LIST) : 0) >= len)
		return http_fail(f, ST_URL, -ENAMETOOLONG, "URL too long: %.80s...", item);
	if (dir)
		strcat(url, FETCH_LIST);
	return 0;
}

static int plan_make(struct fetch_plan *p, const char *urls, int tries, struct fail *f)
{
	char url[1024], server[128];
	const char *u = urls;
	int err;

	p->n = 0;
	while (*u) {
		size_t n = strcspn(u, ","), len;
		const char *item = u;

		u += n + (u[n] == ',');
		if (!n)
			continue;
		server[0] = '\0';
		if (item[0] == '/')
			/* on the boot loader's server, else the DHCP next-server (net.c) */
			net_lease_value("server", server, sizeof(server));
		err = fetch_item_url(item, n, server, url, sizeof(url), f);
		if (err)
			return err;
		len = strlen(url);
		if (len > 5 && !strcmp(url + len - 5, ".list")) {
			err = plan_list(p, url, tries, f);
		} else {
			struct url tmp;

			err = http_url_parse(url, &tmp, f);
			if (!err)
				err = fetch_plan_add(p, url, NULL, NULL, f);
		}
		if (err)
			return err;
	}
	return 0;
}

static const char *hint_for(enum stage st)
{
	switch (st) {
	case ST_URL:
		return "live.fetch=http://SERVER[:PORT]/PATH/NN-name.squashfs, or a directory URL "
		       "ending in / with a layers.list";
	case ST_UNREACHABLE:
		return "is the HTTP server running and reachable from this network (see /run/live/net)? "
		       "'exit' tries again";
	case ST_DROPPED:
		return "the server or the network keeps dropping the connection; 'exit' tries again";
	case ST_HTTP:
		return "check the URL and that the layers are in the server's document root";
	case ST_RAM:
		return "add RAM, fetch fewer layers (live.layers=), or mount them over NFS (live.nfs=)";
	case ST_CHECKSUM:
		return "the layer on the server is not the one its checksum describes: copy both again "
		       "(livestack-mkimage pxe writes them), or fix live.fetch.sha256=";
	default:
		return "see the message above";
	}
}

/* Worth the next mirror: the server, the network, or what it served (checksum). */
static bool failover(const struct fail *f, const struct fetch_mirrors *m)
{
	return m->n > 1 && (f->stage == ST_UNREACHABLE || f->stage == ST_DROPPED ||
			    f->stage == ST_HTTP || f->stage == ST_CHECKSUM);
}

/* What went wrong on each mirror, for the console when every one failed. */
struct mirror_log {
	char why[LIVE_FETCH_MIRRORS_MAX][400];
};

static void mirror_failed(struct mirror_log *l, const struct fetch_mirrors *m, size_t t,
			  const struct fail *f)
{
	snprintf(l->why[m->order[t]], sizeof(l->why[0]), "%s: %s", stage_names[f->stage], f->why);
}

/*
 * After d failed on the mirror at m->order[*t]: the next mirror that lists the same layer
 * (by name, and by SHA-256 when both lists give one), d->url set to it so fetch_file()
 * resumes there. *failed counts the mirrors that failed in a row; at m->n, give up.
 */
static int next_mirror(const struct fetch_mirrors *m, size_t *t, size_t *failed,
		       struct fetch_dl *d, int tries, struct mirror_log *l, struct fail *f)
{
	static struct fetch_plan q;
	const char *from = m->spec[m->order[*t]];
	int err = 0;

	while (*failed < m->n) {
		const char *spec;
		size_t j = 0;

		*t = (*t + 1) % m->n;
		spec = m->spec[m->order[*t]];
		err = plan_make(&q, spec, tries, f);
		while (!err && j < q.n && strcmp(q.d[j].name, d->name))
			j++;
		if (!err && j == q.n)
			err = http_fail(f, ST_HTTP, -ENOENT, "%s does not list %s", spec, d->name);
		if (!err && d->have_want && q.d[j].have_want && memcmp(d->want, q.d[j].want, SHA256_LEN))
			err = http_fail(f, ST_CHECKSUM, -ESTALE, "%s has another %s (its SHA-256 is not "
					"the one of the first mirror's list: another build?)", spec, d->name);
		if (!err) {
			log_warn("fetch %s: mirror %s failed; %s at %llu bytes from %s", d->name, from,
				 d->got ? "resuming" : "starting", d->got, q.d[j].url);
			snprintf(d->url, sizeof(d->url), "%s", q.d[j].url);
			return 0;
		}
		mirror_failed(l, m, *t, f);
		(*failed)++;
		log_warn("fetch: mirror %s: %s: %s", spec, stage_names[f->stage], f->why);
	}
	return err;
}

/* Every mirror failed: one console line for each, naming it and what was wrong. */
static int all_failed(struct live_ctx *ctx, const struct fetch_mirrors *m, const struct mirror_log *l,
		      int err, const struct fail *f)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		log_err("fetch: mirror %zu of %zu, %s: %s", i + 1, m->n, m->spec[i],
			*l->why[i] ? l->why[i] : "not tried");
	return live_fail(ctx, err, hint_for(f->stage), "fetch: every mirror failed (%zu); the last: "
			 "%s: %s", m->n, stage_names[f->stage], f->why);
}

int fetch_layers(struct live_ctx *ctx)
{
	static struct fetch_plan p;
	static struct fetch_mirrors m;
	static struct mirror_log l;
	char dir[LIVE_PATH_MAX + 32], mac_s[32];
	unsigned long long total = 0;
	struct fail f = { ST_NONE, "" };
	uint8_t mac[6];
	size_t i, t = 0, failed = 0;
	int err, tries;

	/* a retry from the rescue shell starts with an empty tmpfs */
	umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	if (mount("tmpfs", LIVE_MEDIUM_MNT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=90%") < 0)
		return live_fail(ctx, -errno,
				 LIVE_MEDIUM_MNT " must be a directory on /run (ls -ld " LIVE_MEDIUM_MNT
				 "; mount); fix it here, then 'exit' tries again",
				 "fetch: local error: cannot mount the download's tmpfs on %s: %s",
				 LIVE_MEDIUM_MNT, strerror(errno));
	snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
	file_mkdirs(dir, 0755);
	memset(&l, 0, sizeof(l));
	err = fetch_mirrors_parse(&m, ctx->cfg->fetch, &f);
	if (err)
		return live_fail(ctx, err, hint_for(f.stage), "fetch: %s: %s", stage_names[f.stage], f.why);
	/* the interface /init configured (net.c): the same client, the same mirror */
	net_lease_value("mac", mac_s, sizeof(mac_s));
	fetch_mirrors_order(&m, fetch_mac_parse(mac_s, mac) ? NULL : mac);
	tries = m.n > 1 ? FETCH_MIRROR_TRIES : FETCH_TRIES;
	if (m.n > 1)
		log_info("fetch: %zu mirrors; this client (MAC %s) starts with %s", m.n,
			 *mac_s ? mac_s : "unknown", m.spec[m.order[0]]);
	/* the plan (layer names, checksums): from the first mirror that gives one */
	for (;;) {
		err = plan_make(&p, m.spec[m.order[t]], tries, &f);
		if (!err)
			err = plan_sums(&p, ctx->cfg->fetch_sha256, tries, &f);
		if (!err || !failover(&f, &m))
			break;
		mirror_failed(&l, &m, t, &f);
		log_warn("fetch: mirror %s: %s: %s", m.spec[m.order[t]], stage_names[f.stage], f.why);
		if (++failed == m.n)
			return all_failed(ctx, &m, &l, err, &f);
		t = (t + 1) % m.n;
	}
	failed = 0;
	for (i = 0; !err && i < p.n; i++) {
		struct fetch_dl *d = &p.d[i];

		snprintf(d->path, sizeof(d->path), "%s/%s", dir, d->name);
		d->quiet = ctx->cfg->quiet;
		d->tries = tries;
		log_info("fetch %s from %s", d->name, d->url);
		for (;;) {
			unsigned long long before = d->got;

			err = fetch_file(d, &f);
			if (!err || !failover(&f, &m))
				break;
			if (d->got > before)
				failed = 0;
			if (f.stage == ST_CHECKSUM)
				d->got = 0;	/* the mirror served another file: all of it again */
			mirror_failed(&l, &m, t, &f);
			failed++;
			log_warn("fetch: mirror %s: %s: %s", m.spec[m.order[t]], stage_names[f.stage], f.why);
			err = next_mirror(&m, &t, &failed, d, tries, &l, &f);
			if (err) {
				unlink(d->path);
				return all_failed(ctx, &m, &l, err, &f);
			}
		}
		if (err)
			unlink(d->path);
		total += d->got;
	}
	if (err)
		return live_fail(ctx, err, hint_for(f.stage), "fetch: %s: %s",
				 stage_names[f.stage], f.why);
	snprintf(ctx->medium_src, sizeof(ctx->medium_src), "%s", ctx->cfg->fetch);
	log_info("medium: %s (%zu layer%s fetched into RAM, %llu.%llu MiB)", ctx->cfg->fetch, p.n,
		 p.n == 1 ? "" : "s", total >> 20, (total % (1 << 20)) * 10 >> 20);
	return 0;
}
