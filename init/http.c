// SPDX-License-Identifier: GPL-2.0
/* The HTTP/1.1 client of live.fetch=: URL parsing, connect with a timeout, GET with Range, headers. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"

#define FETCH_CONNECT_MS	10000
#define FETCH_STALL_MS		20000	/* no byte for this long: the connection is dead */

int http_fail(struct fail *f, enum stage st, int err, const char *fmt, ...)
{
	va_list ap;

	f->stage = st;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return err;
}

int http_url_parse(const char *s, struct url *u, struct fail *f)
{
	const char *p, *slash, *colon;
	size_t hostlen;

	if (!strncmp(s, "https://", 8))
		return http_fail(f, ST_URL, -EPROTONOSUPPORT,
			     "%s: https is not supported at boot (no TLS in /init); use http://", s);
	if (strncmp(s, "http://", 7))
		return http_fail(f, ST_URL, -EINVAL, "%s: not an http:// URL", s);
	p = s + 7;
	slash = strchr(p, '/');
	hostlen = slash ? (size_t)(slash - p) : strlen(p);
	colon = memchr(p, ':', hostlen);
	if (!hostlen || hostlen >= sizeof(u->host) || (colon && colon == p))
		return http_fail(f, ST_URL, -EINVAL, "%s: no host name", s);
	snprintf(u->host, sizeof(u->host), "%.*s", (int)(colon ? (size_t)(colon - p) : hostlen), p);
	if (colon)
		snprintf(u->port, sizeof(u->port), "%.*s", (int)(p + hostlen - colon - 1), colon + 1);
	else
		snprintf(u->port, sizeof(u->port), "80");
	if (!*u->port || strspn(u->port, "0123456789") != strlen(u->port))
		return http_fail(f, ST_URL, -EINVAL, "%s: bad port", s);
	if (slash && strlen(slash) >= sizeof(u->path))
		return http_fail(f, ST_URL, -ENAMETOOLONG, "%s: path too long", s);
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
		return http_fail(f, ST_UNREACHABLE, -EHOSTUNREACH, "cannot resolve %s: %s", u->host,
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
		return http_fail(f, ST_UNREACHABLE, err, "connect to %s:%s: %s", u->host, u->port,
			     strerror(-err));
	return fd;
}

ssize_t http_recv(int fd, void *buf, size_t len)
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

/* "bytes START-END/TOTAL": start and total (END is implied by them); unset when malformed */
static void content_range(const char *v, struct http *h)
{
	long long start, end, total;

	if (sscanf(v, "bytes %lld-%lld/%lld", &start, &end, &total) == 3) {
		h->range_start = start;
		h->range_total = total;
	}
}

int http_parse_head(struct http *h)
{
	char *end, *line, *next;
	const char *v;

	h->status = 0;
	h->chunked = false;
	h->length = h->range_start = h->range_total = -1;
	h->location[0] = '\0';
	h->buf[h->have] = '\0';
	end = strstr(h->buf, "\r\n\r\n");
	if (!end)
		return -EAGAIN;
	*end = '\0';
	h->off = (size_t)(end - h->buf) + 4;
	if (sscanf(h->buf, "HTTP/%*d.%*d %d", &h->status) != 1)
		return -EPROTO;
	for (line = strstr(h->buf, "\r\n"); line; line = next) {
		line += 2;
		next = strstr(line, "\r\n");
		if (next)
			*next = '\0';
		if ((v = header(line, "Content-Length")))
			h->length = strtoll(v, NULL, 10);
		else if ((v = header(line, "Content-Range")))
			content_range(v, h);
		else if ((v = header(line, "Transfer-Encoding")))
			h->chunked = strcasestr(v, "chunked") != NULL;
		else if ((v = header(line, "Location")))
			snprintf(h->location, sizeof(h->location), "%s", v);
	}
	return 0;
}

/* Send GET (from byte `from`) and read the status line and headers. */
int http_get(struct http *h, const struct url *u, unsigned long long from, struct fail *f)
{
	char req[1400];
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
		return http_fail(f, ST_DROPPED, err, "sending the request to %s:%s: %s", u->host, u->port,
			     strerror(-err));
	while ((err = http_parse_head(h)) == -EAGAIN) {
		ssize_t n;

		if (h->have == sizeof(h->buf) - 1)
			return http_fail(f, ST_HTTP, -EPROTO, "%s:%s: response headers too long", u->host,
				     u->port);
		n = http_recv(h->fd, h->buf + h->have, sizeof(h->buf) - 1 - h->have);
		if (n <= 0)
			return http_fail(f, ST_DROPPED, n ? (int)n : -ECONNRESET,
				     "%s:%s closed the connection before answering%s%s", u->host,
				     u->port, n ? ": " : "", n ? strerror((int)-n) : "");
		h->have += (size_t)n;
	}
	if (err)
		return http_fail(f, ST_HTTP, -EPROTO, "%s:%s: not an HTTP response", u->host, u->port);
	return 0;
}

int http_follow(char *url, size_t len, const struct url *u, const struct http *h,
		       struct fail *f)
{
	if (!strncmp(h->location, "http://", 7) || !strncmp(h->location, "https://", 8))
		snprintf(url, len, "%s", h->location);
	else if (h->location[0] == '/')
		snprintf(url, len, "http://%s:%s%s", u->host, u->port, h->location);
	else
		return http_fail(f, ST_HTTP, -EPROTO, "HTTP %d without a usable Location", h->status);
	return 0;
}

int http_get_follow(struct http *h, struct url *u, char *url, size_t len,
		    unsigned long long from, int redirects, struct fail *f)
{
	int i, err;

	h->fd = -1;
	for (i = 0;; i++) {
		err = http_url_parse(url, u, f);
		if (err)
			return err;
		err = http_get(h, u, from, f);
		if (err || h->status < 300 || h->status >= 400 || i == redirects)
			return err;
		err = http_follow(url, len, u, h, f);
		close(h->fd);
		h->fd = -1;
		if (err)
			return err;
	}
}

bool http_retryable(int status)
{
	return status == 408 || status == 429 || status >= 500;
}
