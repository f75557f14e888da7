// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage initramfs`: the reproducible, compressed newc initramfs /init boots from. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "layout.h"
#include "mkimage.h"
#include "spawn.h"

struct initramfs_opts {
	const char *kver, *moddir, *init, *out, *aufs, *hooks, *profile, *compress;
	const char *datadir, *busybox, *e2fsck, *id, *shutdown, *kmods, *union_opt, *sign_key, *sign_cert;
	char moddir_buf[MK_PATH_MAX], init_buf[MK_PATH_MAX], out_buf[MK_PATH_MAX];
	char aufs_buf[MK_PATH_MAX];
	char shutdown_buf[MK_PATH_MAX];
};

static const char usage_text[] =
	"usage: " MK_PROG " initramfs --kver KVER [--moddir DIR] [--init FILE] [--out FILE]\n"
	"         [--aufs FILE.ko] [--hooks DIR] [--profile NAME] [--compress zstd|gzip|none]\n"
	"         [--datadir DIR] [--busybox FILE] [--e2fsck FILE] [--id ID] [--shutdown FILE|none]\n"
	"         [--compressed-modules auto|decompress|keep]\n"
	"         [--union auto|aufs|overlay] [--sign-key KEY --sign-cert CERT]\n"
	"  --moddir DIR   the lib/modules/KVER tree (default /lib/modules/KVER, else\n"
	"                 /usr/lib/modules/KVER; alias --modules-dir)\n"
	"  --compressed-modules auto|decompress|keep  .ko.xz/.ko.zst/.ko.gz modules: kept as\n"
	"                 they are when the kernel's config says it decompresses that kind\n"
	"                 (CONFIG_MODULE_DECOMPRESS; auto, the default), else plain .ko\n"
	"  --aufs FILE.ko aufs.ko for KVER (default: the first of MODDIR/extra/aufs.ko,\n"
	"                 MODDIR/updates/dkms/aufs.ko (either also .ko.xz, .ko.zst, .ko.gz),\n"
	"                 build/aufs/KVER/aufs.ko beside this program, DATADIR/aufs/KVER/aufs.ko)\n"
	"  --union U      auto (default): aufs when one is found, else overlayfs only;\n"
	"                 aufs: fail without one; overlay: no aufs in the image\n"
	"  --sign-key KEY --sign-cert CERT  sign aufs.ko for Secure Boot ('keygen' makes them)\n"
	"  --init FILE    the static /init (default: init beside this program, else\n"
	"                 PREFIX/lib/livestack/init, else DATADIR/init)\n"
	"  --out FILE     output (default initrd.img-KVER)\n"
	"  --profile NAME configs/profiles/NAME.conf (default demo)\n"
	"  --e2fsck FILE  a static e2fsck (e2fsck-static's /sbin/e2fsck.static) as /sbin/e2fsck:\n"
	"                 persistence is checked before use (else only when a layer has one)\n"
	"  --shutdown FILE the static shutdown program, copied to /run/initramfs/shutdown at boot\n"
	"                 (default: livestack-shutdown beside this program, else\n"
	"                 PREFIX/lib/livestack/shutdown, else DATADIR/shutdown)\n"
	"  --id ID        the build ID of the medium this image is for (" LIVE_IMAGE_ID ");\n"
	"                 'iso' and 'usb' add it to the copy they put on the medium\n";

/*
 * The static programs the image carries, the first that exists: build/bin/BESIDE beside
 * this program (the build tree), PREFIX/lib/livestack/NAME (installed: they are
 * architecture-dependent, not data), DATADIR/NAME (older installs).
 */
static void default_prog(char *buf, size_t len, const char *beside, const char *name,
			 const char *datadir)
{
	char self[MK_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(buf, len, "%s/%s", self, beside);
		if (access(buf, R_OK) == 0)
			return;
		snprintf(buf, len, "%s/../lib/livestack/%s", self, name);
		if (access(buf, R_OK) == 0)
			return;
	}
	snprintf(buf, len, "%s/%s", datadir, name);
}

