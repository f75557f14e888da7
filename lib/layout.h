/* SPDX-License-Identifier: GPL-2.0 */
/* The builder/init contract: paths and names shared by mkimage, init and livectl. */
#ifndef LIVE_LAYOUT_H
#define LIVE_LAYOUT_H

/* Bumped when the initramfs layout changes; /init checks it first. */
#define LIVE_FORMAT_VERSION	1
/* In the initramfs: "format=<N>\nkver=<KVER>\n..." */
#define LIVE_IMAGE_INFO		"/etc/livestack/image"
/* In the initramfs: modules loaded unconditionally, one name per line, in order. */
#define LIVE_MODULES_LOAD	"/etc/livestack/modules.load"
/* In the initramfs: kernel modules tree (pruned modules.dep/.alias/.builtin). */
#define LIVE_MODULES_DIR	"/lib/modules"
#define LIVE_HOOKS_DIR		"/hooks"
#define LIVE_BUSYBOX		"/bin/busybox"

/* On the medium. */
#define LIVE_DIR_DEFAULT	"/live"
#define LIVE_LAYER_SUFFIX	".squashfs"
#define LIVE_ID_FILE		"livestack.id"

/* Runtime paths, the same before and after switch_root (/run is moved). */
#define LIVE_RUN		"/run/live"
#define LIVE_MEDIUM_MNT		"/run/live/medium"
#define LIVE_LAYERS_MNT		"/run/live/layers"
#define LIVE_RW_MNT		"/run/live/rw"
/* The union's writable branch is a directory on the rw mount (both unions);
 * overlayfs' workdir sits beside it on the same filesystem. */
#define LIVE_RW_UPPER		"/run/live/rw/upper"
#define LIVE_RW_WORK		"/run/live/rw/work"
#define LIVE_STATUS		"/run/live/status"
#define LIVE_NEWROOT		"/root"

#define LIVE_LABEL_DEFAULT	"LIVESTACK"
#define LIVE_TIMEOUT_DEFAULT	30

#endif
