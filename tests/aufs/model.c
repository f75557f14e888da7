// SPDX-License-Identifier: GPL-2.0
/* Random operations checked against a model (placeholder). */
#include "fsop.h"

int model_run(unsigned seed, int seconds)
{
	(void)seed; (void)seconds;
	return 0;
}
