/* SPDX-License-Identifier: GPL-2.0 */
/* livestack-mkimage: subcommands, profile, module selection and shared helpers. */
#ifndef LIVE_MKIMAGE_H
#define LIVE_MKIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kmoddep.h"

#define MK_PROG		"livestack-mkimage"
#define MK_PATH_MAX	4096
#define MK_LISTS_MAX	16
#define MK_NAME_MAX	64

/* Subcommands (one file each). */
int initramfs_main(int argc, char **argv);
int squashfs_main(int argc, char **argv);
int iso_main(int argc, char **argv);
int pxe_main(int argc, char **argv);
int usb_main(int argc, char **argv);
int keygen_main(int argc, char **argv);

/* keygen's files in its --out DIR */
#define MK_KEY_NAME	"mok.key"
#define MK_CERT_NAME	"mok.crt"
#define MK_DER_NAME	"mok.der"

/* profile.c: configs/profiles/NAME.conf, key=value. */
struct mk_profile {
	char name[MK_NAME_MAX];
	char lists[MK_LISTS_MAX][MK_NAME_MAX];	/* modules/<list>.list put in the image */
	size_t nlists;
	char load[MK_LISTS_MAX][MK_NAME_MAX];	/* of those, loaded unconditionally */
	size_t nload;
	char exclude[MK_LISTS_MAX][MK_NAME_MAX]; /* module names dropped from the lists */
	size_t nexclude;
	char compress[16];			/* zstd | gzip | none */
	int level;				/* compressor level; 0 = its default */
};
int profile_load(const char *datadir, const char *name, struct mk_profile *p);

/* modules.c: the image's module set. */
struct mk_aufs {
	const char *path;		/* aufs.ko on the host, NULL when not given */
	char depends[512];		/* its modinfo depends= (comma-separated names) */
	char aliases[1024];		/* its modinfo alias= entries, '\n'-separated */
};
struct mk_modules {
	struct kmod_db db;
	int *all;		/* closure of every list, load order */
	size_t nall;
	int *load;		/* closure of the "load" lists, load order */
	size_t nload;
	int **soft;		/* per module: modules.softdep "pre:" modules in the image */
	size_t *nsoft;
	int compressed;		/* MK_KMOD_*: what becomes of .ko.xz/.ko.zst/.ko.gz */
	unsigned kernel_can;	/* MK_KMOD_XZ|ZST|GZ the kernel decompresses (its config) */
};
enum { MK_KMOD_AUTO, MK_KMOD_DECOMPRESS, MK_KMOD_KEEP };
enum { MK_KMOD_XZ = 1, MK_KMOD_ZST = 2, MK_KMOD_GZ = 4 };
/*
 * For MK_KMOD_AUTO: which compressions the kernel decompresses itself (finit_module's
 * MODULE_INIT_COMPRESSED_FILE), from CONFIG_MODULE_DECOMPRESS and CONFIG_MODULE_COMPRESS_*
 * of its config: MODDIR/../../../config (the build cache's kernel/KVER/config) or
 * /boot/config-KVER. Sets m->kernel_can (0 when neither is found) and names the file in *found.
 */
void modules_kernel_config(struct mk_modules *m, const char *moddir, const char *kver,
			   char *found, size_t len);
int modules_select(struct mk_modules *m, const char *moddir, const char *datadir,
		   const struct mk_profile *p, struct mk_aufs *aufs, const char *kver);
void modules_free(struct mk_modules *m);
/* Pruned modules.dep / modules.alias text for the selected set (malloc'd). */
char *modules_dep_text(const struct mk_modules *m, const struct mk_aufs *aufs);
char *modules_alias_text(const struct mk_modules *m, const struct mk_aufs *aufs);
/* ".xz", ".zst" or ".gz" when a module path names a compressed module, else NULL. */
const char *modules_compressed(const char *path);
/* Whether module idx goes into the image decompressed. */
bool modules_decompressed(const struct mk_modules *m, int idx);
/* Module idx's path in the image (modules.dep's, less the suffix when decompressed). */
const char *modules_image_path(const struct mk_modules *m, int idx, char *buf, size_t len);
/* A .ko.xz/.ko.zst/.ko.gz module SRC written plain to DST (xz, zstd, gzip). */
int modules_decompress(const char *src, const char *dst);
/*
 * The host file that goes into the image for module idx: moddir's, or when it is
 * compressed and goes in decompressed, a plain copy made in tmpdir.
 */
int modules_image_file(const struct mk_modules *m, int idx, const char *moddir,
		       const char *tmpdir, char *buf, size_t len);