static int parse(int argc, char **argv, struct initramfs_opts *o)
{
	static const struct option longopts[] = {
		{ "kver", required_argument, NULL, 'k' },
		{ "moddir", required_argument, NULL, 'm' },
		{ "modules-dir", required_argument, NULL, 'm' },
		{ "init", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "aufs", required_argument, NULL, 'a' },
		{ "hooks", required_argument, NULL, 'H' },
		{ "profile", required_argument, NULL, 'p' },
		{ "compress", required_argument, NULL, 'c' },
		{ "datadir", required_argument, NULL, 'd' },
		{ "busybox", required_argument, NULL, 'b' },
		{ "e2fsck", required_argument, NULL, 'e' },
		{ "id", required_argument, NULL, 'I' },
		{ "shutdown", required_argument, NULL, 'S' },
		{ "compressed-modules", required_argument, NULL, 'M' },
		{ "union", required_argument, NULL, 'U' },
		{ "sign-key", required_argument, NULL, 'K' },
		{ "sign-cert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->profile = "demo";
	o->busybox = LIVE_BUSYBOX;
	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kver = optarg; break;
		case 'm': o->moddir = optarg; break;
		case 'i': o->init = optarg; break;
		case 'o': o->out = optarg; break;
		case 'a': o->aufs = optarg; break;
		case 'H': o->hooks = optarg; break;
		case 'p': o->profile = optarg; break;
		case 'c': o->compress = optarg; break;
		case 'd': o->datadir = optarg; break;
		case 'b': o->busybox = optarg; break;
		case 'e': o->e2fsck = optarg; break;
		case 'I': o->id = optarg; break;
		case 'S': o->shutdown = optarg; break;
		case 'M': o->kmods = optarg; break;
		case 'U': o->union_opt = optarg; break;
		case 'K': o->sign_key = optarg; break;
		case 'C': o->sign_cert = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return mk_usage("initramfs", usage_text, argc, argv);
		}
	}
	if (optind < argc) {
		mk_err("initramfs: unexpected argument '%s'", argv[optind]);
		return MK_EUSAGE;
	}
	if (!o->kver) {
		mk_err("initramfs: --kver KVER is required (e.g. %s)", "6.1.0-56-amd64");
		return MK_EUSAGE;
	}
	if (o->id && (!*o->id || strlen(o->id) > 32 || strspn(o->id, "0123456789abcdefABCDEF-") !=
		      strlen(o->id))) {
		mk_err("initramfs: --id %s: 1 to 32 hex digits", o->id);
		return MK_EUSAGE;
	}
	if (o->compress && strcmp(o->compress, "zstd") && strcmp(o->compress, "gzip") &&
	    strcmp(o->compress, "none")) {
		mk_err("initramfs: --compress %s: use zstd, gzip or none", o->compress);
		return MK_EUSAGE;
	}
	if (o->kmods && strcmp(o->kmods, "auto") && strcmp(o->kmods, "decompress") &&
	    strcmp(o->kmods, "keep")) {
		mk_err("initramfs: --compressed-modules %s: use auto, decompress or keep", o->kmods);
		return MK_EUSAGE;
	}
	if (!o->union_opt)
		o->union_opt = "auto";
	if (strcmp(o->union_opt, "auto") && strcmp(o->union_opt, "aufs") &&
	    strcmp(o->union_opt, "overlay")) {
		mk_err("initramfs: --union %s: auto, aufs or overlay", o->union_opt);
		return MK_EUSAGE;
	}
	if (!strcmp(o->union_opt, "overlay") && o->aufs) {
		mk_err("initramfs: --union overlay and --aufs %s: choose one", o->aufs);
		return MK_EUSAGE;
	}
	if (!o->sign_key != !o->sign_cert) {
		mk_err("initramfs: --sign-key and --sign-cert go together");
		return MK_EUSAGE;
	}
	o->datadir = mk_datadir(o->datadir);
	if (!o->moddir) {
		/* Debian 13's kernel packages install to /usr/lib/modules */
		snprintf(o->moddir_buf, sizeof(o->moddir_buf), "/lib/modules/%s", o->kver);
		if (access(o->moddir_buf, F_OK) != 0)
			snprintf(o->moddir_buf, sizeof(o->moddir_buf), "/usr/lib/modules/%s", o->kver);
		o->moddir = o->moddir_buf;
	}
	if (!o->out) {
		snprintf(o->out_buf, sizeof(o->out_buf), "initrd.img-%s", o->kver);
		o->out = o->out_buf;
	}
	if (!o->init) {
		default_prog(o->init_buf, sizeof(o->init_buf), "init", "init", o->datadir);
		o->init = o->init_buf;
	}
	if (!o->shutdown) {
		/* none found: left out */
		default_prog(o->shutdown_buf, sizeof(o->shutdown_buf), "livestack-shutdown",
			     "shutdown", o->datadir);
		o->shutdown = access(o->shutdown_buf, R_OK) == 0 ? o->shutdown_buf : "none";
	}
	return 0;
}

