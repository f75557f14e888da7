// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage iso`: a hybrid BIOS+UEFI ISO (isolinux, GRUB EFI image, xorriso). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpio.h"
#include "fileio.h"
#include "layout.h"
#include "mkimage.h"
#include "sha256.h"

#define ISOLINUX_DIR	"/usr/lib/ISOLINUX"
#define SYSLINUX_BIOS	"/usr/lib/syslinux/modules/bios"
#define LAYERS_MAX	64

static const char usage_text[] =
	"usage: " MK_PROG " iso --kernel VMLINUZ --initramfs FILE --layer FILE... --out FILE\n"
	"         [--label LABEL] [--cmdline ARGS] [--timeout DECISECONDS] [--datadir DIR]\n"
	"  --layer FILE   a squashfs layer; repeat it, or list several after one --layer;\n"
	"                 NN-name.squashfs keeps its name, others are numbered 10-, 20-, ...\n"
	"  --label LABEL  ISO volume label (default " LIVE_LABEL_DEFAULT ")\n"
	"  --cmdline ARGS appended to every boot menu entry\n"
	"  --timeout DS   boot menu timeout in tenths of a second (default 50)\n"
	"  --id ID        the build ID (default: a hash of the kernel, initramfs and layers);\n"
	"                 written to live/" LIVE_ID_FILE " and appended to the ISO's initramfs\n"
	"  --no-secureboot an unsigned GRUB (grub-mkimage) instead of Debian's signed shim,\n"
	"                 GRUB and MokManager: boots only with Secure Boot off\n"
	"  --efi-root DIR take shimx64/gcdx64/mmx64.efi.signed from the Debian root DIR, not /\n"
	"  --sign-cert CERT the module-signing certificate (PEM or DER; 'keygen' makes one),\n"
	"                 put on the medium and its ESP as " LIVE_MOK_CERT " (DER)\n";

/* isolinux menu modules (menu.c32 and what it links) and the loader itself */
static const char *const syslinux_files[] = {
	"ldlinux.c32", "libcom32.c32", "libutil.c32", "menu.c32",
};

struct iso_opts {
	const char *kernel, *initramfs, *out, *label;
	struct mk_boot_opts b;		/* --layer, --cmdline, --timeout, --datadir */
	char names[LAYERS_MAX][256];	/* NN-name.squashfs on the ISO */
	char sums[LAYERS_MAX][SHA256_HEX_LEN + 1];	/* of each layer, for live/SHA256SUMS */
	char id[33];
	const char *id_opt;	/* --id */
	const char *sign_cert;	/* --sign-cert */
	struct mk_esp esp;	/* --no-secureboot, --efi-root */
	char initramfs_id[MK_PATH_MAX];	/* the initramfs with the ID appended */
};

static int parse(int argc, char **argv, struct iso_opts *o)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initramfs", required_argument, NULL, 'i' },
		{ "label", required_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' },
		MK_BOOT_LONGOPTS,
		{ "id", required_argument, NULL, 'I' },
		{ "no-secureboot", no_argument, NULL, 'N' },
		{ "efi-root", required_argument, NULL, 'E' },
		{ "sign-cert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->label = LIVE_LABEL_DEFAULT;
	o->esp.secureboot = true;
	o->esp.efi_root = "";
	mk_boot_opts_init(&o->b, LAYERS_MAX, 50);
	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		r = mk_boot_opt(&o->b, "iso", c, argc, argv);
		if (r < 0)
			return MK_EUSAGE;
		if (r)
			continue;
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initramfs = optarg; break;
		case 'L': o->label = optarg; break;
		case 'o': o->out = optarg; break;
		case 'I':
			if (!*optarg || strlen(optarg) > 32 ||
			    strspn(optarg, "0123456789abcdef") != strlen(optarg)) {
				mk_err("iso: --id %s: 1 to 32 lower-case hex digits", optarg);
				return MK_EUSAGE;
			}
			o->id_opt = optarg;
			break;
		case 'N': o->esp.secureboot = false; break;
		case 'E': o->esp.efi_root = optarg; break;
		case 'C': o->sign_cert = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return mk_usage("iso", usage_text, argc, argv);
		}
	}
	if (mk_boot_opts_done(&o->b, "iso", argc, argv))
		return MK_EUSAGE;
	if (!o->out) {
		mk_err("iso: --out FILE is required");
		return MK_EUSAGE;
	}
	if (!o->b.nlayers) {
		mk_err("iso: at least one --layer FILE.squashfs is required");
		return MK_EUSAGE;
	}
	if (!*o->label || strlen(o->label) > 32 || strspn(o->label,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") != strlen(o->label)) {
		mk_err("iso: --label '%s': 1 to 32 letters, digits, '_', '-' or '.'", o->label);
		return MK_EUSAGE;
	}
	if (strpbrk(o->b.cmdline, "\n\r\"'{};$\\")) {
		mk_err("iso: --cmdline: newlines, quotes, braces, ';', '$' and '\\' are not allowed "
		       "(the menus are isolinux and GRUB scripts)");
		return MK_EUSAGE;
	}
	return 0;
}

