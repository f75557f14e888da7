// SPDX-License-Identifier: GPL-2.0
/*
 * Persistence of other live systems: once persist.c has the persistence filesystem on
 * /run/live/rw, find whose it is (live-boot, casper, archiso, Porteus/Slax, Knoppix or
 * livestack's own), where the changes are on it, which whiteouts they carry, and so which
 * union can stack them. live-boot's persistence.conf bind lines are mounted after the union.
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "persist_foreign.h"
#include "spawn.h"

/* live-boot's persistence fs when it only holds bind lines (the rw branch is a tmpfs) */
#define FOREIGN_BIND_MNT	"/run/live/persistence"
/* the whiteout scan stops after this many entries (boot time on huge trees) */
#define FOREIGN_SCAN_MAX	50000

const char *live_rw_upper(const struct live_ctx *ctx)
{
	return *ctx->rw_upper ? ctx->rw_upper : LIVE_RW_UPPER;
}

const char *live_rw_work(const struct live_ctx *ctx)
{
	return *ctx->rw_upper ? ctx->rw_work : LIVE_RW_WORK;
}

/* Image file names live.persist=auto looks for, each under persistence-path= (or /). */
size_t foreign_files(const struct live_ctx *ctx, char (*out)[LIVE_PATH_MAX], size_t max)
{
	/* casper's file was casper-rw, "writable" since Ubuntu 19.10 */
	static const char *const names[] = { LIVE_PERSIST_FILES, "persistence", "casper-rw",
					     "writable" };
	const char *dir = ctx->cfg->persist_path;
	size_t i, n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < max; i++)
		snprintf(out[n++], LIVE_PATH_MAX, "%.120s/%s", strcmp(dir, "/") ? dir : "", names[i]);
	/* Knoppix keeps its image beside the compressed system */
	if (n < max && !*dir)
		snprintf(out[n++], LIVE_PATH_MAX, "/KNOPPIX/knoppix-data.img");
	return n;
}

static bool is_dir(const char *path)
{
	struct stat s;

	return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

/* the last path component of "/dev/sdb1:/dir/casper-rw" */
static bool named(const struct live_ctx *ctx, const char *name)
{
	const char *slash = strrchr(ctx->persist_what, '/');
	const char *colon = strchr(ctx->persist_what, ':');

	return (colon && slash && !strcasecmp(slash + 1, name)) ||
	       !strcasecmp(ctx->persist_label, name);
}

static void note(char *first, const char *path, unsigned long *n)
{
	if (!(*n)++)
		snprintf(first, LIVE_PATH_MAX, "%s", path);
}

/* One directory: its entries, then its subdirectories (same filesystem only). */
static void scan_dir(const char *path, dev_t dev, int depth, struct foreign_wh *w)
{
	char sub[LIVE_PATH_MAX], v[4];
	struct dirent *d;
	struct stat s;
	DIR *dh;

	if (depth > 64 || !(dh = opendir(path)))
		return;
	while ((d = readdir(dh)) && w->entries < FOREIGN_SCAN_MAX) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		w->entries++;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name) >= (int)sizeof(sub) ||
		    lstat(sub, &s) < 0)
			continue;
		if (!depth && !strcmp(d->d_name, "lost+found"))
			continue;
		if (w->skip && !strcmp(sub, w->skip))
			continue;
		if (!strncmp(d->d_name, ".wh.", 4)) {
			note(w->first_aufs, sub, &w->aufs);
		} else if (S_ISCHR(s.st_mode) && s.st_rdev == 0) {
			note(w->first_overlay, sub, &w->overlay);
		} else if (S_ISDIR(s.st_mode) && s.st_dev == dev) {
			if (lgetxattr(sub, "trusted.overlay.opaque", v, sizeof(v)) > 0)
				note(w->first_overlay, sub, &w->overlay);
			scan_dir(sub, dev, depth + 1, w);
		}
	}
	closedir(dh);
}

void foreign_scan(const char *dir, const char *skip, struct foreign_wh *w)
{
	struct stat s;

	memset(w, 0, sizeof(*w));
	w->skip = skip;
	if (stat(dir, &s) == 0)
		scan_dir(dir, s.st_dev, 0, w);
}

