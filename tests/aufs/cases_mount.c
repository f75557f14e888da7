// SPDX-License-Identifier: GPL-2.0
/* aufs-only mount interface: br:/dirs= syntax and defaults, /proc/mounts, every option,
 * rejected mounts (with a kernel message), remount add/ins/append/prepend/del/mod left to
 * right, EBUSY on del of a busy branch, and the create/cpup policies with two rw branches. */
#include "fsop.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

static int remount(const char *opts)
{
	return mount("none", UNION, "aufs", MS_REMOUNT, opts);
}

static const char *brs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *brs(const char *fmt, ...)
{
	static char b[4][1024];
	static int n;
	char *p = b[n++ & 3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, 1024, fmt, ap);
	va_end(ap);
	return p;
}

/* the option string of the union has the comma-separated token tok (or one starting with it
 * when tok ends with '=') */
static int has_opt(const char *tok)
{
	const char *o = mount_opts(UNION);
	char *s, *t, *save = NULL;
	int found = 0;

	if (!o)
		return 0;
	s = strdup(o);
	for (t = strtok_r(s, ",", &save); t && !found; t = strtok_r(NULL, ",", &save))
		found = !strcmp(t, tok);
	free(s);
	return found;
}

static void check_br_(const char *want, const char *file, int line)
{
	const char *o = mount_opts(UNION);
	const char *b = o ? strstr(o, "br:") : NULL;
	size_t n = strlen(want);

	if (!b || strncmp(b, want, n) || (b[n] && b[n] != ','))
		failf(file, line, "/proc/mounts options \"%s\", expected %s", o ? o : "(not mounted)",
		      want);
}
#define CHECK_BR(want) check_br_((want), __FILE__, __LINE__)

