// SPDX-License-Identifier: GPL-2.0
/* Attach an image file to a free loop device (LOOP_CONFIGURE, else LOOP_SET_FD), autoclear. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "livectl.h"

/* include/uapi/linux/loop.h: musl's headers lack them */
#define LOOP_SET_FD_NR		0x4C00
#define LOOP_CLR_FD_NR		0x4C01
#define LOOP_SET_STATUS64_NR	0x4C04
#define LOOP_CONFIGURE_NR	0x4C0A
#define LOOP_CTL_GET_FREE_NR	0x4C82
#define LO_READ_ONLY		1
#define LO_AUTOCLEAR		4

struct loop_info64_abi {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};

struct loop_config_abi {
	uint32_t fd, block_size;
	struct loop_info64_abi info;
	uint64_t reserved[8];
};

static int configure(int ffd, const char *file, bool ro, int nr, int *keep)
{
	struct loop_config_abi cfg;
	char dev[32];
	int lfd, err = 0;

	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lfd = open(dev, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (lfd < 0)
		return -errno;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)ffd;
	cfg.info.lo_flags = LO_AUTOCLEAR | (ro ? LO_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(lfd, LOOP_CONFIGURE_NR, &cfg) < 0) {
		err = -errno;
		if (err == -EINVAL || err == -ENOTTY) {
			/* kernels before 5.8 */
			err = 0;
			if (ioctl(lfd, LOOP_SET_FD_NR, ffd) < 0) {
				err = -errno;
			} else if (ioctl(lfd, LOOP_SET_STATUS64_NR, &cfg.info) < 0) {
				err = -errno;
				ioctl(lfd, LOOP_CLR_FD_NR, 0);
			}
		}
	}
	/* autoclear: the device detaches at its last close once unmounted, so the
	 * caller holds this fd until the mount holds the device */
	if (err)
		close(lfd);
	else
		*keep = lfd;
	return err;
}

int loop_attach(const char *file, bool ro, char *dev, size_t devlen, int *fd)
{
	int ctl, ffd, nr, tries, err = -EBUSY;

	ffd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ffd < 0)
		return -errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = -errno;
		close(ffd);
		return err;
	}
	/* another process may take the free device between the two calls: ask again */
	for (tries = 0; tries < 16; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE_NR);
		if (nr < 0) {
			err = -errno;
			break;
		}
		err = configure(ffd, file, ro, nr, fd);
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
