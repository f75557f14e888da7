// SPDX-License-Identifier: GPL-2.0
/* Early set-up: /proc, /sys, /dev, /run, the console, the command line and the image info. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

struct early_mount {
	const char *src, *dir, *type, *data;
	unsigned long flags;
};

static const struct early_mount early_mounts[] = {
	{ "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID },
	{ "tmpfs", "/run", "tmpfs", "mode=0755,size=20%", MS_NOSUID | MS_NODEV },
};

/*
 * fds 0-2 open, always: the kernel opens the console for us when the image has the node;
 * if not, console (once devtmpfs is there); if that fails too, /dev/null (made when
 * missing). A closed one would be taken by the next file opened, and progress lines
 * written into it. Returns how many were on null, or -errno when even that failed.
 */
int early_std_fds(const char *console, const char *null)
{
	int fd, i, on_null = 0;

	for (i = STDIN_FILENO; i <= STDERR_FILENO; i++) {
		if (fcntl(i, F_GETFD) >= 0)
			continue;
		fd = open(console, O_RDWR | O_NOCTTY);
		if (fd < 0) {
			fd = open(null, O_RDWR);
			if (fd < 0 && errno == ENOENT &&
			    mknod(null, S_IFCHR | 0666, makedev(1, 3)) == 0)
				fd = open(null, O_RDWR);
			if (fd < 0)
				return -errno;
			on_null++;
		}
		/* the lowest free number: i itself, since 0..i-1 are open */
		if (fd != i) {
			dup2(fd, i);
			close(fd);
		}
	}
	return on_null;
}

/* Something is mounted on dir, a directory right under / (another device than /). */
static bool mounted(const char *dir)
{
	struct stat d, root;

	return stat(dir, &d) == 0 && stat("/", &root) == 0 && d.st_dev != root.st_dev;
}

static void console_fds(void)
{
	early_std_fds("/dev/console", "/dev/null");
}

static int image_line(void *arg, char *line)
{
	struct live_ctx *ctx = arg;

	if (!strncmp(line, "format=", 7) && atoi(line + 7) != LIVE_FORMAT_VERSION)
		return live_fail(ctx, -EPROTO, "rebuild the initramfs with the livestack-mkimage "
				 "of this /init (or put this /init in an image of that version)",
				 "%s says format=%s, this /init reads format=%d: the image and "
				 "/init come from different livestack versions", LIVE_IMAGE_INFO,
				 line + 7, LIVE_FORMAT_VERSION);
	if (!strncmp(line, "union=", 6))
		snprintf(ctx->image_union, sizeof(ctx->image_union), "%s", line + 6);
	return 0;
}

/*
 * /init typed in a shell (a rescue shell runs with /init waiting for it) would mount a
 * second medium, rw branch and union over the first ones: refuse, change nothing, and
 * let the shell go on.
 */
int early_not_init(void)
{
	fprintf(stderr, "livestack: /init runs only as the kernel's first process (PID 1); this "
		"one is PID %d and changed nothing.\nlivestack: try: 'exit' in the rescue shell "
		"retries the boot phase; 'poweroff -f' or 'reboot -f' otherwise\n", (int)getpid());
	return 1;
}

int early_mount(struct live_ctx *ctx, struct live_cfg *cfg)
{
	struct utsname uts;
	char cmdline[4096];
	size_t i;
	int err;

	for (i = 0; i < sizeof(early_mounts) / sizeof(early_mounts[0]); i++) {
		const struct early_mount *m = &early_mounts[i];

		mkdir(m->dir, 0755);
		/* a retry (after the rescue shell) mounts only what is not there yet:
		 * a second tmpfs on /run would hide the first one's files */
		if (mounted(m->dir))
			continue;
		if (mount(m->src, m->dir, m->type, m->flags, m->data) < 0 && errno != EBUSY) {
			console_fds();
			return live_fail(ctx, -errno, "the kernel needs proc, sysfs, devtmpfs and tmpfs",
					 "mounting %s on %s: %s", m->type, m->dir, strerror(errno));
		}
	}
	console_fds();
	setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 1);
	umask(022);

	if (uname(&uts) == 0)
		snprintf(ctx->kver, sizeof(ctx->kver), "%s", uts.release);
	if (file_read("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		cmdline[0] = '\0';
	cmdline_parse(cfg, cmdline);

	err = file_lines(LIVE_IMAGE_INFO, image_line, ctx);
	if (err && err != -ENOENT)
		return err;
	return 0;
}
