/* SPDX-License-Identifier: GPL-2.0 */
/* Reproducible newc cpio writer: sorted entries, fixed mtime, uid/gid 0, parents implied. */
#ifndef LIVE_CPIO_H
#define LIVE_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpio_entry;

struct cpio_writer {
	struct cpio_entry *entries;	/* collected, written sorted by path at cpio_write() */
	size_t n, cap;
	uint32_t mtime;			/* every entry gets this mtime */
};

/* Paths are archive paths without a leading '/': "bin/busybox". */
void cpio_init(struct cpio_writer *w, uint32_t mtime);
int cpio_add_dir(struct cpio_writer *w, const char *path, mode_t perm);
/* Data is copied. */
int cpio_add_data(struct cpio_writer *w, const char *path, mode_t perm, const void *data, size_t len);
/* The file is read when cpio_write() runs. */
int cpio_add_file(struct cpio_writer *w, const char *path, mode_t perm, const char *src);
int cpio_add_symlink(struct cpio_writer *w, const char *path, const char *target);
int cpio_add_node(struct cpio_writer *w, const char *path, mode_t mode, unsigned maj, unsigned min);
/* Whether path was added (implied parents are not counted). */
int cpio_has(const struct cpio_writer *w, const char *path);
/* Write the archive (missing parent directories added as 0755) and the TRAILER!!! to fd. */
int cpio_write(struct cpio_writer *w, int fd);
void cpio_free(struct cpio_writer *w);

#endif
