// SPDX-License-Identifier: GPL-2.0
/* aufs-only: a branch on a loop device whose image file lies inside another branch is refused
 * (aufs(5), br:), at mount in either order and at remount add:/ins:; an image outside is fine. */
#include "fsop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#define LOOP_SET_FD		0x4C00
#define LOOP_CLR_FD		0x4C01
#define LOOP_CTL_GET_FREE	0x4C82
#define LP_IN	"/lp_in"	/* mount of the image inside the rw branch */
#define LP_OUT	"/lp_out"	/* mount of the image outside every branch */

static int copy_file(const char *from, const char *to)
{
	size_t n;
	char *d = get_file(from, &n);
	int r;

	if (!d)
		return -1;
	r = put_file(to, d, n, 0644);
	free(d);
	return r;
}

/* attach img to a free loop device, mount its squashfs on dir; the device number goes to *nr */
static int loop_mount(const char *img, const char *dir, int *nr)
{
	int ctl = open("/dev/loop-control", O_RDWR), fd, lfd, r = -1;
	char dev[32];

	*nr = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (ctl >= 0)
		close(ctl);
	if (*nr < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", *nr);
	fd = open(img, O_RDONLY);
	lfd = open(dev, O_RDONLY);
	if (fd >= 0 && lfd >= 0 && ioctl(lfd, LOOP_SET_FD, fd) == 0) {
		mkdir(dir, 0755);
		r = mount(dev, dir, "squashfs", MS_RDONLY, NULL);
		if (r < 0)
			ioctl(lfd, LOOP_CLR_FD, 0);
	}
	if (r < 0)
		*nr = -1;
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	return r;
}

/* unmount dir and release its loop device (the image file is closed afterwards) */
static void loop_umount(const char *dir, int nr)
{
	char dev[32], sys[64];
	int lfd;

	if (umount(dir) < 0)
		FAIL("umount %s: %s", dir, strerror(errno));
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lfd = open(dev, O_RDONLY);
	if (lfd >= 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
	}
	/* the release may finish in the background: wait until the rw branch can go */
	snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/backing_file", nr);
	for (int i = 0; i < 50 && exists(sys); i++)
		usleep(100 * 1000);
}

static void umount_union(void)
{
	if (C->mounted && umount(UNION) == 0)
		C->mounted = 0;
}

static void loop_branch(void)
{
	const char *img_in = pw("img.sqfs"), *img_out = "/tmp/img-out.sqfs";
	char o[512];
	int nin = -1, nout = -1;

	EXP(0, copy_file("/fixture/lower.sqfs", img_in));
	EXP(0, copy_file("/fixture/lower.sqfs", img_out));
	if (EXP(0, loop_mount(img_in, LP_IN, &nin)) < 0 ||
	    EXP(0, loop_mount(img_out, LP_OUT, &nout)) < 0)
		goto out;

	/* the image of a lower branch lies in the rw branch */
	snprintf(o, sizeof(o), "br:%s=rw:%s=rr", C->upper, LP_IN);
	EXP(EINVAL, aufs_mount(o));
	if (!kmsg_find("branch " LP_IN " is on a loop device whose image"))
		FAIL("no kernel message naming branch %s and its image", LP_IN);
	umount_union();
	/* the other order: the new branch holds the image of an earlier one */
	snprintf(o, sizeof(o), "br:%s=rr:%s=ro", LP_IN, C->upper);
	EXP(EINVAL, aufs_mount(o));
	if (!kmsg_find(" holds the image "))
		FAIL("no kernel message naming branch %s as holding an image", C->upper);
	umount_union();

	/* remount add: and ins: of it are refused too and change nothing */
	snprintf(o, sizeof(o), "br:%s=rw:%s=ro", C->upper, L2_DIR);
	if (EXP(0, aufs_mount(o)) == 0) {
		snprintf(o, sizeof(o), "add:1:%s=rr", LP_IN);
		EXP(EINVAL, mount("none", UNION, "aufs", MS_REMOUNT, o));
		snprintf(o, sizeof(o), "ins:1:%s=rr", LP_IN);
		EXP(EINVAL, mount("none", UNION, "aufs", MS_REMOUNT, o));
		if (!kmsg_find("branch " LP_IN " is on a loop device"))
			FAIL("no kernel message at remount");
		EXP(ENOENT, access(pu("a.txt"), F_OK));	/* only in the squashfs image */
		/* an image outside every branch is a branch like any other */
		snprintf(o, sizeof(o), "add:2:%s=rr", LP_OUT);
		EXP(0, mount("none", UNION, "aufs", MS_REMOUNT, o));
		EXP(0, access(pu("a.txt"), F_OK));
		umount_union();
	}
	snprintf(o, sizeof(o), "br:%s=rw:%s=rr", C->upper, LP_OUT);
	if (EXP(0, aufs_mount(o)) == 0) {
		EXP(0, access(pu("a.txt"), F_OK));
		umount_union();
	}
out:
	umount_union();
	if (nin >= 0)
		loop_umount(LP_IN, nin);
	if (nout >= 0)
		loop_umount(LP_OUT, nout);
	unlink(img_out);
}

const struct fcase loopbr_cases[] = {
	{ "loop-branch-image-in-branch", loop_branch, F_AUFS | F_NOMOUNT },
	{ NULL },
};
