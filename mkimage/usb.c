// SPDX-License-Identifier: GPL-2.0
/*
 * `livestack-mkimage usb`: a USB stick image: the hybrid ISO as it is (its MBR boots BIOS,
 * its EFI partition UEFI), then in a free MBR slot either an ext4 persistence partition
 * (--layout ext4) or a FAT32 data partition holding persistence.img (--layout fat), which
 * any OS can see and copy files to. Made without loop devices, mounts or root: mke2fs
 * writes at an offset or into a file, mformat/mcopy (mtools) write the FAT at its offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "size.h"
#include "mkimage.h"

#define SECTOR		512ULL
#define ALIGN		(1ULL << 20)	/* partitions start on MiB boundaries */
#define MBR_TABLE	446
#define USB_FAT_LABEL	"LIVEDATA"
/* FAT32: a file is at most 4 GiB - 1 byte */
#define FAT_FILE_MAX	(4095ULL << 20)
/* the FAT partition: the image, plus room for the FATs and a few files of the user's */
#define FAT_SLACK	(32ULL << 20)

static const char usage_text[] =
	"usage: " MK_PROG " usb --iso FILE --out IMG [--layout ext4|fat] [--persist-size SIZE]\n"
	"       [--label LABEL]\n"
	"  --iso FILE          a hybrid ISO made by '" MK_PROG " iso'\n"
	"  --out IMG           the stick image (write it to a stick with dd)\n"
	"  --layout ext4       (default) an ext4 persistence partition after the ISO\n"
	"  --layout fat        a FAT32 partition (label " USB_FAT_LABEL ") after the ISO holding\n"
	"                      /" LIVE_PERSIST_FILE_DEFAULT " (ext4), readable by any OS\n"
	"  --persist-size SIZE the persistence partition (16M..2T) or image file (16M..4095M),\n"
	"                      suffix K, M, G or T (default 256M)\n"
	"  --label LABEL       ext4: its label (default " LIVE_PERSIST_LABEL_DEFAULT
	", which live.persist=auto finds);\n"
	"                      fat: the FAT volume label (default " USB_FAT_LABEL ")\n";

struct usb_opts {
	const char *iso, *out, *label;
	unsigned long long size;
	bool fat;
};

static int parse(int argc, char **argv, struct usb_opts *o)
{
	static const struct option longopts[] = {
		{ "iso", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "persist-size", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'L' },
		{ "layout", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->size = 256ULL << 20;
	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iso = optarg; break;
		case 'o': o->out = optarg; break;
		case 'L': o->label = optarg; break;
		case 'l':
			if (strcmp(optarg, "ext4") && strcmp(optarg, "fat")) {
				mk_err("usb: --layout %s: ext4 or fat", optarg);
				return MK_EUSAGE;
			}
			o->fat = !strcmp(optarg, "fat");
			break;
		case 's':
			o->size = size_parse(optarg, 0);
			if (o->size < (16ULL << 20) || o->size > (2ULL << 40)) {
				mk_err("usb: --persist-size %s: 16M to 2T, with a K, M, G or T suffix",
				       optarg);
				return MK_EUSAGE;
			}
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return mk_usage("usb", usage_text, argc, argv);
		}
	}
	if (optind < argc) {
		mk_err("usb: unexpected argument '%s'", argv[optind]);
		return MK_EUSAGE;
	}
	if (!o->iso || !o->out) {
		mk_err("usb: --iso FILE and --out IMG are required");
		return MK_EUSAGE;
	}
	if (!o->label)
		o->label = o->fat ? USB_FAT_LABEL : LIVE_PERSIST_LABEL_DEFAULT;
	if (!*o->label || strlen(o->label) > (o->fat ? 11 : 16) || strpbrk(o->label, " /\\\"'")) {
		mk_err("usb: --label '%s': 1 to %d characters (%s), no spaces, slashes or quotes",
		       o->label, o->fat ? 11 : 16, o->fat ? "FAT" : "ext4");
		return MK_EUSAGE;
	}
	if (o->fat && o->size > FAT_FILE_MAX) {
		mk_err("usb: --layout fat: --persist-size is at most 4095M (a FAT32 file is under 4 GiB)");
		return MK_EUSAGE;
	}
	o->size &= ~(ALIGN - 1);
	return 0;
}

