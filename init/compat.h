/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel ABI bits musl's headers lack (uevent netlink, module flags), in one place. */
#ifndef LIVE_COMPAT_H
#define LIVE_COMPAT_H

#include <stdint.h>
#include <sys/socket.h>

/* include/uapi/linux/module.h */
#define LIVE_MODULE_INIT_COMPRESSED_FILE 4

/* include/uapi/linux/netlink.h */
#define LIVE_NETLINK_KOBJECT_UEVENT	15
struct live_sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

#endif
