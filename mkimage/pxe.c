// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage pxe`: the TFTP and HTTP trees of a network boot, and dnsmasq/nginx snippets. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "layout.h"
#include "mkimage.h"
#include "sha256.h"
#include "spawn.h"

#define PXELINUX	"/usr/lib/PXELINUX/pxelinux.0"
#define SYSLINUX_BIOS	"/usr/lib/syslinux/modules/bios"
#define GRUB_EFI_DIR	"/usr/lib/grub/x86_64-efi"
#define PXE_LAYERS_MAX	32
#define PXE_FETCH_MAX	1024	/* init/live.h: struct live_cfg's fetch[] */

static const char usage_text[] =
	"usage: " MK_PROG " pxe --kernel VMLINUZ --initramfs FILE --layer FILE... --outdir DIR\n"
	"         [--url BASE]... [--cmdline ARGS] [--timeout DECISECONDS] [--tftp-root PATH]\n"
	"         [--http-root PATH] [--server ADDR] [--datadir DIR]\n"
	"  --initramfs F  an initramfs with network drivers: initramfs --profile pxe\n"
	"  --layer FILE   a squashfs layer; repeat it, or list several after one --layer\n"
	"  --url BASE     where clients fetch the http/ tree (default /livestack/: on port\n"
	"                 80 of the server the boot loader came from); repeat it for mirrors\n"
	"                 of the tree (at most 8): each client starts with the one its MAC\n"
	"                 picks and fails over to the others; boot loaders use the first\n"
	"  --server ADDR  this server's IPv4 address, built into GRUB's core.efi: needed\n"
	"                 for UEFI clients in the proxy-DHCP layout (else the DHCP next-server)\n"
	"  --cmdline ARGS appended to the boot line (e.g. console=ttyS0,115200)\n"
	"  --tftp-root P  the server's path of DIR/tftp, for dnsmasq.conf (default\n"
	"                 /srv/livestack/tftp); --http-root likewise for nginx.conf\n"
	"writes DIR/tftp (pxelinux.0, ldlinux.c32, pxelinux.cfg/default, grub/, boot.ipxe,\n"
	"vmlinuz, initrd.img), DIR/http (layers, .sha256, layers.list, vmlinuz, initrd.img,\n"
	"boot.ipxe), DIR/dnsmasq.conf, DIR/dnsmasq-proxy.conf, DIR/dnsmasq-tftp.conf,\n"
	"DIR/nginx.conf, DIR/README\n";

struct pxe_opts {
	const char *kernel, *initramfs, *outdir, *url;	/* url: the first --url */
	const char *mirrors[LIVE_FETCH_MIRRORS_MAX];
	size_t nmirrors;
	const char *tftp_root, *http_root, *server;
	struct mk_boot_opts b;		/* --layer, --cmdline, --timeout, --datadir */
	char names[PXE_LAYERS_MAX][128];
	char base[1024];		/* the URL, ending in '/' */
	char abs_base[1100];		/* absolute, for dnsmasq's iPXE line (${next-server}) */
	char ipxe_base[1100];		/* absolute, for boot.ipxe (${lsrv}) */
	char urlpath[1024];		/* its path, for nginx */
	char grub_http[1100];		/* GRUB's (http,HOST)PATH for kernel and initramfs, or "" */
	char append[2048];		/* the boot line */
};

