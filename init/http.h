/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP/1.1 client of live.fetch=: URL, connection, one GET's status and headers. */
#ifndef LIVE_HTTP_H
#define LIVE_HTTP_H

#include <stdbool.h>
#include <sys/types.h>

/* Why an attempt failed: the stage is what the console and the tests name. */
enum stage { ST_NONE, ST_URL, ST_UNREACHABLE, ST_DROPPED, ST_HTTP, ST_RAM, ST_CHECKSUM, ST_LOCAL };

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

/* Fill f (stage and message) and return err. */
int http_fail(struct fail *f, enum stage st, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* http://HOST[:PORT]/PATH into u; https and other schemes are refused. */
int http_url_parse(const char *s, struct url *u, struct fail *f);
/* Connect, send GET (with Range: bytes=from- when from > 0), read status and headers;
 * the body's first bytes are h->buf[h->off..h->have). The caller closes h->fd. */
int http_get(struct http *h, const struct url *u, unsigned long long from, struct fail *f);
/* The status line and headers in h->buf[0..h->have) into h's fields (h->off: where the
 * body starts): 0, -EAGAIN while the head is incomplete, -EPROTO if not HTTP. */
int http_parse_head(struct http *h);
/* A redirect's Location (absolute, or a path on the server of u) as an absolute URL. */
int http_follow(char *url, size_t len, const struct url *u, const struct http *h, struct fail *f);
/* read(2) with the stall timeout: bytes, 0 at EOF, -ETIMEDOUT or -errno. */
ssize_t http_recv(int fd, void *buf, size_t len);
/* http_get() of url (len bytes, updated to where redirects lead, at most `redirects` of
 * them; u is its parsed form): the last answer in h. The caller closes h->fd, also after
 * an error (-1 when nothing is open). */
int http_get_follow(struct http *h, struct url *u, char *url, size_t len,
		    unsigned long long from, int redirects, struct fail *f);
/* Statuses worth another try: 408, 429, 5xx. */
bool http_retryable(int status);

#endif
