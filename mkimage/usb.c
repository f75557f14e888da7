// SPDX-License-Identifier: GPL-2.0
/*
 * `livestack-mkimage usb`: a USB stick image: the hybrid ISO as it is (its MBR boots BIOS,
 * its EFI partition UEFI), then an ext4 persistence partition in a free MBR slot.
 * Made without loop devices or root: the filesystem is written at its offset by mke2fs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "mkimage.h"

#define SECTOR		512ULL
#define ALIGN		(1ULL << 20)	/* partitions start on MiB boundaries */
#define MBR_TABLE	446

static const char usage_text[] =
	"usage: " MK_PROG " usb --iso FILE --out IMG [--persist-size SIZE] [--label LABEL]\n"
	"  --iso FILE          a hybrid ISO made by '" MK_PROG " iso'\n"
	"  --out IMG           the stick image (write it to a stick with dd)\n"
	"  --persist-size SIZE the persistence partition: 16M..2T, suffix K, M, G or T\n"
	"                      (default 256M)\n"
	"  --label LABEL       its ext4 label (default " LIVE_PERSIST_LABEL_DEFAULT
	", which live.persist=auto finds)\n";

struct usb_opts {
	const char *iso, *out, *label;
	unsigned long long size;
};

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	case 't': case 'T': n <<= 40; end++; break;
	default: return 0;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end++;
	return *end ? 0 : n;
}

static int parse(int argc, char **argv, struct usb_opts *o)
{
	static const struct option longopts[] = {
		{ "iso", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "persist-size", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->label = LIVE_PERSIST_LABEL_DEFAULT;
	o->size = 256ULL << 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iso = optarg; break;
		case 'o': o->out = optarg; break;
		case 'L': o->label = optarg; break;
		case 's':
			o->size = parse_size(optarg);
			if (o->size < (16ULL << 20) || o->size > (2ULL << 40)) {
				mk_err("usb: --persist-size %s: 16M to 2T, with a K, M, G or T suffix",
				       optarg);
				return -1;
			}
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); return -1;
		}
	}
	if (optind < argc) {
		mk_err("usb: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->iso || !o->out) {
		mk_err("usb: --iso FILE and --out IMG are required");
		return -1;
	}
	if (!*o->label || strlen(o->label) > 16 || strpbrk(o->label, " /\\\"'")) {
		mk_err("usb: --label '%s': 1 to 16 characters (ext4), no spaces, slashes or quotes",
		       o->label);
		return -1;
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
			 unsigned long long size, int *slot)
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
			e[4] = 0x83;	/* Linux */
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

int usb_main(int argc, char **argv)
{
	struct usb_opts o;
	unsigned char mbr[512];
	char tmp[MK_PATH_MAX] = "", tmpdir[MK_PATH_MAX] = "", conf[MK_PATH_MAX];
	char offset[48], kib[32];
	unsigned long long start;
	off_t isosize;
	int fd, slot = 0, err = -1;

	if (parse(argc, argv, &o) || check_iso(o.iso, mbr))
		return -1;
	isosize = mk_file_size(o.iso);
	start = ((unsigned long long)isosize + ALIGN - 1) & ~(ALIGN - 1);
	if (start / SECTOR + o.size / SECTOR > 0xffffffffULL) {
		mk_err("usb: the image would pass 2 TiB, the MBR's limit");
		return -1;
	}
	if (add_partition(mbr, start, o.size, &slot))
		return -1;
	fd = mk_tmp_beside(o.out, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	close(fd);
	if (mk_copy(o.iso, tmp, 0644))
		goto out_clean;
	fd = open(tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr) ||
	    ftruncate(fd, (off_t)(start + o.size)) < 0) {
		mk_err("usb: writing %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_clean;
	}
	close(fd);
	/* live-boot reads persistence.conf on a "persistence" partition: "/ union" is
	 * what livestack does with it too (upper/ and work/ are made at first boot) */
	if (mk_tmpdir(tmpdir, sizeof(tmpdir)))
		goto out_clean;
	snprintf(conf, sizeof(conf), "%s/persistence.conf", tmpdir);
	if (mk_write(conf, "/ union\n", 0644))
		goto out_clean;
	snprintf(offset, sizeof(offset), "offset=%llu", start);
	snprintf(kib, sizeof(kib), "%lluk", o.size >> 10);
	{
		const char *argv_mkfs[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-L", o.label, "-m", "0",
					    "-E", offset, "-d", tmpdir, tmp, kib, NULL };

		if (mk_run(argv_mkfs))
			goto out_clean;
	}
	if (mk_commit(tmp, o.out, 0644))
		goto out_clean;
	tmp[0] = '\0';
	mk_info("usb %s: %lld bytes: the ISO (%lld bytes), partition %d: ext4 \"%s\", %llu MiB at "
		"%llu MiB", o.out, (long long)mk_file_size(o.out), (long long)isosize, slot, o.label,
		o.size >> 20, start >> 20);
	err = 0;

out_clean:
	if (tmp[0])
		unlink(tmp);
	if (tmpdir[0])
		mk_rm_rf(tmpdir);
	return err;
}