/* The ISO must be hybrid: an MBR (0x55AA) in front of the ISO 9660 volume descriptors. */
static int check_iso(const char *path, unsigned char mbr[512])
{
	char cd[5];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mk_err("usb: --iso %s: %s", path, strerror(errno));
		return -1;
	}
	if (pread(fd, mbr, 512, 0) != 512 || pread(fd, cd, 5, 0x8001) != 5 || memcmp(cd, "CD001", 5)) {
		close(fd);
		mk_err("usb: --iso %s: not an ISO 9660 image", path);
		return -1;
	}
	close(fd);
	if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
		mk_err("usb: --iso %s: no MBR: not a hybrid ISO (make it with '" MK_PROG " iso')", path);
		return -1;
	}
	return 0;
}

static void put_le32(unsigned char *p, unsigned long long v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/*
 * The persistence partition in the first free MBR slot. The hybrid ISO's GPT (for
 * firmware that wants one) is left as it is: its MBR has no protective 0xEE entry,
 * so Linux and UEFI read the MBR, which now lists the new partition.
 */
static int add_partition(unsigned char mbr[512], unsigned long long start,
			 unsigned long long size, unsigned char type, int *slot)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char *e = mbr + MBR_TABLE + 16 * i;
		unsigned long long s = e[8] | e[9] << 8 | e[10] << 16 | (unsigned long long)e[11] << 24;
		unsigned long long n = e[12] | e[13] << 8 | e[14] << 16 |
				       (unsigned long long)e[15] << 24;

		if (e[4] == 0xee) {
			mk_err("usb: the ISO has a protective MBR (GPT only): not supported");
			return -1;
		}
		if (n == 0 && e[4] == 0) {
			memset(e, 0, 16);
			e[1] = 0xfe;	/* CHS past 1024 cylinders: LBA only */
			e[2] = 0xff;
			e[3] = 0xff;
			e[4] = type;	/* 0x83 Linux, 0x0c FAT32 (LBA) */
			e[5] = 0xfe;
			e[6] = 0xff;
			e[7] = 0xff;
			put_le32(e + 8, start / SECTOR);
			put_le32(e + 12, size / SECTOR);
			*slot = i + 1;
			return 0;
		}
		if (s * SECTOR < start + size && (s + n) * SECTOR > start) {
			mk_err("usb: MBR partition %d overlaps the space after the ISO", i + 1);
			return -1;
		}
	}
	mk_err("usb: the ISO's MBR has no free partition slot");
	return -1;
}

/* ext4: the persistence filesystem itself at start, with persistence.conf. */
static int write_ext4(const struct usb_opts *o, const char *img, unsigned long long start,
		      const char *confdir)
{
	char offset[48], kib[32];
	const char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-L", o->label, "-m", "0",
			       "-E", offset, "-d", confdir, img, kib, NULL };

	snprintf(offset, sizeof(offset), "offset=%llu", start);
	snprintf(kib, sizeof(kib), "%lluk", o->size >> 10);
	return mk_run(argv);
}

/* fat: FAT32 of partsize at start (mformat), then persistence.img (ext4 made in a file). */
static int write_fat(const struct usb_opts *o, const char *img, unsigned long long start,
		     unsigned long long partsize, const char *tmpdir, const char *imgdir)
{
	char drive[MK_PATH_MAX + 32], file[MK_PATH_MAX], sectors[32], hidden[32], serial[16];
	char kib[32], dest[64];
	const char *mkfs[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-L", LIVE_PERSIST_LABEL_DEFAULT,
			       "-m", "0", "-d", tmpdir, file, kib, NULL };
	const char *mformat[] = { "mformat", "-i", drive, "-F", "-v", o->label, "-N", serial,
				  "-T", sectors, "-h", "64", "-s", "32", "-H", hidden, "::", NULL };
	const char *mcopy[] = { "mcopy", "-m", "-i", drive, file, dest, NULL };
	int fd;

	snprintf(file, sizeof(file), "%s/" LIVE_PERSIST_FILE_DEFAULT, imgdir);
	snprintf(kib, sizeof(kib), "%lluk", o->size >> 10);
	snprintf(drive, sizeof(drive), "%s@@%llu", img, start);
	snprintf(sectors, sizeof(sectors), "%llu", partsize / SECTOR);
	snprintf(hidden, sizeof(hidden), "%llu", start / SECTOR);
	/* a volume serial from SOURCE_DATE_EPOCH keeps the image reproducible */
	snprintf(serial, sizeof(serial), "%08x", mk_epoch() ? mk_epoch() : 0x4c495645u);
	snprintf(dest, sizeof(dest), "::/" LIVE_PERSIST_FILE_DEFAULT);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		mk_err("usb: %s: %s", file, strerror(errno));
		return -1;
	}
	close(fd);
	/* the image carries persistence.conf like the partition of the ext4 layout */
	return mk_run(mkfs) || mk_run(mformat) || mk_run(mcopy) ? -1 : 0;
}

