// SPDX-License-Identifier: GPL-2.0
/* Host tests of /init's command-line parsing: native keys, quoting, duplicates, unknown words, aliases. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "live.h"

static struct live_cfg parse(const char *line)
{
	struct live_cfg o;

	cmdline_defaults(&o);
	cmdline_parse(&o, line);
	return o;
}

TEST(cmdline_defaults_apply)
{
	struct live_cfg o = parse("");

	CHECK_STR(o.media, "auto");
	CHECK_STR(o.dir, "/live");
	CHECK_STR(o.init, "/sbin/init");
	CHECK_STR(o.ramsize, "50%");
	CHECK_EQ(o.timeout, 30);
	CHECK(!o.debug && !o.quiet && !o.toram);
	CHECK_STR(o.unknown, "");
}

TEST(cmdline_native_keys)
{
	struct live_cfg o = parse("BOOT_IMAGE=/boot/vmlinuz live.media=LABEL=MYLIVE live.dir=/boot/live "
				   "live.timeout=7 live.union=overlay live.ramsize=2g live.break=mount "
				   "live.debug quiet init=/lib/systemd/systemd live.layers=10-base,20-x");

	CHECK_STR(o.media, "LABEL=MYLIVE");
	CHECK_STR(o.dir, "/boot/live");
	CHECK_EQ(o.timeout, 7);
	CHECK_STR(o.unionfs, "overlay");
	CHECK_STR(o.ramsize, "2g");
	CHECK_STR(o.brk, "mount");
	CHECK(o.debug);
	CHECK(o.quiet);
	CHECK_STR(o.init, "/lib/systemd/systemd");
	CHECK_STR(o.layers, "10-base,20-x");
	CHECK_STR(o.unknown, "BOOT_IMAGE=/boot/vmlinuz");
}

TEST(cmdline_quoted_values)
{
	struct live_cfg o = parse("live.media=\"LABEL=My Live Disk\" \"live.dir=/a b\" x=\"1 2\"");

	CHECK_STR(o.media, "LABEL=My Live Disk");
	CHECK_STR(o.dir, "/a b");
	CHECK_STR(o.unknown, "x=1 2");
}

TEST(cmdline_duplicates_last_wins)
{
	struct live_cfg o = parse("live.timeout=5 live.media=/dev/sr0 live.timeout=9 live.media=/dev/vda");

	CHECK_EQ(o.timeout, 9);
	CHECK_STR(o.media, "/dev/vda");
}

TEST(cmdline_bad_values_warn_and_keep_defaults)
{
	struct live_cfg o = parse("live.timeout=soon live.union=btrfs");

	CHECK_EQ(o.timeout, 30);
	CHECK_STR(o.unionfs, "");
	CHECK(strstr(o.warnings, "live.timeout=soon") != NULL);
	CHECK(strstr(o.warnings, "live.union=btrfs") != NULL);
}

TEST(cmdline_hook_timeout)
{
	struct live_cfg o = parse("");

	CHECK_EQ(o.hook_timeout, LIVE_HOOK_TIMEOUT_DEFAULT);
	o = parse("live.hook.timeout=5");
	CHECK_EQ(o.hook_timeout, 5);
	CHECK_STR(o.warnings, "");
	o = parse("live.hook.timeout=0 live.hook.timeout=99999999999");
	CHECK_EQ(o.hook_timeout, LIVE_HOOK_TIMEOUT_DEFAULT);
	CHECK(strstr(o.warnings, "live.hook.timeout=0: not a number of seconds (1-3600)") != NULL);
	CHECK(strstr(o.warnings, "live.hook.timeout=99999999999: not a number") != NULL);
	o = parse("live.hook.timout=5");
	CHECK(strstr(o.warnings, "did you mean live.hook.timeout") != NULL);
}

TEST(cmdline_unknown_live_word_suggests)
{
	struct live_cfg o = parse("live.tmeout=5 live.medai=auto live.zzzzzzzzzz");

	CHECK(strstr(o.warnings, "live.tmeout=5, did you mean live.timeout") != NULL);
	CHECK(strstr(o.warnings, "live.medai=auto, did you mean live.media") != NULL);
	CHECK(strstr(o.warnings, "live.zzzzzzzzzz ignored") != NULL);
	CHECK(strstr(o.unknown, "live.tmeout=5") != NULL);
	CHECK_EQ(o.timeout, 30);
}

TEST(cmdline_overlong_value_refused)
{
	char line[600] = "live.media=/dev/";
	struct live_cfg o;

	memset(line + strlen(line), 'x', 400);
	line[416] = '\0';
	o = parse(line);
	CHECK_STR(o.media, "auto");
	CHECK(strstr(o.warnings, "too long") != NULL);
}

TEST(cmdline_hook_words_are_known)
{
	struct live_cfg o = parse("live.hostname=kiosk1 live.hostnme=x");

	CHECK(strstr(o.warnings, "live.hostname=kiosk1") == NULL);
	CHECK(strstr(o.warnings, "live.hostnme=x, did you mean live.hostname") != NULL);
	CHECK(strstr(o.unknown, "live.hostname=") == NULL);
}

TEST(cmdline_break_without_value)
{
	struct live_cfg o = parse("live.break");

	CHECK_STR(o.brk, "premount");
}

TEST(cmdline_debian_live_boot_line)
{
	/* Debian live's isolinux menu entry */
	struct live_cfg o = parse("boot=live components quiet splash live-media=/dev/sdb1 "
				   "live-media-path=/live toram break=mount union=overlay");

	CHECK_STR(o.media, "/dev/sdb1");
	CHECK_STR(o.dir, "/live");
	CHECK(o.toram);
	CHECK(o.quiet);
	CHECK_STR(o.brk, "mount");
	CHECK_STR(o.unionfs, "overlay");
	CHECK_STR(o.unknown, "components splash");
}

