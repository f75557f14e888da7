// SPDX-License-Identifier: GPL-2.0
/* Unit tests for init/http.c's GET with redirects, against a small server on 127.0.0.1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "fileio.h"
#include "harness.h"
#include "http.h"

static int port;
static pid_t server;

/* One answer per connection: redirects of each kind, a page, the Range header echoed. */
static void answer(int c)
{
	char req[2048], resp[2048], range[64] = "none";
	const char *r;
	size_t n = 0;
	ssize_t k;

	while (n < sizeof(req) - 1 && (k = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)k;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[n] = '\0';
	r = strstr(req, "Range: ");
	if (r)
		snprintf(range, sizeof(range), "%.*s", (int)strcspn(r + 7, "\r\n"), r + 7);
	if (!strncmp(req, "GET /a ", 7))
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\n");
	else if (!strncmp(req, "GET /abs ", 9))
		snprintf(resp, sizeof(resp), "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:%d/b\r\n\r\n",
			 port);
	else if (!strncmp(req, "GET /loop ", 10))
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\nLocation: /loop\r\n\r\n");
	else if (!strncmp(req, "GET /noloc ", 11))
		snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n");
	else if (!strncmp(req, "GET /ra ", 8))
		snprintf(resp, sizeof(resp), "HTTP/1.1 307 Temporary\r\nLocation: /range\r\n\r\n");
	else if (!strncmp(req, "GET /range ", 11))
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(range), range);
	else if (!strncmp(req, "GET /over.squashfs ", 19))	/* more than its Content-Length */
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
	else if (!strncmp(req, "GET /b ", 7))
		snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	else
		snprintf(resp, sizeof(resp), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	if (write(c, resp, strlen(resp)) < 0)
		perror("test server write");
	close(c);
}

static int server_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), c;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	server = fork();
	if (server < 0)
		return -1;
	if (server == 0) {
		for (;;) {
			c = accept(s, NULL, NULL);
			if (c >= 0)
				answer(c);
		}
	}
	close(s);
	return 0;
}

