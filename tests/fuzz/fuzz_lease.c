// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the DHCP lease as klibc's ipconfig writes it from a server's reply
 * (/run/net-DEV.conf, read by init/lease.c), /run/live/net made of it and read back. */
#include <stdio.h>

#include "fuzz.h"
#include "lease.h"

static const char *const keys[][2] = {
	{ "address", "IPV4ADDR" }, { "netmask", "IPV4NETMASK" }, { "gateway", "IPV4GATEWAY" },
	{ "domain", "DNSDOMAIN" }, { "hostname", "HOSTNAME" }, { "next-server", "ROOTSERVER" },
	{ "boot-file", "filename" }, { "root-path", "ROOTPATH" }, { "lease-time", "DHCPLEASETIME" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct net_lease l;
	char path[64], text[4096], v[4096];
	const char *p;
	size_t i;
	bool loader = size && (data[0] & 1);
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (net_lease_read(path, &l)) {
		close(fd);
		return 0;
	}
	close(fd);
	if (l.n > sizeof(l.kv) / sizeof(l.kv[0]))
		abort();
	/* 16 bytes of device name, a MAC, the longest IPv4 address as the loader's server */
	if (net_lease_format(&l, "enx0123456789ab", "52:54:00:12:34:56", true,
			     loader ? "255.255.255.255" : "", text, sizeof(text)))
		abort();	/* everything a lease can hold fits */
	/* one key=value per line, no control byte but the newlines */
	for (p = text; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			abort();
	/* read back: each value as the lease gave it, the server as said */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		net_lease_find(text, keys[i][0], v, sizeof(v));
		if (strcmp(v, net_lease_get(&l, keys[i][1])))
			abort();
	}
	net_lease_find(text, "server", v, sizeof(v));
	if (strcmp(v, loader ? "255.255.255.255" : net_lease_get(&l, "ROOTSERVER")))
		abort();
	net_lease_find(text, "device", v, sizeof(v));
	if (strcmp(v, "enx0123456789ab"))
		abort();
	return 0;
}