static int parse(int argc, char **argv, struct pxe_opts *o)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initramfs", required_argument, NULL, 'i' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "url", required_argument, NULL, 'u' },
		{ "tftp-root", required_argument, NULL, 'T' },
		{ "http-root", required_argument, NULL, 'H' },
		{ "server", required_argument, NULL, 'S' },
		MK_BOOT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	size_t i, len = 0;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->url = "/livestack/";
	mk_boot_opts_init(&o->b, PXE_LAYERS_MAX, 10);
	o->tftp_root = "/srv/livestack/tftp";
	o->http_root = "/srv/livestack/http";
	o->server = "";
	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		r = mk_boot_opt(&o->b, "pxe", c, argc, argv);
		if (r < 0)
			return MK_EUSAGE;
		if (r)
			continue;
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initramfs = optarg; break;
		case 'o': o->outdir = optarg; break;
		case 'u':
			if (o->nmirrors == LIVE_FETCH_MIRRORS_MAX) {
				mk_err("pxe: --url %s: more than %d mirrors", optarg,
				       LIVE_FETCH_MIRRORS_MAX);
				return MK_EUSAGE;
			}
			o->mirrors[o->nmirrors++] = optarg;
			o->url = o->mirrors[0];
			break;
		case 'T': o->tftp_root = optarg; break;
		case 'H': o->http_root = optarg; break;
		case 'S': o->server = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return mk_usage("pxe", usage_text, argc, argv);
		}
	}
	if (mk_boot_opts_done(&o->b, "pxe", argc, argv))
		return MK_EUSAGE;
	if (!o->kernel || !o->initramfs || !o->outdir || !o->b.nlayers) {
		mk_err("pxe: --kernel, --initramfs, --layer and --outdir are required");
		fputs(usage_text, stderr);
		return MK_EUSAGE;
	}
	if (!o->nmirrors)
		o->mirrors[o->nmirrors++] = o->url;
	for (i = 0; i < o->nmirrors; i++) {
		const char *u = o->mirrors[i];

		if ((strncmp(u, "http://", 7) || !u[7] || u[7] == '/') && u[0] != '/') {
			mk_err("pxe: --url %s: http://HOST[:PORT]/PATH/ or /PATH/ (on the next-server); "
			       "/init speaks no https", u);
			return MK_EUSAGE;
		}
		if (u[strcspn(u, " \t\",")]) {
			mk_err("pxe: --url %s: a URL with a blank, a quote or a comma (they separate "
			       "mirrors and layers in live.fetch=)", u);
			return MK_EUSAGE;
		}
		len += strlen(u) + 1 + (u[strlen(u) - 1] != '/');
	}
	if (len >= PXE_FETCH_MAX) {
		mk_err("pxe: the --url mirrors make a live.fetch= of %zu bytes; /init takes %d",
		       len, PXE_FETCH_MAX - 1);
		return MK_EUSAGE;
	}
	if (*o->server) {
		struct in_addr a;

		if (inet_pton(AF_INET, o->server, &a) != 1) {
			mk_err("pxe: --server %s: not an IPv4 address (GRUB's TFTP needs the "
			       "server's address, e.g. --server 192.168.10.5)", o->server);
			return MK_EUSAGE;
		}
	}
	return 0;
}

/* NN-name.squashfs keeps its name; others are numbered 10-, 20-, ... in order. */
static void layer_names(struct pxe_opts *o)
{
	size_t i;

	for (i = 0; i < o->b.nlayers; i++) {
		const char *b = strrchr(o->b.layers[i], '/') ? strrchr(o->b.layers[i], '/') + 1 : o->b.layers[i];
		size_t n = strlen(b), slen = strlen(LIVE_LAYER_SUFFIX);

		if (isdigit((unsigned char)b[0]) && isdigit((unsigned char)b[1]) && b[2] == '-' &&
		    n > slen && !strcmp(b + n - slen, LIVE_LAYER_SUFFIX))
			snprintf(o->names[i], sizeof(o->names[i]), "%s", b);
		else
			snprintf(o->names[i], sizeof(o->names[i]), "%02zu-%.*s%s", (i + 1) * 10,
				 (int)strcspn(b, "."), b, LIVE_LAYER_SUFFIX);
	}
}

/*
 * GRUB loads vmlinuz and initrd.img by HTTP from the same tree as iPXE (GRUB 2.06's TFTP
 * moves them in 512-byte lock-step blocks): (http,$livestack_server)PATH for a --url
 * /PATH/, (http,ADDR)PATH for http://ADDR/PATH/ with an IPv4 address and no port. Other
 * URLs (a host name, a port) leave it empty: GRUB loads both by TFTP, as grub.cfg does
 * anyway when the HTTP load fails.
 */
static void grub_http_base(struct pxe_opts *o)
{
	const char *host = o->base + 7, *slash = strchr(host, '/');
	char addr[64];
	struct in_addr a;
	size_t plen;

	o->grub_http[0] = 0;
	if (o->base[0] == '/') {
		snprintf(o->grub_http, sizeof(o->grub_http), "(http,$livestack_server)%.*s",
			 (int)(strlen(o->base) - 1), o->base);
		return;
	}
	if (!slash || (size_t)(slash - host) >= sizeof(addr))
		return;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - host), host);
	if (inet_pton(AF_INET, addr, &a) != 1)
		return;
	plen = strlen(slash) - 1;	/* without the trailing '/' */
	snprintf(o->grub_http, sizeof(o->grub_http), "(http,%s)%.*s", addr, (int)plen, slash);
}

