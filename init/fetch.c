// SPDX-License-Identifier: GPL-2.0
/* live.fetch=: the layers over HTTP/1.1 into a tmpfs, with progress, retries, Range resume, SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "sha256.h"

#define FETCH_TRIES		5	/* attempts in a row without progress */
#define FETCH_BACKOFF_MS	1000	/* first wait; doubles up to the cap */
#define FETCH_BACKOFF_MAX_MS	16000
#define FETCH_CONNECT_MS	10000
#define FETCH_STALL_MS		20000	/* no byte for this long: the connection is dead */
#define FETCH_REDIRECTS		5
#define FETCH_SMALL_MAX		65536	/* layers.list, .sha256 */
#define FETCH_BUF		(256 * 1024)
/* left free for the rw branch and the system once the layers are in RAM */
#define FETCH_RAM_RESERVE	(96ULL << 20)
#define FETCH_LIST		"layers.list"

/* Why an attempt failed: the stage is what the console and the tests name. */
enum stage { ST_NONE, ST_URL, ST_UNREACHABLE, ST_DROPPED, ST_HTTP, ST_RAM, ST_CHECKSUM, ST_LOCAL };
static const char *const stage_names[] = {
	"", "bad URL", "server unreachable", "connection dropped", "HTTP error", "not enough RAM",
	"checksum", "local error",
};

struct fail {
	enum stage stage;
	char why[320];
};

struct url {
	char host[256], port[8], path[768];
};

struct http {
	int fd;
	char buf[16384];
	size_t have, off;		/* bytes in buf; start of the body in buf */
	int status;
	long long length;		/* Content-Length, -1 unknown */
	long long range_start, range_total;
	bool chunked;
	char location[1024];
};

static int failf(struct fail *f, enum stage st, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int failf(struct fail *f, enum stage st, int err, const char *fmt, ...)
{
	va_list ap;

	f->stage = st;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return err;
}

static int url_parse(const char *s, struct url *u, struct fail *f)
{
	const char *p, *slash, *colon;
	size_t hostlen;

	if (!strncmp(s, "https://", 8))
		return failf(f, ST_URL, -EPROTONOSUPPORT,
			     "%s: https is not supported at boot (no TLS in /init); use http://", s);
	if (strncmp(s, "http://", 7))
		return failf(f, ST_URL, -EINVAL, "%s: not an http:// URL", s);
	p = s + 7;
	slash = strchr(p, '/');
	hostlen = slash ? (size_t)(slash - p) : strlen(p);
	colon = memchr(p, ':', hostlen);
	if (!hostlen || hostlen >= sizeof(u->host) || (colon && colon == p))
		return failf(f, ST_URL, -EINVAL, "%s: no host name", s);
	snprintf(u->host, sizeof(u->host), "%.*s", (int)(colon ? (size_t)(colon - p) : hostlen), p);
	if (colon)
		snprintf(u->port, sizeof(u->port), "%.*s", (int)(p + hostlen - colon - 1), colon + 1);
	else
		snprintf(u->port, sizeof(u->port), "80");
	if (!*u->port || strspn(u->port, "0123456789") != strlen(u->port))
		return failf(f, ST_URL, -EINVAL, "%s: bad port", s);
	if (slash && strlen(slash) >= sizeof(u->path))
		return failf(f, ST_URL, -ENAMETOOLONG, "%s: path too long", s);
	snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
	return 0;
}

static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static int conn_open(const struct url *u, struct fail *f)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, err = -EHOSTUNREACH, rc;
	socklen_t len = sizeof(err);

	rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc)
		return failf(f, ST_UNREACHABLE, -EHOSTUNREACH, "cannot resolve %s: %s", u->host,
			     gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = -errno;
		if (err == -EINPROGRESS) {
			err = wait_fd(fd, POLLOUT, FETCH_CONNECT_MS);
			if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &rc, &len) == 0)
				err = -rc;
			if (!err)
				break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return failf(f, ST_UNREACHABLE, err, "connect to %s:%s: %s", u->host, u->port,
			     strerror(-err));
	return fd;
}

