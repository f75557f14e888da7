// SPDX-License-Identifier: GPL-2.0
/* lib/probe: images made at run time by the real mkfs tools, checked against what was asked and against blkid. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "probe.h"

static char tmpdir[256];
static uint64_t rnd_state;

/* Labels, UUIDs and dates are random per run, so no expected value is a constant the code could echo. */
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static void rnd_hex(char *out, size_t digits, int upper)
{
	size_t i;

	for (i = 0; i < digits; i++)
		out[i] = (upper ? "0123456789ABCDEF" : "0123456789abcdef")[rnd() % 16];
	out[digits] = '\0';
}

static void rnd_dce(char *out)
{
	char h[33];

	rnd_hex(h, 32, 0);
	h[12] = '4';	/* a v4 UUID, which every tool accepts */
	h[16] = "89ab"[rnd() % 4];
	sprintf(out, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* A label of the given case made of letters, digits and one word break. */
static void rnd_label(char *out, size_t len, int lower)
{
	static const char up[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;

	for (i = 0; i < len; i++) {
		char c = up[rnd() % (sizeof(up) - 1)];

		out[i] = lower && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	if (len > 4)
		out[len / 2] = lower ? '-' : '_';
	out[len] = '\0';
}

/* Run a shell command quietly; 0 when it exited 0. */
static int sh(const char *fmt, ...)
{
	char body[2048], cmd[2100];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	/* in a subshell: the commands' own redirections must win over ours */
	snprintf(cmd, sizeof(cmd), "(%s) >/dev/null 2>&1", body);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("#   command failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

static int have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static void tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

/*
 * blkid's own low-level verdict (-p: no cache), for comparison; -1 when blkid
 * is absent or silent. The udev format, because its *_ENC values are
 * lossless (\xNN escapes) where -o export mangles non-ASCII (cat -v style).
 */
static int blkid_export(const char *img, struct probe_result *b)
{
	char cmd[512], line[1024];
	FILE *p;
	int got = 0;

	memset(b, 0, sizeof(*b));
	if (!have("blkid"))
		return -1;
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin blkid -p -o udev '%s' 2>/dev/null", img);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *v = strchr(line, '='), *dst = NULL, *s, *d;
		size_t max = 0;

		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "ID_FS_TYPE"))
			dst = b->type, max = sizeof(b->type);
		else if (!strcmp(line, "ID_FS_LABEL_ENC"))
			dst = b->label, max = sizeof(b->label);
		else if (!strcmp(line, "ID_FS_UUID_ENC"))
			dst = b->uuid, max = sizeof(b->uuid);
		if (!dst)
			continue;
		for (s = v, d = dst; *s && *s != '\n' && d < dst + max - 1; s++) {
			unsigned int c;

			if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &c) == 1) {
				*d++ = (char)c;
				s += 3;
			} else {
				*d++ = *s;
			}
		}
		*d = '\0';
		got = 1;
	}
	pclose(p);
	return got ? 0 : -1;
}

/* ---- one maker per tool: builds img, returns the label and UUID it asked for ---- */

struct want {
	char label[PROBE_LABEL_MAX];
	char uuid[PROBE_UUID_MAX];
};

struct fs_case;
typedef int (*make_fn)(const struct fs_case *c, const char *img, struct want *w);

struct fs_case {
	const char *name;	/* TAP name: probe_<name> */
	const char *tool;	/* skipped when missing */
	const char *type;	/* blkid TYPE expected */
	const char *mount_type;
	make_fn make;
	const char *opt;	/* extra options for the maker */
};

static int make_ext(const struct fs_case *c, const char *img, struct want *w)
{
	rnd_label(w->label, 12, 1);
	rnd_dce(w->uuid);
	return sh("truncate -s 8M '%s' && %s -q -F -L '%s' -U %s '%s'",
		  img, c->tool, w->label, w->uuid, img);
}

static int make_vfat(const struct fs_case *c, const char *img, struct want *w)
{
	char serial[9];
	const char *size = !strcmp(c->opt, "12") ? "2M" : !strcmp(c->opt, "16") ? "32M" : "80M";

	/* a space inside: boot-menu labels like "LIVE USB" are common */
	rnd_label(w->label, 4, 0);
	strcat(w->label, " USB");
	rnd_hex(serial, 8, 1);
	snprintf(w->uuid, sizeof(w->uuid), "%.4s-%.4s", serial, serial + 4);
	return sh("truncate -s %s '%s' && PATH=$PATH:/sbin:/usr/sbin mkfs.vfat -F %s -n '%s' -i %s '%s'",
		  size, img, c->opt, w->label, serial, img);
}

static int make_exfat(const struct fs_case *c, const char *img, struct want *w)
{
	char serial[9];

	(void)c;
	rnd_label(w->label, 11, 1);	/* mixed case survives in exFAT's UTF-16 label */
	rnd_hex(serial, 8, 1);
	snprintf(w->uuid, sizeof(w->uuid), "%.4s-%.4s", serial, serial + 4);
	if (sh("truncate -s 16M '%s' && PATH=$PATH:/sbin:/usr/sbin mkfs.exfat -L '%s' '%s'",
	       img, w->label, img))
		return -1;
	if (have("tune.exfat"))
		return sh("PATH=$PATH:/sbin:/usr/sbin tune.exfat -I 0x%s '%s'", serial, img);
	w->uuid[0] = '\0';	/* random serial: checked against blkid only */
	return 0;
}

/* NTFS: mkfs.ntfs picks the serial; write ours into the boot sector (blkid reads only that). */
static int make_ntfs(const struct fs_case *c, const char *img, struct want *w)
{
	uint8_t ser[8];
	int i, fd;

	(void)c;
	rnd_label(w->label, 14, 1);
	if (sh("truncate -s 16M '%s' && PATH=$PATH:/sbin:/usr/sbin mkfs.ntfs -F -Q -L '%s' '%s'",
	       img, w->label, img))
		return -1;
	for (i = 0; i < 8; i++)
		ser[i] = (uint8_t)rnd();
	ser[7] |= 0x10;		/* no leading zero digit to argue about */
	for (i = 0; i < 8; i++)
		sprintf(w->uuid + 2 * i, "%02X", ser[7 - i]);
	fd = open(img, O_WRONLY);
	if (fd < 0 || pwrite(fd, ser, 8, 0x48) != 8)
		return -1;
	return close(fd);
}

static int make_btrfs(const struct fs_case *c, const char *img, struct want *w)
{
	(void)c;
	rnd_label(w->label, 20, 1);
	rnd_dce(w->uuid);
	return sh("truncate -s 128M '%s' && PATH=$PATH:/sbin:/usr/sbin mkfs.btrfs -q -f -L '%s' -U %s '%s'",
		  img, w->label, w->uuid, img);
}

static int make_tree(const char *dir)
{
	/* incompressible, so that a squashfs of it is large enough to cut in half */
	return sh("mkdir -p '%s/live' && head -c 65536 /dev/urandom > '%s/live/filesystem.bin'", dir, dir);
}

static int make_squashfs(const struct fs_case *c, const char *img, struct want *w)
{
	char dir[300];

	(void)c;
	(void)w;	/* squashfs has neither label nor UUID */
	snprintf(dir, sizeof(dir), "%s.d", img);
	return make_tree(dir) ||
	       sh("mksquashfs '%s' '%s' -noappend -quiet -no-progress -processors 1", dir, img);
}

/* ISO 9660: the UUID is the volume date, which --modification-date sets. */
static int make_iso(const struct fs_case *c, const char *img, struct want *w)
{
	char dir[300], date[17], opts[256] = "";
	int lower = strstr(c->opt, "-J") != NULL;

	snprintf(dir, sizeof(dir), "%s.d", img);
	/* Joliet cases use a long lower-case label: Joliet keeps only 16 characters of it */
	rnd_label(w->label, lower ? 24 : 11, lower);
	snprintf(date, sizeof(date), "%04u%02u%02u%02u%02u%02u%02u", 2000 + rnd() % 38,
		 1 + rnd() % 12, 1 + rnd() % 28, rnd() % 24, rnd() % 60, rnd() % 60, rnd() % 100);
	snprintf(w->uuid, sizeof(w->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
		 date, date + 4, date + 6, date + 8, date + 10, date + 12, date + 14);
	if (make_tree(dir))
		return -1;
	if (strstr(c->opt, "hybrid")) {
		/* an isohybrid as Debian makes them: isolinux's MBR in front of the ISO */
		if (access("/usr/lib/ISOLINUX/isohdpfx.bin", R_OK) == 0 &&
		    access("/usr/lib/ISOLINUX/isolinux.bin", R_OK) == 0) {
			if (sh("cp /usr/lib/ISOLINUX/isolinux.bin '%s/'", dir))
				return -1;
			snprintf(opts, sizeof(opts), "-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin "
				 "-b isolinux.bin -c boot.cat -no-emul-boot -boot-load-size 4 "
				 "-boot-info-table");
		} else {
			snprintf(opts, sizeof(opts), "--protective-msdos-label");
		}
	}
	return
	       sh("xorriso -as mkisofs -quiet %s %s -V '%s' --modification-date=%s -o '%s' '%s'",
		  strstr(c->opt, "-J") ? "-J" : "", opts, w->label, date, img, dir);
}

static int make_udf(const struct fs_case *c, const char *img, struct want *w)
{
	rnd_label(w->label, 18, 1);
	rnd_hex(w->uuid, 16, 0);
	return sh("truncate -s 16M '%s' && PATH=$PATH:/sbin:/usr/sbin mkudffs -b %s --media-type=hd "
		  "--label='%s' --uuid=%s '%s'", img, c->opt, w->label, w->uuid, img);
}

static int make_luks(const struct fs_case *c, const char *img, struct want *w)
{
	char key[300];
	int v2 = !strcmp(c->opt, "luks2");

	snprintf(key, sizeof(key), "%s.key", img);
	if (v2)
		rnd_label(w->label, 16, 1);
	rnd_dce(w->uuid);
	return sh("echo secret > '%s' && truncate -s 20M '%s' && PATH=$PATH:/sbin:/usr/sbin "
		  "cryptsetup luksFormat -q --batch-mode --type %s %s%s%s --uuid %s "
		  "--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file '%s' '%s'",
		  key, img, c->opt, v2 ? "--label '" : "", v2 ? w->label : "", v2 ? "'" : "",
		  w->uuid, key, img);
}

static const struct fs_case fs_cases[] = {
	{ "ext2", "mkfs.ext2", "ext2", "ext4", make_ext, "" },
	{ "ext3", "mkfs.ext3", "ext3", "ext4", make_ext, "" },
	{ "ext4", "mkfs.ext4", "ext4", "ext4", make_ext, "" },
	{ "vfat_fat12", "mkfs.vfat", "vfat", "vfat", make_vfat, "12" },
	{ "vfat_fat16", "mkfs.vfat", "vfat", "vfat", make_vfat, "16" },
	{ "vfat_fat32", "mkfs.vfat", "vfat", "vfat", make_vfat, "32" },
	{ "exfat", "mkfs.exfat", "exfat", "exfat", make_exfat, "" },
	{ "ntfs", "mkfs.ntfs", "ntfs", "ntfs3", make_ntfs, "" },
	{ "btrfs", "mkfs.btrfs", "btrfs", "btrfs", make_btrfs, "" },
	{ "squashfs", "mksquashfs", "squashfs", "squashfs", make_squashfs, "" },
	{ "iso9660", "xorriso", "iso9660", "iso9660", make_iso, "" },
	{ "iso9660_joliet", "xorriso", "iso9660", "iso9660", make_iso, "-J" },
	{ "iso9660_isohybrid", "xorriso", "iso9660", "iso9660", make_iso, "-J hybrid" },
	{ "udf_2048", "mkudffs", "udf", "udf", make_udf, "2048" },
	{ "udf_512", "mkudffs", "udf", "udf", make_udf, "512" },
	{ "luks1", "cryptsetup", "crypto_LUKS", "", make_luks, "luks1" },
	{ "luks2", "cryptsetup", "crypto_LUKS", "", make_luks, "luks2" },
};

static void case_begin(void)
{
	harness_state.case_failed = 0;
}

static void case_end(const char *name, const char *skip)
{
	if (skip) {
		harness_state.passed++;
		printf("ok - probe_%s # SKIP %s\n", name, skip);
	} else if (harness_state.case_failed) {
		harness_state.failed++;
		printf("not ok - probe_%s\n", name);
	} else {
		harness_state.passed++;
		printf("ok - probe_%s\n", name);
	}
	fflush(stdout);
}

/* Each format: what we asked mkfs for, then what blkid says about the same bytes. */
static void run_fs_case(const struct fs_case *c)
{
	struct probe_result r, b;
	struct want w;
	char img[300];
	int err;

	case_begin();
	if (!have(c->tool)) {
		case_end(c->name, "tool missing");
		return;
	}
	memset(&w, 0, sizeof(w));
	tmp_path(img, sizeof(img), c->name);
	if (c->make(c, img, &w) != 0) {
		printf("#   could not make the %s image\n", c->name);
		harness_state.case_failed = 1;
		case_end(c->name, NULL);
		return;
	}
	err = probe_path(img, &r);
	CHECK_EQ(err, 0);
	CHECK_STR(r.type, c->type);
	CHECK_STR(r.mount_type, c->mount_type);
	CHECK_STR(r.label, w.label);
	if (w.uuid[0] || !strcmp(c->type, "squashfs"))
		CHECK_STR(r.uuid, w.uuid);
	else
		CHECK(r.uuid[0] != '\0');
	if (blkid_export(img, &b) == 0) {
		CHECK_STR(r.type, b.type);
		CHECK_STR(r.label, b.label);
		CHECK_STR(r.uuid, b.uuid);
	} else if (have("blkid")) {
		printf("#   blkid found nothing in %s\n", img);
		harness_state.case_failed = 1;
	}
	case_end(c->name, NULL);
}

/*
 * Truncated copies: every format cut inside the structure it must read. Each
 * would probe fine whole (checked first), and must give -ENOENT, not garbage.
 */
static void run_truncated(const char *name, const char *tool, const struct fs_case *src, off_t keep)
{
	struct probe_result r;
	struct want w;
	char img[300], label[64];

	snprintf(label, sizeof(label), "truncated_%s", name);
	case_begin();
	if (!have(tool)) {
		case_end(label, "tool missing");
		return;
	}
	tmp_path(img, sizeof(img), label);
	memset(&w, 0, sizeof(w));
	if (src->make(src, img, &w) != 0) {
		harness_state.case_failed = 1;
		case_end(label, NULL);
		return;
	}
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.type, src->type);
	if (truncate(img, keep) != 0)
		harness_state.case_failed = 1;
	CHECK_EQ(probe_path(img, &r), -ENOENT);
	CHECK_STR(r.type, "");
	CHECK_STR(r.label, "");
	case_end(label, NULL);
}

static const struct fs_case *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fs_cases) / sizeof(fs_cases[0]); i++)
		if (!strcmp(fs_cases[i].name, name))
			return &fs_cases[i];
	return NULL;
}

