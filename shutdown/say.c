// SPDX-License-Identifier: GPL-2.0
/* Messages of the shutdown program: the kernel log, and the console when the kernel's
 * console log level would not show them (quiet). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shutdown.h"

static struct {
	int kmsg, console;
} out = { -1, -1 };

void say_setup(void)
{
	char buf[32] = "";
	int fd, level = 7;

	if (out.kmsg >= 0 || out.console >= 0)
		return;
	out.kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	/* writes to /dev/kmsg are rate-limited to 10 lines per 5 s by default: turn that
	 * off (the machine is going down); when we cannot, write to the console as well */
	fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "on\n", 3) != 3)
		out.console = STDERR_FILENO;
	if (fd >= 0)
		close(fd);
	fd = open("/proc/sys/kernel/printk", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			level = atoi(buf);
		close(fd);
	}
	/* kernel messages of level 5 reach the console when console_loglevel > 5 */
	if (out.kmsg < 0 || level <= 5 || out.console >= 0)
		out.console = STDERR_FILENO;
}

void say(const char *fmt, ...)
{
	char msg[512], line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out.kmsg >= 0) {
		n = snprintf(line, sizeof(line), "<5>livestack-shutdown: %s\n", msg);
		if (n > 0 && write(out.kmsg, line, strlen(line)) < 0)
			out.console = STDERR_FILENO;
	}
	if (out.console >= 0) {
		n = snprintf(line, sizeof(line), "livestack-shutdown: %s\n", msg);
		if (n > 0 && write(out.console, line, strlen(line)) < 0)
			return;
	}
}