static void urls(struct pxe_opts *o)
{
	size_t i, n;
	const char *slash = strchr(o->url + (o->url[0] == '/' ? 0 : 7), '/');

	snprintf(o->base, sizeof(o->base), "%s%s", o->url,
		 o->url[strlen(o->url) - 1] == '/' ? "" : "/");
	/* iPXE expands ${...} in the DHCP file name and in scripts; dnsmasq passes it on */
	if (o->base[0] == '/') {
		snprintf(o->abs_base, sizeof(o->abs_base), "http://${next-server}%s", o->base);
		snprintf(o->ipxe_base, sizeof(o->ipxe_base), "http://${lsrv}%s", o->base);
	} else {
		snprintf(o->abs_base, sizeof(o->abs_base), "%s", o->base);
		snprintf(o->ipxe_base, sizeof(o->ipxe_base), "%s", o->base);
	}
	snprintf(o->urlpath, sizeof(o->urlpath), "%s", o->base[0] == '/' ? o->base :
		 slash ? slash : "/");
	if (o->urlpath[strlen(o->urlpath) - 1] != '/')
		strcat(o->urlpath, "/");
	grub_http_base(o);
	/* several mirrors: "live.fetch=A B", quoted as the kernel groups words (pxelinux and
	 * iPXE pass the quotes on; GRUB's linux quotes a word with blanks again) */
	n = (size_t)snprintf(o->append, sizeof(o->append), "ip=dhcp %slive.fetch=%s",
			     o->nmirrors > 1 ? "\"" : "", o->base);
	for (i = 1; i < o->nmirrors && n < sizeof(o->append); i++)
		n += (size_t)snprintf(o->append + n, sizeof(o->append) - n, " %s%s", o->mirrors[i],
				      o->mirrors[i][strlen(o->mirrors[i]) - 1] == '/' ? "" : "/");
	if (n < sizeof(o->append))
		snprintf(o->append + n, sizeof(o->append) - n, "%s%s%s", o->nmirrors > 1 ? "\"" : "",
			 *o->b.cmdline ? " " : "", o->b.cmdline);
}

static int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	static unsigned char buf[1 << 20];
	uint8_t sum[SHA256_LEN];
	struct sha256 c;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mk_err("%s: %s", path, strerror(errno));
		return -1;
	}
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&c, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		mk_err("reading %s: %s", path, strerror(errno));
		return -1;
	}
	sha256_final(&c, sum);
	sha256_hex(sum, hex);
	return 0;
}

/* Is the file a squashfs (magic "hsqs")? */
static int check_squashfs(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, magic, 4, 0) : -1;

	if (fd >= 0)
		close(fd);
	if (n != 4 || memcmp(magic, "hsqs", 4)) {
		mk_err("pxe: --layer %s: not a squashfs image", path);
		return -1;
	}
	return 0;
}

/* @WORD@ substitution of configs/boot/NAME into dst. */
static int template(const struct pxe_opts *o, const char *name, const char *dst)
{
	char path[MK_PATH_MAX], to[16], to_sec[16];
	const char *const kv[][2] = {
		{ "APPEND", o->append }, { "URL", o->abs_base }, { "URLPATH", o->urlpath },
		{ "IPXEURL", o->ipxe_base }, { "SERVER", o->server },
		/* GRUB: --server, else the next-server of the DHCP ACK GRUB reads */
		{ "GRUBSERVER", *o->server ? o->server : "$net_default_server" },
		{ "GRUBHTTP", o->grub_http },
		{ "TFTPROOT", o->tftp_root }, { "HTTPROOT", o->http_root },
		{ "TIMEOUT", to }, { "TIMEOUT_SEC", to_sec },
	};
	struct mk_buf out = { 0 };
	char *tmpl, *p;
	size_t i;
	int err;

	/* pxelinux: TIMEOUT 0 waits forever; GRUB: timeout=0 boots at once */
	snprintf(to, sizeof(to), "%ld", o->b.timeout ? o->b.timeout : 1);
	snprintf(to_sec, sizeof(to_sec), "%ld", (o->b.timeout + 9) / 10);
	snprintf(path, sizeof(path), "%s/configs/boot/%s", o->b.datadir, name);
	err = file_slurp(path, &tmpl, NULL);
	if (err) {
		mk_err("template %s: %s (set --datadir)", path, strerror(-err));
		return -1;
	}
	for (p = tmpl; *p && !err;) {
		char *at = strchr(p, '@'), *close = at ? strchr(at + 1, '@') : NULL;

		if (!at || !close) {
			err = mk_buf_printf(&out, "%s", p);
			break;
		}
		for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
			if (strlen(kv[i][0]) == (size_t)(close - at - 1) &&
			    !strncmp(at + 1, kv[i][0], (size_t)(close - at - 1)))
				break;
		if (i == sizeof(kv) / sizeof(kv[0])) {	/* not a word of ours: keep the '@' */
			err = mk_buf_printf(&out, "%.*s", (int)(at - p + 1), p);
			p = at + 1;
			continue;
		}
		err = mk_buf_printf(&out, "%.*s%s", (int)(at - p), p, kv[i][1]);
		p = close + 1;
	}
	free(tmpl);
	if (err) {
		free(out.s);
		mk_err("out of memory");
		return -1;
	}
	err = mk_write(dst, out.s ? out.s : "", 0644);
	free(out.s);
	return err;
}

