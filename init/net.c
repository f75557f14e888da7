// SPDX-License-Identifier: GPL-2.0
/* Network for network boot: NIC drivers, link, ip= / DHCP with klibc's ipconfig, the lease in /run/live/net. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "lease.h"
#include "live.h"
#include "log.h"
#include "spawn.h"

/* klibc-utils' ipconfig at Debian's path; livestack-mkimage copies it there (profile pxe). */
#define NET_IPCONFIG	"/usr/lib/klibc/bin/ipconfig"
#define NET_LEASE	LIVE_RUN "/net"
#define NET_MAX_IFS	8
/* ipconfig rounds (seconds each), as initramfs-tools does: a bounded number of tries */
static const int dhcp_rounds[] = { 2, 3, 5, 8, 13 };

bool net_wanted(const struct live_cfg *o)
{
	return *o->net || *o->fetch || *o->nfs;
}

bool net_supported(void)
{
	return access(NET_IPCONFIG, X_OK) == 0;
}

/* Drivers for the NICs present: PCI, virtio and USB devices by modalias, again each round
 * (virtio_pci makes the virtio device virtio_net binds to only once it is loaded). */
static void load_nic_drivers(struct live_ctx *ctx)
{
	static const char *const buses[] = { "pci", "virtio", "usb" };
	char path[320], dev[300], alias[512];
	struct dirent *d;
	size_t i;

	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		DIR *dir;

		snprintf(path, sizeof(path), "/sys/bus/%s/devices", buses[i]);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(dev, sizeof(dev), "/sys/bus/%s/devices/%s", buses[i], d->d_name);
			snprintf(path, sizeof(path), "%s/modalias", dev);
			if (file_read(path, alias, sizeof(alias)) > 0) {
				alias[strcspn(alias, "\n")] = '\0';
				kmod_load_modalias(ctx, alias, dev);
			}
		}
		closedir(dir);
	}
}

static int sysfs_attr(const char *ifname, const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	n = file_read(path, buf, len);
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Ethernet interfaces backed by a device (not lo, not tunnels): sorted names. */
static size_t list_nics(char names[][IFNAMSIZ], size_t max)
{
	char path[128], type[16];
	struct dirent *d;
	struct stat st;
	size_t n = 0, i, j;
	DIR *dir = opendir("/sys/class/net");

	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max) {
		if (d->d_name[0] == '.' || strlen(d->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", d->d_name);
		if (stat(path, &st) < 0 || sysfs_attr(d->d_name, "type", type, sizeof(type)) ||
		    strcmp(type, "1"))
			continue;
		snprintf(names[n++], IFNAMSIZ, "%s", d->d_name);
	}
	closedir(dir);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[IFNAMSIZ];

			memcpy(t, names[j], IFNAMSIZ);
			memcpy(names[j], names[j - 1], IFNAMSIZ);
			memcpy(names[j - 1], t, IFNAMSIZ);
		}
	return n;
}

static void link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			log_warn("net: %s: cannot bring it up: %s", ifname, strerror(errno));
	}
	close(fd);
}

static bool has_carrier(const char *ifname)
{
	char buf[8];

	return sysfs_attr(ifname, "carrier", buf, sizeof(buf)) == 0 && buf[0] == '1';
}

/* pxelinux' IPAPPEND 2 / iPXE's BOOTIF=01-aa-bb-cc-dd-ee-ff: the NIC the firmware booted from. */
static void bootif_mac(char *mac, size_t len)
{
	char line[4096], *p;
	size_t i;

	mac[0] = '\0';
	if (file_read("/proc/cmdline", line, sizeof(line)) <= 0)
		return;
	p = strstr(line, "BOOTIF=");
	if (!p || (p != line && p[-1] != ' '))
		return;
	p += 7;
	if (!strncmp(p, "01-", 3))
		p += 3;
	for (i = 0; i + 1 < len && p[i] && p[i] != ' ' && p[i] != '\n'; i++)
		mac[i] = p[i] == '-' ? ':' : p[i];
	mac[i] = '\0';
}

