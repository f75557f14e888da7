/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel ABI bits musl's headers lack (loop ioctls, uevent netlink, module flags), in one place. */
#ifndef LIVE_COMPAT_H
#define LIVE_COMPAT_H

#include <stdint.h>
#include <sys/socket.h>

/* include/uapi/linux/module.h */
#define LIVE_MODULE_INIT_COMPRESSED_FILE 4

/* include/uapi/linux/loop.h */
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

/* include/uapi/linux/netlink.h */
#define LIVE_NETLINK_KOBJECT_UEVENT	15
struct live_sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

/* include/uapi/linux/cdrom.h */
#define LIVE_CDROMEJECT			0x5309

#endif