static int copy_to(const char *src, const char *dir, const char *name)
{
	char dst[MK_PATH_MAX];

	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	return mk_copy(src, dst, 0644);
}

/* The HTTP tree: layers with their .sha256, layers.list (sha256sum format), kernel, initrd. */
static int http_tree(const struct pxe_opts *o, const char *http)
{
	char hex[SHA256_HEX_LEN + 1], path[MK_PATH_MAX], line[512];
	struct mk_buf list = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < o->b.nlayers && !err; i++) {
		if (check_squashfs(o->b.layers[i]) || copy_to(o->b.layers[i], http, o->names[i]) ||
		    sha256_file(o->b.layers[i], hex)) {
			err = -1;
			break;
		}
		snprintf(line, sizeof(line), "%s  %s\n", hex, o->names[i]);
		snprintf(path, sizeof(path), "%s/%s.sha256", http, o->names[i]);
		err = mk_write(path, line, 0644) || mk_buf_printf(&list, "%s", line) ? -1 : 0;
	}
	snprintf(path, sizeof(path), "%s/layers.list", http);
	if (!err)
		err = mk_write(path, list.s, 0644);
	free(list.s);
	if (!err)
		err = copy_to(o->kernel, http, "vmlinuz") || copy_to(o->initramfs, http, "initrd.img");
	return err ? -1 : 0;
}

/*
 * GRUB's modules built into core.efi: it reads no module over the network, where GRUB 2.06
 * would look on the DHCP ACK's next-server (the site's server in a proxy-DHCP layout). Its
 * built-in config (configs/boot/pxe-grub-embedded.cfg.in, run by GRUB's rescue parser: no
 * comments, no if) sets livestack_server: --server, else $net_default_server (the ACK's).
 */
static const char *const grub_net_modules[] = {
	"efinet", "tftp", "http", "net", "normal", "configfile", "linux", "echo", "serial", "terminal",
	"test", "true", "sleep", "all_video", "boot", "reboot", "halt",
};

/* GRUB for UEFI clients: core.efi with its modules and a built-in config, and grub.cfg. */
static int grub_tree(const struct pxe_opts *o, const char *tftp)
{
	char cfg[MK_PATH_MAX], efi[MK_PATH_MAX], embedded[MK_PATH_MAX], dir[MK_PATH_MAX];
	const char *argv[12 + sizeof(grub_net_modules) / sizeof(grub_net_modules[0])];
	struct stat st;
	size_t i, n = 0;
	int err;

	snprintf(cfg, sizeof(cfg), "%s/grub/grub.cfg", tftp);
	if (template(o, "pxe-grub.cfg.in", cfg))
		return -1;
	if (stat(GRUB_EFI_DIR, &st) < 0) {
		mk_info("pxe: no %s (grub-efi-amd64-bin): grub/grub.cfg written, no UEFI loader",
			GRUB_EFI_DIR);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/grub/x86_64-efi", tftp);
	snprintf(efi, sizeof(efi), "%s/core.efi", dir);
	snprintf(embedded, sizeof(embedded), "%s/grub-embedded.cfg", o->outdir);
	if (file_mkdirs(dir, 0755) || template(o, "pxe-grub-embedded.cfg.in", embedded))
		return -1;
	argv[n++] = "grub-mkimage";
	argv[n++] = "-O";
	argv[n++] = "x86_64-efi";
	argv[n++] = "-d";
	argv[n++] = GRUB_EFI_DIR;
	argv[n++] = "-p";
	argv[n++] = "/grub";
	argv[n++] = "-c";
	argv[n++] = embedded;
	argv[n++] = "-o";
	argv[n++] = efi;
	for (i = 0; i < sizeof(grub_net_modules) / sizeof(grub_net_modules[0]); i++)
		argv[n++] = grub_net_modules[i];
	argv[n] = NULL;
	err = mk_run(argv);
	unlink(embedded);
	if (err)
		return -1;
	if (!*o->server)
		mk_info("pxe: core.efi reads grub.cfg from the DHCP next-server; for UEFI clients "
			"in the proxy-DHCP layout give --server (this server's address)");
	return 0;
}

static int tftp_tree(const struct pxe_opts *o, const char *tftp)
{
	static const char *const mods[] = { "ldlinux.c32" };
	char src[MK_PATH_MAX], dst[MK_PATH_MAX];
	size_t i;

	if (mk_need_file("pxelinux.0 (apt-get install pxelinux)", PXELINUX) ||
	    copy_to(PXELINUX, tftp, "pxelinux.0"))
		return -1;
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s", SYSLINUX_BIOS, mods[i]);
		if (mk_need_file("syslinux module (apt-get install syslinux-common)", src) ||
		    copy_to(src, tftp, mods[i]))
			return -1;
	}
	snprintf(dst, sizeof(dst), "%s/pxelinux.cfg/default", tftp);
	if (template(o, "pxelinux.cfg.in", dst))
		return -1;
	snprintf(dst, sizeof(dst), "%s/boot.ipxe", tftp);
	if (template(o, "pxe-boot.ipxe.in", dst))
		return -1;
	if (copy_to(o->kernel, tftp, "vmlinuz") || copy_to(o->initramfs, tftp, "initrd.img"))
		return -1;
	return grub_tree(o, tftp);
}

