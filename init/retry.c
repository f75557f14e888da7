// SPDX-License-Identifier: GPL-2.0
/* A retried phase starts clean: the mounts its failed attempt left (with their loop
 * devices and cloop helpers) are taken away first, those made in the rescue shell kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

struct mount_walk {
	struct retry_mounts *set;	/* collect: the IDs */
	const struct retry_mounts *before, *failed;	/* undo: the attempt's IDs */
	struct undo_entry {
		unsigned id;
		char dir[LIVE_PATH_MAX], src[64];
	} *undo;
	size_t nundo, max;
};

static bool has(const struct retry_mounts *m, unsigned id)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->ids[i] == id)
			return true;
	return false;
}

/* mountinfo's octal escapes (\040 for a space) back to bytes */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* "ID PARENT MAJ:MIN ROOT DIR OPTS [TAGS] - TYPE SOURCE SUPEROPTS" */
static int mount_line(void *arg, char *line)
{
	struct mount_walk *w = arg;
	char dir[LIVE_PATH_MAX * 2], src[128];
	const char *sep;
	unsigned id;

	if (sscanf(line, "%u %*u %*s %*s %511s", &id, dir) != 2)
		return 0;
	if (w->set) {
		if (w->set->n < RETRY_MOUNTS_MAX)
			w->set->ids[w->set->n++] = id;
		else
			w->set->overflow = true;
		return 0;
	}
	if (has(w->before, id) || !has(w->failed, id) || w->nundo == w->max)
		return 0;
	sep = strstr(line, " - ");
	if (!sep || sscanf(sep + 3, "%*s %127s", src) != 1)
		src[0] = '\0';
	unescape(dir);
	w->undo[w->nundo].id = id;
	snprintf(w->undo[w->nundo].dir, sizeof(w->undo[0].dir), "%s", dir);
	snprintf(w->undo[w->nundo].src, sizeof(w->undo[0].src), "%s", src);
	w->nundo++;
	return 0;
}

void retry_mounts_read(struct retry_mounts *m)
{
	struct mount_walk w = { .set = m };

	m->n = 0;
	m->overflow = false;
	m->ok = file_lines("/proc/self/mountinfo", mount_line, &w) == 0;
}

void retry_undo(const struct retry_mounts *before, const struct retry_mounts *failed)
{
	struct mount_walk w = { .before = before, .failed = failed, .max = RETRY_MOUNTS_MAX };
	size_t i, done = 0;

	if (!before->ok || !failed->ok || before->overflow || failed->overflow)
		return;
	w.undo = calloc(w.max, sizeof(*w.undo));
	if (!w.undo) {
		log_err("out of memory: what the failed attempt mounted stays");
		return;
	}
	if (file_lines("/proc/self/mountinfo", mount_line, &w)) {
		free(w.undo);
		return;
	}
	/* the newest first: a mount on top of another, or under it, comes after it */
	for (i = w.nundo; i-- > 0;) {
		const struct undo_entry *u = &w.undo[i];

		if (umount2(u->dir, 0) < 0 && umount2(u->dir, MNT_DETACH) < 0) {
			log_warn("retry: %s (%s), mounted by the failed attempt, stays: %s", u->dir,
				 u->src, strerror(errno));
			continue;
		}
		done++;
		/* a cloop layer's helper serves /dev/nbdN: disconnected, it exits */
		if (!strncmp(u->src, "/dev/nbd", 8))
			cloop_layer_stop(u->src);
	}
	if (done)
		log_info("retry: %zu mount%s of the failed attempt taken away first", done,
			 done == 1 ? "" : "s");
	free(w.undo);
}