static void br_syntax(void)
{
	/* defaults: first rw, the rest ro, squashfs rr */
	if (EXP(0, aufs_mount(brs("br:%s:%s:%s", C->upper, L2_DIR, SQ_DIR))) == 0) {
		CHECK_BR(brs("br:%s=rw:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR));
		CHECK_STR(pu("both.txt"), "l2 both\n");
		EXP(0, put_str(pu("w.txt"), "w\n"));
		CHECK(exists(pw("w.txt")));
		EXP(0, union_umount());
	}
	/* the dirs= alias */
	if (EXP(0, aufs_mount(brs("dirs=%s=rw:%s=rr", C->upper, SQ_DIR))) == 0) {
		CHECK_BR(brs("br:%s=rw:%s=rr", C->upper, SQ_DIR));
		CHECK_STR(pu("both.txt"), "squash both content\n");
		EXP(0, union_umount());
	}
	/* an unknown permission becomes ro silently; attributes */
	if (EXP(0, aufs_mount(brs("br:%s=rw+nolwh:%s=xyz:%s=rr", C->upper, L2_DIR, SQ_DIR))) == 0) {
		CHECK_BR(brs("br:%s=rw+nolwh:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR));
		EXP(0, union_umount());
	}
	if (EXP(0, aufs_mount(brs("br:%s=rw:%s=ro+wh:%s=ro", C->upper, L2_DIR, SQ_DIR))) == 0) {
		CHECK_BR(brs("br:%s=rw:%s=ro+wh:%s=ro", C->upper, L2_DIR, SQ_DIR));
		EXP(0, union_umount());
	}
	/* the standard union as /proc/mounts shows it */
	if (EXP(0, union_mount(NULL)) == 0) {
		CHECK_BR(brs("br:%s=rw:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR));
		EXP(0, union_umount());
	}
}

/* want: the errno, or 0 for any error; msg: the issue asks for a kernel message */
static void rejected_(const char *opts, int want, int msg, const char *file, int line)
{
	int r, e, msgs;

	kmsg_find("\x01");	/* drain */
	errno = 0;
	r = mount("none", UNION, "aufs", 0, opts);
	e = errno;
	msgs = kmsg_find("aufs");
	if (r == 0) {
		failf(file, line, "mount -o \"%s\" succeeds, expected %s", opts,
		      want ? strerror(want) : "an error");
		umount(UNION);
		return;
	}
	if (want && e != want)
		failf(file, line, "mount -o \"%s\": %s, expected %s", opts, strerror(e),
		      strerror(want));
	if (msg && msgs <= 0)
		failf(file, line, "mount -o \"%s\" fails without a kernel message", opts);
}
#define REJECTED(want, ...) rejected_(brs(__VA_ARGS__), (want), 1, __FILE__, __LINE__)
#define REFUSED(want, ...) rejected_(brs(__VA_ARGS__), (want), 0, __FILE__, __LINE__)

static void mount_rejected(void)
{
	const char *base = brs("br:%s=rw:%s=rr", C->upper, SQ_DIR);

	REJECTED(EINVAL, "%s", "");				/* no branch */
	REJECTED(EINVAL, "br:");
	REJECTED(EINVAL, "br:%s=rw:%s=ro", C->upper, C->rw);	/* overlapped: ancestor */
	REJECTED(EINVAL, "br:%s=rw:%s=ro", C->rw, C->upper);	/* descendant */
	REJECTED(0, "br:%s=rw:%s=ro", C->upper, C->upper);	/* the same twice */
	REJECTED(0, "br:%s=rw:/proc=ro", C->upper);
	REJECTED(0, "br:%s=rw:/sys=ro", C->upper);
	REJECTED(0, "br:%s=rw", SQ_DIR);			/* rw on a read-only fs */
	REFUSED(0, "br:%s=rw:/nonexistent=ro", C->upper);
	REFUSED(0, "br:%s=rw:%s=ro", C->upper, "/fixture/lower.sqfs");	/* not a directory */
	REFUSED(EINVAL, "%s,bogus", base);
	REFUSED(EINVAL, "%s,bogus=1", base);
	REFUSED(EINVAL, "%s,create=bogus", base);
	REFUSED(EINVAL, "%s,cpup=bogus", base);
	REFUSED(EINVAL, "%s,udba=bogus", base);
	REFUSED(EINVAL, "%s,diropq=x", base);
	REFUSED(EINVAL, "%s,coo=x", base);
	REFUSED(EINVAL, "%s,dirwh=abc", base);
	CHECK(mount_opts(UNION) == NULL);
	/* an aufs as a branch of another */
	if (EXP(0, union_mount(NULL)) == 0) {
		mkdir("/u2", 0755);
		mkdir("/rw/u2rw", 0755);
		kmsg_find("\x01");
		errno = 0;
		if (mount("none", "/u2", "aufs", 0, brs("br:/rw/u2rw=rw:%s=ro", UNION)) == 0) {
			FAIL("an aufs mounts as a branch of another aufs");
			umount("/u2");
		} else if (kmsg_find("aufs") <= 0) {
			FAIL("aufs as a branch: refused without a kernel message");
		}
	}
}

static const char *const good_opts[] = {
	"xino=/rw/xino.x", "noxino", "trunc_xib", "notrunc_xib",
	"create=tdp", "create=rr", "create=mfs", "create=mfs:10", "create=mfsrr:1048576",
	"create=mfsrr:1048576:10", "create=pmfs", "create=pmfs:10",
	"cpup=tdp", "cpup=bup", "cpup=bu", "verbose", "v", "quiet", "q", "silent", "noverbose",
	"dirwh=5", "plink", "noplink", "udba=none", "udba=reval", "udba=notify", "udba=inotify",
	"diropq=w", "diropq=a", "diropq=whiteouted", "diropq=always", "warn_perm", "nowarn_perm",
	"coo=none", "coo=leaf", "coo=all", "shwh", "noshwh",
	NULL,
};

/* The issue: every option does what the manual says; one not implemented is refused with
 * EINVAL and a kernel message, never accepted silently. Such refusals are listed. */
static char not_impl[512];

static int try_opt(const char *o)
{
	int e;

	kmsg_find("\x01");
	errno = 0;
	if (union_mount(o) == 0)
		return 0;
	e = errno;
	if (e == EINVAL && kmsg_find("aufs") > 0) {
		if (!strstr(not_impl, o) && strlen(not_impl) + strlen(o) + 2 < sizeof(not_impl)) {
			strcat(not_impl, " ");
			strcat(not_impl, o);
		}
		return 1;
	}
	FAIL("mount -o ...,%s: %s", o, strerror(e));
	return -1;
}

static void options_accepted(void)
{
	not_impl[0] = 0;
	for (const char *const *o = good_opts; *o; o++) {
		if (try_opt(*o))
			continue;
		if (!mount_opts(UNION) || !strstr(mount_opts(UNION), "br:"))
			FAIL("with %s /proc/mounts shows no br:", *o);
		if (union_umount() < 0)
			FAIL("umount after %s: %s", *o, strerror(errno));
	}
	if (*not_impl)
		printf("#   refused as not implemented (EINVAL + message):%s\n", not_impl);
}

/* non-default options show in /proc/mounts */
static void options_shown(void)
{
	static const char *const shown[][3] = {
		{ "noplink", "noplink", NULL }, { "udba=none", "udba=none", NULL },
		{ "udba=notify", "udba=notify", "udba=inotify" }, { "create=rr", "create=rr", NULL },
		{ "cpup=bup", "cpup=bup", NULL }, { "diropq=a", "diropq=a", "diropq=always" },
		{ "coo=leaf", "coo=leaf", NULL }, { "dirwh=5", "dirwh=5", NULL },
		{ "shwh", "shwh", NULL }, { "xino=/rw/xino.x", "xino=/rw/xino.x", NULL },
		{ "create=mfs:10", "create=mfs:10", NULL },
	};

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		if (try_opt(shown[i][0]))
			continue;
		if (!has_opt(shown[i][1]) && !(shown[i][2] && has_opt(shown[i][2])))
			FAIL("mounted with %s, /proc/mounts shows \"%s\"", shown[i][0],
			     mount_opts(UNION));
		union_umount();
	}
	/* the xino file itself is not visible: created and unlinked */
	if (try_opt("xino=/rw/xino.x") == 0) {
		CHECK(!exists("/rw/xino.x"));
		union_umount();
	}
}

static void remount_branches(void)
{
	struct stat st;

	if (EXP(0, aufs_mount(brs("br:%s=rw:%s=rr", C->upper, SQ_DIR))) < 0)
		return;
	EXP(ENOENT, stat(pu("l2only.txt"), &st));
	EXP(0, remount(brs("append:%s=ro", L2_DIR)));
	CHECK_BR(brs("br:%s=rw:%s=rr:%s=ro", C->upper, SQ_DIR, L2_DIR));
	CHECK_STR(pu("l2only.txt"), "l2 only\n");
	CHECK_STR(pu("both.txt"), "squash both content\n");
	EXP(0, remount(brs("del:%s", L2_DIR)));
	CHECK_BR(brs("br:%s=rw:%s=rr", C->upper, SQ_DIR));
	EXP(ENOENT, stat(pu("l2only.txt"), &st));
	EXP(0, remount(brs("add:1:%s=ro", L2_DIR)));
	CHECK_BR(brs("br:%s=rw:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR));
	CHECK_STR(pu("both.txt"), "l2 both\n");
	/* left to right in one call */
	EXP(0, remount(brs("del:%s,ins:2:%s=ro", L2_DIR, L2_DIR)));
	CHECK_BR(brs("br:%s=rw:%s=rr:%s=ro", C->upper, SQ_DIR, L2_DIR));
	CHECK_STR(pu("both.txt"), "squash both content\n");
	/* prepend a new rw branch: new files go there */
	EXP(0, mkdir("/rw/top", 0755));
	EXP(0, remount("prepend:/rw/top=rw"));
	CHECK_BR(brs("br:/rw/top=rw:%s=rw:%s=rr:%s=ro", C->upper, SQ_DIR, L2_DIR));
	EXP(0, put_str(pu("fromtop"), "t\n"));
	CHECK(exists("/rw/top/fromtop"));
	CHECK(!exists(pw("fromtop")));
	/* mod */
	EXP(0, remount(brs("mod:%s=rw", L2_DIR)));
	CHECK_BR(brs("br:/rw/top=rw:%s=rw:%s=rr:%s=rw", C->upper, SQ_DIR, L2_DIR));
	EXP(0, remount(brs("mod:%s=ro", L2_DIR)));
	EXP(0, remount("del:/rw/top"));
	CHECK_BR(brs("br:%s=rw:%s=rr:%s=ro", C->upper, SQ_DIR, L2_DIR));
	EXP(ENOENT, stat(pu("fromtop"), &st));
	/* the rw branch made ro: writes fail with EROFS; back to rw: they work */
	EXP(0, remount(brs("mod:%s=ro", C->upper)));
	EXP(EROFS, put_str(pu("new.txt"), "n\n"));
	EXP(EROFS, unlink(pu("a.txt")));
	EXP(EROFS, open(pu("a.txt"), O_WRONLY));
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(0, remount(brs("mod:%s=rw", C->upper)));
	EXP(0, put_str(pu("new.txt"), "n\n"));
	CHECK(exists(pw("new.txt")));
	/* errors */
	if (remount("del:/nonexistent") == 0)
		FAIL("remount del: of a path that is no branch succeeds");
	if (remount(brs("append:%s=ro", SQ_DIR)) == 0)
		FAIL("remount append: of a branch already in the union succeeds");
	/* option changes at remount */
	EXP(0, remount("udba=none"));
	CHECK(has_opt("udba=none"));
	EXP(0, remount("udba=reval"));	/* the default: not shown */
	CHECK(!has_opt("udba=none"));
	EXP(0, remount("noplink"));
	CHECK(has_opt("noplink"));
	EXP(0, remount("plink"));
	CHECK(!has_opt("noplink"));
	EXP(0, remount("clean_plink"));
	EXP(0, remount("create=rr,cpup=bup"));
	CHECK(has_opt("create=rr"));
	CHECK(has_opt("cpup=bup"));
}

static void del_busy(void)
{
	const char *del = brs("del:%s", L2_DIR), *add = brs("add:1:%s=ro", L2_DIR);
	char *m;
	int fd;

	if (EXP(0, union_mount(NULL)) < 0)
		return;
	/* an open file */
	fd = EXP(0, open(pu("l2only.txt"), O_RDONLY));
	EXP(EBUSY, remount(del));
	CHECK_BR(brs("br:%s=rw:%s=ro:%s=rr", C->upper, L2_DIR, SQ_DIR));
	close(fd);
	EXP(0, remount(del));
	EXP(0, remount(add));
	/* a mapping without an open fd */
	fd = EXP(0, open(pu("l2only.txt"), O_RDONLY));
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		FAIL("mmap: %s", strerror(errno));
	} else {
		EXP(EBUSY, remount(del));
		munmap(m, 4096);
	}
	EXP(0, remount(del));
	EXP(0, remount(add));
	/* a current directory only on that branch */
	if (EXP(0, chdir(pu("d/l2sub"))) == 0) {
		EXP(EBUSY, remount(del));
		EXP(0, chdir("/"));
	}
	EXP(0, remount(del));
	CHECK_BR(brs("br:%s=rw:%s=rr", C->upper, SQ_DIR));
	/* an open file of another branch does not keep this one busy */
	EXP(0, remount(add));
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));
	EXP(0, remount(del));
	close(fd);
}

#define L3_DIR	"/l3"
#define SQ2_DIR	"/sq2"

/*
 * Once del: succeeds nothing of aufs holds the branch: its mount can be unmounted at once
 * (aufs(5): EBUSY only while something of that branch is in use), with a file of another
 * branch open, after lookups through it, with the cwd in a merged directory.
 */
static void del_then_umount(void)
{
	struct stat st;
	int fd, n;

	mkdir(L3_DIR, 0755);
	if (EXP(0, mount("tmpfs", L3_DIR, "tmpfs", 0, "size=8m,mode=0755")) < 0)
		return;
	EXP(0, put_str(L3_DIR "/l3only.txt", "l3\n"));
	EXP(0, mkdir(L3_DIR "/l3dir", 0755));
	EXP(0, put_str(L3_DIR "/l3dir/f", "f\n"));
	if (EXP(0, union_mount(NULL)) < 0)
		goto out_l3;
	/* the plain case: lookups through it, nothing open */
	EXP(0, remount("ins:1:" L3_DIR "=ro"));
	CHECK_STR(pu("l3dir/f"), "f\n");
	EXP(0, remount("del:" L3_DIR));
	if (EXP(0, umount(L3_DIR)) < 0)
		umount2(L3_DIR, MNT_DETACH);
	EXP(0, mount("tmpfs", L3_DIR, "tmpfs", 0, "size=8m,mode=0755"));
	EXP(0, put_str(L3_DIR "/l3only.txt", "l3\n"));
	EXP(0, mkdir(L3_DIR "/l3dir", 0755));
	EXP(0, put_str(L3_DIR "/l3dir/f", "f\n"));
	/* with a file of another branch open and the cwd in a merged directory */
	EXP(0, remount("ins:1:" L3_DIR "=ro"));
	CHECK_BR(brs("br:%s=rw:%s=ro:%s=ro:%s=rr", C->upper, L3_DIR, L2_DIR, SQ_DIR));
	CHECK_STR(pu("l3only.txt"), "l3\n");
	CHECK_STR(pu("l3dir/f"), "f\n");
	CHECK_EQ(count_entry(pu("."), "l3only.txt"), 1);
	EXP(0, stat(pu("d/sub/z"), &st));
	EXP(ENOENT, stat(pu("d/nol3"), &st));
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));
	if (EXP(0, chdir(pu("d"))) < 0)
		goto out_fd;
	EXP(0, remount("del:" L3_DIR));
	EXP(ENOENT, stat(pu("l3only.txt"), &st));
	if (EXP(0, umount(L3_DIR)) == 0)
		CHECK_STR("x", "l2 x\n");	/* the cwd still works */
	else
		umount2(L3_DIR, MNT_DETACH);
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(0, chdir("/"));
out_fd:
	if (fd >= 0)
		close(fd);
	/* a squashfs branch on a loop device: the device is released too */
	n = loop_mount("/fixture/lower.sqfs", SQ2_DIR, "squashfs", 0);
	if (n < 0) {
		FAIL("cannot loop-mount the squashfs fixture at %s", SQ2_DIR);
		goto out_l3;
	}
	EXP(0, remount("append:" SQ2_DIR "=rr"));
	CHECK_STR(pu("d/sub/z"), "sq z\n");
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));
	EXP(0, mkdir(pu("cw"), 0755));
	EXP(0, chdir(pu("cw")));
	EXP(0, remount("del:" SQ2_DIR));
	if (EXP(0, umount(SQ2_DIR)) < 0)
		umount2(SQ2_DIR, MNT_DETACH);
	CHECK(loop_detach(n));
	EXP(0, chdir("/"));
	if (fd >= 0)
		close(fd);
	/* ins: and mod: leave no older snapshot behind either */
	n = loop_mount("/fixture/lower.sqfs", SQ2_DIR, "squashfs", 0);
	if (n < 0) {
		FAIL("cannot loop-mount the squashfs fixture at %s", SQ2_DIR);
		goto out_l3;
	}
	EXP(0, mount("tmpfs", L3_DIR, "tmpfs", 0, "size=8m,mode=0755"));
	fd = EXP(0, open(pu("a.txt"), O_RDONLY));
	EXP(0, chdir(pu("cw")));
	EXP(0, remount("append:" SQ2_DIR "=rr"));
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(0, stat(pu("cw"), &st));
	EXP(0, remount(brs("mod:%s=ro", L2_DIR)));
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(0, stat(pu("cw"), &st));
	EXP(0, remount("ins:0:" L3_DIR "=ro"));
	CHECK_STR(pu("d/sub/z"), "sq z\n");
	CHECK_STR(pu("a.txt"), "lower a\n");
	EXP(0, stat(pu("cw"), &st));
	EXP(0, remount("del:" L3_DIR));
	EXP(0, remount("del:" SQ2_DIR));
	if (EXP(0, umount(SQ2_DIR)) < 0)
		umount2(SQ2_DIR, MNT_DETACH);
	CHECK(loop_detach(n));
	EXP(0, chdir("/"));
	if (fd >= 0)
		close(fd);
out_l3:
	if (umount(L3_DIR) < 0)
		umount2(L3_DIR, MNT_DETACH);
}

