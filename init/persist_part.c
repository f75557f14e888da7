// SPDX-License-Identifier: GPL-2.0
/*
 * live.persist.create=partition[:SIZE]: the hybrid ISO written to a bigger USB stick
 * (dd, Rufus' DD mode, mkusb) leaves unpartitioned space after the ISO. On explicit
 * request only, a primary partition goes into the largest free space of the disk
 * holding the medium (lib/mbr.c: 1 MiB aligned, overlapping nothing, no existing entry
 * touched), the running kernel is told with BLKPG_ADD_PARTITION (BLKRRPART fails while
 * the medium's partition is mounted), and an ext filesystem labelled persistence is made
 * on it. The next boot finds it by its label like any persistence partition.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "mbr.h"
#include "persist_part.h"
#include "size.h"

#define MIB		(1ULL << 20)
#define PART_MIN	(32 * MIB)
#define PART_TYPE	0x83		/* Linux */
#define PART_WAIT_MS	5000

/* <linux/blkpg.h>, which musl's headers do not carry */
#define LIVE_BLKPG		_IO(0x12, 105)
#define LIVE_BLKPG_ADD		1
#define LIVE_BLKPG_DEL		2
struct live_blkpg_part {
	long long start, length;	/* bytes */
	int pno;
	char devname[64], volname[64];
};
struct live_blkpg_arg {
	int op, flags, datalen;
	void *data;
};

bool ppart_wanted(const char *opt)
{
	return !strcmp(opt, "partition") || !strncmp(opt, "partition:", 10);
}

static int refuse(char *why, size_t len, int err, const char *fmt, const char *a, const char *b)
{
	snprintf(why, len, fmt, a, b);
	return err;
}

static int blkpg(int fd, int op, int pno, unsigned long long start, unsigned long long length)
{
	struct live_blkpg_part p;
	struct live_blkpg_arg a;

	memset(&p, 0, sizeof(p));
	p.start = (long long)start;
	p.length = (long long)length;
	p.pno = pno;
	a.op = op;
	a.flags = 0;
	a.datalen = sizeof(p);
	a.data = &p;
	return ioctl(fd, LIVE_BLKPG, &a) < 0 ? -errno : 0;
}

/* The disk holding the medium, when a partition may be made there ("" + why if not). */
static int medium_disk(const struct live_ctx *ctx, char *disk, size_t len, char *why, size_t wlen)
{
	const struct live_dev *m;
	char path[96], ro[8] = "";

	if (*ctx->iso_host)
		return refuse(why, wlen, -EXDEV, "the medium is an ISO file on /dev/%s%s: a partition "
			      "is only made on the disk an ISO image was written to", ctx->iso_host, "");
	if (ctx->medium < 0)
		return refuse(why, wlen, -ENODEV, "there is no boot medium (network boot)%s%s", "", "");
	m = &ctx->devs[ctx->medium];
	devlist_disk_of(m->name, disk, len);
	if (m->cdrom || !strncmp(disk, "sr", 2))
		return refuse(why, wlen, -EROFS, "the medium /dev/%s is a CD/DVD%s", m->name, "");
	/* a filesystem on the whole disk (a FAT "superfloppy") has a boot sector, not an
	 * MBR, even with 55 AA at its end; a hybrid ISO's whole disk is iso9660 */
	if (!strcmp(disk, m->name) && strcmp(m->fs.type, "iso9660") && strcmp(m->fs.type, "udf"))
		return refuse(why, wlen, -EMEDIUMTYPE, "the medium /dev/%s is a %s filesystem on "
			      "the whole disk, with no partition table", m->name, m->fs.type);
	snprintf(path, sizeof(path), "/sys/class/block/%s/ro", disk);
	if (file_read(path, ro, sizeof(ro)) > 0 && ro[0] == '1')
		return refuse(why, wlen, -EROFS, "the medium's disk /dev/%s is read-only (a "
			      "write-protect switch?)%s", disk, "");
	return 0;
}

/* "/dev/sdb" + 3 = "/dev/sdb3"; "/dev/nvme0n1" + 3 = "/dev/nvme0n1p3" */
static void part_node(const char *disk, int pno, char *out, size_t len)
{
	size_t n = strlen(disk);

	snprintf(out, len, "/dev/%s%s%d", disk, n && isdigit((unsigned char)disk[n - 1]) ? "p" : "",
		 pno);
}

static bool wait_node(const char *node)
{
	uint64_t deadline = live_now_ms() + PART_WAIT_MS;
	struct stat s;

	while (stat(node, &s) < 0 || !S_ISBLK(s.st_mode)) {
		if (live_now_ms() >= deadline)
			return false;
		usleep(50000);
	}
	return true;
}

