// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: peers' persistence layouts as init/persist_foreign.c finds them on a stick
 * (foreign_find_layout: live-boot, casper, Knoppix, archiso, Porteus, livestack), then the
 * whiteout scan of the branch found (foreign_scan) and the image names looked for.
 * Input: byte 0 picks the format the boot line implies and live.union=; then lines: the
 * filesystem's label, persist_what ("/dev/sdb1:/casper-rw"), changes=/live.persist.dir,
 * live.media=, persistence-path=; then one tree entry a line, made in a scratch directory:
 * "d PATH" directory, "f PATH" empty file, "c PATH" the text after the input's first NUL
 * (a persistence.conf), "o PATH" directory marked opaque, "n PATH" 0/0 char device (root),
 * "s PATH TARGET" relative symbolic link. No ".." anywhere: the tree stays in the scratch.
 */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "fileio.h"
#include "fuzz.h"
#include "log.h"
#include "persist_foreign.h"

static char mnt[64];

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *f)
{
	(void)s, (void)flag;
	if (f->level > 0)
		remove(p);
	return 0;
}

/* no "." / ".." element, relative, short */
static bool tame(const char *p)
{
	return *p && *p != '/' && fuzz_path_tame(p);
}

static void make(char *line, const char *conf, size_t conflen)
{
	char path[320], *arg, *target;

	if (strlen(line) < 3 || line[1] != ' ')
		return;
	arg = line + 2;
	target = line[0] == 's' ? strchr(arg, ' ') : NULL;
	if (target)
		*target++ = '\0';
	if (strlen(arg) > 200 || !tame(arg) || (line[0] == 's' && (!target || !tame(target))))
		return;
	snprintf(path, sizeof(path), "%s/%s", mnt, arg);
	switch (line[0]) {
	case 'd':
	case 'o':
		file_mkdirs(path, 0755);
		if (line[0] == 'o')
			setxattr(path, "trusted.overlay.opaque", "y", 1, 0);
		break;
	case 'f':
		fuzz_file(path, (const uint8_t *)"", 0);
		break;
	case 'c':
		fuzz_file(path, (const uint8_t *)conf, conflen);
		break;
	case 'n':
		mknod(path, S_IFCHR | 0600, makedev(0, 0));
		break;
	case 's':
		if (symlink(target, path) < 0)
			break;
		break;
	}
}

/* under (or at) dir, with no ".." element */
static bool inside(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(p, dir, n) && (!p[n] || (p[n] == '/' && (!p[n + 1] || tame(p + n + 1))));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmts[] = { "", "live-boot", "casper", "knoppix", "archiso",
					    "porteus", "livestack", "" };
	static const char *const unions[] = { "", "aufs", "overlay", "auto" };
	static struct live_cfg cfg;
	static struct live_ctx ctx;
	static struct foreign_layout l;
	static char files[8][LIVE_PATH_MAX];
	const uint8_t *z;
	char *text, *line, *save, why[512];
	const char *conf = "";
	size_t conflen = 0, i;
	int err;

	if (!size)
		return 0;
	z = memchr(data + 1, 0, size - 1);
	if (z) {
		conf = (const char *)z + 1;
		conflen = size - (size_t)(z + 1 - data);
	}
	text = fuzz_str(data + 1, (z ? (size_t)(z - data) : size) - 1);
	if (!text)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	memset(&ctx, 0, sizeof(ctx));
	memset(&l, 0, sizeof(l));
	ctx.cfg = &cfg;
	snprintf(cfg.persist_fmt, sizeof(cfg.persist_fmt), "%s", fmts[data[0] & 7]);
	snprintf(cfg.unionfs, sizeof(cfg.unionfs), "%s", unions[(data[0] >> 3) & 3]);
	save = text;
	line = strsep(&save, "\n");
	for (i = 0; line && i < 5; i++, line = strsep(&save, "\n")) {
		if (i == 0)
			snprintf(ctx.persist_label, sizeof(ctx.persist_label), "%s", line);
		else if (i == 1)
			snprintf(ctx.persist_what, sizeof(ctx.persist_what), "%s", line);
		/* the boot line's values as cmdline.c/alias.c leave them: absolute; no ".." */
		else if (i == 2 && tame(line + (*line == '/')))
			snprintf(ctx.persist_dir, sizeof(ctx.persist_dir), "/%.253s",
				 line + (*line == '/'));
		else if (i == 3 && !strchr(line, '/'))
			snprintf(cfg.media, sizeof(cfg.media), "%s", line);
		else if (i == 4 && tame(line + (*line == '/')))
			snprintf(cfg.persist_path, sizeof(cfg.persist_path), "/%.200s",
				 line + (*line == '/'));
	}
	for (; line; line = strsep(&save, "\n"))
		make(line, conf, conflen);
	free(text);

	for (i = foreign_files(&ctx, files, 8); i-- > 0;)
		if (files[i][0] != '/' || strlen(files[i]) >= LIVE_PATH_MAX)
			abort();
	err = foreign_find_layout(&ctx, mnt, &l, why, sizeof(why));
	if (err == 0) {
		/* the branch and the workdir lie in the directory found, on the stick */
		if (!inside(l.base, mnt) || !inside(l.upper, l.base) ||
		    (*l.work && !inside(l.work, l.base)) || !l.format || !l.native)
			abort();
		if (!l.scanned)
			foreign_scan(l.upper, *l.work && !strncmp(l.work, l.upper, strlen(l.upper)) ?
				     l.work : NULL, &l.wh);
		if (l.wh.aufs && !inside(l.wh.first_aufs, l.upper))
			abort();
	} else if (err == 1) {
		for (i = 0; i < ctx.nbinds; i++)
			if (!inside(ctx.binds[i].src, l.base))
				abort();
	} else if (err > 1 || !*why) {
		abort();
	}
	nftw(mnt, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void cleanup(void)
{
	nftw(mnt, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(mnt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_setup(false, true, false);
	snprintf(mnt, sizeof(mnt), "/tmp/fuzz_layout.XXXXXX");
	if (!mkdtemp(mnt))
		abort();
	atexit(cleanup);
	return 0;
}