static int has_magic(const char *path, off_t off, const char *magic, size_t len)
{
	char buf[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len, off);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)len && memcmp(buf, magic, len) == 0;
}

/* Check the inputs and name the layers as they will appear under /live. */
static int check_inputs(struct iso_opts *o)
{
	size_t i, j;

	if (mk_need_file("kernel", o->kernel))
		return -1;
	if (!has_magic(o->kernel, 0x202, "HdrS", 4)) {
		mk_err("kernel %s: not an x86 bzImage (no 'HdrS' boot header)", o->kernel);
		return -1;
	}
	if (mk_need_file("initramfs", o->initramfs))
		return -1;
	for (i = 0; i < o->b.nlayers; i++) {
		char copy[MK_PATH_MAX], *base, *dot;
		const char *p;

		if (mk_need_file("layer", o->b.layers[i]))
			return -1;
		if (!has_magic(o->b.layers[i], 0, "hsqs", 4)) {
			mk_err("layer %s: not a squashfs image (make one with '" MK_PROG
			       " squashfs ROOTDIR OUT')", o->b.layers[i]);
			return -1;
		}
		snprintf(copy, sizeof(copy), "%s", o->b.layers[i]);
		base = basename(copy);
		dot = strstr(base, LIVE_LAYER_SUFFIX);
		if (dot && dot[strlen(LIVE_LAYER_SUFFIX)] == '\0')
			*dot = '\0';
		else if ((dot = strrchr(base, '.')) && dot != base)
			*dot = '\0';	/* root.sfs -> root */
		for (p = base; *p; p++)
			if (*p == '/' || *p == ' ' || (unsigned char)*p < 0x20)
				break;
		if (!*base || *p) {
			mk_err("layer %s: unusable file name", o->b.layers[i]);
			return -1;
		}
		if (base[0] >= '0' && base[0] <= '9' && base[1] >= '0' && base[1] <= '9' &&
		    base[2] == '-')
			snprintf(o->names[i], sizeof(o->names[i]), "%s" LIVE_LAYER_SUFFIX, base);
		else if (i < 9)
			snprintf(o->names[i], sizeof(o->names[i]), "%02zu-%s" LIVE_LAYER_SUFFIX,
				 (i + 1) * 10, base);
		else {
			mk_err("layer %s: name it NN-name.squashfs (only the first 9 layers are "
			       "numbered automatically)", o->b.layers[i]);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(o->names[i], o->names[j]) == 0) {
				mk_err("layers %s and %s would both be live/%s", o->b.layers[j],
				       o->b.layers[i], o->names[i]);
				return -1;
			}
	}
	return 0;
}

/* FNV-1a 64 over the inputs' contents and names: the medium's build ID; the layers'
 * SHA-256 (checked by live.toram/live.verify) in the same read. */
