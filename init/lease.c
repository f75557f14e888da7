// SPDX-License-Identifier: GPL-2.0
/* The DHCP lease: ipconfig's /run/net-DEV.conf (a DHCP server's reply) read, /run/live/net made and read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "lease.h"

/* a value as it is kept: control characters (a DHCP server's bytes) as '?' */
static void keep(char *dst, size_t len, const char *src)
{
	size_t i;

	snprintf(dst, len, "%s", src);
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

static int lease_line(void *arg, char *line)
{
	struct net_lease *l = arg;
	char *eq = strchr(line, '=');
	size_t vlen;

	if (!eq || l->n == sizeof(l->kv) / sizeof(l->kv[0]))
		return 0;
	*eq = '\0';
	vlen = strlen(eq + 1);
	/* ipconfig quotes its values: KEY='value' */
	if (vlen >= 2 && eq[1] == '\'' && eq[vlen] == '\'') {
		eq[vlen] = '\0';
		eq++;
	}
	keep(l->kv[l->n][0], sizeof(l->kv[0][0]), line);
	keep(l->kv[l->n][1], sizeof(l->kv[0][1]), eq + 1);
	l->n++;
	return 0;
}

int net_lease_read(const char *path, struct net_lease *l)
{
	l->n = 0;
	return file_lines(path, lease_line, l);
}

const char *net_lease_get(const struct net_lease *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->kv[i][0], key))
			return strcmp(l->kv[i][1], "0.0.0.0") ? l->kv[i][1] : "";
	return "";
}

int net_lease_format(const struct net_lease *l, const char *dev, const char *mac, bool dhcp,
		     const char *loader_server, char *buf, size_t len)
{
	const char *server = *loader_server ? loader_server : net_lease_get(l, "ROOTSERVER");
	int n;

	n = snprintf(buf, len,
		     "device=%s\nmac=%s\nmethod=%s\naddress=%s\nnetmask=%s\ngateway=%s\n"
		     "dns=%s%s%s\ndomain=%s\nhostname=%s\nnext-server=%s\nboot-file=%s\n"
		     "root-path=%s\nlease-time=%s\nserver=%s\nserver-from=%s\n",
		     dev, mac, dhcp ? "dhcp" : "static", net_lease_get(l, "IPV4ADDR"),
		     net_lease_get(l, "IPV4NETMASK"), net_lease_get(l, "IPV4GATEWAY"),
		     net_lease_get(l, "IPV4DNS0"), *net_lease_get(l, "IPV4DNS1") ? " " : "",
		     net_lease_get(l, "IPV4DNS1"), net_lease_get(l, "DNSDOMAIN"),
		     net_lease_get(l, "HOSTNAME"), net_lease_get(l, "ROOTSERVER"),
		     net_lease_get(l, "filename"), net_lease_get(l, "ROOTPATH"),
		     net_lease_get(l, "DHCPLEASETIME"), server,
		     *loader_server ? "boot-loader" : *server ? "next-server" : "");
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

void net_lease_find(const char *text, const char *key, char *out, size_t len)
{
	const char *p;
	size_t klen = strlen(key);

	out[0] = '\0';
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(out, len, "%.*s", (int)strcspn(p + klen + 1, "\n"), p + klen + 1);
			return;
		}
	}
}
