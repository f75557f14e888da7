// SPDX-License-Identifier: GPL-2.0
/* Boot parameters of other live systems (live-boot, dracut, Knoppix, Porteus, archiso, casper) as native ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live.h"

enum alias_kind {
	AL_IGNORE,	/* recognised, nothing to do (boot=live) */
	AL_MEDIA,	/* value is a device, LABEL= or UUID= */
	AL_MEDIA_LABEL,	/* value is a bare label */
	AL_DIR,
	AL_TIMEOUT,
	AL_TORAM,
	AL_UNION,
	AL_DEBUG,
	AL_BREAK,
	AL_DRACUT_ROOT,	/* root=live:... */
	AL_PERSIST,	/* value (or none: auto) is a live.persist= value */
	AL_PERSIST_LABEL, /* value is a bare label of the persistence fs */
	AL_NOPERSIST,
	AL_ISO,		/* value is the ISO file's path */
	AL_IP,		/* the kernel's ip=: dhcp or the static form */
	AL_FETCH,	/* URL of a layer, or of a directory with layers.list */
	AL_NETBOOT,	/* netboot=nfs */
	AL_NFSROOT,	/* SERVER:/PATH */
	AL_FROM,	/* Porteus/Slax from=: a device, an ISO file, or a directory */
	AL_MEDIA_UUID,	/* value is a bare UUID */
	AL_RAMSIZE,
	AL_PERSIST_SIZE,
	AL_COW_LABEL,	/* archiso: label of the persistence fs, branch in cow_directory= */
	AL_PERSIST_DIR,	/* archiso's cow_directory= */
	AL_PERSIST_PATH, /* live-boot's persistence-path= */
	AL_CHANGES,	/* Porteus/Slax changes=: a device, directory or image file */
	AL_PERSIST_RO,	/* the persistence is read-only, writes go to RAM */
	AL_IMAGE,	/* the layer image's file name in the layers' directory */
	AL_NOLOAD,	/* Porteus noload=a;b: layers whose names contain these are skipped */
	AL_LOAD,	/* Porteus load=a;b: layers from optional/ whose names contain these */
	AL_TOHD,	/* Knoppix tohd=: live.todisk= */
};

struct alias {
	const char *key;
	int val;	/* 1: needs a value, 0: a flag, -1: either */
	enum alias_kind kind;
	const char *origin;
};