/* The ip= static form: CLIENT:SERVER:GW:MASK:HOST:DEV:AUTOCONF; field 5 is the device. */
static void ip_field(const char *spec, int idx, char *out, size_t len)
{
	const char *p = spec;
	size_t n;

	while (idx-- > 0 && (p = strchr(p, ':')))
		p++;
	n = p ? strcspn(p, ":") : 0;
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p ? p : "");
}

static bool is_dhcp(const char *net)
{
	char autoconf[16];

	if (!strchr(net, ':'))
		return !strcmp(net, "dhcp");
	ip_field(net, 6, autoconf, sizeof(autoconf));
	return !strcmp(autoconf, "dhcp") || !strcmp(autoconf, "bootp") || !strcmp(autoconf, "on") ||
	       !strcmp(autoconf, "any") || !strcmp(autoconf, "both");
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/*
 * The boot loader's ip=CLIENT:SERVER:GW:NETMASK (four fields), appended after the boot line's
 * ip=dhcp: pxelinux's IPAPPEND 1, and the same form in livestack's boot.ipxe and grub.cfg.
 * SERVER is the machine the loader took the kernel from. When the command line's last ip= has
 * that form and an earlier ip= (or live.net) asked for DHCP: true, the address still comes by
 * DHCP, and *server gets SERVER (empty when the loader knew none). Otherwise false: a lone
 * static ip= keeps the kernel's meaning.
 */
static bool loader_ip(char *server, size_t len)
{
	char line[4096], last[256] = "", f[64], *p, *w;
	bool dhcp_asked = false, dhcp_before_last = false;
	int colons = 0;

	server[0] = '\0';
	if (file_read("/proc/cmdline", line, sizeof(line)) <= 0)
		return false;
	for (p = line; (w = strtok_r(p, " \t\n", &p));) {
		if (!strncmp(w, "ip=", 3)) {
			const char *v = w + 3;

			if (strchr(v, ':')) {
				dhcp_before_last = dhcp_asked;
				snprintf(last, sizeof(last), "%s", v);
			} else {
				dhcp_asked = !strcmp(v, "dhcp") || !strcmp(v, "bootp") || !strcmp(v, "on") ||
					     !strcmp(v, "any") || !strcmp(v, "both");
				last[0] = '\0';
			}
		} else if (!strcmp(w, "live.net") || !strcmp(w, "live.net=dhcp")) {
			dhcp_asked = true;
		}
	}
	if (!*last || !dhcp_before_last)
		return false;
	for (p = last; *p; p++)
		colons += *p == ':';
	if (colons != 3)
		return false;
	ip_field(last, 1, f, sizeof(f));
	if (is_ipv4(f))
		snprintf(server, len, "%s", f);
	return true;
}

/*
 * The addresses of ip=CLIENT:SERVER:GW:NETMASK:...: ipconfig's own parser is lax (it takes
 * 10.0.2.315 as 10.0.2.59), so they are checked here first. CLIENT is needed unless DHCP.
 */
static int check_ip_fields(struct live_ctx *ctx, bool dhcp)
{
	static const char *const names[] = { "CLIENT", "SERVER", "GW", "NETMASK" };
	char f[64];
	struct in_addr a;
	uint32_t m;
	bool bad;
	int i;

	for (i = 0; i < 4; i++) {
		ip_field(ctx->net, i, f, sizeof(f));
		if (!*f && (i || dhcp))
			continue;
		bad = inet_pton(AF_INET, f, &a) != 1;
		m = bad ? 0 : ~ntohl(a.s_addr);
		if (bad || (i == 3 && (m & (m + 1))))
			return live_fail(ctx, -EINVAL, "check ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off "
					 "(dotted IPv4 addresses, e.g. ip=192.168.1.20::192.168.1.1:"
					 "255.255.255.0::eth0:off), or use ip=dhcp",
					 "net: ip=%s: %s \"%s\" is not %s", ctx->net, names[i], f,
					 i == 3 ? "a netmask" : "an IPv4 address");
	}
	return 0;
}

/* ipconfig's complaints in its output ("SIOCADDRT: ...", "failed to set routes on eth0", "can't
 * parse ..."), joined: it exits 0 after the kernel refused an address or a route. */
static bool ipconfig_complaints(const char *out, char *why, size_t len)
{
	static const char *const marks[] = { "SIOC", "failed", "can't", "invalid", "no devices" };
	const char *p;
	size_t i, n;

	why[0] = '\0';
	for (p = out; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if (memmem(p, n, marks[i], strlen(marks[i])))
				break;
		if (i < sizeof(marks) / sizeof(marks[0]) && strlen(why) + n + 3 < len)
			snprintf(why + strlen(why), len - strlen(why), "%s%.*s", *why ? "; " : "",
				 (int)n, p);
	}
	return *why;
}

/* Wait (bounded) for a NIC with link: the asked-for device, the BOOTIF one, else the first. */
static int wait_link(struct live_ctx *ctx, const char *want, char *dev, size_t devlen)
{
	char names[NET_MAX_IFS][IFNAMSIZ], seen[160] = "", mac[32], bootmac[32];
	uint64_t deadline = live_now_ms() + (uint64_t)ctx->cfg->timeout * 1000;
	size_t n = 0, i;

	bootif_mac(bootmac, sizeof(bootmac));
	for (;;) {
		load_nic_drivers(ctx);
		n = list_nics(names, NET_MAX_IFS);
		for (i = 0; i < n; i++) {
			bool ok = !*want || !strcmp(want, names[i]);

			if (ok && *bootmac && !*want && sysfs_attr(names[i], "address", mac, sizeof(mac)) == 0)
				ok = !strcasecmp(mac, bootmac);
			if (!ok)
				continue;
			link_up(names[i]);
			if (has_carrier(names[i])) {
				snprintf(dev, devlen, "%s", names[i]);
				return 0;
			}
		}
		if (live_now_ms() >= deadline)
			break;
		usleep(100000);
	}
	for (i = 0; i < n; i++) {
		size_t used = strlen(seen);

		snprintf(seen + used, sizeof(seen) - used, "%s%s", used ? ", " : "", names[i]);
	}
	if (!n)
		return live_fail(ctx, -ENODEV,
				 "is the NIC's driver in the image? build the initramfs with "
				 "--profile pxe (modules/net.list)",
				 "net: no link: no network interface appeared within %d s",
				 ctx->cfg->timeout);
	return live_fail(ctx, -ENETDOWN,
			 "check the cable and the switch port; name the interface with "
			 "ip=:::::DEV:dhcp, or a longer live.timeout=",
			 "net: no link on %s%s within %d s (interfaces: %s)",
			 *want ? want : *bootmac ? "the BOOTIF interface " : "any interface",
			 *want ? "" : bootmac, ctx->cfg->timeout, seen);
}

/*
 * /run/live/net (our names) and /etc/resolv.conf (for host names in live.fetch=). server= is
 * where a live.fetch=/PATH or live.nfs=/PATH goes: the boot loader's server (loader_ip) when
 * it named one, else the lease's next-server. In a proxy-DHCP layout the two differ: the site's
 * DHCP server's next-server is not the machine that served the boot loader and the kernel.
 */
static int write_lease(const char *dev, bool dhcp, const char *loader_server)
{
	char path[64], buf[4096], resolv[320] = "", mac[32] = "";
	const char *dns[] = { "IPV4DNS0", "IPV4DNS1" };
	struct net_lease l;
	size_t i;
	int err;

	snprintf(path, sizeof(path), "/run/net-%s.conf", dev);
	err = net_lease_read(path, &l);
	if (err)
		return err;
	sysfs_attr(dev, "address", mac, sizeof(mac));
	for (i = 0; i < 2; i++)
		if (*net_lease_get(&l, dns[i]))
			snprintf(resolv + strlen(resolv), sizeof(resolv) - strlen(resolv),
				 "nameserver %s\n", net_lease_get(&l, dns[i]));
	err = net_lease_format(&l, dev, mac, dhcp, loader_server, buf, sizeof(buf));
	if (err)
		return err;
	file_mkdirs(LIVE_RUN, 0755);
	err = file_write_atomic(NET_LEASE, buf, strlen(buf), 0644);
	if (!err && *resolv)
		file_write_atomic("/etc/resolv.conf", resolv, strlen(resolv), 0644);
	log_info("net: %s %s netmask %s gateway %s dns %s (%s%s%s%s%s)", dev,
		 net_lease_get(&l, "IPV4ADDR"), net_lease_get(&l, "IPV4NETMASK"),
		 *net_lease_get(&l, "IPV4GATEWAY") ? net_lease_get(&l, "IPV4GATEWAY") : "-",
		 *net_lease_get(&l, "IPV4DNS0") ? net_lease_get(&l, "IPV4DNS0") : "-",
		 dhcp ? "dhcp" : "static", *net_lease_get(&l, "ROOTSERVER") ? ", next-server " : "",
		 net_lease_get(&l, "ROOTSERVER"), *net_lease_get(&l, "filename") ? ", boot file " : "",
		 net_lease_get(&l, "filename"));
	if (*loader_server && *net_lease_get(&l, "ROOTSERVER") &&
	    strcmp(loader_server, net_lease_get(&l, "ROOTSERVER")))
		log_info("net: server %s, named by the boot loader's ip= (the lease's next-server is %s)",
			 loader_server, net_lease_get(&l, "ROOTSERVER"));
	else if (*loader_server)
		log_info("net: server %s, named by the boot loader's ip=", loader_server);
	return err;
}

/* The lease file of the last run (a retry from the rescue shell starts clean). */
static void forget_lease(const char *dev)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/net-%s.conf", dev);
	unlink(path);
}