/* A corrupted magic: the same image must stop probing as that format. */
TEST(probe_ext4_bad_magic_is_enoent)
{
	const struct fs_case *c = find_case("ext4");
	struct probe_result r;
	struct want w;
	char img[300];
	int fd;

	if (!have(c->tool))
		return;
	tmp_path(img, sizeof(img), "badmagic.img");
	CHECK_EQ(c->make(c, img, &w), 0);
	CHECK_EQ(probe_path(img, &r), 0);
	fd = open(img, O_WRONLY);
	CHECK(fd >= 0);
	CHECK_EQ(pwrite(fd, "\0\0", 2, 1024 + 0x38), 2);
	close(fd);
	CHECK_EQ(probe_path(img, &r), -ENOENT);
}

/* probe_fd on an fd that is not at offset 0: the caller's offset is left where it was. */
TEST(probe_fd_leaves_offset)
{
	const struct fs_case *c = find_case("vfat_fat16");
	struct probe_result r;
	struct want w;
	char img[300];
	int fd;

	if (!have(c->tool))
		return;
	tmp_path(img, sizeof(img), "fd.img");
	CHECK_EQ(c->make(c, img, &w), 0);
	fd = open(img, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 4321, SEEK_SET), 4321);
	CHECK_EQ(probe_fd(fd, &r), 0);
	CHECK_STR(r.label, w.label);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4321);
	close(fd);
}