/* busybox must be static: the initramfs has no libc. */
static int check_static(const char *path)
{
	unsigned char h[64], ph[56];
	unsigned long long phoff;
	unsigned phnum, phentsize, i;
	int fd = open(path, O_RDONLY | O_CLOEXEC), bad = 0;

	if (fd < 0 || pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "\177ELF", 4) != 0 || h[4] != 2 /* ELFCLASS64 */ || h[5] != 1 /* LSB */) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(&phoff, h + 32, 8);
	phentsize = h[54] | h[55] << 8;
	phnum = h[56] | h[57] << 8;
	for (i = 0; i < phnum && phentsize >= 4; i++) {
		if (pread(fd, ph, 4, (off_t)(phoff + (unsigned long long)i * phentsize)) != 4)
			break;
		if (ph[0] == 3 && !ph[1] && !ph[2] && !ph[3])	/* PT_INTERP */
			bad = 1;
	}
	close(fd);
	return bad ? -1 : 0;
}

static int add_busybox(struct cpio_writer *w, const char *busybox)
{
	static char list[65536];
	const char *argv[] = { busybox, "--list-full", NULL };
	char *line, *save;
	int rc, err = 0, n = 0;

	if (mk_need_file("busybox", busybox))
		return -1;
	if (check_static(busybox)) {
		mk_err("busybox %s: not a static x86-64 binary (install busybox-static)", busybox);
		return -1;
	}
	rc = spawn_run(argv, NULL, list, sizeof(list));
	if (rc) {
		mk_err("%s --list-full failed (%d): %s", busybox, rc, rc < 0 ? strerror(-rc) : list);
		return -1;
	}
	err = cpio_add_file(w, "bin/busybox", 0755, busybox);
	for (line = strtok_r(list, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		while (*line == '/')
			line++;
		/* /init is ours: no applet may shadow it (linuxrc is the old name for it) */
		if (!*line || strcmp(line, "init") == 0 || strcmp(line, "linuxrc") == 0 ||
		    strcmp(line, "bin/busybox") == 0)
			continue;
		err = cpio_add_symlink(w, line, "/" "bin/busybox");
		n++;
	}
	if (err) {
		mk_err("busybox applet links: %s", strerror(-err));
		return -1;
	}
	if (n < 10) {
		mk_err("%s --list-full listed %d applets: is it busybox?", busybox, n);
		return -1;
	}
	return 0;
}

/* Add a directory tree under prefix; entries already in the archive win (user hooks first). */
static int add_tree(struct cpio_writer *w, const char *src, const char *prefix)
{
	char s[MK_PATH_MAX], d[MK_PATH_MAX], target[MK_PATH_MAX];
	struct dirent **names;
	struct stat st;
	int n, i, err = 0;
	ssize_t len;

	n = scandir(src, &names, NULL, alphasort);
	if (n < 0) {
		mk_err("hooks %s: %s", src, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (err || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, name);
		snprintf(d, sizeof(d), "%s/%s", prefix, name);
		if (lstat(s, &st) < 0) {
			mk_err("%s: %s", s, strerror(errno));
			err = -1;
			continue;
		}
		if (!S_ISDIR(st.st_mode) && cpio_has(w, d))
			continue;
		if (S_ISDIR(st.st_mode))
			err = cpio_add_dir(w, d, 0755) || add_tree(w, s, d) ? -1 : 0;
		else if (S_ISLNK(st.st_mode) && (len = readlink(s, target, sizeof(target) - 1)) > 0) {
			target[len] = '\0';
			err = cpio_add_symlink(w, d, target) ? -1 : 0;
		} else if (S_ISREG(st.st_mode))
			err = cpio_add_file(w, d, st.st_mode & 0111 ? 0755 : 0644, s) ? -1 : 0;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

static int add_modules(struct cpio_writer *w, const struct initramfs_opts *o,
		       const struct mk_modules *m, struct mk_aufs *aufs, const char *tmpdir)
{
	char src[MK_PATH_MAX], dst[MK_PATH_MAX], base[MK_PATH_MAX], p[MK_PATH_MAX];
	char *dep, *alias;
	struct mk_buf load = { 0 };
	size_t i;
	int err = 0;

	snprintf(base, sizeof(base), "lib/modules/%s", o->kver);
	for (i = 0; i < m->nall && !err; i++) {
		snprintf(dst, sizeof(dst), "%s/%s", base, modules_image_path(m, m->all[i], p, sizeof(p)));
		if (modules_image_file(m, m->all[i], o->moddir, tmpdir, src, sizeof(src)))
			return -1;
		err = cpio_add_file(w, dst, 0644, src);
	}
	if (!err && aufs->path) {
		snprintf(dst, sizeof(dst), "%s/extra/aufs.ko", base);
		err = cpio_add_file(w, dst, 0644, aufs->path);
	}
	dep = modules_dep_text(m, aufs);
	alias = modules_alias_text(m, aufs);
	if (!err && dep && alias) {
		snprintf(dst, sizeof(dst), "%s/modules.dep", base);
		err = cpio_add_data(w, dst, 0644, dep, strlen(dep));
		snprintf(dst, sizeof(dst), "%s/modules.alias", base);
		err = err ? err : cpio_add_data(w, dst, 0644, alias, strlen(alias));
	} else if (!err) {
		err = -ENOMEM;
	}
	free(dep);
	free(alias);
	snprintf(src, sizeof(src), "%s/modules.builtin", o->moddir);
	snprintf(dst, sizeof(dst), "%s/modules.builtin", base);
	if (!err && access(src, R_OK) == 0)
		err = cpio_add_file(w, dst, 0644, src);
	else if (!err)
		err = cpio_add_data(w, dst, 0644, "", 0);

	for (i = 0; i < m->nload && !err; i++)
		err = mk_buf_printf(&load, "%s\n", m->db.mods[m->load[i]].name);
	if (!err && aufs->path)
		err = mk_buf_printf(&load, "aufs\n");
	if (!err)
		err = cpio_add_data(w, LIVE_MODULES_LOAD + 1, 0644, load.s ? load.s : "", load.len);
	free(load.s);
	if (err)
		mk_err("adding modules: %s", strerror(-err));
	return err ? -1 : 0;
}

static int add_skeleton(struct cpio_writer *w, const struct initramfs_opts *o, const char *compress)
{
	static const char *const dirs[] = { "proc", "sys", "dev", "run", "root", "mnt", "etc" };
	char image[512];
	size_t i;
	int err = 0;

	(void)compress;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !err; i++)
		err = cpio_add_dir(w, dirs[i], 0755);
	if (!err)
		err = cpio_add_dir(w, "tmp", 01777);
	if (!err)
		err = cpio_add_node(w, "dev/console", S_IFCHR | 0600, 5, 1);
	if (!err)
		err = cpio_add_node(w, "dev/null", S_IFCHR | 0666, 1, 3);
	if (!err)
		err = cpio_add_file(w, "init", 0755, o->init);
	snprintf(image, sizeof(image), "format=%d\nkver=%s\nprofile=%s\nunion=%s\n",
		 LIVE_FORMAT_VERSION, o->kver, o->profile, o->aufs ? "aufs" : "overlay");
	if (!err)
		err = cpio_add_data(w, LIVE_IMAGE_INFO + 1, 0644, image, strlen(image));
	if (!err && o->id) {
		snprintf(image, sizeof(image), "%s\n", o->id);
		err = cpio_add_data(w, LIVE_IMAGE_ID + 1, 0644, image, strlen(image));
	}
	if (!err && strcmp(o->shutdown, "none")) {
		if (mk_need_file("shutdown program", o->shutdown))
			return -1;
		err = cpio_add_file(w, LIVE_SHUTDOWN_SRC + 1, 0755, o->shutdown);
	}
	if (!err && o->e2fsck) {
		if (mk_need_file("e2fsck", o->e2fsck))
			return -1;
		if (check_static(o->e2fsck)) {
			mk_err("--e2fsck %s: not a static x86-64 binary (install e2fsck-static and "
			       "give /sbin/e2fsck.static)", o->e2fsck);
			return -1;
		}
		err = cpio_add_file(w, LIVE_E2FSCK + 1, 0755, o->e2fsck);
	}
	if (err)
		mk_err("initramfs skeleton: %s", strerror(-err));
	return err ? -1 : 0;
}

/*
 * Network boot (a profile with the net list): klibc-utils' ipconfig for ip=/DHCP, at
 * Debian's path, with the klibc shared object it is linked against (/lib/klibc-*.so).
 */
static int add_klibc(struct cpio_writer *w, const struct mk_profile *p)
{
	static const char ipconfig[] = "/usr/lib/klibc/bin/ipconfig";
	char so[MK_PATH_MAX];
	struct dirent *d;
	size_t i;
	DIR *dir;
	int found = 0;

	for (i = 0; i < p->nlists && strcmp(p->lists[i], "net"); i++)
		;
	if (i == p->nlists)
		return 0;
	if (mk_need_file("ipconfig (install klibc-utils)", ipconfig))
		return -1;
	dir = opendir("/lib");
	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "klibc-", 6) || !strstr(d->d_name, ".so"))
			continue;
		snprintf(so, sizeof(so), "/lib/%s", d->d_name);
		if (cpio_add_file(w, so + 1, 0755, so))
			break;
		found++;
	}
	if (dir)
		closedir(dir);
	if (!found) {
		mk_err("no /lib/klibc-*.so for %s (install klibc-utils)", ipconfig);
		return -1;
	}
	return cpio_add_file(w, ipconfig + 1, 0755, ipconfig) ? -1 : 0;
}