static int configure(struct live_ctx *ctx, const char *dev, const char *loader_server)
{
	bool dhcp = is_dhcp(ctx->net);
	char spec[LIVE_PATH_MAX + 64], t[8], out[2048], field[64], why[512];
	const char *argv[10];
	/* live.helper.timeout= bounds all the tries together: ipconfig's own -t is its wish */
	uint64_t start = live_now_ms(), budget = (uint64_t)ctx->cfg->helper_timeout * 1000, used;
	size_t r, total;
	bool killed = false;
	int rc = -1, a;

	if (access(NET_IPCONFIG, X_OK) != 0)
		return live_fail(ctx, -ENOENT,
				 "rebuild the initramfs with a profile whose lists= has net (e.g. --profile "
				 "pxe): livestack-mkimage then adds ipconfig, which ip= and DHCP need",
				 "net: cannot configure %s (link up, no address): %s (klibc-utils) is not "
				 "in the image", dev, NET_IPCONFIG);
	if (!strchr(ctx->net, ':')) {
		snprintf(spec, sizeof(spec), "%s", dev);
	} else {
		/* the static form with the device we chose filled in */
		char f[7][LIVE_PATH_MAX];
		int i;

		for (i = 0; i < 7; i++)
			ip_field(ctx->net, i, f[i], sizeof(f[i]));
		snprintf(spec, sizeof(spec), "%s:%s:%s:%s:%s:%s:%s", f[0], f[1], f[2], f[3], f[4],
			 dev, *f[6] ? f[6] : "none");
	}
	forget_lease(dev);
	for (r = 0; r < sizeof(dhcp_rounds) / sizeof(dhcp_rounds[0]); r++) {
		a = 0;
		snprintf(t, sizeof(t), "%d", dhcp_rounds[r]);
		argv[a++] = NET_IPCONFIG;
		argv[a++] = "-t";
		argv[a++] = t;
		if (dhcp && !strchr(ctx->net, ':')) {
			argv[a++] = "-c";
			argv[a++] = "dhcp";
		}
		argv[a++] = "-d";
		argv[a++] = spec;
		argv[a] = NULL;
		if (r == 0 || !ctx->cfg->quiet)
			log_info("net: %s: %s (try %zu of %zu, %s s)", dev,
				 dhcp ? "asking for a DHCP lease" : "static address", r + 1,
				 sizeof(dhcp_rounds) / sizeof(dhcp_rounds[0]), t);
		used = live_now_ms() - start;
		rc = used < budget ? spawn_run_for(argv, NULL, out, sizeof(out),
						   (unsigned)(budget - used)) : -ETIMEDOUT;
		log_debug("ipconfig: exit %d: %s", rc, out);
		if (rc == -ETIMEDOUT) {
			log_warn("net: ipconfig on %s did not end within %d s (live.helper.timeout=): "
				 "killed with its process group, the boot goes on", dev,
				 ctx->cfg->helper_timeout);
			killed = true;
			r++;
			break;
		}
		snprintf(field, sizeof(field), "/run/net-%s.conf", dev);
		if (!dhcp && ipconfig_complaints(out, why, sizeof(why)))
			rc = rc ? rc : 1;
		if (rc == 0 && access(field, R_OK) == 0)
			break;
		if (!dhcp)
			break;
	}
	total = (size_t)((live_now_ms() - start + 500) / 1000);
	if (rc != 0 || access(field, R_OK) != 0) {
		if (killed)
			snprintf(why, sizeof(why), "killed after %d s (live.helper.timeout=)",
				 ctx->cfg->helper_timeout);
		else if (!dhcp && !ipconfig_complaints(out, why, sizeof(why)))
			snprintf(why, sizeof(why), "exit %d, %s", rc, *out ? out : "no output");
		if (!dhcp)
			return live_fail(ctx, -EINVAL, "check ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off "
					 "(is GW in CLIENT's subnet?), or use ip=dhcp",
					 "net: static address from ip=%s on %s (link up) failed: ipconfig: %s",
					 ctx->net, dev, why);
		return live_fail(ctx, -ETIMEDOUT,
				 "is a DHCP server (or a dnsmasq proxy) answering on this network? "
				 "or give a static ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off",
				 "net: no lease: no DHCP answer on %s after %zu tries (%zu s)", dev, r,
				 total);
	}
	return write_lease(dev, dhcp, loader_server);
}