/* Find the Joliet supplementary descriptor the way a reader of ECMA-119 would; its byte offset, or -1. */
static long iso_find_joliet(const char *img)
{
	uint8_t vd[96];
	long off = -1;
	int fd = open(img, O_RDONLY), i;

	if (fd < 0)
		return -1;
	for (i = 17; i < 32 && off < 0; i++) {
		if (pread(fd, vd, sizeof(vd), (off_t)i * 2048) != (ssize_t)sizeof(vd) || vd[0] == 0xff)
			break;
		if (vd[0] == 2 && !memcmp(vd + 1, "CD001", 5) && vd[88] == '%' && vd[89] == '/')
			off = (long)i * 2048;
	}
	close(fd);
	return off;
}

/*
 * A Joliet volume id that is not just the PVD's: blkid shows Joliet's, in
 * UTF-8 (mkisofs tools set both alike, so the image is patched).
 */
TEST(probe_iso9660_joliet_label_wins)
{
	const struct fs_case *c = find_case("iso9660_joliet");
	struct probe_result r, b;
	struct want w;
	uint8_t ucs[32];
	char img[300], word[8], label[64];
	/* "Lïve-Ünï " + a random word, as UCS-2 */
	uint16_t chars[16] = { 'L', 0xef, 'v', 'e', '-', 0xdc, 'n', 0xef, ' ' };
	long off;
	int fd, i;

	if (!have(c->tool))
		return;
	tmp_path(img, sizeof(img), "joliet.iso");
	CHECK_EQ(c->make(c, img, &w), 0);
	off = iso_find_joliet(img);
	CHECK(off > 0);
	rnd_label(word, 6, 0);
	for (i = 0; i < 6; i++)
		chars[9 + i] = (uint8_t)word[i];
	chars[15] = ' ';	/* Joliet pads with spaces; trimmed */
	for (i = 0; i < 16; i++) {
		ucs[2 * i] = (uint8_t)(chars[i] >> 8);
		ucs[2 * i + 1] = (uint8_t)chars[i];
	}
	snprintf(label, sizeof(label), "L\xc3\xafve-\xc3\x9cn\xc3\xaf %s", word);
	fd = open(img, O_WRONLY);
	CHECK(fd >= 0 && off > 0);
	if (fd >= 0 && off > 0)
		CHECK_EQ(pwrite(fd, ucs, sizeof(ucs), off + 40), (long)sizeof(ucs));
	if (fd >= 0)
		close(fd);
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.type, "iso9660");
	CHECK_STR(r.label, label);
	CHECK_STR(r.uuid, w.uuid);
	if (blkid_export(img, &b) == 0)
		CHECK_STR(r.label, b.label);
}

