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
/* In the initramfs, when built for a medium: its build ID, one line (mkimage iso/usb
 * append it; initramfs --id writes it). /init accepts only a medium with that ID. */
#define LIVE_IMAGE_ID		"/etc/livestack/id"
/* e2fsck for the persistence branch: a static binary in the initramfs (optional). */
#define LIVE_E2FSCK		"/sbin/e2fsck"

/* On the medium. */
#define LIVE_DIR_DEFAULT	"/live"
#define LIVE_LAYER_SUFFIX	".squashfs"
/* dracut dmsquash-live's layout: <dir>/squashfs.img (with root=live:, dir /LiveOS) */
#define LIVE_DRACUT_IMG		"squashfs.img"
#define LIVE_ID_FILE		"livestack.id"
/* live.fetch="URL URL ...": at most this many mirrors (mkimage pxe --url checks it too) */
#define LIVE_FETCH_MIRRORS_MAX	8
/* An empty file named by the build ID: GRUB's ESP config finds its medium by it. */
#define LIVE_ID_MARK_DIR	"/.disk/id"
/* The public module-signing certificate (DER) of aufs.ko, on the medium and its ESP,
 * for MokManager or `mokutil --import` (never the private key). */
#define LIVE_MOK_CERT		"/EFI/livestack/mok.der"

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
/* live.iso=: the partition holding the ISO file stays mounted here. */
#define LIVE_ISOHOST_MNT	"/run/live/isohost"
/* Where a persistence device or image's host partition is mounted while looked at. */
#define LIVE_PERSIST_HOST_MNT	"/run/live/persist-host"
/* live.todisk=: the partition the layers were copied to (stays mounted) */
#define LIVE_TODISK_MNT		"/run/live/todisk"
/* live.persist.ro: the persistence filesystem, mounted read-only, a branch under the RAM one. */
#define LIVE_PERSIST_RO_MNT	"/run/live/persist-ro"
#define LIVE_NEWROOT		"/root"
/* The shutdown program: in the initramfs, and where /init copies it for systemd-shutdown
 * (which pivots into LIVE_SHUTDOWN_DIR, the old root at /oldroot, and execs /shutdown). */
#define LIVE_SHUTDOWN_SRC	"/lib/livestack/shutdown"
#define LIVE_SHUTDOWN_DIR	"/run/initramfs"
#define LIVE_SHUTDOWN		"/run/initramfs/shutdown"

#define LIVE_LABEL_DEFAULT	"LIVESTACK"
#define LIVE_TIMEOUT_DEFAULT	30
/* live.persist=auto: partitions with these labels, in this order, then image files
 * with these names in the root of any partition (live-boot, casper, Knoppix names;
 * init/persist_foreign.c adds persistence, casper-rw and /KNOPPIX/knoppix-data.img). */
#define LIVE_PERSIST_LABELS	"persistence", "live-rw", "casper-rw", "KNOPPIX-DATA", "writable"
#define LIVE_PERSIST_FILES	"persistence.img", "live-rw.img", "knoppix-data.img"
#define LIVE_PERSIST_LABEL_DEFAULT "persistence"
/* live.persist=auto with live.persist.size=: the image file it creates */
#define LIVE_PERSIST_FILE_DEFAULT "persistence.img"

#endif