static int add_hooks(struct cpio_writer *w, const struct initramfs_opts *o)
{
	char repo[MK_PATH_MAX];
	struct stat st;

	if (cpio_add_dir(w, LIVE_HOOKS_DIR + 1, 0755))
		return -1;
	/* --hooks first: a user's hook replaces the repository's hook of the same name */
	if (o->hooks) {
		if (stat(o->hooks, &st) < 0 || !S_ISDIR(st.st_mode)) {
			mk_err("--hooks %s: not a directory", o->hooks);
			return -1;
		}
		if (add_tree(w, o->hooks, LIVE_HOOKS_DIR + 1))
			return -1;
	}
	snprintf(repo, sizeof(repo), "%s/hooks", o->datadir);
	if (stat(repo, &st) == 0 && S_ISDIR(st.st_mode))
		return add_tree(w, repo, LIVE_HOOKS_DIR + 1);
	return 0;
}

/*
 * An out-of-tree build keeps its debug info (3.3 MB for aufs.ko against 0.2 MB
 * without): strip it, unless the module is signed (stripping would break that).
 * The kernel's own modules come stripped and signed and are copied as they are.
 */
static const char *aufs_stripped(const char *src, const char *tmpdir, char *buf, size_t len,
				 bool resign)
{
	static const char sig[] = "~Module signature appended~\n";
	char tail[sizeof(sig) - 1], out[1024];
	const char *argv[] = { "strip", "--strip-debug", "-o", buf, src, NULL };
	off_t size = mk_file_size(src);
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0 && size > (off_t)sizeof(tail))
		n = pread(fd, tail, sizeof(tail), size - (off_t)sizeof(tail));
	if (fd >= 0)
		close(fd);
	if (!resign && n == (ssize_t)sizeof(tail) && memcmp(tail, sig, sizeof(tail)) == 0)
		return src;
	/* to be signed: strip drops an old signature too (it is not in any section) */
	snprintf(buf, len, "%s/aufs.ko", tmpdir);
	if (spawn_run(argv, NULL, out, sizeof(out)) != 0) {
		mk_info("--aufs %s: could not strip debug info (binutils' strip); copied as is", src);
		if (!resign || mk_copy(src, buf, 0644))
			return resign ? NULL : src;
	}
	return buf;
}