static int build_id(struct iso_opts *o)
{
	unsigned long long h = 14695981039346656037ULL;
	const char *files[LAYERS_MAX + 2];
	static unsigned char buf[1 << 20];
	size_t nfiles = 0, i;
	ssize_t n, k;
	int fd;

	files[nfiles++] = o->kernel;
	files[nfiles++] = o->initramfs;
	for (i = 0; i < o->b.nlayers; i++)
		files[nfiles++] = o->b.layers[i];
	for (i = 0; i < nfiles; i++) {
		struct sha256 sc;
		uint8_t sum[SHA256_LEN];

		fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			mk_err("%s: %s", files[i], strerror(errno));
			return -1;
		}
		sha256_init(&sc);
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			for (k = 0; k < n; k++)
				h = (h ^ buf[k]) * 1099511628211ULL;
			sha256_update(&sc, buf, (size_t)n);
		}
		sha256_final(&sc, sum);
		if (i >= 2)
			sha256_hex(sum, o->sums[i - 2]);
		close(fd);
		if (n < 0) {
			mk_err("%s: %s", files[i], strerror(errno));
			return -1;
		}
		if (i >= 2)
			for (k = 0; o->names[i - 2][k]; k++)
				h = (h ^ (unsigned char)o->names[i - 2][k]) * 1099511628211ULL;
	}
	snprintf(o->id, sizeof(o->id), "%016llx", h);
	return 0;
}

/* Replace @KEY@ in a template with values; unknown keys are left as they are. */
static char *subst(const char *tmpl, const char *const kv[][2], size_t nkv)
{
	struct mk_buf b = { 0 };
	const char *p = tmpl, *at;
	size_t i;

	if (mk_buf_printf(&b, "%s", ""))
		return NULL;
	while ((at = strchr(p, '@'))) {
		if (mk_buf_printf(&b, "%.*s", (int)(at - p), p))
			goto out_free;
		for (i = 0; i < nkv; i++) {
			size_t klen = strlen(kv[i][0]);

			if (strncmp(at + 1, kv[i][0], klen) == 0 && at[1 + klen] == '@')
				break;
		}
		if (i < nkv) {
			if (mk_buf_printf(&b, "%s", kv[i][1]))
				goto out_free;
			p = at + strlen(kv[i][0]) + 2;
		} else {
			if (mk_buf_printf(&b, "@"))
				goto out_free;
			p = at + 1;
		}
	}
	if (mk_buf_printf(&b, "%s", p))
		goto out_free;
	return b.s;

out_free:
	free(b.s);
	return NULL;
}

/*
 * GRUB's config built into an image made by grub-mkimage is run before normal mode,
 * whose parser alone skips comments ("Unknown command `#'"): the template's comment
 * lines are dropped there.
 */
static void drop_comments(char *text)
{
	char *src = text, *dst = text;

	while (*src) {
		char *nl = strchr(src, '\n');
		size_t len = nl ? (size_t)(nl - src + 1) : strlen(src);
		const char *p = src + strspn(src, " \t");

		if (*p != '#') {
			memmove(dst, src, len);
			dst += len;
		}
		src += len;
	}
	*dst = '\0';
}

static int write_from_template(const struct iso_opts *o, const char *tmpl_name, const char *dst,
			       bool no_comments)
{
	char tmpl_path[MK_PATH_MAX], isolinux_to[16], grub_to[16];
	char *tmpl, *text;
	int err;
	const char *const kv[][2] = {
		{ "LABEL", o->label }, { "CMDLINE", o->b.cmdline }, { "ID", o->id },
		{ "TIMEOUT", isolinux_to }, { "TIMEOUT_SEC", grub_to }, { "ID_FILE", LIVE_ID_FILE },
		{ "ID_MARK", LIVE_ID_MARK_DIR }, { "MOK_CERT", LIVE_MOK_CERT },
	};

	/* isolinux: TIMEOUT 0 would wait forever; GRUB: timeout=0 boots at once */
	snprintf(isolinux_to, sizeof(isolinux_to), "%ld", o->b.timeout ? o->b.timeout : 1);
	snprintf(grub_to, sizeof(grub_to), "%ld", (o->b.timeout + 9) / 10);
	snprintf(tmpl_path, sizeof(tmpl_path), "%s/configs/boot/%s", o->b.datadir, tmpl_name);
	err = file_slurp(tmpl_path, &tmpl, NULL);
	if (err) {
		mk_err("boot menu template %s: %s (set --datadir)", tmpl_path, strerror(-err));
		return -1;
	}
	text = subst(tmpl, kv, sizeof(kv) / sizeof(kv[0]));
	free(tmpl);
	if (!text) {
		mk_err("out of memory");
		return -1;
	}
	if (no_comments)
		drop_comments(text);
	err = mk_write(dst, text, 0644);
	free(text);
	return err;
}

