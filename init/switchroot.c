// SPDX-License-Identifier: GPL-2.0
/*
 * switch_root in C: check everything first, then move /dev /proc /sys /run into the
 * new root, delete the initramfs without crossing into other mounts, move the new
 * root onto /, chroot and exec the real init as PID 1 (busybox switch_root's order).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

#define RAMFS_MAGIC	0x858458f6
#define TMPFS_MAGIC	0x01021994

static const char *const moved[] = { "/dev", "/proc", "/sys", "/run" };

/* Resolve path inside root (absolute symlinks are relative to root) and check it is
 * an executable regular file. */
static int check_exec(const char *root, const char *path, char *why, size_t len)
{
	char cur[PATH_MAX], link[PATH_MAX], full[PATH_MAX * 2];
	struct stat st;
	int hops;

	snprintf(cur, sizeof(cur), "%s", path);
	for (hops = 0; hops < 16; hops++) {
		ssize_t n;

		snprintf(full, sizeof(full), "%s%s", root, cur);
		if (lstat(full, &st) < 0) {
			snprintf(why, len, "%s: %s", cur, strerror(errno));
			return -errno;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		n = readlink(full, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		if (link[0] == '/') {
			snprintf(cur, sizeof(cur), "%s", link);
		} else {
			char *slash = strrchr(cur, '/');
			char dir[PATH_MAX];

			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s", cur);
			snprintf(cur, sizeof(cur), "%s/%s", dir, link);
		}
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		snprintf(why, len, "%s is not an executable file", cur);
		return -ENOEXEC;
	}
	return 0;
}

int switchroot_check(struct live_ctx *ctx, const char *newroot)
{
	struct stat root, nr;
	char why[PATH_MAX + 64];
	int err;

	if (stat("/", &root) < 0 || stat(newroot, &nr) < 0)
		return live_fail(ctx, -errno, NULL, "stat of / or %s: %s", newroot, strerror(errno));
	if (root.st_dev == nr.st_dev)
		return live_fail(ctx, -EINVAL, "the union mount is missing; see 'mount'",
				 "%s is not a mounted filesystem", newroot);
	if (getpid() != 1)
		return live_fail(ctx, -EPERM, NULL, "not PID 1: switch_root needs to be init");
	err = check_exec(newroot, ctx->opts.init, why, sizeof(why));
	if (err)
		return live_fail(ctx, err,
				 "the layers hold no init: pass init=/path/to/init, or check the squashfs",
				 "the real init is not there: %s", why);
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
			if (!strcmp(moved[i], "/run"))
				return live_fail(ctx, -errno, "does the new root have a /run directory?",
						 "cannot move /run (the branches) into %s: %s",
						 newroot, strerror(errno));
		}
	}
	log_info("switching to %s, exec %s (%llu ms in initramfs)", newroot, ctx->opts.init,
		 (unsigned long long)(live_now_ms() - ctx->t_start_ms));

	if (chdir(newroot) < 0)
		return live_fail(ctx, -errno, NULL, "chdir %s: %s", newroot, strerror(errno));
	delete_contents("/", root.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return live_fail(ctx, -errno, NULL, "mount --move . /: %s", strerror(errno));
	if (chroot(".") < 0 || chdir("/") < 0)
		return live_fail(ctx, -errno, NULL, "chroot: %s", strerror(errno));
	{
		char *const argv[] = { ctx->opts.init, NULL };

		char *const sh[] = { "sh", NULL };

		execv(ctx->opts.init, argv);
		/* past the point of no return: the initramfs is gone; the new root's shell */
		log_err("exec %s failed: %s; trying the new root's /bin/sh", ctx->opts.init,
			strerror(errno));
		execv("/bin/sh", sh);
	}
	return live_fail(ctx, -errno, "boot with init=/bin/sh to investigate",
			 "exec %s failed: %s", ctx->opts.init, strerror(errno));
}