/* Documented in docs/livestack.7, "COMPATIBILITY"; keep the two in step. */
static const struct alias aliases[] = {
	{ "boot",		1, AL_IGNORE,	"live-boot/casper" },
	{ "live-media",		1, AL_MEDIA,	"live-boot" },
	{ "live-media-path",	1, AL_DIR,	"live-boot" },
	{ "live-media-timeout",	1, AL_TIMEOUT,	"live-boot" },
	{ "toram",		-1, AL_TORAM,	"live-boot/Knoppix/casper" },
	{ "union",		1, AL_UNION,	"live-boot" },
	{ "debug",		-1, AL_DEBUG,	"live-boot" },
	{ "break",		-1, AL_BREAK,	"live-boot" },
	{ "root",		1, AL_DRACUT_ROOT, "dracut" },
	{ "rd.live.image",	0, AL_IGNORE,	"dracut" },
	{ "rd.live.dir",	1, AL_DIR,	"dracut" },
	{ "rd.live.ram",	-1, AL_TORAM,	"dracut" },
	{ "rd.break",		-1, AL_BREAK,	"dracut" },
	{ "rd.debug",		0, AL_DEBUG,	"dracut" },
	{ "knoppix_dir",	1, AL_DIR,	"Knoppix" },
	{ "bootfrom",		1, AL_MEDIA,	"Knoppix" },
	{ "copy2ram",		0, AL_TORAM,	"Porteus/Slax" },
	{ "archisobasedir",	1, AL_DIR,	"archiso" },
	{ "archisolabel",	1, AL_MEDIA_LABEL, "archiso" },
	{ "copytoram",		-1, AL_TORAM,	"archiso" },
	{ "persistence",	0, AL_PERSIST,	"live-boot/casper" },
	{ "persistent",		0, AL_PERSIST,	"casper" },
	{ "persistence-label",	1, AL_PERSIST_LABEL, "live-boot" },
	{ "nopersistence",	0, AL_NOPERSIST, "live-boot" },
	{ "rd.live.overlay",	1, AL_PERSIST,	"dracut" },
	{ "cow_label",		1, AL_COW_LABEL, "archiso" },
	{ "cow_directory",	1, AL_PERSIST_DIR, "archiso" },
	{ "persistence-path",	1, AL_PERSIST_PATH, "live-boot" },
	{ "persistent-path",	1, AL_PERSIST_PATH, "casper" },
	{ "changes",		1, AL_CHANGES,	"Porteus/Slax" },
	{ "findiso",		1, AL_ISO,	"live-boot" },
	{ "iso-scan/filename",	1, AL_ISO,	"dracut/casper" },
	{ "ip",			1, AL_IP,	"kernel/live-boot/dracut" },
	{ "fetch",		1, AL_FETCH,	"live-boot" },
	{ "archiso_http_srv",	1, AL_FETCH,	"archiso" },
	{ "netboot",		1, AL_NETBOOT,	"live-boot" },
	{ "nfsroot",		1, AL_NFSROOT,	"live-boot/kernel" },
	{ "from",		1, AL_FROM,	"Porteus/Slax" },
	{ "fromhd",		1, AL_MEDIA,	"Knoppix" },
	{ "archisosearchuuid",	1, AL_MEDIA_UUID, "archiso" },
	{ "cow_spacesize",	1, AL_RAMSIZE,	"archiso" },
	{ "rd.live.overlay.size", 1, AL_PERSIST_SIZE, "dracut" },
	{ "rd.live.overlay.readonly", -1, AL_PERSIST_RO, "dracut" },
	{ "rd.shell",		-1, AL_IGNORE,	"dracut (a failed boot always offers a shell)" },
	{ "knoppix_name",	1, AL_IMAGE,	"Knoppix" },
	{ "rd.live.squashimg",	1, AL_IMAGE,	"dracut" },
	{ "noload",		1, AL_NOLOAD,	"Porteus" },
	{ "load",		1, AL_LOAD,	"Porteus" },
	{ "tohd",		1, AL_TOHD,	"Knoppix" },
};

/* live-boot's and dracut's break points, as our phase names. */
static const char *break_phase(const char *v)
{
	static const char *const map[][2] = {
		{ "top", "init-top" }, { "cmdline", "init-top" }, { "pre-udev", "modules" },
		{ "modules", "modules" }, { "premount", "premount" }, { "pre-mount", "premount" },
		{ "initqueue", "premount" }, { "mount", "mount" }, { "mountroot", "mount" },
		{ "pre-pivot", "bottom" }, { "bottom", "bottom" }, { "init", "bottom" },
		{ "cleanup", "bottom" },
	};
	size_t i;

	if (!*v)
		return "premount";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(v, map[i][0]))
			return map[i][1];
	return v;
}

static void set(char *dst, size_t len, const char *val)
{
	if (strlen(val) < len)
		memcpy(dst, val, strlen(val) + 1);
}

/* Porteus' changes=: /dev/sdXN, /dev/sdXN/dir, /mnt/sdXN/dir (Porteus' own mount points),
 * /dir (any partition), LABEL:x/dir, UUID:x/dir, a bare label; the path is a directory
 * (the branch itself) or an image file (save.dat), whichever is there. EXIT: saves at
 * shutdown: not ours. Non-zero = not understood. */
static int alias_changes(struct live_cfg *o, const char *v)
{
	const char *rest = NULL;
	char dev[LIVE_PATH_MAX];

	if (!*v || !strncmp(v, "EXIT:", 5))
		return -1;
	if (!strncmp(v, "/dev/", 5) || !strncmp(v, "/mnt/", 5)) {
		rest = strchr(v + 5, '/');
		snprintf(dev, sizeof(dev), "/dev/%.*s", (int)(rest ? rest - v - 5 : 200), v + 5);
	} else if (!strncmp(v, "LABEL:", 6) || !strncmp(v, "UUID:", 5)) {
		size_t k = strcspn(v, ":");

		rest = strchr(v + k + 1, '/');
		snprintf(dev, sizeof(dev), "%.*s=%.*s", (int)k, v, (int)(rest ? rest - v - k - 1 : 200),
			 v + k + 1);
	} else {
		set(o->persist, sizeof(o->persist), v);
		return 0;
	}
	if (rest && strcmp(rest, "/"))
		snprintf(o->persist, sizeof(o->persist), "%.120s:%.120s", dev, rest);
	else
		set(o->persist, sizeof(o->persist), dev);
	return 0;
}