/* SIZE from live.persist.create=partition:SIZE, else live.persist.size=; 0 = all */
static int wanted_size(const struct live_ctx *ctx, unsigned long long *size, char *why, size_t len)
{
	const char *opt = ctx->cfg->persist_create;
	const char *s = opt[9] == ':' ? opt + 10 : ctx->cfg->persist_size;

	*size = 0;
	if (!*s)
		return 0;
	*size = size_parse(s, MIB);
	if (*size < PART_MIN)
		return refuse(why, len, -EINVAL, "%s is not a size of 32M or more%s", s, "");
	return 0;
}

int ppart_create(struct live_ctx *ctx, char *node, size_t nlen, char *why, size_t len)
{
	char disk[32], dnode[48], how[64], err_why[200];
	unsigned long long want, bytes, size64 = 0;
	struct mbr_table t;
	struct mbr_plan pl;
	int fd, ssz = 512, err;

	node[0] = '\0';
	err = wanted_size(ctx, &want, why, len);
	err = err ?: medium_disk(ctx, disk, sizeof(disk), why, len);
	if (err)
		return err;
	snprintf(dnode, sizeof(dnode), "/dev/%s", disk);
	fd = open(dnode, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return refuse(why, len, -errno, "%s does not open for writing: %s", dnode,
			      strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &size64) < 0 || ioctl(fd, BLKSSZGET, &ssz) < 0) {
		err = refuse(why, len, -errno, "%s: no size: %s", dnode, strerror(errno));
		goto out;
	}
	err = mbr_read(fd, size64, (unsigned)ssz, &t, err_why, sizeof(err_why));
	err = err ?: mbr_plan_add(&t, want, PART_MIN, &pl, err_why, sizeof(err_why));
	if (err) {
		snprintf(why, len, "%s: %s", dnode, err_why);
		goto out;
	}
	bytes = pl.count * (unsigned long long)ssz;
	part_node(disk, pl.slot + 1, node, nlen);
	log_info("persistence: live.persist.create=%s: adding partition %s (%llu MiB at %llu MiB, "
		 "type 83) in the free space of %s", ctx->cfg->persist_create, node, bytes >> 20,
		 (pl.start * (unsigned long long)ssz) >> 20, dnode);
	err = mbr_write_add(fd, &t, &pl, PART_TYPE, err_why, sizeof(err_why));
	if (err) {
		snprintf(why, len, "%s: %s", dnode, err_why);
		goto out;
	}
	err = blkpg(fd, LIVE_BLKPG_ADD, pl.slot + 1, pl.start * (unsigned long long)ssz, bytes);
	if (err) {
		snprintf(why, len, "the kernel did not take %s (BLKPG_ADD_PARTITION: %s); the "
			 "partition table of %s is back as it was", node, strerror(-err), dnode);
		mbr_restore(fd, &t);
		goto out;
	}
	if (!wait_node(node)) {
		err = -ENODEV;
		snprintf(why, len, "%s did not appear", node);
	} else {
		log_info("persistence: formatting %s (%llu MiB, label " LIVE_PERSIST_LABEL_DEFAULT ")",
			 node, bytes >> 20);
		err = fsck_mkfs(node, bytes >> 10, LIVE_PERSIST_LABEL_DEFAULT, how, sizeof(how),
				ctx->cfg->helper_timeout);
		if (err)
			snprintf(why, len, "making the filesystem on %s failed: %s", node,
				 strerror(-err));
	}
	if (err) {
		/* nothing half-made is left: the kernel's partition and the entry go */
		blkpg(fd, LIVE_BLKPG_DEL, pl.slot + 1, 0, 0);
		mbr_restore(fd, &t);
		snprintf(why + strlen(why), len - strlen(why), "; the partition table of %s is back "
			 "as it was", dnode);
		goto out;
	}
	sync();
	log_info("persistence: created partition %s (%llu MiB, %s, label "
		 LIVE_PERSIST_LABEL_DEFAULT ")", node, bytes >> 20, how);
out:
	close(fd);
	if (err)
		node[0] = '\0';
	return err;
}

int ppart_layout(const char *mnt, char *why, size_t len)
{
	static const char conf[] = "/ union\n";
	char path[LIVE_PATH_MAX + 32];
	int err;

	snprintf(path, sizeof(path), "%s/upper", mnt);
	err = mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
	snprintf(path, sizeof(path), "%s/work", mnt);
	if (!err && mkdir(path, 0755) < 0 && errno != EEXIST)
		err = -errno;
	snprintf(path, sizeof(path), "%s/persistence.conf", mnt);
	err = err ?: file_write_atomic(path, conf, sizeof(conf) - 1, 0644);
	if (err)
		snprintf(why, len, "making upper/, work/ and persistence.conf on %s: %s", mnt,
			 strerror(-err));
	return err;
}
