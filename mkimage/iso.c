// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage iso`: a hybrid BIOS+UEFI ISO (isolinux, GRUB EFI image, xorriso). */
#include "mkimage.h"

int iso_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mk_err("iso: not yet");
	return -1;
}
