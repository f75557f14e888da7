// SPDX-License-Identifier: GPL-2.0
/* Host tests of init/persist_foreign.c: the whiteout scan (aufs, overlayfs, mixed, the
 * skipped workdir and lost+found), live-boot's persistence.conf lines and the image file
 * names looked for (persistence-path=). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fileio.h"
#include "harness.h"
#include "live.h"
#include "log.h"
#include "persist_foreign.h"

static char top[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	file_mkdirs(p, 0755);
}

static int dev00(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return mknod(p, S_IFCHR | 0600, makedev(0, 0));
}

static void scan(const char *rel, const char *skip, struct foreign_wh *w)
{
	char p[512], s[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	snprintf(s, sizeof(s), "%s/%s", top, skip ? skip : "");
	foreign_scan(p, skip ? s : NULL, w);
}

TEST(foreign_scan_aufs_overlay_mixed)
{
	struct foreign_wh w;

	dir("a/etc/sub");
	put("a/etc/motd", "x");
	put("a/etc/.wh.group", "");
	put("a/etc/sub/.wh..wh..opq", "");
	scan("a", NULL, &w);
	CHECK_EQ(w.aufs, 2);
	CHECK_EQ(w.overlay, 0);
	CHECK(strstr(w.first_aufs, "/a/etc/") != NULL);

	dir("o/upper/etc");
	dir("o/work/work");
	put("o/upper/etc/motd", "x");
	if (getuid() == 0) {
		CHECK_EQ(dev00("o/upper/etc/group"), 0);
		dir("o/upper/opq");
		CHECK_EQ(setxattr(strcat(strcpy((char[512]){ 0 }, top), "/o/upper/opq"),
				  "trusted.overlay.opaque", "y", 1, 0), 0);
		scan("o/upper", NULL, &w);
		CHECK_EQ(w.overlay, 2);
		CHECK_EQ(w.aufs, 0);
		/* a workdir inside the tree is not looked at; lost+found neither */
		dir("o/upper/work");
		dir("o/upper/lost+found");
		CHECK_EQ(dev00("o/upper/work/x"), 0);
		put("o/upper/lost+found/.wh.stale", "");
		scan("o/upper", "o/upper/work", &w);
		CHECK_EQ(w.overlay, 2);
		CHECK_EQ(w.aufs, 0);
		/* both kinds */
		put("o/upper/etc/.wh.passwd", "");
		scan("o/upper", NULL, &w);
		CHECK(w.aufs == 1 && w.overlay == 3);
	}
	dir("e");
	scan("e", NULL, &w);
	CHECK(w.aufs == 0 && w.overlay == 0);
}

TEST(foreign_conf_lines)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	char conf[512];

	snprintf(conf, sizeof(conf), "%s/persistence.conf", top);
	put("persistence.conf", "# live-boot\n/ union\n/home bind,source=homedata\n/var/cache\n"
	    "/opt link\n/srv union\n/usr bind,source=../etc\n/lib/live/x bind\n"
	    "/data bind,source=.\n/x bind,frob\n\n");
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	CHECK(foreign_conf(&ctx, conf, "/mnt/p"));
	CHECK_EQ(ctx.nbinds, 3);
	CHECK_STR(ctx.binds[0].dest, "/home");
	CHECK_STR(ctx.binds[0].src, "/mnt/p/homedata");
	CHECK_STR(ctx.binds[1].dest, "/var/cache");
	CHECK_STR(ctx.binds[1].src, "/mnt/p/var/cache");
	CHECK_STR(ctx.binds[2].dest, "/data");
	CHECK_STR(ctx.binds[2].src, "/mnt/p/");

	put("persistence.conf", "/home bind\n/ bind\n/ union,source=sub\n");
	CHECK(!foreign_conf(&ctx, conf, "/mnt/p"));
	CHECK_EQ(ctx.nbinds, 1);
	put("persistence.conf", "/ union,source=.\n");
	CHECK(foreign_conf(&ctx, conf, "/mnt/p"));
	CHECK_EQ(ctx.nbinds, 0);
}

/* "//" bound the persistence over the new root's /, "//lib/live" passed the /lib refusal,
 * and a source cut at 140 bytes could end in ".." or name another directory. */
