// SPDX-License-Identifier: GPL-2.0
/* One logging API: messages to /dev/kmsg with the "livestack: " prefix and to the console (stderr). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The sinks are set once at start by log_setup(); the only process-wide state. */
static struct {
	int kmsg_fd;
	bool quiet, debug;
} sink = { .kmsg_fd = -1 };

void log_setup(bool kmsg, bool quiet, bool debug)
{
	if (kmsg && sink.kmsg_fd < 0)
		sink.kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (!kmsg && sink.kmsg_fd >= 0) {
		close(sink.kmsg_fd);
		sink.kmsg_fd = -1;
	}
	sink.quiet = quiet;
	sink.debug = debug;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[1024], line[1100];
	int saved = errno, n;
	va_list ap;

	if (lvl == LOG_DEBUG && !sink.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (sink.kmsg_fd >= 0) {
		/* one record per write; "<N>" sets the kernel log level */
		n = snprintf(line, sizeof(line), "<%d>livestack: %s\n", (int)lvl, msg);
		if (n > 0)
			write_all(sink.kmsg_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	if (!sink.quiet || lvl <= LOG_WARN || (lvl == LOG_DEBUG && sink.debug)) {
		const char *tag = lvl == LOG_ERR ? "error: " : lvl == LOG_WARN ? "warning: " : "";

		n = snprintf(line, sizeof(line), "livestack: %s%s\n", tag, msg);
		if (n > 0)
			write_all(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	errno = saved;
}

void log_console(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0)
		write_all(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}
