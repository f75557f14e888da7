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

/* unmount dir and release its loop device (the image file is closed afterwards) */
static void loop_umount(const char *dir, int nr)
{
	if (umount(dir) < 0)
		FAIL("umount %s: %s", dir, strerror(errno));
	/* the release may finish in the background: wait until the rw branch can go */
	for (int i = 0; i < 50 && !loop_detach(nr); i++)
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
	nin = loop_mount(img_in, LP_IN, "squashfs", 0);
	nout = nin < 0 ? -1 : loop_mount(img_out, LP_OUT, "squashfs", 0);
	if (EXP(0, nin < 0 || nout < 0 ? -1 : 0) < 0)
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