TEST(foreign_conf_hostile_paths)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	char conf[512], text[1200], longsrc[400];

	snprintf(conf, sizeof(conf), "%s/persistence.conf", top);
	put("persistence.conf", "//\n// bind\n//lib/live bind\n/lib//live/x bind\n//lib/ bind\n"
	    "/usr/ bind,source=a//b/\n/var bind,source=//etc\n///home//user/ bind\n");
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	CHECK(!foreign_conf(&ctx, conf, "/mnt/p"));
	CHECK_EQ(ctx.nbinds, 2);
	CHECK_STR(ctx.binds[0].dest, "/usr");
	CHECK_STR(ctx.binds[0].src, "/mnt/p/a/b");
	CHECK_STR(ctx.binds[1].dest, "/home/user");
	CHECK_STR(ctx.binds[1].src, "/mnt/p/home/user");
	for (size_t i = 0; i < ctx.nbinds; i++)
		CHECK(strcmp(ctx.binds[i].dest, "/") && strncmp(ctx.binds[i].dest, "/lib", 4));
	/* "// union" is the whole root, as "/ union" */
	put("persistence.conf", "// union\n");
	CHECK(foreign_conf(&ctx, conf, "/mnt/p"));
	/* 137 a's then "/..x" is safe; cut at 140 bytes it ended in "/..", the parent */
	memset(longsrc, 'a', 137);
	snprintf(longsrc + 137, sizeof(longsrc) - 137, "/..x");
	snprintf(text, sizeof(text), "/x bind,source=%s\n", longsrc);
	put("persistence.conf", text);
	CHECK(!foreign_conf(&ctx, conf, "/mnt/p"));
	CHECK_EQ(ctx.nbinds, 1);
	CHECK_EQ(strlen(ctx.binds[0].src), strlen("/mnt/p/") + 141);
	CHECK(!strcmp(ctx.binds[0].src + strlen(ctx.binds[0].src) - 4, "/..x"));
	/* a long, safe source is kept whole or refused, never cut */
	memset(longsrc, 'b', 300);
	longsrc[300] = '\0';
	snprintf(text, sizeof(text), "/y bind,source=%s\n", longsrc);
	put("persistence.conf", text);
	foreign_conf(&ctx, conf, "/mnt/p");
	CHECK_EQ(ctx.nbinds, 0);
	memset(longsrc, 'c', 200);
	longsrc[200] = '\0';
	snprintf(text, sizeof(text), "/z bind,source=%s\n", longsrc);
	put("persistence.conf", text);
	foreign_conf(&ctx, conf, "/mnt/p");
	CHECK_EQ(ctx.nbinds, 1);
	CHECK_EQ(strlen(ctx.binds[0].src), strlen("/mnt/p/") + 200);
}

static bool has(char (*names)[LIVE_PATH_MAX], size_t n, const char *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], want))
			return true;
	return false;
}

/* the image files live.persist=auto looks for, with and without persistence-path= */
TEST(foreign_files_names)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	char names[12][LIVE_PATH_MAX];
	size_t n, i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	n = foreign_files(&ctx, names, 12);
	CHECK(has(names, n, "/persistence") && has(names, n, "/persistence.img"));
	CHECK(has(names, n, "/casper-rw") && has(names, n, "/writable"));
	CHECK(has(names, n, "/knoppix-data.img") && has(names, n, "/KNOPPIX/knoppix-data.img"));

	snprintf(cfg.persist_path, sizeof(cfg.persist_path), "/debian12");
	n = foreign_files(&ctx, names, 12);
	CHECK(has(names, n, "/debian12/persistence") && has(names, n, "/debian12/writable"));
	for (i = 0; i < n; i++)
		CHECK(!strncmp(names[i], "/debian12/", 10));

	snprintf(cfg.persist_path, sizeof(cfg.persist_path), "/");
	n = foreign_files(&ctx, names, 12);
	CHECK(has(names, n, "/persistence") && !has(names, n, "//persistence"));
	/* a short list is cut, never overrun */
	CHECK_EQ(foreign_files(&ctx, names, 2), 2);
}

/* a layout's directory is named whole or refused: set_path cut it at 200 bytes, so upper/
 * was made beside it, in another directory */
TEST(foreign_layout_long_dir)
{
	static struct live_cfg cfg;
	static struct live_ctx ctx = { .cfg = &cfg };
	static struct foreign_layout l;
	char why[512], p[LIVE_PATH_MAX];

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	snprintf(cfg.persist_fmt, sizeof(cfg.persist_fmt), "livestack");
	snprintf(ctx.persist_dir, sizeof(ctx.persist_dir), "/changes");
	CHECK_EQ(foreign_find_layout(&ctx, top, &l, why, sizeof(why)), 0);
	snprintf(p, sizeof(p), "%s/changes/upper", top);
	CHECK_STR(l.upper, p);
	/* 216 bytes under a 24-byte mount: the old cut made upper/ beside it; it fits whole */
	memset(ctx.persist_dir, 'd', 216);
	ctx.persist_dir[0] = '/';
	ctx.persist_dir[216] = '\0';
	memset(&l, 0, sizeof(l));
	CHECK_EQ(foreign_find_layout(&ctx, top, &l, why, sizeof(why)), 0);
	snprintf(p, sizeof(p), "%s%s/upper", top, ctx.persist_dir);
	CHECK_STR(l.upper, p);
	/* 240 bytes: /upperdir would not fit, refused by name */
	memset(ctx.persist_dir, 'd', 240);
	ctx.persist_dir[0] = '/';
	ctx.persist_dir[240] = '\0';
	memset(&l, 0, sizeof(l));
	CHECK_EQ(foreign_find_layout(&ctx, top, &l, why, sizeof(why)), -ENAMETOOLONG);
	CHECK(strstr(why, "is too long (240 bytes)") != NULL);
}

int main(void)
{
	char cmd[300];
	int rc;

	log_setup(false, true, false);
	snprintf(top, sizeof(top), "%s/test_foreign.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top))
		return 1;
	RUN(foreign_scan_aufs_overlay_mixed);
	RUN(foreign_conf_lines);
	RUN(foreign_conf_hostile_paths);
	RUN(foreign_files_names);
	RUN(foreign_layout_long_dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	rc = system(cmd);
	(void)rc;
	return HARNESS_END();
}
