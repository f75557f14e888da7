// SPDX-License-Identifier: GPL-2.0
/* One logging module (/init, its helpers, the shutdown program): every line into the kernel
 * log (/dev/kmsg), none lost, and once on the console (stderr). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define DEVKMSG_SYSCTL	"/proc/sys/kernel/printk_devkmsg"
/* the kernel refuses a /dev/kmsg write over 1024 bytes (EINVAL): records stay below */
#define RECORD_MAX	960

/* The sinks are set once at start by log_setup(); the only process-wide state. */
static struct {
	int kmsg_fd;
	bool quiet, debug;
	/* every record written to kmsg is kept: printk_devkmsg is "on" (by us or the user) */
	bool kmsg_whole;
	bool ignore_loglevel;	/* printk.ignore_loglevel: the kernel prints every record */
	int console_level;	/* the kernel's console_loglevel when last read */
	char devkmsg_was[16];	/* printk_devkmsg before we set it, "" = not changed */
	char ident[32];
} sink = { .kmsg_fd = -1, .console_level = 7, .ident = "livestack" };

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int write_small(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Writes to /dev/kmsg pass a rate limit per open file (10 records per 5 s, then dropped
 * with a "suppressed" note at close) unless kernel.printk_devkmsg is "on"
 * (devkmsg_write(): the limit is skipped when DEVKMSG_LOG_MASK_ON is set). Set it, and
 * remember the old value for log_release(); a value locked by printk.devkmsg= on the
 * command line is the user's: then the console gets every line from us.
 */
static void devkmsg_on(void)
{
	char buf[32], *nl;

	if (read_small(DEVKMSG_SYSCTL, buf, sizeof(buf)) < 0)
		return;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (!strcmp(buf, "on")) {
		sink.kmsg_whole = true;
		return;
	}
	if (strcmp(buf, "ratelimit") || write_small(DEVKMSG_SYSCTL, "on\n") < 0)
		return;
	snprintf(sink.devkmsg_was, sizeof(sink.devkmsg_was), "%s", buf);
	sink.kmsg_whole = true;
}

static void console_level_read(void)
{
	char buf[64];

	if (read_small("/proc/sys/kernel/printk", buf, sizeof(buf)) == 0)
		sink.console_level = atoi(buf);
}

void log_ident(const char *name)
{
	snprintf(sink.ident, sizeof(sink.ident), "%s", name);
}

void log_setup(bool kmsg, bool quiet, bool debug)
{
	char buf[8];

	if (kmsg && sink.kmsg_fd < 0) {
		sink.kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		if (sink.kmsg_fd >= 0)
			devkmsg_on();
		if (read_small("/sys/module/printk/parameters/ignore_loglevel", buf,
			       sizeof(buf)) == 0)
			sink.ignore_loglevel = buf[0] == 'Y';
		console_level_read();
	}
	if (!kmsg && sink.kmsg_fd >= 0) {
		close(sink.kmsg_fd);
		sink.kmsg_fd = -1;
		sink.kmsg_whole = false;
	}
	sink.quiet = quiet;
	sink.debug = debug;
}

void log_release(void)
{
	if (*sink.devkmsg_was) {
		char buf[20];

		snprintf(buf, sizeof(buf), "%s\n", sink.devkmsg_was);
		if (write_small(DEVKMSG_SYSCTL, buf) == 0)
			sink.kmsg_whole = false;
		sink.devkmsg_was[0] = '\0';
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The kernel prints a record of level lvl on its consoles itself (printk's
 * suppress_message_printing()): console_loglevel as now set (quiet, loglevel=, dmesg -n). */
static bool kernel_shows(enum log_level lvl)
{
	if (sink.ignore_loglevel)
		return true;
	console_level_read();
	return (int)lvl < sink.console_level;
}

/* At most max bytes of s, cut before a UTF-8 continuation byte. */
static size_t chunk_len(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	if (n < len)
		while (n > max / 2 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return n;
}

/* One console line or kmsg record per line of msg, long lines cut into records the
 * kernel takes; the first carries the level's tag, the rest are indented. */
static void emit(enum log_level lvl, const char *msg, bool to_console)
{
	const char *tag = lvl == LOG_ERR ? "error: " : lvl == LOG_WARN ? "warning: " : "";
	const char *p = msg;
	char line[RECORD_MAX + 8];
	bool first = true, kmsg_ok = sink.kmsg_fd >= 0;
	bool console = to_console && (!kmsg_ok || !sink.kmsg_whole || !kernel_shows(lvl));

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		do {
			const char *lead = first ? tag : "  ";
			int head = snprintf(line, sizeof(line), "<%d>%s: %s", (int)lvl, sink.ident,
					    lead);
			size_t n;

			if (head < 0 || head >= RECORD_MAX / 2)
				return;
			n = chunk_len(p, len, (size_t)(RECORD_MAX - head - 1));
			memcpy(line + head, p, n);
			line[head + n] = '\n';
			/* a record lost to the kernel log goes to the console instead */
			if (kmsg_ok && write_all(sink.kmsg_fd, line, (size_t)head + n + 1) < 0)
				console = to_console;
			if (console) {
				const char *text = strchr(line, '>') + 1;

				write_all(STDERR_FILENO, text, (size_t)head + n + 1 -
					  (size_t)(text - line));
			}
			p += n;
			len -= n;
			first = false;
		} while (len);
		p = nl ? nl + 1 : p;
	}
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	int saved = errno;
	char *msg;

	if (lvl == LOG_DEBUG && !sink.debug)
		return;
	if (vasprintf(&msg, fmt, ap) < 0) {
		/* no memory for the text: the format itself still says what happened */
		emit(lvl, fmt, true);
		errno = saved;
		return;
	}
	emit(lvl, msg, !sink.quiet || lvl <= LOG_WARN || lvl == LOG_DEBUG);
	free(msg);
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
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
