/* SPDX-License-Identifier: GPL-2.0 */
/* Attach an image file to a free loop device, read-only or not, with autoclear. */
#ifndef LIVE_LOOPDEV_H
#define LIVE_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Returns 0, the device's name in dev ("/dev/loop3") and an open fd of it in *loopfd:
 * the device detaches at its last close (autoclear), so close the fd only after the
 * filesystem on it is mounted. Returns -errno on failure.
 */
int loop_attach(const char *file, bool readonly, char *dev, size_t devlen, int *loopfd);
/* LOOP_CLR_FD on an open loop device: it detaches now, or, while a filesystem on it is
 * mounted, at its last close (the kernel sets autoclear). 0 or -errno. */
int loop_clear(int loopfd);

#endif