static int readme(const struct pxe_opts *o)
{
	char path[MK_PATH_MAX];
	struct mk_buf b = { 0 };
	size_t i;
	int err;

	err = mk_buf_printf(&b,
		"livestack network boot, written by livestack-mkimage pxe. These files change\n"
		"nothing on the network until you install them; each says at its top what it\n"
		"changes then.\n\n"
		"tftp/   -> the TFTP root (%s): pxelinux.0 (BIOS), grub/ (UEFI), boot.ipxe\n"
		"http/   -> served at %s (%s): the layers, their .sha256, layers.list,\n"
		"           and vmlinuz/initrd.img for iPXE\n"
		"dnsmasq.conf        dnsmasq as the DHCP server + TFTP\n"
		"dnsmasq-proxy.conf  dnsmasq beside an existing DHCP server (proxy-DHCP) + TFTP\n"
		"dnsmasq-tftp.conf   dnsmasq as TFTP only: the site's DHCP server names this one\n"
		"nginx.conf          a location block for the http/ tree\n\n"
		"boot line: %s\nlayers:\n", o->tftp_root, o->base, o->http_root, o->append);
	for (i = 0; i < o->b.nlayers && !err; i++)
		err = mk_buf_printf(&b, "  %s (from %s)\n", o->names[i], o->b.layers[i]);
	if (err) {
		free(b.s);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/README", o->outdir);
	err = mk_write(path, b.s, 0644);
	free(b.s);
	return err;
}

int pxe_main(int argc, char **argv)
{
	struct pxe_opts o;
	char tftp[MK_PATH_MAX], http[MK_PATH_MAX], path[MK_PATH_MAX];
	int err;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	if (mk_need_file("kernel", o.kernel) || mk_need_file("initramfs", o.initramfs))
		return -1;
	layer_names(&o);
	urls(&o);
	snprintf(tftp, sizeof(tftp), "%s/tftp", o.outdir);
	snprintf(http, sizeof(http), "%s/http", o.outdir);
	if (file_mkdirs(tftp, 0755) || file_mkdirs(http, 0755)) {
		mk_err("pxe: cannot create %s: %s", o.outdir, strerror(errno));
		return -1;
	}
	if (tftp_tree(&o, tftp) || http_tree(&o, http))
		return -1;
	/* iPXE clients chained by dnsmasq fetch the script over HTTP */
	snprintf(path, sizeof(path), "%s/boot.ipxe", http);
	if (template(&o, "pxe-boot.ipxe.in", path))
		return -1;
	snprintf(path, sizeof(path), "%s/dnsmasq.conf", o.outdir);
	if (template(&o, "pxe-dnsmasq.conf.in", path))
		return -1;
	snprintf(path, sizeof(path), "%s/dnsmasq-proxy.conf", o.outdir);
	if (template(&o, "pxe-dnsmasq-proxy.conf.in", path))
		return -1;
	snprintf(path, sizeof(path), "%s/dnsmasq-tftp.conf", o.outdir);
	if (template(&o, "pxe-dnsmasq-tftp.conf.in", path))
		return -1;
	snprintf(path, sizeof(path), "%s/nginx.conf", o.outdir);
	if (template(&o, "pxe-nginx.conf.in", path) || readme(&o))
		return -1;
	mk_info("pxe %s: tftp/ and http/ with %zu layer%s; boot line: %s", o.outdir, o.b.nlayers,
		o.b.nlayers == 1 ? "" : "s", o.append);
	return 0;
}