static ssize_t recv_some(int fd, void *buf, size_t len)
{
	ssize_t n;
	int err;

	for (;;) {
		n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		err = wait_fd(fd, POLLIN, FETCH_STALL_MS);
		if (err)
			return err;
	}
}

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;
	int err;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EAGAIN) {
			err = wait_fd(fd, POLLOUT, FETCH_STALL_MS);
			if (err)
				return err;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *header(char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* Send GET (from byte `from`) and read the status line and headers. */
static int http_get(struct http *h, const struct url *u, unsigned long long from, struct fail *f)
{
	char req[1400], *end, *line, *next;
	const char *v;
	int err;

	/* reused between requests: every field but the buffer is reset */
	h->have = h->off = 0;
	h->status = 0;
	h->chunked = false;
	h->length = h->range_start = h->range_total = -1;
	h->location[0] = '\0';
	h->fd = conn_open(u, f);
	if (h->fd < 0)
		return h->fd;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s%s%s\r\nUser-Agent: livestack\r\nAccept: */*\r\n"
		 "Connection: close\r\n", u->path, u->host, strcmp(u->port, "80") ? ":" : "",
		 strcmp(u->port, "80") ? u->port : "");
	if (from)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), "Range: bytes=%llu-\r\n", from);
	strcat(req, "\r\n");
	err = send_all(h->fd, req, strlen(req));
	if (err)
		return failf(f, ST_DROPPED, err, "sending the request to %s:%s: %s", u->host, u->port,
			     strerror(-err));
	for (;;) {
		ssize_t n;

		h->buf[h->have] = '\0';
		end = strstr(h->buf, "\r\n\r\n");
		if (end)
			break;
		if (h->have == sizeof(h->buf) - 1)
			return failf(f, ST_HTTP, -EPROTO, "%s:%s: response headers too long", u->host,
				     u->port);
		n = recv_some(h->fd, h->buf + h->have, sizeof(h->buf) - 1 - h->have);
		if (n <= 0)
			return failf(f, ST_DROPPED, n ? (int)n : -ECONNRESET,
				     "%s:%s closed the connection before answering%s%s", u->host,
				     u->port, n ? ": " : "", n ? strerror((int)-n) : "");
		h->have += (size_t)n;
	}
	*end = '\0';
	h->off = (size_t)(end - h->buf) + 4;
	if (sscanf(h->buf, "HTTP/%*d.%*d %d", &h->status) != 1)
		return failf(f, ST_HTTP, -EPROTO, "%s:%s: not an HTTP response", u->host, u->port);
	for (line = strstr(h->buf, "\r\n"); line; line = next) {
		line += 2;
		next = strstr(line, "\r\n");
		if (next)
			*next = '\0';
		if ((v = header(line, "Content-Length")))
			h->length = strtoll(v, NULL, 10);
		else if ((v = header(line, "Content-Range")))
			sscanf(v, "bytes %lld-%*d/%lld", &h->range_start, &h->range_total);
		else if ((v = header(line, "Transfer-Encoding")))
			h->chunked = strcasestr(v, "chunked") != NULL;
		else if ((v = header(line, "Location")))
			snprintf(h->location, sizeof(h->location), "%s", v);
	}
	return 0;
}

/* A redirect's target as an absolute URL (absolute, or a path on the same server). */
static int follow(char *url, size_t len, const struct url *u, const struct http *h, struct fail *f)
{
	if (!strncmp(h->location, "http://", 7) || !strncmp(h->location, "https://", 8))
		snprintf(url, len, "%s", h->location);
	else if (h->location[0] == '/')
		snprintf(url, len, "http://%s:%s%s", u->host, u->port, h->location);
	else
		return failf(f, ST_HTTP, -EPROTO, "HTTP %d without a usable Location", h->status);
	return 0;
}

static bool retryable_status(int status)
{
	return status == 408 || status == 429 || status >= 500;
}

/* GET a small file (layers.list, .sha256) whole; *status gets the final HTTP status. */
static int get_small_once(const char *start, char *out, size_t max, int *status, struct fail *f)
{
	char url[1024];
	struct url u;
	static struct http h;
	size_t got = 0;
	int i, err;

	snprintf(url, sizeof(url), "%s", start);
	for (i = 0;; i++) {
		err = url_parse(url, &u, f);
		if (err)
			return err;
		err = http_get(&h, &u, 0, f);
		if (err)
			goto out_close;
		if (h.status < 300 || h.status >= 400 || i == FETCH_REDIRECTS)
			break;
		err = follow(url, sizeof(url), &u, &h, f);
		close(h.fd);
		if (err)
			return err;
	}
	*status = h.status;
	if (h.status != 200) {
		err = failf(f, ST_HTTP, retryable_status(h.status) ? -EAGAIN : -ENOENT,
			    "%s: HTTP %d", url, h.status);
		goto out_close;
	}
	if (h.chunked) {
		err = failf(f, ST_HTTP, -EPROTO, "%s: chunked transfer encoding is not supported", url);
		goto out_close;
	}
	got = h.have - h.off;
	if (got >= max) {
		err = failf(f, ST_HTTP, -EFBIG, "%s: larger than %zu bytes", url, max);
		goto out_close;
	}
	memcpy(out, h.buf + h.off, got);
	for (;;) {
		ssize_t n = recv_some(h.fd, out + got, max - got);

		if (n < 0) {
			err = failf(f, ST_DROPPED, -EAGAIN, "%s: %s", url, strerror((int)-n));
			goto out_close;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == max) {
			err = failf(f, ST_HTTP, -EFBIG, "%s: larger than %zu bytes", url, max - 1);
			goto out_close;
		}
	}
	out[got] = '\0';
	if (h.length >= 0 && (size_t)h.length != got)
		err = failf(f, ST_DROPPED, -EAGAIN, "%s: got %zu of %lld bytes", url, got, h.length);
out_close:
	close(h.fd);
	return err;
}

static void backoff_sleep(int *ms)
{
	usleep((useconds_t)*ms * 1000);
	*ms = *ms * 2 > FETCH_BACKOFF_MAX_MS ? FETCH_BACKOFF_MAX_MS : *ms * 2;
}

/* Connection trouble is retried with back-off; HTTP answers (404) are final. */
static int get_small(const char *url, char *out, size_t max, int *status, struct fail *f)
{
	int tries, wait_ms = FETCH_BACKOFF_MS, err = 0;

	*status = 0;
	for (tries = 1; tries <= FETCH_TRIES; tries++) {
		err = get_small_once(url, out, max, status, f);
		if (!err || (f->stage != ST_UNREACHABLE && f->stage != ST_DROPPED && err != -EAGAIN))
			return err;
		if (tries < FETCH_TRIES) {
			log_warn("fetch: %s: %s; retrying in %d s (try %d of %d)", url, f->why,
				 wait_ms / 1000, tries + 1, FETCH_TRIES);
			backoff_sleep(&wait_ms);
		}
	}
	snprintf(f->why + strlen(f->why), sizeof(f->why) - strlen(f->why), " (%d tries)", FETCH_TRIES);
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

/* One layer being downloaded. */
struct dl {
	char name[64];			/* NN-name.squashfs, as saved */
	char url[1024];
	char path[LIVE_PATH_MAX + 96];
	uint8_t want[SHA256_LEN];
	bool have_want;
	char want_from[160];		/* where the expected sum came from */
	unsigned long long got, total;	/* total 0 = unknown */
	struct sha256 sum;
	uint64_t t0, shown;
	bool quiet;
};

static void progress(struct dl *d, bool last)
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

static int restart(struct dl *d, int fd, struct fail *f)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return failf(f, ST_LOCAL, -errno, "%s: %s", d->path, strerror(errno));
	d->got = 0;
	sha256_init(&d->sum);
	return 0;
}

static int store(struct dl *d, int fd, const char *buf, size_t len, struct fail *f)
{
	size_t done = 0;

	sha256_update(&d->sum, buf, len);
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return failf(f, errno == ENOSPC ? ST_RAM : ST_LOCAL, -errno,
				     "writing %s at %llu MiB: %s", d->path, (d->got + done) >> 20,
				     strerror(errno));
		done += (size_t)n;
	}
	d->got += len;
	return 0;
}

/* One connection's worth: 0 when the file is complete, -EAGAIN to try again. */
static int get_once(struct dl *d, int fd, struct fail *f)
{
	static char buf[FETCH_BUF];
	static struct http h;
	char url[1024];
	struct url u;
	int i, err;

	snprintf(url, sizeof(url), "%s", d->url);
	for (i = 0;; i++) {
		err = url_parse(url, &u, f);
		if (err)
			return err;
		err = http_get(&h, &u, d->got, f);
		if (err)
			goto out_close;
		if (h.status < 300 || h.status >= 400 || i == FETCH_REDIRECTS)
			break;
		err = follow(url, sizeof(url), &u, &h, f);
		close(h.fd);
		if (err)
			return err;
	}
	if (h.status == 416 && d->total && d->got == d->total) {
		err = 0;
		goto out_close;
	}
	if (h.status != 200 && h.status != 206) {
		err = failf(f, ST_HTTP, retryable_status(h.status) ? -EAGAIN : -ENOENT,
			    "%s: HTTP %d%s", url, h.status, h.status == 404 ? " Not Found" : "");
		goto out_close;
	}
	if (h.chunked) {
		err = failf(f, ST_HTTP, -EPROTO, "%s: chunked transfer encoding is not supported", url);
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
		err = failf(f, ST_RAM, -ENOMEM,
			    "%s needs %llu MiB more, %llu MiB of RAM available (%llu MiB kept free)",
			    d->name, (d->total - d->got) >> 20, mem_available() >> 20,
			    FETCH_RAM_RESERVE >> 20);
		goto out_close;
	}
	err = store(d, fd, h.buf + h.off, h.have - h.off, f);
	while (!err && (!d->total || d->got < d->total)) {
		ssize_t n = recv_some(h.fd, buf, sizeof(buf));

		if (n == 0 && !d->total)
			break;
		if (n <= 0) {
			err = failf(f, ST_DROPPED, -EAGAIN, "%s:%s: %s at %llu of %llu bytes", u.host,
				    u.port, n == 0 ? "connection closed" : strerror((int)-n), d->got,
				    d->total);
			break;
		}
		err = store(d, fd, buf, (size_t)n, f);
		progress(d, false);
	}
out_close:
	close(h.fd);
	return err;
}

static int fetch_file(struct dl *d, struct fail *f)
{
	int tries = 0, wait_ms = FETCH_BACKOFF_MS, err, fd;
	uint8_t sum[SHA256_LEN];
	char hex[2][SHA256_HEX_LEN + 1];

	fd = open(d->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return failf(f, ST_LOCAL, -errno, "%s: %s", d->path, strerror(errno));
	sha256_init(&d->sum);
	d->t0 = d->shown = live_now_ms();
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
		if (++tries == FETCH_TRIES) {
			snprintf(f->why + strlen(f->why), sizeof(f->why) - strlen(f->why),
				 " (%d tries)", FETCH_TRIES);
			break;
		}
		if (!d->quiet && d->got)
			log_console("\n");
		log_warn("fetch %s: %s; retrying in %d s (try %d of %d)%s", d->name, f->why,
			 wait_ms / 1000, tries + 1, FETCH_TRIES, d->got ? ", resuming" : "");
		backoff_sleep(&wait_ms);
	}
	if (err) {
		close(fd);
		unlink(d->path);
		return err;
	}
	progress(d, true);
	close(fd);
	sha256_final(&d->sum, sum);
	sha256_hex(sum, hex[0]);
	if (d->have_want && memcmp(sum, d->want, SHA256_LEN)) {
		unlink(d->path);
		sha256_hex(d->want, hex[1]);
		return failf(f, ST_CHECKSUM, -EBADMSG,
			     "%s: SHA-256 mismatch: got %s, expected %s (from %s)", d->name, hex[0],
			     hex[1], d->want_from);
	}
	log_info("fetch %s: %llu bytes in %llu ms, sha256 %s%s", d->name, d->got,
		 (unsigned long long)(live_now_ms() - d->t0), hex[0],
		 d->have_want ? " (verified)" : " (not verified: no checksum given)");
	return 0;
}

/* "NN-name.squashfs" from a URL's last path element; other names get the suffix. */
static int layer_name(const char *url, char *name, size_t len, struct fail *f)
{
	const char *b = strrchr(url, '/'), *dot;
	size_t n, slen = strlen(LIVE_LAYER_SUFFIX);

	b = b ? b + 1 : url;
	n = strcspn(b, "?#");
	if (!n || n + slen >= len || !strncmp(b, "..", 2))
		return failf(f, ST_URL, -EINVAL, "%s: no layer file name in the URL", url);
	if (n > slen && !strncmp(b + n - slen, LIVE_LAYER_SUFFIX, slen))
		snprintf(name, len, "%.*s", (int)n, b);
	else {	/* dracut's squashfs.img, archiso's airootfs.sfs */
		dot = memchr(b, '.', n);
		snprintf(name, len, "%.*s%s", (int)(dot ? (size_t)(dot - b) : n), b, LIVE_LAYER_SUFFIX);
	}
	return 0;
}

struct plan {
	struct dl d[LIVE_MAX_LAYERS];
	size_t n;
};

static int plan_add(struct plan *p, const char *url, const char *hex, const char *from,
		    struct fail *f)
{
	struct dl *d;
	int err;

	if (p->n == LIVE_MAX_LAYERS)
		return failf(f, ST_URL, -E2BIG, "more than %d layers", LIVE_MAX_LAYERS);
	d = &p->d[p->n];
	memset(d, 0, sizeof(*d));
	if (strlen(url) >= sizeof(d->url))
		return failf(f, ST_URL, -ENAMETOOLONG, "URL too long: %.80s...", url);
	snprintf(d->url, sizeof(d->url), "%s", url);
	err = layer_name(url, d->name, sizeof(d->name), f);
	if (err)
		return err;
	if (hex && *hex) {
		if (sha256_parse_hex(hex, d->want))
			return failf(f, ST_CHECKSUM, -EINVAL, "%s: \"%.70s\" is not a SHA-256 (64 hex digits)",
				     from, hex);
		d->have_want = true;
		snprintf(d->want_from, sizeof(d->want_from), "%s", from);
	}
	p->n++;
	return 0;
}

/* layers.list: one layer per line, "NAME" or sha256sum's "HEX  NAME"; # comments. */
static int plan_list(struct plan *p, const char *list_url, struct fail *f)
{
	static char text[FETCH_SMALL_MAX];
	char base[1024], url[1200], from[160];
	char *line, *save, *name, *hex;
	int status, err;

	err = get_small(list_url, text, sizeof(text), &status, f);
	if (err)
		return err;
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
			return failf(f, ST_URL, -EINVAL, "%s: \"%s\": names in the list are file names",
				     list_url, name);
		snprintf(url, sizeof(url), "%s%s", base, name);
		snprintf(from, sizeof(from), "%s", list_url);
		err = plan_add(p, url, hex, from, f);
		if (err)
			return err;
	}
	if (!p->n)
		return failf(f, ST_URL, -ENOENT, "%s lists no layers", list_url);
	return 0;
}

/* The expected sums: live.fetch.sha256= (in order), the list's, else URL.sha256. */
static int plan_sums(struct plan *p, const char *given, struct fail *f)
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
			return failf(f, ST_CHECKSUM, -EINVAL,
				     "live.fetch.sha256=%.80s: not a comma list of SHA-256s (64 hex digits)",
				     given);
		p->d[i].have_want = true;
		snprintf(p->d[i].want_from, sizeof(p->d[i].want_from), "live.fetch.sha256=");
		g += n + (g[n] == ',');
	}
	for (i = 0; i < p->n; i++) {
		struct dl *d = &p->d[i];

		if (d->have_want)
			continue;
		snprintf(url, sizeof(url), "%s.sha256", d->url);
		err = get_small(url, text, sizeof(text), &status, f);
		if (err && status == 404) {
			log_warn("fetch %s: no %s (HTTP 404): the layer will not be verified", d->name, url);
			continue;
		}
		if (err)
			return err;
		text[strspn(text, "0123456789abcdefABCDEF")] = '\0';
		if (strlen(text) != SHA256_HEX_LEN || sha256_parse_hex(text, d->want))
			return failf(f, ST_CHECKSUM, -EINVAL, "%s does not start with a SHA-256", url);
		d->have_want = true;
		snprintf(d->want_from, sizeof(d->want_from), "%s", url);
	}
	return 0;
}

