// SPDX-License-Identifier: GPL-2.0
/*
 * live.toram=background: /init forks a helper before switch_root. The helper waits
 * until PID 1 is in the new root, joins it (chroot through /proc/1/root), copies and
 * hashes the layers into the tmpfs, then swaps each medium branch of the aufs root
 * for its RAM copy (remount ins:, then del:), and releases the medium.
 *
 * A forked helper, not a program the real system starts: it needs nothing from the
 * new root (works with any init), it shares /init's code for the copy, and it starts
 * as soon as the union is up. A branch that running programs still use (the shell
 * that is PID 1 keeps busybox mapped) cannot be deleted: aufs says EBUSY. Its loop
 * device is then moved onto the RAM copy (LOOP_CHANGE_FD, made for exactly this:
 * same size, read-only), so that branch no longer reads the medium either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"
#include "toram.h"

#ifndef LIVE_LOOP_CHANGE_FD
#define LIVE_LOOP_CHANGE_FD	0x4C06	/* include/uapi/linux/loop.h */
#endif
#define WAIT_SWITCH_S		600

/* Replace the toram lines of the status file with ctx->toram_status. */
static void status_update(struct live_ctx *ctx)
{
	char *old = NULL, *out, *p, *nl;
	size_t len = 0, used = 0;

	if (file_slurp(LIVE_STATUS, &old, &len))
		old = NULL, len = 0;
	out = malloc(len + sizeof(ctx->toram_status) + 1);
	if (!out) {
		free(old);
		return;
	}
	for (p = old; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (!strncmp(p, "toram=", 6) || !strncmp(p, "toram.", 6) || !strncmp(p, "verify.", 7))
			continue;
		memcpy(out + used, p, n);
		used += n;
	}
	memcpy(out + used, ctx->toram_status, strlen(ctx->toram_status));
	used += strlen(ctx->toram_status);
	file_write_atomic(LIVE_STATUS, out, used, 0644);
	free(out);
	free(old);
}

/* From /proc/mounts: the source of the mount on mnt, and for "/" the aufs br: list. */
static int mount_field(const char *mnt, const char *type, char *src, size_t slen,
		       char *opts, size_t olen)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	int found = -ENOENT;

	if (file_slurp("/proc/mounts", &text, &len))
		return -EIO;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char s[LIVE_PATH_MAX], m[LIVE_PATH_MAX], t[32], o[4096];

		if (sscanf(line, "%255s %255s %31s %4095s", s, m, t, o) != 4 || strcmp(m, mnt))
			continue;
		if (type && strcmp(t, type))
			continue;
		/* the last line for a mount point is the one on top */
		if (src)
			snprintf(src, slen, "%s", s);
		if (opts)
			snprintf(opts, olen, "%s", o);
		found = 0;
	}
	free(text);
	return found;
}

/* Index of the branch dir in the root's br: list, or -1. */
static int branch_index(const char *dir)
{
	char opts[4096], *br, *tok, *save = NULL;
	size_t dlen = strlen(dir);
	int i = 0;

	if (mount_field("/", "aufs", NULL, 0, opts, sizeof(opts)))
		return -1;
	br = strstr(opts, "br:");
	if (!br)
		return -1;
	br += 3;
	br[strcspn(br, ",")] = '\0';
	for (tok = strtok_r(br, ":", &save); tok; tok = strtok_r(NULL, ":", &save), i++)
		if (!strncmp(tok, dir, dlen) && (tok[dlen] == '=' || !tok[dlen]))
			return i;
	return -1;
}

static bool is_mounted(const char *mnt)
{
	return mount_field(mnt, NULL, NULL, 0, NULL, 0) == 0;
}

static int remount_root(const char *opt)
{
	return mount("none", "/", "aufs", MS_REMOUNT, opt) < 0 ? -errno : 0;
}

/* Point the loop device under mnt at the RAM copy instead of the medium's file. */
static int move_loop(const char *mnt, const char *copy)
{
	char dev[LIVE_PATH_MAX];
	int lfd, ffd, err = 0;

	if (mount_field(mnt, NULL, dev, sizeof(dev), NULL, 0) || strncmp(dev, "/dev/loop", 9))
		return -ENOENT;
	lfd = open(dev, O_RDONLY | O_CLOEXEC);
	ffd = open(copy, O_RDONLY | O_CLOEXEC);
	if (lfd < 0 || ffd < 0 || ioctl(lfd, LIVE_LOOP_CHANGE_FD, ffd) < 0)
		err = -errno;
	if (lfd >= 0)
		close(lfd);
	if (ffd >= 0)
		close(ffd);
	return err;
}

/*
 * Take one layer off the medium: its loop device is moved onto the RAM copy first (this
 * alone frees the medium, whatever aufs says next), then the copy is mounted, inserted
 * above the medium branch and the medium branch deleted.
 */
