// SPDX-License-Identifier: GPL-2.0
/* livestack-mkimage: dispatch to the initramfs, squashfs and iso subcommands. */
#include <stdio.h>
#include <string.h>

#include "mkimage.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} cmds[] = {
	{ "initramfs", initramfs_main, "build the initramfs: /init, busybox, modules, hooks" },
	{ "squashfs", squashfs_main, "make a reproducible squashfs layer from a directory" },
	{ "iso", iso_main, "make a hybrid BIOS+UEFI ISO from a kernel, initramfs and layers" },
	{ "pxe", pxe_main, "write the TFTP/HTTP trees and dnsmasq/nginx snippets of a network boot" },
	{ "usb", usb_main, "make a USB stick image: a hybrid ISO and an ext4 persistence partition" },
	{ "keygen", keygen_main, "make a module-signing key pair for Secure Boot (enrolled as a MOK)" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " MK_PROG " COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].what);
	fprintf(f, "\n'" MK_PROG " COMMAND --help' shows a command's options; "
		"see livestack-mkimage(8).\n");
	return f == stdout ? 0 : 2;	/* a usage error: livestack-mkimage(8), EXIT STATUS */
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			int rc = cmds[i].run(argc - 1, argv + 1);

			return rc == MK_EUSAGE ? 2 : rc ? 1 : 0;
		}
	}
	mk_err("unknown command '%s'", argv[1]);
	return usage(stderr);
}