static int plan_make(struct plan *p, const char *urls, struct fail *f)
{
	char url[1024];
	const char *u = urls;
	int err;

	p->n = 0;
	while (*u) {
		size_t n = strcspn(u, ",");

		if (n >= sizeof(url) - 16)
			return failf(f, ST_URL, -ENAMETOOLONG, "URL too long: %.80s...", u);
		snprintf(url, sizeof(url), "%.*s", (int)n, u);
		u += n + (u[n] == ',');
		if (!n)
			continue;
		if (url[0] == '/') {
			/* /PATH: on the DHCP next-server, the machine that served the kernel */
			char server[128];

			net_lease_value("next-server", server, sizeof(server));
			if (!*server)
				return failf(f, ST_URL, -EINVAL, "%s: a path, and DHCP gave no next-server",
					     url);
			snprintf(url, sizeof(url), "http://%s%.*s", server, (int)n, u - n - (u[-1] == ','));
			n = strlen(url);
		}
		if (url[n - 1] == '/') {
			strcat(url, FETCH_LIST);
			err = plan_list(p, url, f);
		} else if (n > 5 && !strcmp(url + n - 5, ".list")) {
			err = plan_list(p, url, f);
		} else {
			struct url tmp;

			err = url_parse(url, &tmp, f);
			if (!err)
				err = plan_add(p, url, NULL, NULL, f);
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

int fetch_layers(struct live_ctx *ctx)
{
	static struct plan p;
	char dir[LIVE_PATH_MAX + 32];
	unsigned long long total = 0;
	struct fail f = { ST_NONE, "" };
	size_t i;
	int err;

	/* a retry from the rescue shell starts with an empty tmpfs */
	umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	if (mount("tmpfs", LIVE_MEDIUM_MNT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=90%") < 0)
		return live_fail(ctx, -errno, NULL, "fetch: local error: tmpfs on %s: %s",
				 LIVE_MEDIUM_MNT, strerror(errno));
	snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->opts.dir);
	file_mkdirs(dir, 0755);
	err = plan_make(&p, ctx->opts.fetch, &f);
	if (!err)
		err = plan_sums(&p, ctx->opts.fetch_sha256, &f);
	for (i = 0; !err && i < p.n; i++) {
		struct dl *d = &p.d[i];

		snprintf(d->path, sizeof(d->path), "%s/%s", dir, d->name);
		d->quiet = ctx->opts.quiet;
		log_info("fetch %s from %s", d->name, d->url);
		err = fetch_file(d, &f);
		total += d->got;
	}
	if (err)
		return live_fail(ctx, err, hint_for(f.stage), "fetch: %s: %s",
				 stage_names[f.stage], f.why);
	snprintf(ctx->medium_src, sizeof(ctx->medium_src), "%s", ctx->opts.fetch);
	log_info("medium: %s (%zu layer%s fetched into RAM, %llu MiB)", ctx->opts.fetch, p.n,
		 p.n == 1 ? "" : "s", total >> 20);
	return 0;
}
