// SPDX-License-Identifier: GPL-2.0
/*
 * switch_root in C: check everything first, then move /dev /proc /sys /run into the
 * new root, delete the initramfs without crossing into other mounts, move the new
 * root onto /, chroot and exec the real init as PID 1 (busybox switch_root's order).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

#define RAMFS_MAGIC	0x858458f6
/* the kernel passes at most CONFIG_INIT_ENV_ARG_LIMIT (32) words; room for more */
#define LIVE_INIT_ARGS_MAX	64
#define TMPFS_MAGIC	0x01021994

static const char *const moved[] = { "/dev", "/proc", "/sys", "/run" };

/* Resolve path inside root (absolute symlinks are relative to root) into cur, lstat in st. */
static int resolve_in(const char *root, const char *path, char *cur, size_t len, struct stat *st,
		      char *why, size_t wlen)
{
	char link[PATH_MAX], full[PATH_MAX * 2];
	int hops;

	snprintf(cur, len, "%s", path);
	for (hops = 0; hops < 16; hops++) {
		ssize_t n;

		snprintf(full, sizeof(full), "%s%s", root, cur);
		if (lstat(full, st) < 0) {
			snprintf(why, wlen, "%s: %s", cur, strerror(errno));
			return -errno;
		}
		if (!S_ISLNK(st->st_mode))
			return 0;
		n = readlink(full, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		if (link[0] == '/') {
			snprintf(cur, len, "%s", link);
		} else {
			char dir[PATH_MAX], *slash = strrchr(cur, '/');

			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s", cur);
			snprintf(cur, len, "%s/%s", dir, link);
		}
	}
	snprintf(why, wlen, "%s: too many symbolic links", path);
	return -ELOOP;
}

/* An executable regular file inside root. */
static int check_file(const char *root, const char *path, char *cur, size_t len, char *why,
		      size_t wlen)
{
	struct stat st;
	int err = resolve_in(root, path, cur, len, &st, why, wlen);

	if (err)
		return err;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		snprintf(why, wlen, "%s is not an executable file", cur);
		return -ENOEXEC;
	}
	return 0;
}

/* Does path exist inside root, every symbolic link on the way taken inside root
 * (openat2 RESOLVE_IN_ROOT, Linux 5.6; else the last component's links only)? */
static bool exists_in_root(const char *root, const char *path, char *why, size_t wlen)
{
	struct { uint64_t flags, mode, resolve; } how = { O_PATH | O_CLOEXEC, 0, 0x10 };
	char at[PATH_MAX];
	struct stat st;
	int rfd, fd;

	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd >= 0) {
		fd = (int)syscall(437 /* SYS_openat2 */, rfd, path, &how, sizeof(how));
		close(rfd);
		if (fd >= 0) {
			close(fd);
			return true;
		}
		if (errno != ENOSYS)
			return false;
	}
	return resolve_in(root, path, at, sizeof(at), &st, why, wlen) == 0;
}

/* An ELF the kernel can run here (the class and machine of this /init) whose program
 * interpreter, if any, is in root. */
static int check_elf(const char *root, const char *cur, int fd, const unsigned char *h,
		     char *why, size_t wlen)
{
	unsigned char me[EI_NIDENT + 4];
	char interp[PATH_MAX];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int self, i;

	self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && pread(self, me, sizeof(me), 0) == (ssize_t)sizeof(me) &&
	    (me[EI_CLASS] != h[EI_CLASS] || me[EI_DATA] != h[EI_DATA] ||
	     memcmp(me + EI_NIDENT + 2, h + EI_NIDENT + 2, 2))) {
		close(self);
		snprintf(why, wlen, "%s is a program for another machine (ELF class %d, "
			 "machine %u; this kernel runs class %d, machine %u)", cur, h[EI_CLASS],
			 h[EI_NIDENT + 2] | h[EI_NIDENT + 3] << 8, me[EI_CLASS],
			 me[EI_NIDENT + 2] | me[EI_NIDENT + 3] << 8);
		return -ENOEXEC;
	}
	if (self >= 0)
		close(self);
	if (h[EI_CLASS] != ELFCLASS64 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return 0;
	for (i = 0; i < eh.e_phnum; i++) {
		ssize_t n;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			return 0;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz >= sizeof(interp))
			return 0;
		n = pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset);
		if (n <= 0)
			return 0;
		interp[n] = '\0';
		if (!exists_in_root(root, interp, why, wlen)) {
			snprintf(why, wlen, "%s needs the program interpreter %s, which the new root "
				 "does not have", cur, interp);
			return -ENOENT;
		}
	}
	return 0;
}

