// SPDX-License-Identifier: GPL-2.0
/* livectl persist save: the RAM session's changes written into a persistence image. */
#include <stdio.h>

#include "livectl.h"

int persist_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	livectl_err("persist: not implemented yet");
	return LIVECTL_EFAIL;
}
