// SPDX-License-Identifier: GPL-2.0
/* Filesystem probing: the table of known formats, the few-blocks reader and the shared decoders. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_int.h"

/*
 * The formats, in the order they are tried (klibc fstype.c style: data, not
 * code). Each probe reads only the blocks it needs through probe_read(), so a
 * probe of a CD costs a handful of 2 KiB reads.
 *
 * LUKS first: a container can hold anything and blkid stops at it too.
 * udf and iso9660 before vfat: see probe.h. The rest is blkid's order.
 */
static const struct probe_format {
	const char *name;	/* family, for messages */
	probe_fn identify;
} probe_formats[] = {
	{ "crypto_LUKS",	probe_luks_identify },
	{ "udf",		probe_udf_identify },
	{ "iso9660",		probe_iso9660_identify },
	{ "vfat",		probe_fat_identify_vfat },
	{ "ext",		probe_ext_identify },
	{ "ntfs",		probe_ntfs_identify },
	{ "squashfs",		probe_squashfs_identify },
	{ "btrfs",		probe_btrfs_identify },
	{ "exfat",		probe_fat_identify_exfat },
};

/* blkid TYPE -> mount(2) type, where they differ. */
static const struct {
	const char *type, *mount;
} probe_mount_names[] = {
	{ "ntfs",		"ntfs3" },	/* Debian 6.1: CONFIG_NTFS3_FS=m, the old ntfs driver is gone */
	{ "ext4dev",		"ext4" },
	/* Debian 6.1 has no ext2/ext3 drivers: ext4.ko serves both (CONFIG_EXT4_USE_FOR_EXT2,
	 * aliases fs-ext2/fs-ext3), so "ext4" is also the module to load for them */
	{ "ext2",		"ext4" },
	{ "ext3",		"ext4" },
	{ "crypto_LUKS",	"" },		/* reported, not opened */
};

/* blkid ignores anything this small (extended partition stubs and the like). */
#define PROBE_MIN_SIZE	1024

const char *probe_mount_type(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(probe_mount_names) / sizeof(probe_mount_names[0]); i++)
		if (strcmp(type, probe_mount_names[i].type) == 0)
			return probe_mount_names[i].mount;
	return type;
}

int probe_read(struct probe_dev *dev, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off > dev->size || len > dev->size - off)
		return -ENOENT;
	while (done < len) {
		ssize_t n = pread(dev->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)	/* the device shrank under us (media change) */
			return -ENOENT;
		done += (size_t)n;
	}
	return 0;
}

int probe_fd(int fd, struct probe_result *res)
{
	struct probe_dev dev = { .fd = fd };
	struct stat st;
	off_t cur, end;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/*
	 * lseek gives the size of block devices too, without <linux/fs.h>
	 * (BLKGETSIZE64) under musl; the caller's file offset is put back.
	 */
	cur = lseek(fd, 0, SEEK_CUR);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	if (cur >= 0)
		lseek(fd, cur, SEEK_SET);
	dev.size = (uint64_t)end;
	if (dev.size <= PROBE_MIN_SIZE)
		return -ENOENT;

	for (i = 0; i < sizeof(probe_formats) / sizeof(probe_formats[0]); i++) {
		int err = probe_formats[i].identify(&dev, res);

		if (err == 0) {
			snprintf(res->mount_type, sizeof(res->mount_type), "%s",
				 probe_mount_type(res->type));
			return 0;
		}
		memset(res, 0, sizeof(*res));
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

int probe_path(const char *path, struct probe_result *res)
{
	int fd, err;

	memset(res, 0, sizeof(*res));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = probe_fd(fd, res);
	close(fd);
	return err;
}

int probe_is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

/* C-locale isspace(), as blkid_rtrim_whitespace() sees it */
static int probe_isspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

void probe_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && probe_isspace(s[n - 1]))
		s[--n] = '\0';
}

void probe_copy_text(char *dst, size_t dstlen, const void *src, size_t len)
{
	const char *s = src;
	size_t n = 0;

	if (!dstlen)
		return;
	if (len > dstlen - 1)
		len = dstlen - 1;
	while (n < len && s[n])
		n++;
	memcpy(dst, s, n);
	dst[n] = '\0';
	probe_rtrim(dst);
}

void probe_set_label(struct probe_result *res, const void *src, size_t len)
{
	probe_copy_text(res->label, sizeof(res->label), src, len);
}

static size_t put_utf8(char *dst, size_t dstlen, size_t j, uint32_t c)
{
	char tmp[4];
	size_t n;

	if (c < 0x80) {
		tmp[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		tmp[0] = (char)(0xc0 | c >> 6);
		tmp[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		tmp[0] = (char)(0xe0 | c >> 12);
		tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | c >> 18);
		tmp[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (j + n >= dstlen)	/* never split a character; keep room for the NUL */
		return 0;
	memcpy(dst + j, tmp, n);
	return n;
}

size_t probe_to_utf8(char *dst, size_t dstlen, const void *src, size_t len, enum probe_enc enc)
{
	const uint8_t *s = src;
	size_t i = 0, j = 0, n;

	if (!dstlen)
		return 0;
	while (i < len) {
		uint32_t c;

		if (enc == PROBE_ENC_LATIN1) {
			c = s[i++];
		} else {
			if (i + 2 > len)
				break;
			c = enc == PROBE_ENC_UTF16LE ? probe_le16(s + i) : probe_be16(s + i);
			i += 2;
			/* a surrogate pair is one character beyond the BMP */
			if (c >= 0xd800 && c < 0xdc00 && i + 2 <= len) {
				uint32_t lo = enc == PROBE_ENC_UTF16LE ? probe_le16(s + i) : probe_be16(s + i);

				if (lo >= 0xdc00 && lo < 0xe000) {
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
					i += 2;
				}
			}
		}
		if (c == 0)
			break;
		n = put_utf8(dst, dstlen, j, c);
		if (!n)
			break;
		j += n;
	}
	dst[j] = '\0';
	return j;
}

void probe_set_label_enc(struct probe_result *res, const void *src, size_t len, enum probe_enc enc)
{
	probe_to_utf8(res->label, sizeof(res->label), src, len, enc);
	probe_rtrim(res->label);
}

void probe_set_uuid_dce(struct probe_result *res, const uint8_t *u)
{
	if (probe_is_zero(u, 16)) {
		res->uuid[0] = '\0';
		return;
	}
	snprintf(res->uuid, sizeof(res->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

bool probe_spec_match(const char *spec, const char *name, const struct probe_result *fs)
{
	if (!strncmp(spec, "/dev/", 5))
		return !strcmp(spec + 5, name);
	if (!strncmp(spec, "LABEL=", 6))
		return !strcmp(spec + 6, fs->label);
	if (!strncmp(spec, "UUID=", 5))
		return *fs->uuid && !strcasecmp(spec + 5, fs->uuid);
	return false;
}