/*
 * blkid's ISO UUID is the PVD's modification date, and the creation date
 * only when the former is unset ("0000000000000000" and offset 0).
 */
TEST(probe_iso9660_uuid_dates)
{
	const struct fs_case *c = find_case("iso9660");
	struct probe_result r, b;
	struct want w;
	char img[300], created[17], want_uuid[32];
	int fd;

	if (!have(c->tool))
		return;
	tmp_path(img, sizeof(img), "dates.iso");
	CHECK_EQ(c->make(c, img, &w), 0);
	snprintf(created, sizeof(created), "%04u%02u%02u%02u%02u%02u%02u", 1990 + rnd() % 9,
		 1 + rnd() % 12, 1 + rnd() % 28, rnd() % 24, rnd() % 60, rnd() % 60, rnd() % 100);
	snprintf(want_uuid, sizeof(want_uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", created,
		 created + 4, created + 6, created + 8, created + 10, created + 12, created + 14);
	fd = open(img, O_WRONLY);
	CHECK(fd >= 0);
	/* another creation date: the modification date still names the volume */
	CHECK(pwrite(fd, created, 16, 32768 + 813) == 16);
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.uuid, w.uuid);
	if (blkid_export(img, &b) == 0)
		CHECK_STR(r.uuid, b.uuid);
	/* modification date unset: now the creation date does */
	CHECK(pwrite(fd, "0000000000000000\0", 17, 32768 + 830) == 17);
	close(fd);
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.uuid, want_uuid);
	if (blkid_export(img, &b) == 0)
		CHECK_STR(r.uuid, b.uuid);
}

