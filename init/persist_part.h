/* SPDX-License-Identifier: GPL-2.0 */
/* live.persist.create=partition[:SIZE]: a persistence partition in the free space of the
 * medium's disk (persist_part.c). */
#ifndef LIVE_PERSIST_PART_H
#define LIVE_PERSIST_PART_H

#include <stdbool.h>
#include <stddef.h>

struct live_ctx;

/* Is opt (live.persist.create=) "partition" or "partition:SIZE"? */
bool ppart_wanted(const char *opt);

/*
 * Add a primary partition to the MBR of the medium's disk in its largest free space
 * (all of it, or SIZE from live.persist.create=partition:SIZE or live.persist.size=),
 * make the kernel take it (BLKPG), make an ext filesystem labelled persistence on it.
 * node gets "/dev/sdb3". 0, or -errno with why set; on failure the table is as it was.
 */
int ppart_create(struct live_ctx *ctx, char *node, size_t nlen, char *why, size_t len);

/* The native layout on the new filesystem mounted on mnt: upper/, work/ and
 * persistence.conf ("/ union", for live-boot), as livestack-mkimage usb makes it. */
int ppart_layout(const char *mnt, char *why, size_t len);

#endif
