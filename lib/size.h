/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes as users write them on the kernel command line and to livestack-mkimage. */
#ifndef LIVE_SIZE_H
#define LIVE_SIZE_H

/*
 * "N" with an optional binary suffix k, m, g or t (either case), which may be followed
 * by "i" and by "b" or "B" ("512M", "4GiB", "100mb"). bare is the unit of a number without a
 * suffix (1 for bytes, 1 << 20 for MiB; 0 when a suffix is required). Returns the size
 * in bytes, or 0 when s is not such a size or does not fit.
 */
unsigned long long size_parse(const char *s, unsigned long long bare);

#endif