/* The whole body of the answer in h: what http_get left in its buffer and the rest. */
static void body(struct http *h, char *out, size_t len)
{
	size_t n = h->have - h->off;
	ssize_t k;

	if (n >= len)
		n = len - 1;
	memcpy(out, h->buf + h->off, n);
	while (n < len - 1 && (k = http_recv(h->fd, out + n, len - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
}

/* GET path: the error, with the final URL in url and the body in out */
static int get(const char *path, unsigned long long from, struct http *h, char *url, size_t len,
	       struct fail *f, char *out, size_t outlen)
{
	struct url u;
	int err;

	snprintf(url, len, "http://127.0.0.1:%d%s", port, path);
	memset(f, 0, sizeof(*f));
	out[0] = '\0';
	err = http_get_follow(h, &u, url, len, from, 5, f);
	if (!err)
		body(h, out, outlen);
	close(h->fd);
	return err;
}

static struct http h;

TEST(http_redirect_relative_and_absolute)
{
	char url[1024], want[1024], out[64];
	struct fail f;

	CHECK_EQ(get("/a", 0, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_EQ(h.status, 200);
	CHECK_STR(out, "hello");
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/b", port);
	CHECK_STR(url, want);
	CHECK_EQ(get("/abs", 0, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_EQ(h.status, 200);
	CHECK_STR(out, "hello");
	CHECK_STR(url, want);
}

/* Range: is sent again to where a redirect leads */
TEST(http_redirect_keeps_range)
{
	char url[1024], out[64];
	struct fail f;

	CHECK_EQ(get("/ra", 3, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_EQ(h.status, 200);
	CHECK_STR(out, "bytes=3-");
	CHECK_EQ(get("/range", 0, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_STR(out, "none");
}

/* after the last allowed redirect the 302 itself is the answer; the caller reports it */
TEST(http_redirect_loop_stops)
{
	char url[1024], out[64];
	struct fail f;

	CHECK_EQ(get("/loop", 0, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_EQ(h.status, 302);
}

TEST(http_redirect_errors)
{
	char url[1024], out[64];
	struct fail f;

	CHECK_EQ(get("/noloc", 0, &h, url, sizeof(url), &f, out, sizeof(out)), -EPROTO);
	CHECK_EQ(f.stage, ST_HTTP);
	CHECK(strstr(f.why, "HTTP 302 without a usable Location") != NULL);
	CHECK_EQ(h.fd, -1);
	CHECK_EQ(get("/nosuch", 0, &h, url, sizeof(url), &f, out, sizeof(out)), 0);
	CHECK_EQ(h.status, 404);
	/* a URL it cannot use: nothing is left open */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/b", port);
	{
		struct url u;

		h.fd = 12345;
		CHECK(http_get_follow(&h, &u, url, sizeof(url), 0, 5, &f) < 0);
		CHECK_EQ(f.stage, ST_URL);
		CHECK_EQ(h.fd, -1);
	}
}

/* A server sending more than its Content-Length: the layer file holds the 5 bytes only. */
TEST(fetch_stops_at_content_length)
{
	static struct fetch_dl d;
	struct fail f = { ST_NONE, "" };
	char path[] = "/tmp/test_fetch.XXXXXX", *data = NULL;
	size_t len = 0;
	int fd = mkstemp(path);

	if (fd >= 0)
		close(fd);
	snprintf(d.url, sizeof(d.url), "http://127.0.0.1:%d/over.squashfs", port);
	snprintf(d.path, sizeof(d.path), "%s", path);
	snprintf(d.name, sizeof(d.name), "over.squashfs");
	d.quiet = true;
	CHECK_EQ(fetch_file(&d, &f), 0);
	CHECK_EQ(d.got, 5);
	CHECK_EQ(file_slurp(path, &data, &len), 0);
	CHECK_EQ(len, 5);
	CHECK(data && !memcmp(data, "hello", 5));
	free(data);
	unlink(path);
}

/* http://NEXT-SERVER before a long /PATH/ and then layers.list overflowed url[1024] */
TEST(fetch_item_url_length)
{
	char item[1100], url[1024];
	struct fail f = { ST_NONE, "" };
	size_t n;

	memset(item, 'a', sizeof(item));
	item[0] = '/';
	n = 1000;
	item[n - 1] = '/';
	CHECK_EQ(fetch_item_url(item, n, "192.168.100.100", url, sizeof(url), &f), -ENAMETOOLONG);
	CHECK_EQ(f.stage, ST_URL);
	CHECK(strstr(f.why, "URL too long") != NULL);
	/* just fitting: http:// (7) + server (3) + path + layers.list (11) = 1023 */
	n = 1023 - 7 - 3 - 11;
	item[n - 1] = '/';
	CHECK_EQ(fetch_item_url(item, n, "a.b", url, sizeof(url), &f), 0);
	CHECK_EQ(strlen(url), 1023);
	CHECK(!strcmp(url + 1023 - 12, "/layers.list"));
	item[n] = '/';		/* one more byte: 1024 with the NUL */
	CHECK_EQ(fetch_item_url(item, n + 1, "a.b", url, sizeof(url), &f), -ENAMETOOLONG);
	CHECK_EQ(fetch_item_url("/x/", 3, "", url, sizeof(url), &f), -EINVAL);
	CHECK(strstr(f.why, "no DHCP next-server") != NULL);
	CHECK_EQ(fetch_item_url("/x/", 3, "10.0.2.2", url, sizeof(url), &f), 0);
	CHECK_STR(url, "http://10.0.2.2/x/layers.list");
	CHECK_EQ(fetch_item_url("http://s/a.squashfs,x", 19, NULL, url, sizeof(url), &f), 0);
	CHECK_STR(url, "http://s/a.squashfs");
}

/* ".x" was saved as ".squashfs", a hidden file the layer scan skips */
TEST(fetch_layer_name_dot)
{
	char name[64];
	struct fail f = { ST_NONE, "" };

	CHECK_EQ(fetch_layer_name("http://s/d/.hidden", name, sizeof(name), &f), -EINVAL);
	CHECK(strstr(f.why, "starts with a dot") != NULL);
	CHECK_EQ(fetch_layer_name("http://s/d/.squashfs", name, sizeof(name), &f), -EINVAL);
	CHECK_EQ(fetch_layer_name("http://s/d/.x.squashfs", name, sizeof(name), &f), -EINVAL);
	CHECK_EQ(fetch_layer_name("http://s/d/..", name, sizeof(name), &f), -EINVAL);
	CHECK_EQ(fetch_layer_name("http://s/d/10-base.squashfs?x=1", name, sizeof(name), &f), 0);
	CHECK_STR(name, "10-base.squashfs");
	CHECK_EQ(fetch_layer_name("http://s/LiveOS/squashfs.img", name, sizeof(name), &f), 0);
	CHECK_STR(name, "squashfs.squashfs");
}

TEST(fetch_list_text)
{
	static struct fetch_plan p;
	struct fail f = { ST_NONE, "" };
	char text[512];

	snprintf(text, sizeof(text), "# layers\n10-base.squashfs\r\n"
		 "%064d  *20-x.squashfs\n\n", 0);
	CHECK_EQ(fetch_plan_list_text(&p, "http://s/d/layers.list", text, &f), 0);
	CHECK_EQ(p.n, 2);
	CHECK_STR(p.d[0].url, "http://s/d/10-base.squashfs");
	CHECK(!p.d[0].have_want && p.d[1].have_want);
	CHECK_STR(p.d[1].name, "20-x.squashfs");
	/* a layer with a checksum: a URL per content (?v=), for HTTP caches */
	CHECK_STR(p.d[1].url, "http://s/d/20-x.squashfs?v=0000000000000000");
	p.n = 0;
	snprintf(text, sizeof(text), ".evil\n");
	CHECK_EQ(fetch_plan_list_text(&p, "http://s/d/layers.list", text, &f), -EINVAL);
	snprintf(text, sizeof(text), "../x.squashfs\n");
	CHECK_EQ(fetch_plan_list_text(&p, "http://s/d/layers.list", text, &f), -EINVAL);
	snprintf(text, sizeof(text), "# nothing\n");
	CHECK_EQ(fetch_plan_list_text(&p, "http://s/d/layers.list", text, &f), -ENOENT);
}

/* the head parser alone: what the fuzz harness feeds it */
TEST(http_parse_head_fields)
{
	static struct http hh;
	const char *r = "HTTP/1.1 206 Partial\r\ncontent-length: 7\r\nContent-Range: bytes 3-9/10\r\n"
			"Location: /x\r\n\r\nbody";

	snprintf(hh.buf, sizeof(hh.buf), "%s", r);
	hh.have = 10;
	CHECK_EQ(http_parse_head(&hh), -EAGAIN);
	snprintf(hh.buf, sizeof(hh.buf), "%s", r);	/* the rest arrives */
	hh.have = strlen(r);
	CHECK_EQ(http_parse_head(&hh), 0);
	CHECK_EQ(hh.status, 206);
	CHECK_EQ(hh.length, 7);
	CHECK_EQ(hh.range_start, 3);
	CHECK_EQ(hh.range_total, 10);
	CHECK_STR(hh.location, "/x");
	CHECK_STR(hh.buf + hh.off, "body");
	snprintf(hh.buf, sizeof(hh.buf), "SSH-2.0\r\n\r\n");
	hh.have = strlen(hh.buf);
	CHECK_EQ(http_parse_head(&hh), -EPROTO);
}

int main(void)
{
	int status;

	signal(SIGPIPE, SIG_IGN);
	if (server_start()) {
		perror("test server");
		return 1;
	}
	RUN(http_redirect_relative_and_absolute);
	RUN(http_redirect_keeps_range);
	RUN(http_redirect_loop_stops);
	RUN(http_redirect_errors);
	RUN(fetch_stops_at_content_length);
	RUN(fetch_item_url_length);
	RUN(fetch_layer_name_dot);
	RUN(fetch_list_text);
	RUN(http_parse_head_fields);
	kill(server, SIGTERM);
	waitpid(server, &status, 0);
	return HARNESS_END();
}