/* esp.c: the EFI system partition image of a medium. */
struct mk_esp {
	bool secureboot;	/* Debian's signed shim + GRUB + MokManager, else grub-mkimage */
	const char *efi_root;	/* where the signed binaries are looked for ("" = /) */
	const char *cfg;	/* secureboot: the ESP's /boot/grub/grub.cfg; else built into GRUB */
	const char *cert;	/* a DER certificate put at LIVE_MOK_CERT, or NULL */
};
/* The packages the ESP needs are there; else says which to install and returns -1. */
int esp_check(const struct mk_esp *e);
/* Where the signed MokManager (mmx64.efi) is read from (secureboot only). */
void esp_mokmanager(const struct mk_esp *e, char *buf, size_t len);
/* Write the FAT image img (work: a scratch directory). */
int esp_build(const struct mk_esp *e, const char *work, const char *img);
/* Does the (PE/bzImage) kernel carry an Authenticode signature? 1 yes, 0 no, -1 unreadable. */
int esp_kernel_signed(const char *kernel);

/* sign.c: module signing (openssl, the kernel's scripts/sign-file). */
/* cert is a readable, unexpired code-signing X.509 certificate without a private key in
 * the file; else says so naming what (an option) and the file, and returns -1. */
int sign_check_cert(const char *cert, const char *what);
/* cert (PEM or DER) written as DER to der. */
int sign_cert_der(const char *cert, const char *der);
/* sign_check_cert(), and key is the private key of cert. */
int sign_check_pair(const char *key, const char *cert);
/* Append a module signature to ko (sha256, sign-file of linux-headers-kver). */
int sign_module(const char *kver, const char *key, const char *cert, const char *ko);

/* util.c */
void mk_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Exit status (livestack-mkimage(8)): 0 done, 1 the work failed, 2 the command line is
 * wrong. A subcommand returns 0, -1 or MK_EUSAGE; every error starts "livestack-mkimage:
 * error:".
 */
#define MK_EUSAGE	(-2)
/* Before a subcommand's getopt_long loop: from its first argument, getopt itself silent. */
void mk_getopt_reset(void);
/* getopt_long's '?': names the option (unknown, or its value missing), shows the usage. */
int mk_usage(const char *cmd, const char *usage, int argc, char **argv);
void mk_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SOURCE_DATE_EPOCH, or 0 when unset: builds are reproducible by default. */
uint32_t mk_epoch(void);
/* --datadir, else ../../ of the binary when it holds modules/ (build tree), else installed. */
const char *mk_datadir(const char *opt);
/*
 * The options iso and pxe share: --layer FILE... (repeated, or several files right
 * after one), --cmdline ARGS, --timeout DECISECONDS (0..36000), --datadir DIR.
 * Put MK_BOOT_LONGOPTS in the getopt_long table, call mk_boot_opts_init() first,
 * mk_boot_opt() for each option and mk_boot_opts_done() after the loop.
 */
#define MK_LAYERS_MAX	64
struct mk_boot_opts {
	const char *layers[MK_LAYERS_MAX];
	size_t nlayers, max_layers;	/* max_layers: the subcommand's limit */
	const char *cmdline;		/* "" when not given */
	const char *datadir;		/* mk_datadir()'s answer after mk_boot_opts_done() */
	long timeout;			/* boot menu timeout, deciseconds */
};
#define MK_BOOT_LONGOPTS \
	{ "layer", required_argument, NULL, 'l' }, { "cmdline", required_argument, NULL, 'c' }, \
	{ "timeout", required_argument, NULL, 't' }, { "datadir", required_argument, NULL, 'd' }
void mk_boot_opts_init(struct mk_boot_opts *b, size_t max_layers, long timeout);
/* getopt_long's c (with optarg, optind): 1 = one of these, taken; 0 = another option;
 * -1 = a bad value, said as "CMD: ..." */
int mk_boot_opt(struct mk_boot_opts *b, const char *cmd, int c, int argc, char **argv);
/* A stray argument is refused (-1, said); resolves datadir. */
int mk_boot_opts_done(struct mk_boot_opts *b, const char *cmd, int argc, char **argv);
/* Run argv (no shell); on failure print its output and return -1. */
int mk_run(const char *const argv[]);
/* A temp file beside out ("out.tmp.XXXXXX"), fd returned; tmp receives its name. */
int mk_tmp_beside(const char *out, char *tmp, size_t len);
/* fsync and rename tmp to out with mode; unlinks tmp on failure. */
int mk_commit(const char *tmp, const char *out, mode_t mode);
/* A fresh private directory under $TMPDIR or /tmp. */
int mk_tmpdir(char *buf, size_t len);
void mk_rm_rf(const char *dir);
/* 0 when path is an existing readable regular file; else prints what and returns -1. */
int mk_need_file(const char *what, const char *path);
/* Write a small file (creating parents). */
int mk_write(const char *path, const char *data, mode_t mode);
/* Copy a file. */
int mk_copy(const char *src, const char *dst, mode_t mode);
/* Append printf output to a growing malloc'd string; returns -ENOMEM on failure. */
struct mk_buf {
	char *s;
	size_t len, cap;
};
int mk_buf_printf(struct mk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
off_t mk_file_size(const char *path);

#endif
