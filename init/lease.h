/* SPDX-License-Identifier: GPL-2.0 */
/* The DHCP lease: ipconfig's /run/net-DEV.conf read, /run/live/net's text made and read. */
#ifndef LIVE_LEASE_H
#define LIVE_LEASE_H

#include <stdbool.h>
#include <stddef.h>

/* ipconfig's KEY='value' lines (the first 24; keys and values cut at 127 bytes) */
struct net_lease {
	char kv[24][2][128];
	size_t n;
};

/* Read ipconfig's lease file; 0 or -errno. */
int net_lease_read(const char *path, struct net_lease *l);
/* The value of ipconfig's KEY ("IPV4ADDR", ...); "" when absent or 0.0.0.0. */
const char *net_lease_get(const struct net_lease *l, const char *key);
/*
 * /run/live/net's text (device=, mac=, method=, address=, ..., server=, server-from=):
 * loader_server is the boot loader's server ("" = none: the lease's next-server).
 * Control characters in the lease's values are written as '?'. 0, or -ENOSPC.
 */
int net_lease_format(const struct net_lease *l, const char *dev, const char *mac, bool dhcp,
		     const char *loader_server, char *buf, size_t len);
/* KEY's value in /run/live/net's text ("" when absent). */
void net_lease_find(const char *text, const char *key, char *out, size_t len);

#endif
