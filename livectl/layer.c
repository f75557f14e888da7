// SPDX-License-Identifier: GPL-2.0
/* livectl layer add/del/list: squashfs layers joining and leaving the aufs root at run time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "layout.h"
#include "livectl.h"
#include "probe.h"

#define USERS_MAX 12

/* One livectl changes the union at a time: a lock beside the status file. */
static int lock_status(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", livectl_status_path());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;	/* a read-only /run: go on unlocked */
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void unlock_status(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* remount with the flags / already has: a remount resets nosuid, nodev, noexec, atime */
static int remount_root(const char *opts)
{
	unsigned long flags = MS_REMOUNT;
	struct statvfs sv;

	if (statvfs("/", &sv) == 0) {
		if (sv.f_flag & ST_RDONLY)
			flags |= MS_RDONLY;
		if (sv.f_flag & ST_NOSUID)
			flags |= MS_NOSUID;
		if (sv.f_flag & ST_NODEV)
			flags |= MS_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			flags |= MS_NOEXEC;
		if (sv.f_flag & ST_NOATIME)
			flags |= MS_NOATIME;
		if (sv.f_flag & ST_NODIRATIME)
			flags |= MS_NODIRATIME;
		if (sv.f_flag & ST_RELATIME)
			flags |= MS_RELATIME;
	}
	return mount("none", "/", NULL, flags, opts) < 0 ? -errno : 0;
}

/* NAME from FILE: the basename without ".squashfs". */
static int layer_name(const char *file, char *name, size_t len)
{
	const char *base = strrchr(file, '/');
	size_t n, sl = strlen(LIVE_LAYER_SUFFIX);

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n > sl && !strcmp(base + n - sl, LIVE_LAYER_SUFFIX))
		n -= sl;
	if (n == 0 || n >= len || base[0] == '.')
		return -EINVAL;
	/* ':' ',' '=' separate aufs' branch options; whitespace breaks the status line */
	if (strcspn(base, ":,= \t\n\\") < n)
		return -EINVAL;
	snprintf(name, len, "%.*s", (int)n, base);
	return 0;
}

static int undo_mount(const char *dir)
{
	int err = umount2(dir, 0) < 0 ? -errno : 0;

	if (err)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	return err;
}

static int layer_add(const char *file, bool top)
{
	char name[64], dir[PATH_MAX], image[PATH_MAX], dev[64] = "-", opts[PATH_MAX + 32];
	struct live_status_layer l;
	struct root_union ru;
	struct live_status st;
	struct probe_result pr;
	struct stat sb;
	int err, lock, loopfd = -1, nrw, rc = LIVECTL_EFAIL;

	err = mounts_root(&ru);
	if (err) {
		livectl_err("layer add: cannot read /proc/self/mounts: %s", strerror(-err));
		return LIVECTL_EFAIL;
	}
	if (mounts_need_aufs(&ru, "layer add"))
		return LIVECTL_EFAIL;
	if (layer_name(file, name, sizeof(name))) {
		livectl_err("layer add: '%s' does not give a layer name: want NAME.squashfs, NAME "
			    "without ':' ',' '=' or blanks, not starting with '.'", file);
		return LIVECTL_EUSAGE;
	}
	if (stat(file, &sb) < 0) {
		livectl_err("layer add: %s: %s", file, strerror(errno));
		return LIVECTL_EFAIL;
	}
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		livectl_err("layer add: %s is not a file or a block device", file);
		return LIVECTL_EFAIL;
	}
	err = probe_path(file, &pr);
	if (err || strcmp(pr.type, "squashfs")) {
		livectl_err("layer add: %s is not a squashfs image (%s%s); build one with "
			    "mksquashfs DIR %s.squashfs", file, err ? "" : "found ",
			    err ? strerror(-err) : pr.type, name);
		return LIVECTL_EFAIL;
	}
	if (!realpath(file, image))
		snprintf(image, sizeof(image), "%s", file);
	snprintf(dir, sizeof(dir), "%s/%s", LIVE_LAYERS_MNT, name);

	lock = lock_status();
	if (livectl_status_load(&st)) {
		unlock_status(lock);
		return LIVECTL_EFAIL;
	}
	snprintf(opts, sizeof(opts), "layer.%s", name);
	if (runstatus_get(&st, opts) || mounts_is_mountpoint(dir) ||
	    mounts_aufs_branch(&ru, dir, NULL) >= 0) {
		livectl_err("layer add: the name %s is in use (%s): rename the image, or remove "
			    "the layer first with 'livectl layer del %s'", name, dir, name);
		goto out_status;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		livectl_err("layer add: cannot create %s: %s", dir, strerror(errno));
		goto out_status;
	}
	if (S_ISBLK(sb.st_mode)) {
		snprintf(dev, sizeof(dev), "%s", image);
	} else {
		err = loop_attach(image, true, dev, sizeof(dev), &loopfd);
		if (err) {
			livectl_err("layer add: no loop device for %s: %s%s", image, strerror(-err),
				    err == -ENOENT ? " (is the loop module loaded?)" : "");
			rmdir(dir);
			goto out_status;
		}
	}
	err = mount(dev, dir, "squashfs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0 ? -errno : 0;
	if (loopfd >= 0)
		close(loopfd);	/* the mount holds the device now; autoclear frees it at umount */
	if (err) {
		livectl_err("layer add: mounting %s (%s) on %s failed: %s", image, dev, dir,
			    strerror(-err));
		rmdir(dir);
		goto out_status;
	}
	/* top: just below the writable branch(es); bottom: under everything */
	mounts_aufs_branch(&ru, "", &nrw);
	if (top)
		snprintf(opts, sizeof(opts), "ins:%d:%s=rr", nrw, dir);
	else
		snprintf(opts, sizeof(opts), "append:%s=rr", dir);
	err = remount_root(opts);
	if (err) {
		livectl_err("layer add: aufs refused 'mount -o remount,%s /': %s (the kernel log, "
			    "dmesg, says why)", opts, strerror(-err));
		undo_mount(dir);
		goto out_status;
	}
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	snprintf(l.mnt, sizeof(l.mnt), "%s", dir);
	snprintf(l.dev, sizeof(l.dev), "%s", dev);
	snprintf(l.image, sizeof(l.image), "%s", image);
	err = runstatus_layer_add(&st, &l, top);
	if (!err)
		err = livectl_status_save(&st);
	if (err) {
		/* all or nothing: the status must describe the union */
		snprintf(opts, sizeof(opts), "del:%s", dir);
		remount_root(opts);
		undo_mount(dir);
		livectl_err("layer add: status not updated (%s): the layer was taken out again",
			    strerror(-err));
		goto out_status;
	}
	printf("layer %s added at the %s: %s on %s (%s)\n", name, top ? "top" : "bottom",
	       image, dir, dev);
	livectl_note("layer %s added at the %s from %s (%s)", name, top ? "top" : "bottom",
		     image, dev);
	rc = LIVECTL_OK;
out_status:
	runstatus_free(&st);
	unlock_status(lock);
	return rc;
}

/* Does the link /proc/PID/WHAT point into the layer? Through the union (via_union) a
 * path counts when it exists in the layer's tree; directly when it is under dir. */
static bool uses(const char *link, const char *dir, bool via_union, char *target, size_t len)
{
	char inlayer[PATH_MAX * 2];
	struct stat sb;
	ssize_t n = readlink(link, target, len - 1);
	size_t dl = strlen(dir);

	if (n <= 1 || target[0] != '/')
		return false;
	target[n] = '\0';
	if (!via_union)
		return !strncmp(target, dir, dl) && (target[dl] == '/' || !target[dl]);
	snprintf(inlayer, sizeof(inlayer), "%s%s", dir, target);
	return lstat(inlayer, &sb) == 0;
}

static void show_user(const char *pid, const char *what, const char *target, int *shown,
		      bool print)
{
	char path[64], comm[64] = "";
	FILE *fp;

	(*shown)++;
	if (!print)
		return;
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fp = fopen(path, "re");
	if (fp) {
		if (fgets(comm, sizeof(comm), fp))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(fp);
	}
	fprintf(stderr, "  pid %s (%s) %s %s\n", pid, comm, what, target);
}

/* Count, and list when print, (up to USERS_MAX) processes that hold files of the layer:
 * cwd, root, exe, open files. */
static int users(const char *dir, bool via_union, bool print)
{
	static const char *const kinds[] = { "cwd", "root", "exe" };
	char link[PATH_MAX], target[PATH_MAX];
	struct dirent *p, *f;
	DIR *proc, *fds;
	int shown = 0;
	size_t k;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((p = readdir(proc)) && shown < USERS_MAX) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' || atoi(p->d_name) == (int)getpid())
			continue;
		for (k = 0; k < 3 && shown < USERS_MAX; k++) {
			snprintf(link, sizeof(link), "/proc/%s/%s", p->d_name, kinds[k]);
			if (uses(link, dir, via_union, target, sizeof(target)) &&
			    (strcmp(kinds[k], "root") || strcmp(target, "/")))
				show_user(p->d_name, kinds[k], target, &shown, print);
		}
		snprintf(link, sizeof(link), "/proc/%s/fd", p->d_name);
		fds = opendir(link);
		while (fds && (f = readdir(fds)) && shown < USERS_MAX) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "/proc/%s/fd/%s", p->d_name, f->d_name);
			if (uses(link, dir, via_union, target, sizeof(target)))
				show_user(p->d_name, "has open", target, &shown, print);
		}
		if (fds)
			closedir(fds);
	}
	closedir(proc);
	return shown;
}