static void warn_perm(void)
{
	if (EXP(0, union_mount(NULL)) < 0)
		return;
	EXP(0, mkdir("/rw/odd", 0700));
	EXP(0, chown("/rw/odd", 1, 1));
	kmsg_find("\x01");
	EXP(0, remount("append:/rw/odd=ro"));
	if (kmsg_find("odd") <= 0)
		FAIL("no warning for a branch with a different uid/gid/permission");
	EXP(0, remount("del:/rw/odd"));
	kmsg_find("\x01");
	EXP(0, remount("nowarn_perm,append:/rw/odd=ro"));
	if (kmsg_find("odd") > 0)
		FAIL("nowarn_perm still warns");
}

/* two rw branches A, B (separate tmpfs, A small) over the squashfs */
#define PA "/rw/A"
#define PB "/rw/B"

static int pol_mount(const char *opts)
{
	umount(UNION);
	C->mounted = 0;
	for (const char *d = PA; d; d = strcmp(d, PA) ? NULL : PB) {
		char *s = list_dir(d), *save = NULL;
		for (char *t = s ? strtok_r(s, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
			if (strcmp(t, "filler") && strcmp(t, "lost+found"))
				rm_rf(brs("%s/%s", d, t));
		free(s);
	}
	return aufs_mount(brs("br:%s=rw:%s=rw:%s=rr%s%s", PA, PB, SQ_DIR, opts ? "," : "",
			      opts ? opts : ""));
}

static int count_in(const char *dir)
{
	char *s = list_dir(dir);
	int n = 0;

	for (char *t = s ? strtok(s, " ") : NULL; t; t = strtok(NULL, " "))
		n += !strncmp(t, "rr", 2);
	free(s);
	return n;
}

static void append_y(void)
{
	int fd = EXP(0, open(pu("d/y"), O_WRONLY | O_APPEND));

	if (fd >= 0) {
		CHECK_EQ(write(fd, "+", 1), 1);
		close(fd);
	}
	CHECK_STR(pu("d/y"), "sq y\n+");
}

static void policies(void)
{
	char *fill;

	mkdir(PA, 0755);
	mkdir(PB, 0755);
	if (EXP(0, mount("tmpfs", PA, "tmpfs", 0, "size=8m,mode=0755")) < 0 ||
	    EXP(0, mount("tmpfs", PB, "tmpfs", 0, "size=64m,mode=0755")) < 0)
		goto out;
	/* create=tdp (default): the highest writable branch holding the parent */
	if (EXP(0, pol_mount(NULL)) == 0) {
		EXP(0, mkdir(PB "/only_b", 0755));
		EXP(0, put_str(pu("only_b/f"), "f\n"));
		CHECK(exists(PB "/only_b/f") && !exists(PA "/only_b/f"));
		EXP(0, put_str(pu("rootf"), "r\n"));
		CHECK(exists(PA "/rootf") && !exists(PB "/rootf"));
		/* link and rename stay on the source's branch */
		EXP(0, put_str(PB "/lb", "lb\n"));
		EXP(0, link(pu("lb"), pu("lb2")));
		CHECK(exists(PB "/lb2") && !exists(PA "/lb2"));
		EXP(0, rename(pu("lb"), pu("lb3")));
		CHECK(exists(PB "/lb3") && !exists(PA "/lb3"));
	}
	/* create=rr: ten files, five each */
	if (EXP(0, pol_mount("create=rr")) == 0) {
		for (int i = 0; i < 10; i++)
			EXP(0, put_str(pu("rr%d", i), "r\n"));
		CHECK_EQ(count_in(PA), 5);
		CHECK_EQ(count_in(PB), 5);
	}
	/* fill A: most free space is on B */
	fill = calloc(1, 6 << 20);
	EXP(0, put_file(PA "/filler", fill, 6 << 20, 0644));
	free(fill);
	if (EXP(0, pol_mount("create=mfs")) == 0) {
		EXP(0, put_str(pu("mf1"), "m\n"));
		CHECK(exists(PB "/mf1") && !exists(PA "/mf1"));
	}
	if (EXP(0, pol_mount("create=mfsrr:1048576")) == 0) {
		EXP(0, put_str(pu("mr1"), "m\n"));
		CHECK(exists(PB "/mr1") && !exists(PA "/mr1"));
	}
	if (EXP(0, pol_mount("create=pmfs")) == 0) {
		EXP(0, mkdir(PA "/pd", 0755));
		EXP(0, mkdir(PB "/pd", 0755));
		EXP(0, mkdir(PA "/pa", 0755));
		EXP(0, put_str(pu("pd/f"), "f\n"));
		CHECK(exists(PB "/pd/f") && !exists(PA "/pd/f"));
		EXP(0, put_str(pu("pa/f"), "f\n"));
		CHECK(exists(PA "/pa/f"));
	}
	/* copy-up policies: d/y lives on the squashfs */
	if (EXP(0, pol_mount(NULL)) == 0) {	/* cpup=tdp */
		EXP(0, mkdir(PB "/d", 0755));
		append_y();
		CHECK(exists(PB "/d/y") && !exists(PA "/d/y"));
	}
	if (EXP(0, pol_mount("cpup=tdp")) == 0) {
		EXP(0, mkdir(PA "/d", 0755));
		EXP(0, mkdir(PB "/d", 0755));
		append_y();
		CHECK(exists(PA "/d/y") && !exists(PB "/d/y"));
	}
	if (EXP(0, pol_mount("cpup=bup")) == 0) {
		EXP(0, mkdir(PA "/d", 0755));
		EXP(0, mkdir(PB "/d", 0755));
		append_y();
		CHECK(exists(PB "/d/y") && !exists(PA "/d/y"));
	}
	if (EXP(0, pol_mount("cpup=bu")) == 0) {
		EXP(0, mkdir(PA "/d", 0755));
		append_y();
		CHECK(exists(PB "/d/y") && !exists(PA "/d/y"));
	}
out:
	if (C->mounted && union_umount() < 0)
		FAIL("umount: %s", strerror(errno));
	if (umount(PA) < 0)
		umount2(PA, MNT_DETACH);
	if (umount(PB) < 0)
		umount2(PB, MNT_DETACH);
}

const struct fcase mount_cases[] = {
	{ "aufs-br-syntax-defaults", br_syntax, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-mount-rejected", mount_rejected, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-options-accepted", options_accepted, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-options-in-proc-mounts", options_shown, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-remount-branches", remount_branches, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-del-busy-branch", del_busy, F_AUFS | F_NOMOUNT },
	{ "aufs-del-then-umount-branch", del_then_umount, F_AUFS | F_NOMOUNT },
	{ "aufs-warn-perm", warn_perm, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ "aufs-create-cpup-policies", policies, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
