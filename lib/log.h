/* SPDX-License-Identifier: GPL-2.0 */
/* One logging API: /dev/kmsg (prefix "livestack: "), the console, or stderr. */
#ifndef LIVE_LOG_H
#define LIVE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

/* kmsg: also write to /dev/kmsg (its rate limit turned off: kernel.printk_devkmsg=on);
 * quiet: the console gets warnings and errors only. A line reaches the console once: from
 * the kernel when its console log level shows the record, else written here. */
void log_setup(bool kmsg, bool quiet, bool debug);
/* the program's name before each line (default "livestack") */
void log_ident(const char *name);
/* before exec'ing the real init: printk_devkmsg back to what it was */
void log_release(void);
/* each line of the text is a record; lines over ~1000 bytes are cut into several */
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Console only (no kmsg), no newline added: progress lines, countdowns. */
void log_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
