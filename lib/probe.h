/* SPDX-License-Identifier: GPL-2.0 */
/* Filesystem probing by on-disk magic: type, label and UUID of a device or image. */
#ifndef LIVE_PROBE_H
#define LIVE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#define PROBE_TYPE_MAX	16
#define PROBE_LABEL_MAX	256
#define PROBE_UUID_MAX	64

struct probe_result {
	char type[PROBE_TYPE_MAX];	/* the name mount(2) takes: "iso9660", "ext4", "vfat", ... */
	char label[PROBE_LABEL_MAX];	/* "" when the format has none */
	char uuid[PROBE_UUID_MAX];	/* formatted as blkid prints it; "" when none */
	/*
	 * What to pass to mount(2) as the type. `type` is blkid's TYPE (what
	 * LABEL=/UUID= users and `blkid` show); the two differ only where the
	 * kernel driver has another name: "ntfs" -> "ntfs3" (the 6.1 kernel's
	 * NTFS driver), "ext4dev"/"ext3"/"ext2" -> "ext4" (the one ext driver
	 * and module), and "crypto_LUKS" -> "" (a LUKS container is reported,
	 * never mounted).
	 */
	char mount_type[PROBE_TYPE_MAX];
};

/*
 * Probe an open block device or image file by its magic numbers.
 * Returns 0 and fills *res, -ENOENT when no known filesystem is found
 * (including a device too short to hold the one its magic suggests),
 * or another -errno when the device cannot be read.
 *
 * Known: crypto_LUKS, udf, iso9660, vfat, ext4dev/ext4/ext3/ext2, ntfs,
 * squashfs (v4), btrfs, exfat, tried in that order; the first match wins.
 * That is blkid's order except that udf and iso9660 come before vfat: an
 * isohybrid image starts with boot code that can look like a FAT boot
 * sector, and the whole device must probe as the ISO it is.
 */
int probe_fd(int fd, struct probe_result *res);
int probe_path(const char *path, struct probe_result *res);

/* The mount(2) type for a blkid TYPE ("ntfs" -> "ntfs3", "ext2" -> "ext4"); "" when not mountable. */
const char *probe_mount_type(const char *type);

/* Does the device name (kernel name, "sdb1") with filesystem fs answer spec:
 * "/dev/NAME", "LABEL=label" or "UUID=uuid" (case-insensitive)? Anything else: false. */
bool probe_spec_match(const char *spec, const char *name, const struct probe_result *fs);

#endif
