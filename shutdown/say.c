// SPDX-License-Identifier: GPL-2.0
/* Messages of the shutdown program through lib/log.c: the kernel log (its rate limit off:
 * the machine is going down), and the console once (from the kernel or written here). */
#include <stdarg.h>

#include "log.h"
#include "shutdown.h"

void say_setup(void)
{
	log_ident("livestack-shutdown");
	/* not quiet: every notice reaches the console */
	log_setup(true, false, false);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_NOTICE, fmt, ap);
	va_end(ap);
}