static int stage_isolinux(const char *stage)
{
	char src[MK_PATH_MAX], dst[MK_PATH_MAX];
	size_t i;

	snprintf(src, sizeof(src), "%s/isolinux.bin", ISOLINUX_DIR);
	snprintf(dst, sizeof(dst), "%s/isolinux/isolinux.bin", stage);
	if (mk_need_file("isolinux (install isolinux)", src) || mk_copy(src, dst, 0644))
		return -1;
	for (i = 0; i < sizeof(syslinux_files) / sizeof(syslinux_files[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s", SYSLINUX_BIOS, syslinux_files[i]);
		snprintf(dst, sizeof(dst), "%s/isolinux/%s", stage, syslinux_files[i]);
		if (mk_need_file("syslinux module (install syslinux-common)", src) || mk_copy(src, dst, 0644))
			return -1;
	}
	return 0;
}

/* The El Torito EFI entry and the GPT ESP: a small FAT image (esp.c). */
static int stage_efi(struct iso_opts *o, const char *work, const char *img)
{
	char cfg[MK_PATH_MAX];

	snprintf(cfg, sizeof(cfg), "%s/%s", work, o->esp.secureboot ? "esp-grub.cfg" : "embedded.cfg");
	if (write_from_template(o, o->esp.secureboot ? "grub-esp.cfg.in" : "grub-embedded.cfg.in",
				cfg, !o->esp.secureboot))
		return -1;
	o->esp.cfg = cfg;
	return esp_build(&o->esp, work, img);
}

/* xorriso graft point "iso/path=host/path": '=' and '\' in the host path are escaped. */
static char *graft(const char *iso, const char *host)
{
	struct mk_buf b = { 0 };
	const char *p;
	int err = mk_buf_printf(&b, "%s=", iso);

	for (p = host; *p && !err; p++)
		err = mk_buf_printf(&b, "%s%c", *p == '=' || *p == '\\' ? "\\" : "", *p);
	if (err) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static int run_xorriso(const struct iso_opts *o, const char *stage, const char *tmp)
{
	const char *argv[64 + LAYERS_MAX];
	char *grafts[LAYERS_MAX + 3], mbr[] = ISOLINUX_DIR "/isohdpfx.bin", name[300], date[32];
	char mm[MK_PATH_MAX];
	time_t epoch = (time_t)mk_epoch();
	size_t n = 0, i, ngrafts = 0;
	struct tm tm;
	int err = -1;

	gmtime_r(&epoch, &tm);
	strftime(date, sizeof(date), "%Y%m%d%H%M%S00", &tm);
	setenv("TZ", "UTC", 1);

	if (mk_need_file("isohybrid MBR (install isolinux)", mbr))
		return -1;
	grafts[ngrafts++] = graft("boot/vmlinuz", o->kernel);
	grafts[ngrafts++] = graft("boot/initrd.img", o->initramfs_id);
	for (i = 0; i < o->b.nlayers; i++) {
		snprintf(name, sizeof(name), "live/%s", o->names[i]);
		grafts[ngrafts++] = graft(name, o->b.layers[i]);
	}
	if (o->esp.secureboot) {
		/* MokManager in the ISO 9660 tree too, for GRUB's menu entry: on a CD,
		 * GRUB cannot open the El Torito ESP (it reads the isohybrid MBR's
		 * 512-byte offsets in 2048-byte sectors) but chainloads from (cd0) */
		esp_mokmanager(&o->esp, mm, sizeof(mm));
		grafts[ngrafts++] = graft("EFI/BOOT/mmx64.efi", mm);
	}
	for (i = 0; i < ngrafts; i++)
		if (!grafts[i])
			goto out_free;
	argv[n++] = "xorriso";
	argv[n++] = "-as";
	argv[n++] = "mkisofs";
	argv[n++] = "-o";
	argv[n++] = tmp;
	argv[n++] = "-quiet";
	argv[n++] = "-iso-level";
	argv[n++] = "3";
	argv[n++] = "-full-iso9660-filenames";
	argv[n++] = "-joliet";
	argv[n++] = "-joliet-long";
	argv[n++] = "-rational-rock";
	argv[n++] = "-volid";
	argv[n++] = o->label;
	argv[n++] = "-appid";
	argv[n++] = "livestack";
	argv[n++] = "-isohybrid-mbr";
	argv[n++] = mbr;
	argv[n++] = "-c";
	argv[n++] = "isolinux/boot.cat";
	argv[n++] = "-b";
	argv[n++] = "isolinux/isolinux.bin";
	argv[n++] = "-no-emul-boot";
	argv[n++] = "-boot-load-size";
	argv[n++] = "4";
	argv[n++] = "-boot-info-table";
	argv[n++] = "-eltorito-alt-boot";
	argv[n++] = "-e";
	argv[n++] = "boot/efiboot.img";
	argv[n++] = "-no-emul-boot";
	argv[n++] = "-isohybrid-gpt-basdat";
	/* SOURCE_DATE_EPOCH alone leaves file dates at their mtimes (staged files: now) */
	argv[n++] = "--set_all_file_dates";
	argv[n++] = date;
	argv[n++] = "-graft-points";
	argv[n++] = stage;
	for (i = 0; i < ngrafts; i++)
		argv[n++] = grafts[i];
	argv[n] = NULL;
	err = mk_run(argv);

out_free:
	for (i = 0; i < ngrafts; i++)
		free(grafts[i]);
	return err;
}

/* live/SHA256SUMS: "HEX  NN-name.squashfs" per layer (sha256sum -c reads it too). */
static int write_sums(const struct iso_opts *o, const char *stage)
{
	char path[MK_PATH_MAX], *text;
	size_t i, used = 0, len = o->b.nlayers * (SHA256_HEX_LEN + 264) + 1;
	int err;

	text = malloc(len);
	if (!text)
		return -1;
	text[0] = '\0';
	for (i = 0; i < o->b.nlayers; i++)
		used += (size_t)snprintf(text + used, len - used, "%s  %s\n", o->sums[i],
					 o->names[i]);
	snprintf(path, sizeof(path), "%s/live/SHA256SUMS", stage);
	err = mk_write(path, text, 0644);
	free(text);
	return err;
}

/*
 * Append a small uncompressed newc archive holding the ID to a copy of the initramfs:
 * the kernel unpacks concatenated archives in turn (each must start 4-byte aligned;
 * the zero padding between them is skipped).
 */
static int initramfs_add_id(const char *src, const char *dst, const char *id)
{
	static const char zeros[4];
	struct cpio_writer w;
	char text[64];
	off_t size;
	int fd, err;

	if (mk_copy(src, dst, 0644))
		return -1;
	size = mk_file_size(dst);
	fd = open(dst, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || size < 0) {
		mk_err("%s: %s", dst, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	err = (size & 3) && write(fd, zeros, (size_t)(4 - (size & 3))) < 0 ? -errno : 0;
	cpio_init(&w, mk_epoch());
	snprintf(text, sizeof(text), "%s\n", id);
	err = err ?: cpio_add_data(&w, LIVE_IMAGE_ID + 1, 0644, text, strlen(text));
	err = err ?: cpio_write(&w, fd);
	cpio_free(&w);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err)
		mk_err("appending the ID to %s: %s", dst, strerror(-err));
	return err ? -1 : 0;
}

int iso_main(int argc, char **argv)
{
	struct iso_opts o;
	char tmpdir[MK_PATH_MAX] = "", stage[MK_PATH_MAX], work[MK_PATH_MAX], p[MK_PATH_MAX];
	char tmp[MK_PATH_MAX] = "", idtext[64], epoch[16], certp[MK_PATH_MAX];
	int fd, err = -1;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	err = -1;	/* until the image is written */
	if (check_inputs(&o) || esp_check(&o.esp) ||
	    (o.sign_cert && sign_check_cert(o.sign_cert, "--sign-cert")))
		return -1;
	if (o.esp.secureboot && esp_kernel_signed(o.kernel) != 1)
		mk_info("note: kernel %s has no Authenticode signature: this medium will not boot "
			"with Secure Boot on (use Debian's signed linux-image, sign it with sbsign and "
			"enrol that key, or turn Secure Boot off)", o.kernel);
	/* fail on an unwritable output before the slow part */
	fd = mk_tmp_beside(o.out, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	close(fd);
	if (build_id(&o) || mk_tmpdir(tmpdir, sizeof(tmpdir)))
		goto out_clean;
	if (o.id_opt)
		snprintf(o.id, sizeof(o.id), "%s", o.id_opt);
	/* the initramfs on the medium knows the medium's ID: /init accepts no other */
	snprintf(o.initramfs_id, sizeof(o.initramfs_id), "%s/initrd.img", tmpdir);
	if (initramfs_add_id(o.initramfs, o.initramfs_id, o.id))
		goto out_clean;
	/* xorriso and mtools take their timestamps from it: one epoch for every tool */
	snprintf(epoch, sizeof(epoch), "%u", (unsigned)mk_epoch());
	setenv("SOURCE_DATE_EPOCH", epoch, 1);
	snprintf(stage, sizeof(stage), "%s/iso", tmpdir);
	snprintf(work, sizeof(work), "%s/work", tmpdir);
	snprintf(p, sizeof(p), "%s/boot", stage);
	if (file_mkdirs(p, 0755) || file_mkdirs(work, 0755)) {
		mk_err("%s: %s", tmpdir, strerror(errno));
		goto out_clean;
	}
	if (stage_isolinux(stage))
		goto out_clean;
	snprintf(p, sizeof(p), "%s/isolinux/isolinux.cfg", stage);
	if (write_from_template(&o, "isolinux.cfg.in", p, false))
		goto out_clean;
	snprintf(p, sizeof(p), "%s/boot/grub/grub.cfg", stage);
	if (write_from_template(&o, "grub.cfg.in", p, false))
		goto out_clean;
	snprintf(p, sizeof(p), "%s/live/" LIVE_ID_FILE, stage);
	snprintf(idtext, sizeof(idtext), "%s\n", o.id);
	if (mk_write(p, idtext, 0644) || write_sums(&o, stage))
		goto out_clean;
	/* an empty file named by the ID: GRUB's ESP config finds the medium by it */
	snprintf(p, sizeof(p), "%s" LIVE_ID_MARK_DIR "/%s", stage, o.id);
	if (mk_write(p, "", 0644))
		goto out_clean;
	if (o.sign_cert) {
		snprintf(certp, sizeof(certp), "%s" LIVE_MOK_CERT, stage);
		snprintf(p, sizeof(p), "%s", certp);
		*strrchr(p, '/') = '\0';
		if (file_mkdirs(p, 0755) || sign_cert_der(o.sign_cert, certp))
			goto out_clean;
		o.esp.cert = certp;
	}
	snprintf(p, sizeof(p), "%s/boot/efiboot.img", stage);
	if (stage_efi(&o, work, p) || run_xorriso(&o, stage, tmp) || mk_commit(tmp, o.out, 0644))
		goto out_clean;
	tmp[0] = '\0';
	mk_info("iso %s: %lld bytes, label %s, id %s, %zu layer(s), EFI: %s", o.out,
		(long long)mk_file_size(o.out), o.label, o.id, o.b.nlayers,
		o.esp.secureboot ? "Secure Boot (shim, signed GRUB)" : "unsigned GRUB (--no-secureboot)");
	err = 0;

out_clean:
	if (tmp[0])
		unlink(tmp);
	if (tmpdir[0])
		mk_rm_rf(tmpdir);
	return err;
}