void net_lease_value(const char *key, char *out, size_t len)
{
	char buf[4096];

	out[0] = '\0';
	if (file_read(NET_LEASE, buf, sizeof(buf)) > 0)
		net_lease_find(buf, key, out, len);
}

int net_setup(struct live_ctx *ctx)
{
	char want[IFNAMSIZ] = "", dev[IFNAMSIZ], server[64];
	int err;

	if (!net_wanted(ctx->cfg))
		return 0;
	if (!*ctx->net)
		snprintf(ctx->net, sizeof(ctx->net), "dhcp");
	/* ip=dhcp ... ip=C:S:G:M from the boot loader: DHCP as asked, S the server */
	if (loader_ip(server, sizeof(server)))
		snprintf(ctx->net, sizeof(ctx->net), "dhcp");
	if (strchr(ctx->net, ':')) {
		ip_field(ctx->net, 5, want, sizeof(want));
		err = check_ip_fields(ctx, is_dhcp(ctx->net));
		if (err)
			return err;
	} else if (strcmp(ctx->net, "dhcp"))
		return live_fail(ctx, -EINVAL, "use live.net=dhcp, ip=dhcp or "
				 "ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off",
				 "net: ip=%s is neither dhcp nor the static form", ctx->net);
	kmod_load_name(ctx, "af_packet");
	err = wait_link(ctx, want, dev, sizeof(dev));
	if (err)
		return err;
	snprintf(ctx->netdev, sizeof(ctx->netdev), "%s", dev);
	log_info("net: link up on %s", dev);
	return configure(ctx, dev, server);
}