/*
 * Boot code at sector 0 that passes for a FAT boot sector, over an ISO: the
 * medium is the ISO (blkid would call it ambivalent and name nothing).
 */
TEST(probe_iso9660_under_fat_bootsector)
{
	const struct fs_case *iso = find_case("iso9660"), *fat = find_case("vfat_fat16");
	struct probe_result r;
	struct want w, wf;
	uint8_t sect[512];
	char img[300], fimg[300];
	int fd;

	if (!have(iso->tool) || !have(fat->tool))
		return;
	tmp_path(img, sizeof(img), "fatboot.iso");
	tmp_path(fimg, sizeof(fimg), "fatboot.vfat");
	CHECK_EQ(iso->make(iso, img, &w), 0);
	CHECK_EQ(fat->make(fat, fimg, &wf), 0);
	fd = open(fimg, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, sect, sizeof(sect), 0) == (ssize_t)sizeof(sect));
	if (fd >= 0)
		close(fd);
	fd = open(img, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, sect, sizeof(sect), 0) == (ssize_t)sizeof(sect));
	if (fd >= 0)
		close(fd);
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.type, "iso9660");
	CHECK_STR(r.label, w.label);
	CHECK_STR(r.uuid, w.uuid);
}

/* A FAT volume whose root directory has no label entry: blkid shows no LABEL, not the boot sector's. */
TEST(probe_vfat_boot_label_only)
{
	const struct fs_case *c = find_case("vfat_fat12");
	struct probe_result r, b;
	struct want w;
	uint8_t bs[32];
	char img[300];
	long root;
	int fd;

	if (!have(c->tool))
		return;
	tmp_path(img, sizeof(img), "bootlabel.vfat");
	CHECK_EQ(c->make(c, img, &w), 0);
	fd = open(img, O_RDWR);
	CHECK(fd >= 0 && pread(fd, bs, sizeof(bs), 0) == (ssize_t)sizeof(bs));
	/* root directory = reserved + fats * fat length sectors; mark its first entry deleted */
	root = (long)(bs[14] | bs[15] << 8) + (long)bs[16] * (bs[22] | bs[23] << 8);
	root *= bs[11] | bs[12] << 8;
	CHECK(fd >= 0 && pwrite(fd, "\xe5", 1, root) == 1);
	if (fd >= 0)
		close(fd);
	CHECK_EQ(probe_path(img, &r), 0);
	CHECK_STR(r.type, "vfat");
	CHECK_STR(r.label, "");
	CHECK_STR(r.uuid, w.uuid);
	if (blkid_export(img, &b) == 0)
		CHECK_STR(r.label, b.label);
}