TEST(cmdline_live_media_timeout)
{
	/* live-boot waits live-media-timeout= seconds for the medium: live.timeout */
	struct live_cfg o = parse("boot=live components live-media-timeout=12");

	CHECK_EQ(o.timeout, 12);
	o = parse("boot=live live-media-timeout=0");
	CHECK_EQ(o.timeout, 30);
	o = parse("live.timeout=5 live-media-timeout=9");
	CHECK_EQ(o.timeout, 9);
}

/* atoi took 99999999999 as 1215752191 s (38 years): refused with a warning instead */
TEST(cmdline_live_media_timeout_overflow)
{
	struct live_cfg o = parse("boot=live live-media-timeout=99999999999");

	CHECK_EQ(o.timeout, 30);
	CHECK(strstr(o.warnings, "live-media-timeout=99999999999: not a number of seconds "
			       "(1-3600), keeping 30;") != NULL);
	o = parse("live.timeout=5 live-media-timeout=3601");
	CHECK_EQ(o.timeout, 5);
	CHECK(strstr(o.warnings, "keeping 5;") != NULL);
	o = parse("live-media-timeout=12x");
	CHECK_EQ(o.timeout, 30);
	CHECK(strstr(o.warnings, "live-media-timeout=12x") != NULL);
	o = parse("live-media-timeout=3600");
	CHECK_EQ(o.timeout, 3600);
	CHECK_STR(o.warnings, "");
}

/* without the leading slash the directory was looked up as /run/live/mediumlive */
TEST(cmdline_dir_without_slash)
{
	struct live_cfg o = parse("live.dir=live");

	CHECK_STR(o.dir, "/live");
	CHECK(o.dir_set);
	o = parse("live.dir=my/layers");
	CHECK_STR(o.dir, "/my/layers");
	o = parse("live.dir=/live");
	CHECK_STR(o.dir, "/live");
}

TEST(cmdline_dir_given_or_not)
{
	/* only a live.dir= not given lets the medium search try casper's and Knoppix's layouts */
	CHECK(!parse("boot=casper quiet splash ---").dir_set);
	CHECK(parse("knoppix_dir=KNOPPIX").dir_set);
	CHECK(parse("live.dir=/live").dir_set);
	CHECK(parse("root=live:CDLABEL=F rd.live.dir=LiveOS").dir_set);
}

