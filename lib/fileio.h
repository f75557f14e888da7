/* SPDX-License-Identifier: GPL-2.0 */
/* Small-file helpers: read a whole file, iterate lines, write atomically, mkdir -p. */
#ifndef LIVE_FILEIO_H
#define LIVE_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read up to len-1 bytes of path into buf, NUL-terminated; returns bytes read or -errno. */
ssize_t file_read(const char *path, char *buf, size_t len);
/* Read a file whole into a malloc'd buffer (NUL-terminated); returns 0 or -errno. */
int file_slurp(const char *path, char **data, size_t *len);
/* Call fn for each line (newline stripped); stop and return fn's value if non-zero. */
typedef int (*line_fn)(void *arg, char *line);
int file_lines(const char *path, line_fn fn, void *arg);
/* Write data to path.tmp, fsync, rename to path; returns 0 or -errno. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* mkdir -p; returns 0 or -errno. */
int file_mkdirs(const char *path, mode_t mode);

#endif
