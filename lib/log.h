/* SPDX-License-Identifier: GPL-2.0 */
/* One logging API: /dev/kmsg (prefix "livestack: "), the console, or stderr. */
#ifndef LIVE_LOG_H
#define LIVE_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

/* kmsg: also write to /dev/kmsg; quiet: console gets warnings and errors only. */
void log_setup(bool kmsg, bool quiet, bool debug);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Console only (no kmsg), no newline added: progress lines, countdowns. */
void log_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