TEST(cmdline_dracut_fedora_line)
{
	struct live_cfg o = parse("root=live:CDLABEL=Fedora-WS-Live-39-1-5 rd.live.image quiet rhgb rd.break=pre-mount");

	CHECK_STR(o.media, "LABEL=Fedora-WS-Live-39-1-5");
	CHECK_STR(o.dir, "/LiveOS");
	CHECK_STR(o.brk, "premount");
	CHECK_STR(o.unknown, "rhgb");
}

TEST(cmdline_archiso_and_knoppix)
{
	struct live_cfg o = parse("archisobasedir=arch archisolabel=ARCH_202401 copytoram");

	CHECK_STR(o.media, "LABEL=ARCH_202401");
	CHECK_STR(o.dir, "/arch");
	CHECK(o.toram);
	o = parse("knoppix_dir=KNOPPIX bootfrom=/dev/sda1");
	CHECK_STR(o.dir, "/KNOPPIX");
	CHECK_STR(o.media, "/dev/sda1");
}

TEST(cmdline_foreign_boot_value_not_ours)
{
	struct live_cfg o = parse("boot=nfs root=/dev/sda1");

	CHECK_STR(o.unknown, "boot=nfs root=/dev/sda1");
	CHECK_STR(o.media, "auto");
}

TEST(cmdline_ubuntu_casper_line)
{
	/* Ubuntu desktop's grub entry, booted from an ISO file */
	struct live_cfg o = parse("iso-scan/filename=/isos/ubuntu-22.04.iso boot=casper "
				   "persistent quiet splash ---");

	CHECK_STR(o.iso, "/isos/ubuntu-22.04.iso");
	CHECK(*o.persist != '\0');
	CHECK(o.quiet);
	CHECK_STR(o.unknown, "splash ---");
}

TEST(cmdline_live_boot_persistence_and_findiso)
{
	struct live_cfg o = parse("boot=live persistence persistence-label=mystick findiso=/live.iso");

	CHECK(strstr(o.persist, "mystick") != NULL);
	CHECK_STR(o.iso, "/live.iso");
	o = parse("boot=live persistence nopersistence");
	CHECK_STR(o.persist, "");
}

TEST(cmdline_network_aliases)
{
	struct live_cfg o = parse("boot=live ip=dhcp fetch=http://10.0.0.1/live/filesystem.squashfs");

	CHECK(*o.net != '\0');
	CHECK(strstr(o.fetch, "http://10.0.0.1/live/filesystem.squashfs") != NULL);
	o = parse("root=live:http://srv/LiveOS/squashfs.img rd.live.image");
	CHECK(strstr(o.fetch, "http://srv/LiveOS/squashfs.img") != NULL);
	CHECK_STR(o.media, "auto");
	o = parse("boot=live netboot=nfs nfsroot=192.168.1.1:/srv/live");
	CHECK(strstr(o.nfs, "192.168.1.1:/srv/live") != NULL);
}

TEST(cmdline_porteus_and_archiso_cow)
{
	struct live_cfg o = parse("from=/dev/sdb1 changes=/porteus/changes copy2ram");

	CHECK(o.toram);
	CHECK_STR(o.media, "/dev/sdb1");
	CHECK(strstr(o.persist, "/porteus/changes") != NULL);
	o = parse("archisobasedir=arch archisolabel=ARCH_2024 cow_label=cowspace cow_spacesize=2G");
	CHECK(strstr(o.persist, "cowspace") != NULL);
	CHECK_STR(o.ramsize, "2G");
	o = parse("from=/Porteus/porteus.iso");
	CHECK_STR(o.iso, "/Porteus/porteus.iso");
	o = parse("from=/slax");
	CHECK_STR(o.dir, "/slax");
	o = parse("archisosearchuuid=2024-01-01-10-00-00-00 fromhd=/dev/sda2");
	CHECK_STR(o.media, "/dev/sda2");
	o = parse("archisosearchuuid=2024-01-01-10-00-00-00");
	CHECK_STR(o.media, "UUID=2024-01-01-10-00-00-00");
	o = parse("rd.live.overlay.size=4096 rd.shell");
	CHECK_STR(o.persist_size, "4096M");
	CHECK_STR(o.unknown, "");
}

