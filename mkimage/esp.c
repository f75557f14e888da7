// SPDX-License-Identifier: GPL-2.0
/* The EFI system partition image of `iso`: Debian's signed shim, GRUB and MokManager (Secure Boot), or an unsigned grub-mkimage GRUB. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "mkimage.h"

#define GRUB_EFI_DIR	"/usr/lib/grub/x86_64-efi"

/* The signed chain, each from its Debian package, and its name on the ESP. */
static const struct {
	const char *path, *package, *dest;
} signed_files[] = {
	{ "/usr/lib/shim/shimx64.efi.signed", "shim-signed", "::/EFI/BOOT/BOOTX64.EFI" },
	/* the CD variant: prefix /boot/grub on its own device; grubx64.efi.signed looks in
	 * /EFI/debian, which a live medium does not have */
	{ "/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed", "grub-efi-amd64-signed",
	  "::/EFI/BOOT/grubx64.efi" },
	/* shim stops ("Failed to open \EFI\BOOT\mmx64.efi") when MokManager is missing */
	{ "/usr/lib/shim/mmx64.efi.signed", "shim-helpers-amd64-signed", "::/EFI/BOOT/mmx64.efi" },
};
#define MOKMANAGER	2	/* signed_files[] index of mmx64.efi */
#define NSIGNED	(sizeof(signed_files) / sizeof(signed_files[0]))

/* Built into the unsigned EFI image; nothing is loaded from the medium but the menu. */
static const char *const grub_modules[] = {
	"part_gpt", "part_msdos", "fat", "iso9660", "normal", "configfile", "linux",
	"search", "search_fs_file", "search_label", "echo", "serial", "terminal", "test",
	"true", "sleep", "gzio", "all_video", "boot", "chain", "reboot", "halt", "ls", "cat",
};
#define NMODULES	(sizeof(grub_modules) / sizeof(grub_modules[0]))

static void signed_path(const struct mk_esp *e, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", e->efi_root ? e->efi_root : "", signed_files[i].path);
}

void esp_mokmanager(const struct mk_esp *e, char *buf, size_t len)
{
	signed_path(e, MOKMANAGER, buf, len);
}

int esp_check(const struct mk_esp *e)
{
	char path[MK_PATH_MAX];
	size_t i;

	if (!e->secureboot) {
		snprintf(path, sizeof(path), "%s/linux.mod", GRUB_EFI_DIR);
		if (access(path, R_OK) == 0)
			return 0;
		mk_err("%s: GRUB's EFI modules are missing: install grub-efi-amd64-bin "
		       "(apt-get install grub-efi-amd64-bin)", path);
		return -1;
	}
	for (i = 0; i < NSIGNED; i++) {
		signed_path(e, i, path, sizeof(path));
		if (access(path, R_OK) == 0)
			continue;
		mk_err("Secure Boot: %s is missing: install %s (apt-get install %s), or make a "
		       "medium that boots only with Secure Boot off with --no-secureboot",
		       path, signed_files[i].package, signed_files[i].package);
		return -1;
	}
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int esp_kernel_signed(const char *kernel)
{
	unsigned char h[256];
	uint32_t pe;
	unsigned magic;
	ssize_t n;
	int fd = open(kernel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = pread(fd, h, 64, 0);
	pe = n == 64 && h[0] == 'M' && h[1] == 'Z' ? le32(h + 0x3c) : 0;
	/* PE header, COFF header (20 bytes), optional header: magic, then the data
	 * directories (at 112 in PE32+, 96 in PE32); the 5th is the certificate table */
	n = pe ? pread(fd, h, sizeof(h), pe) : 0;
	close(fd);
	if (n < 24 + 160 || memcmp(h, "PE\0\0", 4))
		return 0;
	magic = h[24] | h[25] << 8;
	if (magic == 0x20b)
		return le32(h + 24 + 112 + 4 * 8 + 4) != 0;
	if (magic == 0x10b)
		return le32(h + 24 + 96 + 4 * 8 + 4) != 0;
	return 0;
}

/* grub-mkimage rather than grub-mkstandalone: the latter packs every module into a memdisk
 * tar stamped with the build time (9.8 MB, different each run); this image holds only
 * what the menu needs (0.7 MB) and is byte-for-byte reproducible. */
static int unsigned_grub(const struct mk_esp *e, const char *efi)
{
	const char *argv[10 + NMODULES];
	size_t i, n = 0;

	argv[n++] = "grub-mkimage";
	argv[n++] = "-O";
	argv[n++] = "x86_64-efi";
	argv[n++] = "-p";
	argv[n++] = "/boot/grub";
	argv[n++] = "-c";
	argv[n++] = e->cfg;
	argv[n++] = "-o";
	argv[n++] = efi;
	for (i = 0; i < NMODULES; i++)
		argv[n++] = grub_modules[i];
	argv[n] = NULL;
	return mk_run(argv);
}

static int mcopy(const char *img, const char *src, const char *dst)
{
	const char *argv[] = { "mcopy", "-m", "-i", img, src, dst, NULL };

	return mk_run(argv);
}

int esp_build(const struct mk_esp *e, const char *work, const char *img)
{
	struct timespec ts[2] = { { .tv_sec = mk_epoch() }, { .tv_sec = mk_epoch() } };
	char efi[MK_PATH_MAX], kb[32], paths[NSIGNED][MK_PATH_MAX];
	long long total = 0;
	size_t i;

	if (e->secureboot) {
		for (i = 0; i < NSIGNED; i++) {
			signed_path(e, i, paths[i], sizeof(paths[i]));
			total += mk_file_size(paths[i]);
		}
	} else {
		snprintf(efi, sizeof(efi), "%s/BOOTX64.EFI", work);
		if (unsigned_grub(e, efi))
			return -1;
		utimensat(AT_FDCWD, efi, ts, 0);
		total = mk_file_size(efi);
	}
	utimensat(AT_FDCWD, e->cfg, ts, 0);
	total += mk_file_size(e->cfg);
	if (e->cert) {
		utimensat(AT_FDCWD, e->cert, ts, 0);
		total += mk_file_size(e->cert);
	}
	/* the files plus FAT12/16 overhead and cluster slack, in KiB */
	snprintf(kb, sizeof(kb), "%lld", total / 1024 + total / 16384 + 256);
	{
		const char *mkfs[] = { "mkfs.vfat", "-C", "--invariant", "-i", "4C495645",
				       "-n", "EFIBOOT", img, kb, NULL };
		const char *mmd[10] = { "mmd", "-i", img, "::/EFI", "::/EFI/BOOT" };
		size_t n = 5;

		if (e->cert)
			mmd[n++] = "::/EFI/livestack";
		if (e->secureboot) {
			mmd[n++] = "::/boot";
			mmd[n++] = "::/boot/grub";
		}
		mmd[n] = NULL;
		if (mk_run(mkfs) || mk_run(mmd))
			return -1;
	}
	if (e->secureboot) {
		for (i = 0; i < NSIGNED; i++)
			if (mcopy(img, paths[i], signed_files[i].dest))
				return -1;
		/* gcdx64 reads $prefix/grub.cfg, its prefix being /boot/grub on its own
		 * device: on a CD the whole ISO 9660 volume, from the ESP partition this one */
		if (mcopy(img, e->cfg, "::/boot/grub/grub.cfg"))
			return -1;
	} else if (mcopy(img, efi, "::/EFI/BOOT/BOOTX64.EFI")) {
		return -1;
	}
	if (e->cert && mcopy(img, e->cert, "::" LIVE_MOK_CERT))
		return -1;
	return 0;
}