/*
 * What execve() will say, asked before the initramfs is gone: path in root is an
 * executable file the kernel can run (an ELF for this machine whose interpreter is
 * there, or a "#!" script whose interpreter is there), resolved into cur.
 */
static int check_exec(const char *root, const char *path, char *why, size_t len)
{
	char cur[PATH_MAX], full[PATH_MAX * 2], interp[PATH_MAX];
	unsigned char h[EI_NIDENT + 4];
	ssize_t n;
	int fd, err;

	err = check_file(root, path, cur, sizeof(cur), why, len);
	if (err)
		return err;
	snprintf(full, sizeof(full), "%s%s", root, cur);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", cur, strerror(errno));
		return -errno;
	}
	memset(h, 0, sizeof(h));
	n = pread(fd, h, sizeof(h), 0);
	if (n >= (ssize_t)sizeof(h) && !memcmp(h, ELFMAG, SELFMAG)) {
		err = check_elf(root, cur, fd, h, why, len);
		close(fd);
		return err;
	}
	if (n >= 2 && h[0] == '#' && h[1] == '!') {
		char line[256], *p, *e;

		n = pread(fd, line, sizeof(line) - 1, 0);
		close(fd);
		line[n > 0 ? n : 0] = '\0';
		for (p = line + 2; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++)
			;
		*e = '\0';
		if (*p != '/') {
			snprintf(why, len, "%s: the #! line names no interpreter path", cur);
			return -ENOEXEC;
		}
		err = check_file(root, p, interp, sizeof(interp), why, len);
		if (err) {
			char inner[PATH_MAX + 64];

			snprintf(inner, sizeof(inner), "%s", why);
			snprintf(why, len, "%s is a script for %s (%s)", cur, p, inner);
		}
		return err;
	}
	close(fd);
	snprintf(why, len, "%s is neither a program (ELF) nor a script (#!)", cur);
	return -ENOEXEC;
}

/* /dev, /proc, /sys and /run move into the new root: each there is a directory, or absent. */
static int check_move_targets(const char *root, char *why, size_t len)
{
	char target[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		snprintf(target, sizeof(target), "%s%s", root, moved[i]);
		if (lstat(target, &st) < 0 ? errno != ENOENT : !S_ISDIR(st.st_mode)) {
			snprintf(why, len, "%s is %s, not a directory: the running system's %s "
				 "is moved there", moved[i], S_ISLNK(st.st_mode) ? "a symbolic link" :
				 "a file", moved[i]);
			return -ENOTDIR;
		}
	}
	return 0;
}

int switchroot_check(struct live_ctx *ctx, const char *newroot)
{
	struct stat root, nr;
	char why[PATH_MAX + 64];
	int err;

	if (stat("/", &root) < 0 || stat(newroot, &nr) < 0)
		return live_fail(ctx, -errno, "the union is gone: mount it on " LIVE_NEWROOT
				 " again (see 'mount'), or reboot", "looked for the new root %s: %s", newroot,
				 strerror(errno));
	if (root.st_dev == nr.st_dev)
		return live_fail(ctx, -EINVAL, "the union is gone: mount it on " LIVE_NEWROOT
				 " again (see 'mount'), or reboot", "looked for the new root: %s is not a mounted "
				 "filesystem", newroot);
	if (getpid() != 1)	/* main() refuses to run as another PID first */
		return live_fail(ctx, -EPERM, NULL, "not PID 1: switch_root needs to be init");
	err = check_exec(newroot, ctx->cfg->init, why, sizeof(why));
	if (err)
		return live_fail(ctx, err,
				 "pass init=/path/to/an/init that runs here (init=/bin/sh to look "
				 "around), or fix the layer",
				 "the real init is not there: %s", why);
	err = check_move_targets(newroot, why, sizeof(why));
	if (err)
		return live_fail(ctx, err, "make it a directory in the layer (here, for this boot: "
				 "rm the file and mkdir it under " LIVE_NEWROOT ")",
				 "the new root cannot take the running system: %s", why);
	return 0;
}