TEST(cmdline_foreign_persistence_forms)
{
	struct live_cfg o = parse("changes=/dev/sdb2/porteus/changes");

	CHECK_STR(o.persist, "/dev/sdb2:/porteus/changes");
	CHECK_STR(o.persist_fmt, "porteus");
	o = parse("changes=/mnt/sda1/slax/changes.dat");
	CHECK_STR(o.persist, "/dev/sda1:/slax/changes.dat");
	o = parse("changes=/dev/sdc1");
	CHECK_STR(o.persist, "/dev/sdc1");
	o = parse("changes=LABEL:Data/porteus/changes");
	CHECK_STR(o.persist, "LABEL=Data:/porteus/changes");
	o = parse("changes=/porteus/save.dat");
	CHECK_STR(o.persist, "/porteus/save.dat");
	o = parse("changes=EXIT:/porteus/changes");
	CHECK_STR(o.persist, "");
	CHECK_STR(o.persist_fmt, "");
	o = parse("archisolabel=ARCH_2024 cow_label=cow cow_directory=mine/x86_64/");
	CHECK_STR(o.persist, "LABEL=cow");
	CHECK_STR(o.persist_fmt, "archiso");
	CHECK_STR(o.persist_dir, "/mine/x86_64");
	o = parse("boot=live persistence persistence-path=/live/");
	CHECK_STR(o.persist, "auto");
	CHECK_STR(o.persist_path, "/live");
	CHECK_STR(o.persist_fmt, "");
	/* casper: file=/cdrom/preseed/ubuntu.seed boot=casper persistent persistent-path=/ubuntu/ */
	o = parse("file=/cdrom/preseed/ubuntu.seed boot=casper persistent persistent-path=/ubuntu/ quiet splash ---");
	CHECK_STR(o.persist, "auto");
	CHECK_STR(o.persist_path, "/ubuntu");
	o = parse("live.persist=LABEL=p live.persist.dir=a/b live.persist.path=/x");
	CHECK_STR(o.persist_dir, "/a/b");
	CHECK_STR(o.persist_path, "/x");
	CHECK_STR(o.unknown, "");
}

TEST(cmdline_image_name_layer_selection_tohd)
{
	/* Knoppix: the compressed image's name in knoppix_dir, and tohd= (live.todisk=) */
	struct live_cfg o = parse("ramdisk_size=100000 lang=en vt.default_utf8=0 apm=power-off "
				   "nomodeset nomce libata.force=noncq hpsa.hpsa_allow_any=1 "
				   "loglevel=1 tz=localtime knoppix_dir=KNOPPIX knoppix_name=KNOPPIX "
				   "tohd=/dev/sda1");

	CHECK_STR(o.dir, "/KNOPPIX");
	CHECK_STR(o.image, "KNOPPIX");
	CHECK_STR(o.todisk, "/dev/sda1");
	CHECK_STR(o.warnings, "");
	CHECK(strstr(o.unknown, "tohd") == NULL);
	CHECK(strstr(o.unknown, "knoppix_name") == NULL);
	/* Porteus: load=/noload= take name substrings separated by ';' */
	o = parse("initrd=initrd.xz from=/porteus load=firefox;libreoffice noload=kde;devel "
		  "copy2ram");
	CHECK_STR(o.layers_optional, "firefox,libreoffice");
	CHECK_STR(o.layers_skip, "kde,devel");
	CHECK(o.toram);
	CHECK_STR(o.dir, "/porteus");
	/* dracut: the squashfs image's file name in rd.live.dir */
	o = parse("root=live:CDLABEL=Fedora-WS-Live-39-1-5 rd.live.image rd.live.dir=LiveOS "
		  "rd.live.squashimg=fedora.img quiet rhgb");
	CHECK_STR(o.image, "fedora.img");
	CHECK_STR(o.dir, "/LiveOS");
	CHECK_STR(o.media, "LABEL=Fedora-WS-Live-39-1-5");
	/* the native forms; a path is not a file name */
	o = parse("live.image=base.sfs live.layers.skip=nvidia live.layers.optional=extra");
	CHECK_STR(o.image, "base.sfs");
	CHECK_STR(o.layers_skip, "nvidia");
	CHECK_STR(o.layers_optional, "extra");
	o = parse("rd.live.squashimg=/LiveOS/x.img");
	CHECK_STR(o.image, "");
	CHECK(strstr(o.unknown, "rd.live.squashimg") != NULL);
}