static int swap_layer(const struct toram_layer *l, char *note, size_t len)
{
	char old[LIVE_PATH_MAX], mnt[LIVE_PATH_MAX], opt[LIVE_PATH_MAX * 2], loopdev[32];
	int idx, loopfd, err, moved;

	snprintf(old, sizeof(old), "%s/%s", LIVE_LAYERS_MNT, l->name);
	snprintf(mnt, sizeof(mnt), "%s/%s", LIVE_TORAM_DIR, l->name);
	idx = branch_index(old);
	if (idx < 0) {
		snprintf(note, len, "%s: no branch %s in the root's br: list", l->name, old);
		return -ENOENT;
	}
	moved = move_loop(old, l->dst);
	if (moved)
		log_warn("toram: layer %s: the loop under %s stays on the medium: %s", l->name,
			 old, strerror(-moved));
	err = loop_attach(l->dst, true, loopdev, sizeof(loopdev), &loopfd);
	if (err) {
		snprintf(note, len, "%s: loop: %s", l->name, strerror(-err));
		return moved ? err : 0;
	}
	file_mkdirs(mnt, 0755);
	err = mount(loopdev, mnt, "squashfs", MS_RDONLY | MS_NODEV, NULL) < 0 ? -errno : 0;
	close(loopfd);
	if (err) {
		snprintf(note, len, "%s: mount of the copy: %s", l->name, strerror(-err));
		return moved ? err : 0;
	}
	/* above the medium branch: new lookups find the copy first */
	snprintf(opt, sizeof(opt), "ins:%d:%s=rr", idx, mnt);
	err = remount_root(opt);
	if (err) {
		umount2(mnt, MNT_DETACH);
		snprintf(note, len, "%s: aufs %s: %s%s", l->name, opt, strerror(-err),
			 moved ? "" : ", its loop reads RAM");
		return moved ? err : 0;
	}
	snprintf(opt, sizeof(opt), "del:%s", old);
	err = remount_root(opt);
	if (!err) {
		umount2(old, MNT_DETACH);
		snprintf(note, len, "%s: branch swapped", l->name);
		log_info("toram: layer %s: %s replaced by %s in the root union", l->name, old, mnt);
		return 0;
	}
	if (moved) {
		snprintf(note, len, "%s: aufs %s: %s", l->name, opt, strerror(-err));
		return err;
	}
	/* EBUSY: programs run from it (PID 1's shell); same bytes, now from RAM too */
	snprintf(note, len, "%s: branch in use, kept below the copy; its loop reads RAM", l->name);
	log_info("toram: layer %s: %s is in use (%s): kept, its loop device reads %s", l->name,
		 old, strerror(-err), l->dst);
	return 0;
}

/* Wait until PID 1 has left the initramfs, then take its root as ours. */
static int join_new_root(int procfd)
{
	struct stat mine, its;
	int i;

	if (stat("/", &mine) < 0)
		return -errno;
	for (i = 0; i < WAIT_SWITCH_S * 10; i++) {
		if (fstatat(procfd, "1/root", &its, 0) == 0 &&
		    (its.st_dev != mine.st_dev || its.st_ino != mine.st_ino))
			break;
		usleep(100000);
	}
	if (i == WAIT_SWITCH_S * 10)
		return -ETIMEDOUT;
	/* let the real init start before the copy competes with it */
	usleep(500000);
	if (fchdir(procfd) < 0 || chdir("1/root") < 0 || chroot(".") < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}

static int helper(struct live_ctx *ctx, struct toram_job *j, int procfd)
{
	const struct live_dev *m = ctx->medium >= 0 ? &ctx->devs[ctx->medium] : NULL;
	char why[LIVE_PATH_MAX + 128], note[LIVE_PATH_MAX + 64], notes[1024] = "";
	const struct toram_layer *bad;
	size_t i;
	int err;

	err = join_new_root(procfd);
	close(procfd);
	if (err) {
		log_warn("toram: background: the new root never came: %s", strerror(-err));
		return 1;
	}
	toram_set_status(ctx, NULL, "background: copying %llu MiB",
			 (unsigned long long)(j->total >> 20));
	status_update(ctx);
	j->what = "toram";
	j->console = false;
	err = toram_pass(j, true, why, sizeof(why));
	bad = err ? NULL : toram_first_mismatch(j);
	if (err || bad) {
		umount2(LIVE_TORAM_DIR, MNT_DETACH);
		if (bad)
			snprintf(why, sizeof(why), "layer %s does not match its SHA-256", bad->name);
		log_warn("toram: background: %s: the system keeps running from the medium", why);
		toram_set_status(ctx, j, "background: fallback: %s", why);
		status_update(ctx);
		return 1;
	}
	/* top layer first: the order the union lists them */
	for (i = j->n; i-- > 0;) {
		err = swap_layer(&j->l[i], note, sizeof(note));
		snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "%s%s",
			 *notes ? "; " : "", note);
		if (err) {
			log_warn("toram: background: %s: the medium stays in use", note);
			toram_set_status(ctx, j, "background: failed: %s", notes);
			status_update(ctx);
			return 1;
		}
	}
	/* references to the old loops and squashfs drop asynchronously */
	for (i = 0; i < 50 && umount2(LIVE_MEDIUM_MNT, 0) < 0 && errno == EBUSY; i++)
		usleep(100000);
	if (is_mounted(LIVE_MEDIUM_MNT)) {
		log_warn("toram: background: the medium is still busy (%s): do not remove it",
			 strerror(EBUSY));
		toram_set_status(ctx, j, "background: done, medium busy (%s); %s",
				 strerror(EBUSY), notes);
		status_update(ctx);
		return 1;
	}
	rmdir(LIVE_MEDIUM_MNT);
	if (m && m->cdrom) {
		snprintf(note, sizeof(note), "/dev/%s", m->name);
		toram_eject(note);
	}
	toram_set_status(ctx, j, "background: done; %s", notes);
	status_update(ctx);
	log_console("livestack: toram: the layers are in RAM, the medium can be removed\n");
	return 0;
}

int toram_background(struct live_ctx *ctx, struct toram_job *j)
{
	int procfd, fd;
	pid_t pid;

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(procfd);
		return -errno;
	}
	if (pid > 0) {
		close(procfd);
		toram_set_status(ctx, j, "background: waiting for the new root (helper pid %d)",
				 (int)pid);
		log_info("toram: booting from the medium; pid %d copies the layers to RAM "
			 "after switch_root", (int)pid);
		return 0;
	}
	/* the helper: quiet on the console, not in the way of the real init */
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 2)
			close(fd);
	}
	log_setup(true, true, false);
	_exit(helper(ctx, j, procfd));
}