/* live-boot's persistence.conf: "DEST [OPTIONS]" lines; "/ union" is the root union,
 * "DIR bind[,source=SRC]" (or no options) a bind mount; anything else is named and skipped. */
struct conf_state {
	struct live_ctx *ctx;
	bool root_union;		/* "/ union" seen */
	const char *mnt;		/* where the persistence fs is */
	int lineno;
};

/* No "." or ".." element; a path too long to check whole is not safe either. */
static bool path_safe(const char *p)
{
	char copy[LIVE_PATH_MAX], *tok, *save;

	if (strlen(p) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", p);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (!strcmp(tok, ".") || !strcmp(tok, ".."))
			return false;
	return true;
}

/* "//lib//live/" as "/lib/live": one slash between elements, none at the end (but "/"). */
static void squash_slashes(char *p)
{
	char *w = p;
	const char *r;

	for (r = p; *r; r++)
		if (*r != '/' || w == p || w[-1] != '/')
			*w++ = *r;
	if (w - p > 1 && w[-1] == '/')
		w--;
	*w = '\0';
}

static int conf_line(void *arg, char *line)
{
	struct conf_state *cs = arg;
	struct live_ctx *ctx = cs->ctx;
	char *dest, *opts, *opt, *save, *hash = strchr(line, '#');
	const char *source = NULL;
	bool is_union = false, bad = false;
	struct live_bind *b;

	cs->lineno++;
	if (hash)
		*hash = '\0';
	dest = strtok_r(line, " \t\r\n", &save);
	if (!dest)
		return 0;
	opts = strtok_r(NULL, " \t\r\n", &save);
	for (opt = opts ? strtok_r(opts, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		if (!strcmp(opt, "union"))
			is_union = true;
		else if (!strcmp(opt, "bind"))
			is_union = false;
		else if (!strncmp(opt, "source=", 7))
			source = opt + 7;
		else {
			log_warn("persistence.conf line %d (%s): option \"%s\" is not supported "
				 "by livestack, line skipped", cs->lineno, dest, opt);
			bad = true;
		}
	}
	if (bad)
		return 0;
	/* "//" is "/" (not a bind over the root), "//lib/live" is /lib/live */
	squash_slashes(dest);
	if (source)
		squash_slashes((char *)source);
	if (dest[0] != '/' || !path_safe(dest) || !strncmp(dest, "/lib/live", 9) ||
	    !strcmp(dest, "/lib") || (source && ((source[0] == '/' || !path_safe(source)) &&
						  strcmp(source, ".")))) {
		log_warn("persistence.conf line %d (%s): unsafe path, line skipped", cs->lineno, dest);
		return 0;
	}
	if (!strcmp(dest, "/")) {
		if (!is_union)
			log_warn("persistence.conf line %d: \"/ bind\" is not possible, line skipped",
				 cs->lineno);
		else if (source && strcmp(source, "."))
			log_warn("persistence.conf line %d: \"/ union\" with source=%s is not "
				 "supported, line skipped", cs->lineno, source);
		else
			cs->root_union = true;
		return 0;
	}
	if (is_union) {
		log_warn("persistence.conf line %d (%s): union mounts of a directory are not "
			 "supported by livestack (only \"/ union\"), line skipped", cs->lineno, dest);
		return 0;
	}
	if (ctx->nbinds >= sizeof(ctx->binds) / sizeof(ctx->binds[0]) ||
	    strlen(dest) >= sizeof(ctx->binds[0].dest)) {
		log_warn("persistence.conf line %d (%s): too many or too long, line skipped",
			 cs->lineno, dest);
		return 0;
	}
	b = &ctx->binds[ctx->nbinds++];
	snprintf(b->dest, sizeof(b->dest), "%s", dest);
	if (!source || !strcmp(source, "."))
		source = source ? "" : dest + 1;
	/* whole or not at all: a cut path may end in ".." or name another directory */
	if (strlen(cs->mnt) + 1 + strlen(source) >= sizeof(b->src)) {
		log_warn("persistence.conf line %d (%s): source too long, line skipped",
			 cs->lineno, dest);
		ctx->nbinds--;
		return 0;
	}
	snprintf(b->src, sizeof(b->src), "%s/%s", cs->mnt, source);
	return 0;
}

bool foreign_conf(struct live_ctx *ctx, const char *conf, const char *mnt)
{
	struct conf_state cs = { ctx, false, mnt, 0 };

	ctx->nbinds = 0;
	file_lines(conf, conf_line, &cs);
	return cs.root_union;
}

/* Does the root of a live-boot persistence hold changes (live-boot on aufs keeps them
 * there)? persistence.conf, lost+found and the bind lines' sources do not count. */
static bool root_holds_changes(const struct live_ctx *ctx, const char *base)
{
	struct dirent *d;
	bool found = false;
	size_t i, n;
	DIR *dh = opendir(base);

	if (!dh)
		return false;
	while (!found && (d = readdir(dh))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    !strcmp(d->d_name, "persistence.conf") || !strcmp(d->d_name, "lost+found"))
			continue;
		found = true;
		n = strlen(d->d_name);
		for (i = 0; i < ctx->nbinds; i++) {
			const char *src = ctx->binds[i].src + strlen(base);

			if (*src == '/' && !strncmp(src + 1, d->d_name, n) &&
			    (src[n + 1] == '/' || !src[n + 1]))
				found = false;
		}
	}
	closedir(dh);
	return found;
}

/* base/name: foreign_find_layout leaves room for the longest name ("upperdir") */
static void set_path(char *dst, const char *base, const char *name)
{
	snprintf(dst, LIVE_PATH_MAX, "%s%s%s", base, *name ? "/" : "", name);
}

/* archiso: made (mode 0700, as archiso does) once the union is chosen */
static int lay_archiso(struct live_ctx *ctx, struct foreign_layout *l, const char *dir, const char *conf,
		       char *why, size_t len)
{
	(void)ctx, (void)dir, (void)conf, (void)why, (void)len;
	set_path(l->upper, l->base, "upperdir");
	set_path(l->work, l->base, "workdir");
	return 0;
}

/* Porteus, Knoppix: the directory itself is the (aufs) branch */
static int lay_dir(struct live_ctx *ctx, struct foreign_layout *l, const char *dir, const char *conf,
		   char *why, size_t len)
{
	(void)conf;
	if (!is_dir(l->base)) {
		snprintf(why, len, "no directory %s on %s", dir, ctx->persist_what);
		return -ENOENT;
	}
	snprintf(l->upper, sizeof(l->upper), "%s", l->base);
	return 0;
}

/* live-boot: persistence.conf; 1 = only bind lines */
static int lay_liveboot(struct live_ctx *ctx, struct foreign_layout *l, const char *base_dir,
			const char *conf, char *why, size_t len)
{
	char dir[LIVE_PATH_MAX];

	(void)base_dir, (void)why, (void)len;
	l->root_union = foreign_conf(ctx, conf, l->base);
	if (!l->root_union)
		return 1;
	/* live-boot on overlayfs keeps rw/ and work/; on aufs the fs root is the branch:
	 * a root with changes (whiteouts or not) and no rw/, or an empty one with
	 * union=aufs asked (what live-boot itself does then) */
	set_path(dir, l->base, "rw");
	if (!is_dir(dir))
		foreign_scan(l->base, NULL, &l->wh);
	if (is_dir(dir) || (!l->wh.aufs && !root_holds_changes(ctx, l->base) &&
			    strcmp(ctx->cfg->unionfs, "aufs"))) {
		l->native = "overlay";
		set_path(l->upper, l->base, "rw");
		set_path(l->work, l->base, "work");
	} else {
		/* the scan just made is the branch's: pick_union uses it */
		log_info("persistence: live-boot layout with no rw/ and %s at the root of %s: "
			 "the root is the branch (live-boot on aufs)", l->wh.aufs ||
			 root_holds_changes(ctx, l->base) ? "changes" : "union=aufs asked",
			 ctx->persist_what);
		l->native = "aufs";
		l->scanned = true;
		snprintf(l->upper, sizeof(l->upper), "%s", l->base);
	}
	return 0;
}

/* livestack's own and casper: upper/ and work/ */
static int lay_upper_work(struct live_ctx *ctx, struct foreign_layout *l, const char *dir,
			  const char *conf, char *why, size_t len)
{
	(void)ctx, (void)dir, (void)conf, (void)why, (void)len;
	set_path(l->upper, l->base, "upper");
	set_path(l->work, l->base, "work");
	return 0;
}

/* livestack's own sticks carry a persistence.conf for live-boot beside upper/ */
static bool is_liveboot(const struct live_ctx *ctx, const struct foreign_layout *l, const char *conf)
{
	char up[LIVE_PATH_MAX], rw[LIVE_PATH_MAX];

	(void)ctx;
	set_path(up, l->base, "upper");
	set_path(rw, l->base, "rw");
	return access(conf, F_OK) == 0 && !(is_dir(up) && !is_dir(rw));
}

static bool is_casper(const struct live_ctx *ctx, const struct foreign_layout *l, const char *conf)
{
	(void)l, (void)conf;
	return named(ctx, "casper-rw") || named(ctx, "writable");
}

static bool is_knoppix(const struct live_ctx *ctx, const struct foreign_layout *l, const char *conf)
{
	(void)l, (void)conf;
	return named(ctx, "knoppix-data.img") || named(ctx, "KNOPPIX-DATA");
}

/*
 * The persistence formats, one entry each (docs/design/extending.md). Without a format
 * implied by the boot line (persist_fmt: archiso's cow_label=, Porteus' changes=), the
 * first whose detect() says yes is taken, in this order; detect NULL: only when asked.
 * native: the union the peer itself uses ("" = any; layout() may change it).
 */
static const struct persist_format {
	const char *name;
	const char *native;
	bool (*detect)(const struct live_ctx *ctx, const struct foreign_layout *l, const char *conf);
	int (*layout)(struct live_ctx *ctx, struct foreign_layout *l, const char *dir, const char *conf,
		      char *why, size_t len);
} formats[] = {
	{ "live-boot",	"",		is_liveboot,	lay_liveboot },
	{ "casper",	"overlay",	is_casper,	lay_upper_work },
	{ "knoppix",	"aufs",		is_knoppix,	lay_dir },
	{ "archiso",	"overlay",	NULL,		lay_archiso },
	{ "porteus",	"aufs",		NULL,		lay_dir },
	{ "livestack",	"",		NULL,		lay_upper_work },	/* the fallback: last */
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* Which peer's persistence this is and where its branch is (persist_foreign.h). */
int foreign_find_layout(struct live_ctx *ctx, const char *mnt, struct foreign_layout *l,
			char *why, size_t len)
{
	const char *fmt = ctx->cfg->persist_fmt;
	const struct persist_format *f = &formats[NFORMATS - 1];
	char conf[LIVE_PATH_MAX + 32], dir[LIVE_PATH_MAX];
	size_t i;

	dir[0] = '\0';
	if (*ctx->persist_dir)
		snprintf(dir, sizeof(dir), "%s", ctx->persist_dir);
	else if (!strcmp(fmt, "archiso")) {
		/* archiso's default cow_directory=persistent_<archisolabel>/<arch> */
		struct utsname u;

		uname(&u);
		snprintf(dir, sizeof(dir), "/persistent_%.100s/%.40s",
			 strncmp(ctx->cfg->media, "LABEL=", 6) ? "" : ctx->cfg->media + 6, u.machine);
	}
	/* whole or not at all: a cut path names another directory (upper/ beside, not in it) */
	if (strlen(mnt) + 1 + strlen(dir) + sizeof("/upperdir") > LIVE_PATH_MAX) {
		snprintf(why, len, "the directory %.100s%s on it is too long (%zu bytes)", dir,
			 strlen(dir) > 100 ? "..." : "", strlen(dir));
		return -ENAMETOOLONG;
	}
	set_path(l->base, mnt, dir[0] == '/' ? dir + 1 : dir);
	snprintf(conf, sizeof(conf), "%s/persistence.conf", l->base);

	for (i = 0; i < NFORMATS; i++)
		if (*fmt ? !strcmp(fmt, formats[i].name) :
		    formats[i].detect && formats[i].detect(ctx, l, conf)) {
			f = &formats[i];
			break;
		}
	l->format = f->name;
	l->native = f->native;
	return f->layout(ctx, l, dir, conf, why, len);
}

/* The union the branch's whiteouts need; <0 when none can take it. */
static int pick_union(struct live_ctx *ctx, struct foreign_layout *l, char *why, size_t len)
{
	const char *need = l->native, *asked = ctx->cfg->unionfs;
	struct foreign_wh w;

	if (l->scanned)
		w = l->wh;
	else
		foreign_scan(l->upper, *l->work && !strncmp(l->work, l->upper, strlen(l->upper)) ?
			       l->work : NULL, &w);
	if (w.aufs && w.overlay) {
		snprintf(why, len, "%s has both aufs whiteouts (%lu, e.g. %s) and overlayfs "
			 "whiteouts (%lu, e.g. %s); mend it with livectl persist convert",
			 l->upper, w.aufs, w.first_aufs, w.overlay, w.first_overlay);
		return -EINVAL;
	}
	if (w.aufs)
		need = "aufs";
	else if (w.overlay)
		need = "overlay";
	if (!*l->work) {
		if (w.overlay) {
			snprintf(why, len, "%s holds overlayfs whiteouts (e.g. %s) but has no "
				 "place for overlayfs' workdir beside it (%s layout) and aufs cannot "
				 "read them; convert it with livectl persist convert --to aufs",
				 l->upper, w.first_overlay, l->format);
			return -EINVAL;
		}
		log_info("persistence: %s layout: no place for overlayfs' workdir beside %s, "
			 "only aufs can use it", l->format, l->upper);
		need = "aufs";
	}
	if (*need && !kmod_fs_available(ctx, need)) {
		snprintf(why, len, "%s needs %s (%s), which this kernel/image does not have",
			 l->upper, need, w.aufs ? "it holds aufs .wh. whiteouts" :
			 w.overlay ? "it holds overlayfs whiteouts" : "the peer's own union");
		return -ENODEV;
	}
	if (*need && *asked && strcmp(need, asked))
		log_warn("persistence: live.union=%s not used: %s needs %s (%s)", asked, l->upper,
			 need, w.aufs ? "aufs whiteouts" : w.overlay ? "overlayfs whiteouts" :
			 "no place for a workdir");
	else if (*need && (w.aufs || w.overlay) && !*asked)
		log_info("persistence: %s holds %s whiteouts: the union is %s", l->upper,
			 w.aufs ? "aufs" : "overlayfs", need);
	snprintf(ctx->rw_union, sizeof(ctx->rw_union), "%s", need);
	return 0;
}

static int make_dir(const char *path)
{
	if (file_mkdirs(path, 0755) == 0 && is_dir(path))
		return 0;
	return errno ? -errno : -ENOTDIR;
}

int foreign_layout(struct live_ctx *ctx, char *why, size_t len)
{
	struct foreign_layout l;
	int err;

	memset(&l, 0, sizeof(l));
	ctx->rw_union[0] = '\0';
	err = foreign_find_layout(ctx, LIVE_RW_MNT, &l, why, len);
	if (err == 1) {
		/* only bind lines: the persistence fs moves aside, the branch is a tmpfs */
		file_mkdirs(FOREIGN_BIND_MNT, 0755);
		if (mount(LIVE_RW_MNT, FOREIGN_BIND_MNT, NULL, MS_MOVE, NULL) < 0) {
			snprintf(why, len, "moving it to %s: %s", FOREIGN_BIND_MNT, strerror(errno));
			return -errno;
		}
		for (size_t i = 0; i < ctx->nbinds; i++) {
			char src[LIVE_PATH_MAX];

			snprintf(src, sizeof(src), "%s%s", FOREIGN_BIND_MNT,
				 ctx->binds[i].src + strlen(LIVE_RW_MNT));
			snprintf(ctx->binds[i].src, sizeof(ctx->binds[i].src), "%s", src);
		}
		snprintf(ctx->persist_format, sizeof(ctx->persist_format), "live-boot");
		log_info("persistence: live-boot format (%s), no \"/ union\" line: the root's "
			 "changes are not kept, %zu bind line(s)", ctx->persist_what, ctx->nbinds);
		return 1;
	}
	if (err)
		return err;
	err = pick_union(ctx, &l, why, len);
	if (err)
		return err;
	if (make_dir(l.upper) || (*l.work && make_dir(l.work))) {
		snprintf(why, len, "cannot make %s%s%s: %s", l.upper, *l.work ? " and " : "", l.work,
			 strerror(errno));
		return -EIO;
	}
	if (!strcmp(l.format, "archiso"))
		chmod(l.base, 0700);
	snprintf(ctx->rw_upper, sizeof(ctx->rw_upper), "%s", l.upper);
	snprintf(ctx->rw_work, sizeof(ctx->rw_work), "%s", l.work);
	snprintf(ctx->persist_format, sizeof(ctx->persist_format), "%s", l.format);
	log_info("persistence: %s format on %s: changes in %s%s%s", l.format, ctx->persist_what,
		 l.upper, *l.work ? ", workdir " : " (no workdir)", l.work);
	return 0;
}

/* live-boot's bootstrap of a missing bind source: "cp -a DEST SOURCE" from the live
 * system (busybox's cp, as in live-boot's initramfs), into SOURCE.new then renamed so
 * that a power cut never leaves a half copy that the next boot would take as the source. */
static int bootstrap(const char *dest, const char *src, unsigned timeout_ms)
{
	char tmp[LIVE_PATH_MAX + 8], out[256];
	const char *rm[] = { LIVE_BUSYBOX, "rm", "-rf", tmp, NULL };
	const char *cp[] = { LIVE_BUSYBOX, "cp", "-a", dest, tmp, NULL };
	char parent[LIVE_PATH_MAX], *slash;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.new", src);
	snprintf(parent, sizeof(parent), "%s", src);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	if (access(tmp, F_OK) == 0)
		spawn_run_for(rm, NULL, out, sizeof(out), timeout_ms);
	if (file_mkdirs(parent, 0755))
		return -errno;
	rc = spawn_run_for(cp, NULL, out, sizeof(out), timeout_ms);
	if (rc) {
		out[strcspn(out, "\n")] = '\0';
		log_warn("persistence: cp -a %s %s: %s", dest, tmp, *out ? out :
			 rc == -ETIMEDOUT ? "did not end within live.helper.timeout=, killed" :
			 rc < 0 ? strerror(-rc) : "failed");
		spawn_run_for(rm, NULL, out, sizeof(out), timeout_ms);
		return rc < 0 ? rc : -EIO;
	}
	return rename(tmp, src) < 0 ? -errno : 0;
}

/* live-boot's bind lines, over the mounted union; a missing source is bootstrapped with a
 * copy of the live system's DIR (live-boot's activate_custom_mounts does the same). */
void foreign_binds(struct live_ctx *ctx)
{
	char dest[LIVE_PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < ctx->nbinds; i++) {
		const struct live_bind *b = &ctx->binds[i];

		snprintf(dest, sizeof(dest), "%s%s", LIVE_NEWROOT, b->dest);
		if (file_mkdirs(dest, 0755)) {
			log_warn("persistence: %s not bound: cannot make it: %s", b->dest,
				 strerror(errno));
			continue;
		}
		if (!is_dir(b->src)) {
			err = bootstrap(dest, b->src, (unsigned)ctx->cfg->helper_timeout * 1000);
			if (err) {
				log_warn("persistence: %s not bound: cannot make %s from the live "
					 "system's %s: %s", b->dest, b->src, b->dest, strerror(-err));
				continue;
			}
			log_info("persistence: %s made from the live system's %s (a copy, as "
				 "live-boot does for a new bind source)", b->src, b->dest);
		}
		if (mount(b->src, dest, NULL, MS_BIND, NULL) < 0) {
			log_warn("persistence: %s not bound from %s: %s", b->dest, b->src,
				 strerror(errno));
			continue;
		}
		log_info("persistence: %s bound from %s", b->dest, b->src);
	}
}
