// SPDX-License-Identifier: GPL-2.0
/* Attach a file to a free loop device (LOOP_CONFIGURE, else LOOP_SET_FD + LOOP_SET_STATUS64), autoclear. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "loopdev.h"

/* include/uapi/linux/loop.h: musl's headers lack it */
#define LIVE_LOOP_SET_FD		0x4C00
#define LIVE_LOOP_CLR_FD		0x4C01
#define LIVE_LOOP_SET_STATUS64		0x4C04
#define LIVE_LOOP_CONFIGURE		0x4C0A
#define LIVE_LOOP_CTL_GET_FREE		0x4C82
#define LIVE_LO_FLAGS_READ_ONLY		1
#define LIVE_LO_FLAGS_AUTOCLEAR		4

struct live_loop_info64 {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};

struct live_loop_config {
	uint32_t fd, block_size;
	struct live_loop_info64 info;
	uint64_t reserved[8];
};

static int try_attach(int ffd, const char *file, bool readonly, int nr, int *keep)
{
	struct live_loop_config cfg;
	char dev[32];
	int lfd, err = 0;

	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lfd = open(dev, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (lfd < 0)
		return -errno;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)ffd;
	cfg.info.lo_flags = LIVE_LO_FLAGS_AUTOCLEAR | (readonly ? LIVE_LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(lfd, LIVE_LOOP_CONFIGURE, &cfg) < 0) {
		err = -errno;
		if (err == -EINVAL || err == -ENOTTY) {
			/* kernels before 5.8 */
			err = 0;
			if (ioctl(lfd, LIVE_LOOP_SET_FD, ffd) < 0)
				err = -errno;
			else if (ioctl(lfd, LIVE_LOOP_SET_STATUS64, &cfg.info) < 0) {
				err = -errno;
				loop_clear(lfd);
			}
		}
	}
	/* with autoclear the device detaches at its last close: the caller keeps
	 * this fd open until the filesystem on it is mounted */
	if (err)
		close(lfd);
	else
		*keep = lfd;
	return err;
}

int loop_clear(int loopfd)
{
	return ioctl(loopfd, LIVE_LOOP_CLR_FD, 0) < 0 ? -errno : 0;
}

int loop_attach(const char *file, bool readonly, char *dev, size_t devlen, int *loopfd)
{
	int ctl, ffd, nr, tries, err = -EBUSY;

	ffd = open(file, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ffd < 0)
		return -errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = -errno;
		close(ffd);
		return err;
	}
	/* another process may take the free device first: ask again */
	for (tries = 0; tries < 16; tries++) {
		nr = ioctl(ctl, LIVE_LOOP_CTL_GET_FREE);
		if (nr < 0) {
			err = -errno;
			break;
		}
		err = try_attach(ffd, file, readonly, nr, loopfd);
		if (err != -EBUSY) {
			if (!err)
				snprintf(dev, devlen, "/dev/loop%d", nr);
			break;
		}
	}
	close(ctl);
	close(ffd);
	return err;
}
