/* SPDX-License-Identifier: GPL-2.0 */
/* Shared bits of the libFuzzer harnesses: the input as a file (memfd) or a C string. */
#ifndef LIVE_FUZZ_H
#define LIVE_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as an anonymous file, for the parsers that pread(2); -1 on error. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

/* The bytes as a NUL-terminated string (malloc'd; an embedded NUL ends it early). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* Write the bytes to path (truncated first); 0 or -1. */
static inline int fuzz_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return done == size ? 0 : -1;
}

/* No "." or ".." element in the relative path p (the harnesses keep made files inside). */
static inline bool fuzz_path_tame(const char *p)
{
	const char *e;

	for (e = p; *e;) {
		size_t n = strcspn(e, "/");

		if ((n == 1 && e[0] == '.') || (n == 2 && e[0] == '.' && e[1] == '.'))
			return false;
		e += n;
		e += *e == '/';
	}
	return true;
}

#endif
