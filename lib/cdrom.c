// SPDX-License-Identifier: GPL-2.0
/* Eject a CD/DVD: /init after toram, the shutdown program at the end. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cdrom.h"

#define LIVE_CDROMEJECT		0x5309	/* include/uapi/linux/cdrom.h */

int cdrom_eject(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LIVE_CDROMEJECT, 0) < 0)
		err = -errno;
	close(fd);
	return err;
}