/*
 * aufs.ko for kver without --aufs: the module tree (make install/DKMS; Debian 13's
 * dkms compresses it as the kernel's modules: .ko.xz/.zst/.gz, made plain in tmpdir),
 * the build tree beside this program, DATADIR; says which it took, or how to get one.
 */
static int find_aufs(struct initramfs_opts *o, const char *tmpdir)
{
	static const char *const sfx[] = { "", ".xz", ".zst", ".gz" };
	char self[MK_PATH_MAX], cand[4][MK_PATH_MAX], path[MK_PATH_MAX + 8];
	const char *what[4] = { "the module tree", "the module tree (DKMS)", "the build tree",
				"DATADIR" };
	ssize_t n;
	size_t i, k;

	if (o->aufs) {
		mk_info("initramfs: aufs: %s (--aufs)", o->aufs);
		return mk_need_file("aufs module", o->aufs);
	}
	if (!strcmp(o->union_opt, "overlay")) {
		mk_info("initramfs: no aufs (--union overlay): the root union is overlayfs");
		return 0;
	}
	snprintf(cand[0], sizeof(cand[0]), "%s/extra/aufs.ko", o->moddir);
	snprintf(cand[1], sizeof(cand[1]), "%s/updates/dkms/aufs.ko", o->moddir);
	cand[2][0] = '\0';
	/* build/bin/livestack-mkimage -> build/aufs/KVER/aufs.ko */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(cand[2], sizeof(cand[2]), "%s/../aufs/%s/aufs.ko", self, o->kver);
	}
	snprintf(cand[3], sizeof(cand[3]), "%s/aufs/%s/aufs.ko", o->datadir, o->kver);
	for (i = 0; i < 4; i++) {
		/* compressed only in the module tree, where depmod and dkms put them */
		for (k = 0; k < (i < 2 ? sizeof(sfx) / sizeof(sfx[0]) : 1); k++) {
			snprintf(path, sizeof(path), "%s%s", cand[i], sfx[k]);
			if (cand[i][0] && access(path, R_OK) == 0)
				break;
		}
		if (!cand[i][0] || k == (i < 2 ? sizeof(sfx) / sizeof(sfx[0]) : 1))
			continue;
		char *real = realpath(path, NULL);

		mk_info("initramfs: aufs: %s (%s)", real ? real : path, what[i]);
		if (k > 0) {
			snprintf(o->aufs_buf, sizeof(o->aufs_buf), "%s/aufs-found.ko", tmpdir);
			if (modules_decompress(real ? real : path, o->aufs_buf)) {
				free(real);
				return -1;
			}
		} else {
			snprintf(o->aufs_buf, sizeof(o->aufs_buf), "%s", real ? real : path);
		}
		free(real);
		o->aufs = o->aufs_buf;
		return 0;
	}
	if (!strcmp(o->union_opt, "aufs")) {
		mk_err("initramfs: --union aufs: no aufs.ko for %s in %s/extra, %s/updates/dkms "
		       "(nor .ko.xz, .ko.zst, .ko.gz), %s or %s: build it with 'make aufs KVER=%s' "
		       "(needs linux-headers-%s), install the aufs-livestack-dkms package, or give "
		       "--aufs FILE",
		       o->kver, o->moddir, o->moddir, cand[2], cand[3], o->kver, o->kver);
		return -1;
	}
	mk_info("initramfs: no aufs.ko for %s (looked in %s/extra, %s/updates/dkms also compressed, "
		"%s, %s): the image is overlayfs-only; for aufs build it with 'make aufs KVER=%s' "
		"(needs linux-headers-%s) or install the aufs-livestack-dkms package, or give "
		"--aufs FILE", o->kver, o->moddir, o->moddir, cand[2], cand[3], o->kver, o->kver);
	return 0;
}

