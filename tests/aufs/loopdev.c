// SPDX-License-Identifier: GPL-2.0
/* Loop devices for the cases: an image attached and mounted, and detached again. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

/* img on a free loop device (read-write when rw), mounted as type at dir; the loop number,
 * or -1 with nothing left attached */
int loop_mount(const char *img, const char *dir, const char *type, int rw)
{
	int ctl = open("/dev/loop-control", O_RDWR), n = -1, fd, lfd, mode = rw ? O_RDWR : O_RDONLY;
	char dev[32];

	if (ctl >= 0) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		close(ctl);
	}
	if (n < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	fd = open(img, mode);
	lfd = open(dev, mode);
	if (fd < 0 || lfd < 0 || ioctl(lfd, LOOP_SET_FD, fd) < 0) {
		n = -1;
	} else {
		mkdir(dir, 0755);
		if (mount(dev, dir, type, rw ? 0 : MS_RDONLY, NULL) < 0) {
			ioctl(lfd, LOOP_CLR_FD, 0);
			n = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	return n;
}

/* detach loop n; true when its backing file is gone (nothing holds the device any more) */
int loop_detach(int n)
{
	char dev[32], sys[64];
	int lfd;

	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/backing_file", n);
	lfd = open(dev, O_RDONLY);
	if (lfd >= 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
	}
	return !exists(sys);
}