/* Every key of the native table (cmdline.c): a misspelt live.* key is answered with it,
 * and livestack(7) documents it (the man page is read from the source tree). */
TEST(cmdline_every_native_key_suggested_and_documented)
{
	static char man[200000];
	FILE *f = fopen("docs/livestack.7", "r");
	size_t n = f ? fread(man, 1, sizeof(man) - 1, f) : 0, i;

	CHECK(f != NULL && n > 1000);
	if (f)
		fclose(f);
	man[n] = '\0';
	CHECK(live_nkeys > 30);
	for (i = 0; i < live_nkeys; i++) {
		const char *key = live_keys[i].key;
		char typo[80], line[120], *p, *q;
		const char *near;
		struct live_cfg o;
		bool documented = false;

		/* the key as a word of its own in the page: "live.x", "live.x=" (\fB or .B) */
		for (p = man; (p = strstr(p, key)); p++) {
			char after = p[strlen(key)];
			char before = p == man ? ' ' : p[-1];

			if ((after == '=' || after == ' ' || after == '\n' || after == '\\' ||
			     after == '[' || after == ',') &&
			    (before == ' ' || before == 'B' || before == 'R' || before == '\n' || before == '"'))
				documented = true;
		}
		if (!documented)
			printf("#   %s is not in docs/livestack.7\n", key);
		CHECK(documented);
		if (strncmp(key, "live.", 5))
			continue;
		/* one letter doubled in the middle, past "live." */
		q = typo;
		for (p = (char *)key; *p; p++) {
			*q++ = *p;
			if (p - key == ((long)strlen(key) / 2 > 5 ? (long)strlen(key) / 2 : 5))
				*q++ = *p;
		}
		*q = '\0';
		near = alias_closest_native(typo);
		if (!near || strcmp(near, key))
			printf("#   %s: suggested %s, expected %s\n", typo, near ? near : "(none)", key);
		CHECK(near && !strcmp(near, key));
		/* and the parser says so */
		snprintf(line, sizeof(line), "%s=1", typo);
		cmdline_defaults(&o);
		cmdline_parse(&o, line);
		snprintf(typo + strlen(typo), sizeof(typo) - strlen(typo), "=1, did you mean %s", key);
		if (!strstr(o.warnings, typo))
			printf("#   %s: warnings \"%s\"\n", line, o.warnings);
		CHECK(strstr(o.warnings, typo) != NULL);
	}
}

int main(void)
{
	RUN(cmdline_defaults_apply);
	RUN(cmdline_native_keys);
	RUN(cmdline_hook_timeout);
	RUN(cmdline_quoted_values);
	RUN(cmdline_duplicates_last_wins);
	RUN(cmdline_bad_values_warn_and_keep_defaults);
	RUN(cmdline_unknown_live_word_suggests);
	RUN(cmdline_overlong_value_refused);
	RUN(cmdline_break_without_value);
	RUN(cmdline_hook_words_are_known);
	RUN(cmdline_ubuntu_casper_line);
	RUN(cmdline_live_boot_persistence_and_findiso);
	RUN(cmdline_network_aliases);
	RUN(cmdline_porteus_and_archiso_cow);
	RUN(cmdline_debian_live_boot_line);
	RUN(cmdline_live_media_timeout);
	RUN(cmdline_live_media_timeout_overflow);
	RUN(cmdline_dir_without_slash);
	RUN(cmdline_dir_given_or_not);
	RUN(cmdline_dracut_fedora_line);
	RUN(cmdline_archiso_and_knoppix);
	RUN(cmdline_foreign_boot_value_not_ours);
	RUN(cmdline_foreign_persistence_forms);
	RUN(cmdline_image_name_layer_selection_tohd);
	RUN(cmdline_every_native_key_suggested_and_documented);
	return HARNESS_END();
}