static int compress_file(const char *raw, const char *out, const char *how, int level)
{
	char lvl[8];

	if (strcmp(how, "zstd") == 0) {
		const char *argv[] = { "zstd", "-q", "-f", "--no-progress", "--single-thread",
				       lvl, "-o", out, raw, NULL };

		snprintf(lvl, sizeof(lvl), "-%d", level ? level : 19);
		return mk_run(argv);
	}
	if (strcmp(how, "gzip") == 0) {
		/* -n: no name, no timestamp; gzip writes raw.gz beside raw */
		const char *argv[] = { "gzip", "-n", "-f", lvl, raw, NULL };
		char gz[MK_PATH_MAX];

		snprintf(lvl, sizeof(lvl), "-%d", level && level <= 9 ? level : 9);
		if (mk_run(argv))
			return -1;
		snprintf(gz, sizeof(gz), "%s.gz", raw);
		if (rename(gz, out) < 0) {
			mk_err("rename %s: %s", gz, strerror(errno));
			unlink(gz);
			return -1;
		}
		return 0;
	}
	if (rename(raw, out) < 0) {
		mk_err("rename %s: %s", raw, strerror(errno));
		return -1;
	}
	return 0;
}

int initramfs_main(int argc, char **argv)
{
	struct initramfs_opts o;
	struct mk_profile prof;
	struct mk_modules mods;
	struct mk_aufs aufs = { 0 };
	struct cpio_writer w;
	char tmpdir[MK_PATH_MAX] = "", raw[MK_PATH_MAX + 8] = "", outtmp[MK_PATH_MAX] = "";
	char aufs_ko[MK_PATH_MAX];
	const char *compress;
	struct stat st;
	off_t rawsize;
	size_t i, ndecomp = 0, nkept = 0;
	int fd = -1, err = -1;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	err = -1;	/* until the image is written */
	if (profile_load(o.datadir, o.profile, &prof))
		return -1;
	compress = o.compress ? o.compress : prof.compress;
	if (stat(o.moddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		mk_err("kernel module dir %s: %s (give --moddir, or run 'make deps' to unpack "
		       "linux-image-%s)", o.moddir, errno ? strerror(errno) : "not a directory", o.kver);
		return -1;
	}
	cpio_init(&w, mk_epoch());
	memset(&mods, 0, sizeof(mods));
	if (mk_tmpdir(tmpdir, sizeof(tmpdir))) {
		tmpdir[0] = '\0';
		goto out_free;
	}
	if (mk_need_file("init", o.init) || find_aufs(&o, tmpdir))
		goto out_free;
	if (o.sign_key && (!o.aufs || sign_check_pair(o.sign_key, o.sign_cert))) {
		if (!o.aufs)
			mk_err("initramfs: --sign-key: there is no aufs.ko to sign (--union overlay, "
			       "or none found)");
		goto out_free;
	}
	aufs.path = o.aufs;
	if (modules_select(&mods, o.moddir, o.datadir, &prof, &aufs, o.kver))
		goto out_free;
	mods.compressed = !o.kmods || !strcmp(o.kmods, "auto") ? MK_KMOD_AUTO :
			  !strcmp(o.kmods, "keep") ? MK_KMOD_KEEP : MK_KMOD_DECOMPRESS;
	if (mods.compressed == MK_KMOD_AUTO) {
		char conf[MK_PATH_MAX];

		modules_kernel_config(&mods, o.moddir, o.kver, conf, sizeof(conf));
		if (!conf[0])
			mk_info("no kernel config for %s (in the build cache or /boot): compressed "
				"modules, if any, go into the image decompressed", o.kver);
	}

	if (aufs.path) {
		aufs.path = aufs_stripped(aufs.path, tmpdir, aufs_ko, sizeof(aufs_ko), o.sign_key);
		if (!aufs.path || (o.sign_key && sign_module(o.kver, o.sign_key, o.sign_cert,
							       aufs.path)))
			goto out_free;
		if (o.sign_key)
			mk_info("initramfs: aufs.ko signed with %s (enrol %s as a MOK)", o.sign_key,
				o.sign_cert);
	}
	if (add_skeleton(&w, &o, compress) || add_busybox(&w, o.busybox) ||
	    add_modules(&w, &o, &mods, &aufs, tmpdir) || add_hooks(&w, &o) || add_klibc(&w, &prof))
		goto out_free;

	/* the raw archive sits beside the output: gzip's and our renames stay on one fs */
	fd = mk_tmp_beside(o.out, outtmp, sizeof(outtmp));
	if (fd < 0) {
		outtmp[0] = '\0';
		goto out_free;
	}
	close(fd);
	snprintf(raw, sizeof(raw), "%s.cpio", outtmp);
	fd = open(raw, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		mk_err("cannot write %s: %s", raw, strerror(errno));
		goto out_free;
	}
	err = cpio_write(&w, fd);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		mk_err("writing the cpio archive %s: %s", raw, strerror(-err));
		err = -1;
		goto out_free;
	}
	rawsize = mk_file_size(raw);
	err = -1;
	if (compress_file(raw, outtmp, compress, prof.level) || mk_commit(outtmp, o.out, 0644))
		goto out_free;
	outtmp[0] = '\0';
	for (i = 0; i < mods.nall; i++) {
		if (modules_decompressed(&mods, mods.all[i]))
			ndecomp++;
		else if (modules_compressed(mods.db.mods[mods.all[i]].path))
			nkept++;
	}
	mk_info("initramfs %s: %lld bytes (%s), %lld uncompressed, %zu modules (%zu loaded at boot; "
		"%zu decompressed, %zu kept compressed), profile %s, union %s", o.out,
		(long long)mk_file_size(o.out), compress, (long long)rawsize,
		mods.nall + (aufs.path ? 1 : 0), mods.nload + (aufs.path ? 1 : 0), ndecomp, nkept,
		prof.name, aufs.path ? "aufs" : "overlay");
	err = 0;

out_free:
	if (outtmp[0])
		unlink(outtmp);
	if (raw[0]) {
		unlink(raw);
		strcat(raw, ".gz");
		unlink(raw);
	}
	if (tmpdir[0])
		mk_rm_rf(tmpdir);
	cpio_free(&w);
	modules_free(&mods);
	return err;
}