/*
 * Unmount a layer that has just left the union. The union's cached inodes may still
 * hold the branch for a moment after "del:" (the mount is then busy though nothing is
 * open): drop unused dentries and inodes and try again. Anything still open under dir
 * itself (not through the union) keeps it busy: -EBUSY.
 */
static int release(const char *dir)
{
	int tries, fd;

	for (tries = 0; tries < 3; tries++) {
		if (umount2(dir, 0) == 0)
			return 0;
		if (errno != EBUSY)
			return -errno;
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "2", 1) < 0)
				tries = 3;	/* not allowed: waiting will not help */
			close(fd);
		}
		usleep(100 * 1000);
	}
	return -EBUSY;
}

static int layer_del(const char *name)
{
	char key[80], dir[PATH_MAX], opts[PATH_MAX + 32];
	struct root_union ru;
	struct live_status st;
	const char *v;
	int err, idx, nrw, lock, rc = LIVECTL_EFAIL;

	err = mounts_root(&ru);
	if (err) {
		livectl_err("layer del: cannot read /proc/self/mounts: %s", strerror(-err));
		return LIVECTL_EFAIL;
	}
	if (mounts_need_aufs(&ru, "layer del"))
		return LIVECTL_EFAIL;
	if (!*name || strchr(name, '/') || name[0] == '.') {
		livectl_err("layer del: '%s' is not a layer name (see 'livectl layer list')", name);
		return LIVECTL_EUSAGE;
	}
	lock = lock_status();
	if (livectl_status_load(&st)) {
		unlock_status(lock);
		return LIVECTL_EFAIL;
	}
	snprintf(key, sizeof(key), "layer.%s", name);
	v = runstatus_get(&st, key);
	if (v && *v)
		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(v, " "), v);
	else
		snprintf(dir, sizeof(dir), "%s/%s", LIVE_LAYERS_MNT, name);
	idx = mounts_aufs_branch(&ru, dir, &nrw);
	if (idx < 0) {
		v = runstatus_get(&st, "layers");
		livectl_err("layer del: no layer %s in the root union (layers: %s)", name,
			    v && *v ? v : "none");
		goto out_status;
	}
	if (idx < nrw) {
		livectl_err("layer del: %s is the writable branch, not a layer", dir);
		goto out_status;
	}
	snprintf(opts, sizeof(opts), "del:%s", dir);
	err = remount_root(opts);
	if (err == -EBUSY) {
		livectl_err("layer del: files of layer %s are in use: close them (see fuser/lsof), "
			    "then retry; nothing was changed", name);
		users(dir, true, true);
		goto out_status;
	}
	if (err) {
		livectl_err("layer del: aufs refused 'mount -o remount,%s /': %s (see dmesg)",
			    opts, strerror(-err));
		goto out_status;
	}
	err = release(dir);
	if (err == -EBUSY && !users(dir, false, false)) {
		/* nothing of ours holds it: the union itself has not let go of the
		 * branch yet; detach it, the kernel frees it (and its loop device)
		 * when the last reference goes */
		err = umount2(dir, MNT_DETACH) < 0 ? -errno : 0;
		if (!err)
			fprintf(stderr, "livectl: layer del: the union still holds %s: detached "
				"from the tree; it is freed when the union lets go\n", dir);
	}
	if (err) {
		/* opened directly under /run/live/layers: put the branch back as it was */
		snprintf(opts, sizeof(opts), "ins:%d:%s=rr", idx, dir);
		if (remount_root(opts) == 0) {
			livectl_err("layer del: %s is in use outside the union (%s): close what is "
				    "open there, then retry; nothing was changed", dir,
				    strerror(-err));
			users(dir, false, true);
		} else {
			livectl_err("layer del: %s left the union but cannot be unmounted (%s)",
				    dir, strerror(-err));
		}
		goto out_status;
	}
	rmdir(dir);
	err = runstatus_layer_del(&st, name);
	if (err == -ENOENT)
		err = 0;	/* mounted by hand, never in the status */
	else if (!err)
		err = livectl_status_save(&st);
	if (err) {
		livectl_err("layer del: layer %s removed, but the status is stale: %s", name,
			    strerror(-err));
		goto out_status;
	}
	printf("layer %s removed (%s)\n", name, dir);
	livectl_note("layer %s removed", name);
	rc = LIVECTL_OK;
