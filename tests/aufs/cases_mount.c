// SPDX-License-Identifier: GPL-2.0
/* aufs-only mount interface cases (placeholder). */
#include "fsop.h"

const struct fcase mount_cases[] = {
	{ NULL, NULL, 0 },
};