int usb_main(int argc, char **argv)
{
	struct usb_opts o;
	unsigned char mbr[512];
	char tmp[MK_PATH_MAX] = "", tmpdir[MK_PATH_MAX] = "", conf[MK_PATH_MAX];
	char imgdir[MK_PATH_MAX] = "";
	unsigned long long start, partsize;
	off_t isosize;
	int fd, slot = 0, err = -1;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	err = -1;	/* until the image is written */
	if (check_iso(o.iso, mbr))
		return -1;
	isosize = mk_file_size(o.iso);
	start = ((unsigned long long)isosize + ALIGN - 1) & ~(ALIGN - 1);
	partsize = o.fat ? o.size + FAT_SLACK : o.size;
	if (start / SECTOR + partsize / SECTOR > 0xffffffffULL) {
		mk_err("usb: the image would pass 2 TiB, the MBR's limit");
		return -1;
	}
	if (add_partition(mbr, start, partsize, o.fat ? 0x0c : 0x83, &slot))
		return -1;
	fd = mk_tmp_beside(o.out, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	close(fd);
	if (mk_copy(o.iso, tmp, 0644))
		goto out_clean;
	fd = open(tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr) ||
	    ftruncate(fd, (off_t)(start + partsize)) < 0) {
		mk_err("usb: writing %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_clean;
	}
	close(fd);
	/* live-boot reads persistence.conf on a "persistence" partition: "/ union" is
	 * what livestack does with it too; upper/ and work/ are there from the start, so
	 * /init takes the stick as its own layout, not live-boot's rw/ (persist_foreign.c) */
	if (mk_tmpdir(tmpdir, sizeof(tmpdir)) || mk_tmpdir(imgdir, sizeof(imgdir)))
		goto out_clean;
	snprintf(conf, sizeof(conf), "%s/persistence.conf", tmpdir);
	if (mk_write(conf, "/ union\n", 0644))
		goto out_clean;
	snprintf(conf, sizeof(conf), "%s/upper", tmpdir);
	if (mkdir(conf, 0755) < 0)
		goto out_clean;
	snprintf(conf, sizeof(conf), "%s/work", tmpdir);
	if (mkdir(conf, 0755) < 0)
		goto out_clean;
	if (o.fat ? write_fat(&o, tmp, start, partsize, tmpdir, imgdir) : write_ext4(&o, tmp, start, tmpdir))
		goto out_clean;
	if (mk_commit(tmp, o.out, 0644))
		goto out_clean;
	tmp[0] = '\0';
	if (o.fat)
		mk_info("usb %s: %lld bytes: the ISO (%lld bytes), partition %d: FAT32 \"%s\", %llu MiB "
			"at %llu MiB, holding /" LIVE_PERSIST_FILE_DEFAULT " (ext4, %llu MiB)", o.out,
			(long long)mk_file_size(o.out), (long long)isosize, slot, o.label,
			partsize >> 20, start >> 20, o.size >> 20);
	else
		mk_info("usb %s: %lld bytes: the ISO (%lld bytes), partition %d: ext4 \"%s\", %llu MiB "
			"at %llu MiB", o.out, (long long)mk_file_size(o.out), (long long)isosize, slot,
			o.label, o.size >> 20, start >> 20);
	err = 0;

out_clean:
	if (tmp[0])
		unlink(tmp);
	if (tmpdir[0])
		mk_rm_rf(tmpdir);
	if (imgdir[0])
		mk_rm_rf(imgdir);
	return err;
}