out_status:
	runstatus_free(&st);
	unlock_status(lock);
	return rc;
}

static int layer_list(void)
{
	struct live_status_layer l;
	struct root_union ru;
	struct live_status st;
	size_t i, n;
	int in;

	if (livectl_status_load(&st))
		return LIVECTL_EFAIL;
	if (mounts_root(&ru))
		memset(&ru, 0, sizeof(ru));
	n = runstatus_layer_count(&st);
	for (i = n; i-- > 0;) {
		runstatus_layer(&st, i, &l);
		in = strcmp(ru.type, "aufs") ? 1 : mounts_aufs_branch(&ru, l.mnt, NULL) >= 0;
		printf("%-16s %s%s\n", l.name, l.image, in ? "" : "  (not in the union)");
	}
	runstatus_free(&st);
	return LIVECTL_OK;
}

static const char layer_usage[] =
	"usage: livectl layer add FILE.squashfs [--top|--bottom]\n"
	"       livectl layer del NAME\n"
	"       livectl layer list\n";

int layer_cmd(int argc, char **argv)
{
	const char *file = NULL;
	bool top = true;
	int i;

	if (argc >= 2 && !strcmp(argv[1], "list") && argc == 2)
		return layer_list();
	if (argc == 3 && !strcmp(argv[1], "del"))
		return layer_del(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--top"))
				top = true;
			else if (!strcmp(argv[i], "--bottom"))
				top = false;
			else if (argv[i][0] == '-' && argv[i][1])
				break;
			else if (!file)
				file = argv[i];
			else
				break;
		}
		if (i == argc && file)
			return layer_add(file, top);
	}
	fputs(layer_usage, stderr);
	return LIVECTL_EUSAGE;
}