/* Delete everything on the initramfs, staying on its device (busybox delete_contents). */
static void delete_contents(const char *dir, dev_t rootdev)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dh;

	if (lstat(dir, &st) < 0 || st.st_dev != rootdev)
		return;
	if (S_ISDIR(st.st_mode)) {
		dh = opendir(dir);
		if (dh) {
			while ((d = readdir(dh))) {
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "",
					 d->d_name);
				delete_contents(path, rootdev);
			}
			closedir(dh);
		}
		if (strcmp(dir, "/"))
			rmdir(dir);
	} else {
		unlink(dir);
	}
}

int switchroot_exec(struct live_ctx *ctx, const char *newroot)
{
	char target[PATH_MAX];
	struct statfs sfs;
	struct stat root;
	size_t i;
	int err;

	err = switchroot_check(ctx, newroot);
	if (err)
		return err;
	if (statfs("/", &sfs) < 0 || ((unsigned long)sfs.f_type != RAMFS_MAGIC &&
				      (unsigned long)sfs.f_type != TMPFS_MAGIC))
		return live_fail(ctx, -EINVAL, NULL,
				 "/ is not the initramfs (ramfs/tmpfs): refusing to delete it");
	stat("/", &root);
	shutdown_prep(ctx);
	hooks_run(ctx, "bottom-late");
	status_write(ctx, LIVE_STATUS);

	for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		snprintf(target, sizeof(target), "%s%s", newroot, moved[i]);
		mkdir(target, 0755);
		if (mount(moved[i], target, NULL, MS_MOVE, NULL) < 0) {
			log_warn("mount --move %s %s: %s", moved[i], target, strerror(errno));
			if (!strcmp(moved[i], "/run")) {
				err = -errno;
				/* back as they were: the rescue shell and a retry need them */
				while (i-- > 0) {
					snprintf(target, sizeof(target), "%s%s", newroot, moved[i]);
					mount(target, moved[i], NULL, MS_MOVE, NULL);
				}
				return live_fail(ctx, err, "see 'mount' and 'ls -ld " LIVE_NEWROOT "/run'",
						 "cannot move /run (the branches) into %s: %s",
						 newroot, strerror(-err));
			}
		}
	}
	{
		char args[512] = "";
		size_t n, used = 0;

		for (n = 0; ctx->init_args && ctx->init_args[n] && used < sizeof(args); n++)
			used += (size_t)snprintf(args + used, sizeof(args) - used, " %s",
						 ctx->init_args[n]);
		log_info("switching to %s, exec %s%s (%llu ms in initramfs)", newroot,
			 ctx->cfg->init, args, (unsigned long long)(live_now_ms() - ctx->t_start_ms));
	}

	if (chdir(newroot) < 0)
		return live_fail(ctx, -errno, NULL, "chdir %s: %s", newroot, strerror(errno));
	delete_contents("/", root.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return live_fail(ctx, -errno, NULL, "mount --move . /: %s", strerror(errno));
	if (chroot(".") < 0 || chdir("/") < 0)
		return live_fail(ctx, -errno, NULL, "chroot: %s", strerror(errno));
	{
		char *argv[LIVE_INIT_ARGS_MAX + 2] = { (char *)ctx->cfg->init };
		char *const sh[] = { "sh", NULL };
		size_t n = 0;

		/* the real init gets the words the kernel gave /init, as the kernel would */
		while (ctx->init_args && ctx->init_args[n] && n < LIVE_INIT_ARGS_MAX) {
			argv[n + 1] = ctx->init_args[n];
			n++;
		}
		argv[n + 1] = NULL;
		log_release();
		execv(ctx->cfg->init, argv);
		/* past the point of no return: the initramfs is gone; the new root's shell */
		log_err("exec %s failed: %s; trying the new root's /bin/sh", ctx->cfg->init,
			strerror(errno));
		execv("/bin/sh", sh);
	}
	return live_fail(ctx, -errno, "boot with init=/bin/sh to investigate",
			 "exec %s failed: %s", ctx->cfg->init, strerror(errno));
}
