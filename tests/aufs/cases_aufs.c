// SPDX-License-Identifier: GPL-2.0
/* aufs-only cases (placeholder until written). */
#include "fsop.h"

const struct fcase aufs_cases[] = {
	{ NULL, NULL, 0 },
};