/* live-media-timeout=N: 1-3600 seconds, like live.timeout=; else a warning (atoi took
 * 99999999999 as a 38-year wait). */
static void set_timeout(struct live_cfg *o, const char *key, const char *val)
{
	char *end, msg[160];
	long t = strtol(val, &end, 10);
	size_t used = strlen(o->warnings);

	if (*val && !*end && t > 0 && t <= 3600) {
		o->timeout = (int)t;
		return;
	}
	snprintf(msg, sizeof(msg), "%s%s=%.40s: not a number of seconds (1-3600), keeping %d;",
		 used ? " " : "", key, val, o->timeout);
	if (used + strlen(msg) < sizeof(o->warnings))
		memcpy(o->warnings + used, msg, strlen(msg) + 1);
}

/* Porteus' a;b (or a,b) list appended to a comma list. */
static void add_list(char *dst, size_t len, const char *val)
{
	size_t used = strlen(dst), i;

	if (!*val || used + 1 + strlen(val) >= len)
		return;
	if (used)
		dst[used++] = ',';
	for (i = 0; val[i]; i++)
		dst[used++] = val[i] == ';' ? ',' : val[i];
	dst[used] = '\0';
}

int alias_apply(struct live_cfg *o, const char *key, const char *val, bool has_val)
{
	const struct alias *a = NULL;
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(aliases[i].key, key)) {
			a = &aliases[i];
			break;
		}
	}
	if (!a || (a->val == 1 && !has_val) || (a->val == 0 && has_val))
		return 0;

	switch (a->kind) {
	case AL_IGNORE:
		/* boot=live|casper only; other boot= values are not ours */
		if (!strcmp(key, "boot") && strcmp(val, "live") && strcmp(val, "casper"))
			return 0;
		break;
	case AL_MEDIA:
		set(o->media, sizeof(o->media), val);
		break;
	case AL_MEDIA_LABEL:
		snprintf(o->media, sizeof(o->media), "LABEL=%.200s", val);
		break;
	case AL_DIR:
		o->dir_set = true;
		if (*val == '/')
			set(o->dir, sizeof(o->dir), val);
		else
			snprintf(o->dir, sizeof(o->dir), "/%.250s", val);
		break;
	case AL_TIMEOUT:
		set_timeout(o, key, val);
		break;
	case AL_TORAM:
		o->toram = true;
		break;
	case AL_UNION:
		if (!strcmp(val, "aufs") || !strcmp(val, "overlay"))
			set(o->unionfs, sizeof(o->unionfs), val);
		break;
	case AL_DEBUG:
		o->debug = true;
		break;
	case AL_BREAK:
		set(o->brk, sizeof(o->brk), break_phase(has_val ? val : ""));
		break;
	case AL_PERSIST:
		/* Porteus' changes=EXIT:... saves at shutdown: not ours */
		if (has_val && (!strncmp(val, "EXIT:", 5) || !*val))
			return 0;
		set(o->persist, sizeof(o->persist), has_val ? val : "auto");
		break;
	case AL_PERSIST_LABEL:
		snprintf(o->persist, sizeof(o->persist), "LABEL=%.200s", val);
		break;
	case AL_COW_LABEL:
		snprintf(o->persist, sizeof(o->persist), "LABEL=%.200s", val);
		set(o->persist_fmt, sizeof(o->persist_fmt), "archiso");
		break;
	case AL_PERSIST_DIR:
	case AL_PERSIST_PATH: {
		char *dst = a->kind == AL_PERSIST_DIR ? o->persist_dir : o->persist_path;
		size_t n = strlen(val);

		while (n > 1 && val[n - 1] == '/')
			n--;
		snprintf(dst, LIVE_PATH_MAX, "%s%.*s", *val == '/' ? "" : "/",
			 (int)(n < 200 ? n : 200), val);
		break;
	}
	case AL_CHANGES:
		if (alias_changes(o, val))
			return 0;
		set(o->persist_fmt, sizeof(o->persist_fmt), "porteus");
		break;
	case AL_NOPERSIST:
		o->persist[0] = '\0';
		break;
	case AL_ISO:
		set(o->iso, sizeof(o->iso), val);
		break;
	case AL_DRACUT_ROOT:
		if (strncmp(val, "live:", 5))
			return 0;
		val += 5;
		if (!strncmp(val, "http://", 7) || !strncmp(val, "https://", 8)) {
			set(o->fetch, sizeof(o->fetch), val);
			break;
		}
		if (!strncmp(val, "CDLABEL=", 8))
			snprintf(o->media, sizeof(o->media), "LABEL=%.200s", val + 8);
		else
			set(o->media, sizeof(o->media), val);
		/* dracut's layout: /LiveOS/squashfs.img */
		if (!strcmp(o->dir, LIVE_DIR_DEFAULT))
			set(o->dir, sizeof(o->dir), "/LiveOS");
		break;
	case AL_IP:
		/* ip=off/none: the kernel's "no autoconfiguration" */
		if (!strcmp(val, "off") || !strcmp(val, "none"))
			o->net[0] = '\0';
		else
			set(o->net, sizeof(o->net), !strcmp(val, "bootp") || !strcmp(val, "any") ||
			    !strcmp(val, "on") || !strcmp(val, "both") ? "dhcp" : val);
		break;
	case AL_FETCH:
		set(o->fetch, sizeof(o->fetch), val);
		break;
	case AL_NETBOOT:
		if (strcmp(val, "nfs"))
			return 0;
		if (!*o->net)
			set(o->net, sizeof(o->net), "dhcp");
		break;
	case AL_FROM: {
		size_t len = strlen(val);

		if (!strncmp(val, "/dev/", 5))
			set(o->media, sizeof(o->media), val);
		else if (len > 4 && !strcasecmp(val + len - 4, ".iso"))
			set(o->iso, sizeof(o->iso), val);
		else if (*val == '/')
			set(o->dir, sizeof(o->dir), val);
		else
			return 0;
		break;
	}
	case AL_MEDIA_UUID:
		snprintf(o->media, sizeof(o->media), "UUID=%.200s", val);
		break;
	case AL_RAMSIZE:
		set(o->ramsize, sizeof(o->ramsize), val);
		break;
	case AL_PERSIST_SIZE:
		/* dracut gives MiB as a bare number */
		if (strspn(val, "0123456789") == strlen(val))
			snprintf(o->persist_size, sizeof(o->persist_size), "%.20sM", val);
		else
			set(o->persist_size, sizeof(o->persist_size), val);
		break;
	case AL_PERSIST_RO:
		/* dracut writes rd.live.overlay.readonly=1 */
		o->persist_ro = !has_val || strcmp(val, "0");
		break;
	case AL_IMAGE:
		if (!*val || strchr(val, '/'))
			return 0;
		set(o->image, sizeof(o->image), val);
		break;
	case AL_NOLOAD:
		add_list(o->layers_skip, sizeof(o->layers_skip), val);
		break;
	case AL_LOAD:
		add_list(o->layers_optional, sizeof(o->layers_optional), val);
		break;
	case AL_TOHD:
		set(o->todisk, sizeof(o->todisk), val);
		break;
	case AL_NFSROOT:
		/* the kernel's nfsroot=[SERVER:]PATH[,options]: options are not ours */
		snprintf(o->nfs, sizeof(o->nfs), "%.*s", (int)strcspn(val, ","), val);
		break;
	}
	return 1;
}

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *alias_closest_native(const char *word)
{
	const char *best = NULL;
	size_t i, d, bestd = 4;	/* farther than 3 edits is no suggestion */

	/* the native keys' table (cmdline.c); "init" and "quiet" are not live.* words */
	for (i = 0; i < live_nkeys; i++) {
		if (strncmp(live_keys[i].key, "live.", 5))
			continue;
		d = distance(word, live_keys[i].key);
		if (d < bestd) {
			bestd = d;
			best = live_keys[i].key;
		}
	}
	return best;
}
