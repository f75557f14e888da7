// SPDX-License-Identifier: GPL-2.0
/* Host tests of init/lease.c: a lease file as klibc's ipconfig wrote it from dnsmasq
 * (tests/fuzz/seeds_lease.sh), /run/live/net made of it and read back, a hostile reply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lease.h"

static char path[256];

static void put(const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const char real[] =
	"DEVICE='v1'\nPROTO='dhcp'\nIPV4ADDR='10.99.0.53'\nIPV4BROADCAST='10.99.0.255'\n"
	"IPV4NETMASK='255.255.255.0'\nIPV4GATEWAY='10.99.0.1'\nIPV4DNS0='10.99.0.1'\n"
	"IPV4DNS1='10.99.0.2'\nHOSTNAME='client7'\nDNSDOMAIN='lab.example'\nNISDOMAIN=''\n"
	"ROOTSERVER='10.99.0.1'\nROOTPATH='/srv/nfs/live'\nfilename='pxelinux.0'\n"
	"UPTIME='27538'\nDHCPLEASETIME='3600'\nDOMAINSEARCH=''\n";

TEST(lease_real_ipconfig)
{
	struct net_lease l;
	char text[4096], v[256];

	put(real);
	CHECK_EQ(net_lease_read(path, &l), 0);
	CHECK_STR(net_lease_get(&l, "IPV4ADDR"), "10.99.0.53");
	CHECK_STR(net_lease_get(&l, "NISDOMAIN"), "");
	CHECK_STR(net_lease_get(&l, "nothere"), "");
	CHECK_EQ(net_lease_format(&l, "eth0", "52:54:00:12:34:56", true, "", text, sizeof(text)), 0);
	CHECK(strstr(text, "device=eth0\nmac=52:54:00:12:34:56\nmethod=dhcp\naddress=10.99.0.53\n"
			   "netmask=255.255.255.0\ngateway=10.99.0.1\ndns=10.99.0.1 10.99.0.2\n"
			   "domain=lab.example\nhostname=client7\nnext-server=10.99.0.1\n"
			   "boot-file=pxelinux.0\nroot-path=/srv/nfs/live\nlease-time=3600\n"
			   "server=10.99.0.1\nserver-from=next-server\n") == text);
	net_lease_find(text, "root-path", v, sizeof(v));
	CHECK_STR(v, "/srv/nfs/live");
	net_lease_find(text, "server", v, sizeof(v));
	CHECK_STR(v, "10.99.0.1");
	/* the boot loader's server wins; a short buffer is refused, not cut */
	CHECK_EQ(net_lease_format(&l, "eth0", "", true, "10.0.0.9", text, sizeof(text)), 0);
	net_lease_find(text, "server", v, sizeof(v));
	CHECK_STR(v, "10.0.0.9");
	net_lease_find(text, "server-from", v, sizeof(v));
	CHECK_STR(v, "boot-loader");
	CHECK_EQ(net_lease_format(&l, "eth0", "", true, "", text, 100), -ENOSPC);
}

/* a DHCP server's hostname with an escape sequence, a 0.0.0.0 gateway */
TEST(lease_hostile_values)
{
	struct net_lease l;
	char text[4096], v[256];

	put("HOSTNAME='a\033[2Jb\tc'\nIPV4GATEWAY='0.0.0.0'\nROOTPATH=unquoted\nnoequals\n'\n");
	CHECK_EQ(net_lease_read(path, &l), 0);
	CHECK_STR(net_lease_get(&l, "HOSTNAME"), "a?[2Jb?c");
	CHECK_STR(net_lease_get(&l, "IPV4GATEWAY"), "");
	CHECK_STR(net_lease_get(&l, "ROOTPATH"), "unquoted");
	CHECK_EQ(net_lease_format(&l, "eth0", "", false, "", text, sizeof(text)), 0);
	net_lease_find(text, "hostname", v, sizeof(v));
	CHECK_STR(v, "a?[2Jb?c");
	net_lease_find(text, "method", v, sizeof(v));
	CHECK_STR(v, "static");
}

int main(void)
{
	int fd;

	snprintf(path, sizeof(path), "%s/test_lease.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	RUN(lease_real_ipconfig);
	RUN(lease_hostile_values);
	unlink(path);
	return HARNESS_END();
}
