// SPDX-License-Identifier: GPL-2.0
/* Loop devices: which were bound at the start, LOOP_CLR_FD on the ones still bound
 * (highest number first: layers and persistence images before the ISO file they may
 * sit on), and a line for each one that is gone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "loopdev.h"
#include "shutdown.h"

static bool bound(int n, char *file, size_t len)
{
	char path[64], buf[SD_PATH];
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/block/loop%d/loop/backing_file", n);
	r = file_read(path, buf, sizeof(buf));
	if (r <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	if (file)
		snprintf(file, len, "%s", buf);
	return true;
}

static int cmp_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

/* The numbers of the bound loop devices, highest first. */
static size_t list_bound(int *out, size_t max)
{
	struct dirent *d;
	size_t n = 0;
	DIR *dh = opendir("/sys/block");

	if (!dh)
		return 0;
	while ((d = readdir(dh)) && n < max) {
		char *end;
		long k;

		if (strncmp(d->d_name, "loop", 4))
			continue;
		k = strtol(d->d_name + 4, &end, 10);
		if (*end || end == d->d_name + 4 || !bound((int)k, NULL, 0))
			continue;
		out[n++] = (int)k;
	}
	closedir(dh);
	qsort(out, n, sizeof(out[0]), cmp_desc);
	return n;
}

void sd_loops_scan(struct sd_state *s)
{
	size_t i;

	s->nloops = list_bound(s->loops, SD_MAX_LOOPS);
	for (i = 0; i < s->nloops; i++)
		bound(s->loops[i], s->loop_file[i], sizeof(s->loop_file[i]));
}

size_t sd_loops_detach(struct sd_state *s, bool verbose)
{
	char dev[32];
	int now[SD_MAX_LOOPS];
	size_t n = list_bound(now, SD_MAX_LOOPS), i, left = 0;

	for (i = 0; i < n; i++) {
		int fd;

		snprintf(dev, sizeof(dev), "/dev/loop%d", now[i]);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		/* in use (a filesystem on it): the kernel only marks it autoclear */
		if (fd >= 0) {
			fsync(fd);
			loop_clear(fd);
			close(fd);
		}
		if (bound(now[i], NULL, 0))
			left++;
	}
	/* one line for each device of ours that is free now (autoclear or LOOP_CLR_FD) */
	for (i = 0; verbose && i < s->nloops; i++) {
		if (s->loop_reported[i] || bound(s->loops[i], NULL, 0))
			continue;
		s->loop_reported[i] = true;
		say("detached /dev/loop%d (%s)", s->loops[i], s->loop_file[i]);
	}
	return left;
}

size_t sd_loops_freed(const struct sd_state *s)
{
	size_t i, freed = 0;

	for (i = 0; i < s->nloops; i++)
		freed += !bound(s->loops[i], NULL, 0);
	return freed;
}