/* The same isohybrid through a real block device (a read-only loop device), whole disk. */
static void run_block_device(void)
{
	const struct fs_case *c = find_case("iso9660_isohybrid");
	struct probe_result r, rp;
	struct want w;
	char img[300], cmd[512], dev[64] = "", part[80];
	FILE *p;

	case_begin();
	if (!have(c->tool) || !have("losetup") || geteuid() != 0 || access("/dev/loop-control", W_OK)) {
		case_end("block_device_isohybrid", "needs root, losetup and /dev/loop-control");
		return;
	}
	tmp_path(img, sizeof(img), "blockdev.iso");
	CHECK_EQ(c->make(c, img, &w), 0);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin losetup --find --show --read-only --partscan '%s' 2>/dev/null", img);
	p = popen(cmd, "r");
	if (p) {
		if (!fgets(dev, sizeof(dev), p))
			dev[0] = '\0';
		pclose(p);
	}
	dev[strcspn(dev, "\n")] = '\0';
	if (strncmp(dev, "/dev/loop", 9) != 0) {
		case_end("block_device_isohybrid", "losetup failed (no loop devices here)");
		return;
	}
	CHECK_EQ(probe_path(dev, &r), 0);
	CHECK_STR(r.type, "iso9660");
	CHECK_STR(r.label, w.label);
	CHECK_STR(r.uuid, w.uuid);
	/* isohybrid's partition 1 starts at 0 and holds the same ISO, when the node exists */
	snprintf(part, sizeof(part), "%sp1", dev);
	if (access(part, R_OK) == 0 && probe_path(part, &rp) == 0)
		CHECK_STR(rp.type, "iso9660");
	sh("PATH=$PATH:/sbin:/usr/sbin losetup -d %s", dev);
	case_end("block_device_isohybrid", NULL);
}

static void rm_tmpdir(void)
{
	if (tmpdir[0])
		sh("rm -rf '%s'", tmpdir);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	size_t i;

	rnd_state = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 20 ^ 0x9e3779b97f4a7c15ull;
	snprintf(tmpdir, sizeof(tmpdir), "%s/livestack-probe.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(rm_tmpdir);

	for (i = 0; i < sizeof(fs_cases) / sizeof(fs_cases[0]); i++)
		run_fs_case(&fs_cases[i]);

	run_truncated("ext4", "mkfs.ext4", find_case("ext4"), 1500);
	run_truncated("iso9660", "xorriso", find_case("iso9660"), 32768 + 100);
	run_truncated("squashfs", "mksquashfs", find_case("squashfs"), 32768);
	run_truncated("btrfs", "mkfs.btrfs", find_case("btrfs"), 65536 + 2048);
	run_truncated("luks2", "cryptsetup", find_case("luks2"), 200);
	run_truncated("ntfs", "mkfs.ntfs", find_case("ntfs"), 8192);
	run_truncated("exfat", "mkfs.exfat", find_case("exfat"), 4096);

	run_block_device();
	RUN(probe_iso9660_joliet_label_wins);
	RUN(probe_iso9660_uuid_dates);
	RUN(probe_iso9660_under_fat_bootsector);
	RUN(probe_vfat_boot_label_only);
	RUN(probe_ext4_bad_magic_is_enoent);
	RUN(probe_fd_leaves_offset);
	return HARNESS_END();
}
