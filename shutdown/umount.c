// SPDX-License-Identifier: GPL-2.0
/*
 * Take the mounts apart, deepest first. Under systemd (the old root at /oldroot): move
 * /oldroot/run (it holds the branches, layers and medium under live/) aside to /oldrun,
 * unmount everything else under /oldroot, then the union itself, then the mounts under
 * /oldrun; what stays busy after every retry is detached lazily. Run on the old root
 * itself, unmount what can go and remount the rest read-only.
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
#include "layout.h"
#include "shutdown.h"

#define MAX_MOUNTS	512
#define SD_FIFREEZE	0xC0045877	/* _IOWR('X', 119, int), include/uapi/linux/fs.h */

struct mnt {
	char path[SD_PATH];
	char type[32];
	char src[SD_PATH];
	int order;			/* line number in mountinfo */
	int depth;
	bool rw;			/* mounted read-write */
};

struct mnt_list {
	struct mnt m[MAX_MOUNTS];
	size_t n;
};

/* The mount table buffer (about 280 KiB): allocated once, when the program starts. */
static struct mnt_list *list(struct sd_state *s)
{
	if (!s->mounts)
		s->mounts = calloc(1, sizeof(struct mnt_list));
	if (!s->mounts)
		say("out of memory for the mount table: nothing is unmounted");
	return s->mounts;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!*prefix || !strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '/' || path[n] == '\0');
}

/* Mounts at or under prefix (the prefix itself only with self), deepest first. */
static int cmp_mnt(const void *a, const void *b)
{
	const struct mnt *x = a, *y = b;

	if (x->depth != y->depth)
		return y->depth - x->depth;
	return y->order - x->order;
}

static void read_mounts(struct mnt_list *l, const char *prefix, bool self)
{
	char *data = NULL, *line, *save = NULL;
	size_t len;
	int order = 0;

	l->n = 0;
	if (file_slurp("/proc/self/mountinfo", &data, &len))
		return;
	for (line = strtok_r(data, "\n", &save); line && l->n < MAX_MOUNTS;
	     line = strtok_r(NULL, "\n", &save), order++) {
		char mp[SD_PATH], opts[8], type[32], src[SD_PATH], *dash = strstr(line, " - ");
		struct mnt *m;
		const char *c;

		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s %7s", mp, opts) != 2 ||
		    sscanf(dash + 3, "%31s %255s", type, src) != 2)
			continue;
		unescape(mp);
		if (!under(mp, prefix) || (!self && !strcmp(mp, *prefix ? prefix : "/")))
			continue;
		m = &l->m[l->n++];
		snprintf(m->path, sizeof(m->path), "%s", mp);
		snprintf(m->type, sizeof(m->type), "%s", type);
		snprintf(m->src, sizeof(m->src), "%s", src);
		m->order = order;
		m->rw = !strncmp(opts, "rw", 2) && (!opts[2] || opts[2] == ',');
		m->depth = 0;
		for (c = mp; *c; c++)
			m->depth += *c == '/';
	}
	free(data);
	qsort(l->m, l->n, sizeof(l->m[0]), cmp_mnt);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* What a mount is to a live system, for the messages. */
static const char *role(const struct sd_state *s, const char *path)
{
	if (*s->old && !strcmp(path, s->old))
		return "the union";
	if (ends_with(path, "/live/rw"))
		return "the persistence branch";
	if (ends_with(path, "/live/persist-host"))
		return "the persistence host";
	if (ends_with(path, "/live/medium"))
		return "the medium";
	if (ends_with(path, "/live/isohost"))
		return "the ISO file's host";
	if (strstr(path, "/live/layers/"))
		return "a layer";
	return NULL;
}

/* Before the persistence branch goes: keep its device open to read the superblock. */
static void remember_rw(struct sd_state *s, const struct mnt *m)
{
	if (s->rw_fd >= 0 || !ends_with(m->path, "/live/rw") || strncmp(m->src, "/dev/", 5))
		return;
	s->rw_fd = open(m->src, O_RDONLY | O_CLOEXEC);
	snprintf(s->rw_src, sizeof(s->rw_src), "%s", m->src);
	snprintf(s->rw_type, sizeof(s->rw_type), "%s", m->type);
}

static void said_unmount(struct sd_state *s, const struct mnt *m, const char *how)
{
	const char *r = role(s, m->path);

	say("%s %s%s%s (%s %s)", how, m->path, r ? ", " : "", r ? r : "", m->type, m->src);
	if (ends_with(m->path, "/live/rw") && strcmp(how, "remounted read-only"))
		sd_persist_check(s);
}

/* A busy writable filesystem on a block device that cannot be unmounted: FIFREEZE
 * writes it out and leaves it consistent on disk (ext4: journal flushed, no recovery
 * needed); writers then wait, and the machine goes down with it frozen. */
static void freeze(struct sd_state *s, const struct mnt *m)
{
	const char *r = role(s, m->path);
	int fd, err;

	if (!m->rw || strncmp(m->src, "/dev/", 5))
		return;
	fd = open(m->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = fd < 0 || ioctl(fd, SD_FIFREEZE, 0) < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	if (err) {
		say("cannot freeze %s%s%s (%s %s): %s: it may need a check at the next boot",
		    m->path, r ? ", " : "", r ? r : "", m->type, m->src, strerror(err));
		return;
	}
	say("froze %s%s%s (%s %s): written out and consistent on disk, though busy",
	    m->path, r ? ", " : "", r ? r : "", m->type, m->src);
	s->frozen++;
	if (ends_with(m->path, "/live/rw"))
		s->rw_frozen = true;
}

/* Unmount passes at/under prefix while some succeed, loop devices freed between
 * passes; returns how many mounts are left. */
static size_t unmount_passes(struct sd_state *s, struct mnt_list *l, const char *prefix, bool self)
{
	int pass;
	size_t i;

	for (pass = 0; pass < 16; pass++) {
		unsigned done = 0;

		read_mounts(l, prefix, self);
		if (!l->n)
			return 0;
		for (i = 0; i < l->n; i++) {
			remember_rw(s, &l->m[i]);
			if (umount2(l->m[i].path, 0) == 0) {
				said_unmount(s, &l->m[i], "unmounted");
				s->unmounted++;
				done++;
			}
		}
		sd_loops_detach(s, true);
		if (!done)
			break;
	}
	read_mounts(l, prefix, self);
	return l->n;
}

/* Unmount everything at/under prefix; what stays busy: the leftover processes ended
 * (PID 1) and the passes run again; then, when lazy, writable block filesystems frozen
 * and everything left detached lazily (MNT_DETACH). */
static void unmount_tree(struct sd_state *s, const char *prefix, bool self, bool lazy)
{
	struct mnt_list *l = list(s);
	size_t i;

	if (!l || !unmount_passes(s, l, prefix, self))
		return;
	if (l->n > 1)
		say("still busy: %s and %zu more", l->m[0].path, l->n - 1);
	else
		say("still busy: %s", l->m[0].path);
	if (sd_kill_leftovers(s) && !unmount_passes(s, l, prefix, self))
		return;
	for (i = 0; i < l->n; i++) {
		int err = umount2(l->m[i].path, 0) ? errno : 0;

		if (!err) {
			said_unmount(s, &l->m[i], "unmounted");
			s->unmounted++;
			continue;
		}
		if (lazy)
			freeze(s, &l->m[i]);
		if (lazy && umount2(l->m[i].path, MNT_DETACH) == 0) {
			said_unmount(s, &l->m[i], "busy, detached lazily");
			s->lazy++;
		} else {
			say("cannot unmount %s: %s", l->m[i].path, strerror(err));
			s->failed++;
		}
	}
	sd_loops_detach(s, true);
}

/* On the old root itself: what must stay (we run on it, or the union needs it). */
static bool keep_direct(const char *path)
{
	static const char *const keep[] = { "/", "/proc", "/sys", "/dev", "/run", LIVE_RUN };
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (!strcmp(path, keep[i]) || (strcmp(keep[i], "/") && strcmp(keep[i], "/run") &&
					       under(path, keep[i])))
			return true;
	return false;
}

int sd_unmount_all(struct sd_state *s)
{
	struct mnt_list *l = list(s);
	char run[SD_PATH];
	size_t i;

	if (chdir("/") < 0)
		return -errno;
	/* MS_MOVE refuses shared mounts (systemd makes / shared) */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		say("making the mounts private: %s", strerror(errno));
	if (!l)
		return -ENOMEM;
	if (!*s->old) {
		read_mounts(l, "", true);
		for (i = 0; i < l->n; i++) {
			if (keep_direct(l->m[i].path))
				continue;
			if (umount2(l->m[i].path, 0) == 0) {
				said_unmount(s, &l->m[i], "unmounted");
				s->unmounted++;
			}
		}
		return 0;
	}
	snprintf(run, sizeof(run), "%s/run", s->old);
	mkdir("/oldrun", 0755);
	if (mount(run, "/oldrun", NULL, MS_MOVE, NULL) == 0) {
		say("moved %s (branches, layers, medium) aside to /oldrun", run);
		unmount_tree(s, s->old, true, true);
		unmount_tree(s, "/oldrun", true, true);
	} else {
		say("cannot move %s aside (%s): unmounting in place", run, strerror(errno));
		unmount_tree(s, s->old, true, true);
	}
	return 0;
}

/* MS_RDONLY; busy (a file open for writing on it): the leftover processes ended (PID 1)
 * and once more. 0 or an errno. */
static int remount_ro(struct sd_state *s, const char *path, const char *what)
{
	int err = mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL) ? errno : 0;

	if (err == EBUSY) {
		say("%s busy: a file is open for writing on it", what);
		if (sd_kill_leftovers(s))
			err = mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL) ? errno : 0;
	}
	return err;
}

/* Run on the old root: the union and the mounts under /run/live read-only; a writable
 * block filesystem that stays busy is frozen instead. */
void sd_remount_ro(struct sd_state *s)
{
	struct mnt_list *l = list(s);
	size_t i;
	int err;

	sync();
	err = remount_ro(s, "/", "/ (the union)");
	if (!err)
		say("remounted / (the union) read-only");
	else
		say("cannot remount / read-only: %s", strerror(err));
	if (l)
		read_mounts(l, LIVE_RUN, false);
	for (i = 0; l && i < l->n; i++) {
		struct mnt *m = &l->m[i];

		remember_rw(s, m);
		err = remount_ro(s, m->path, m->path);
		if (!err) {
			said_unmount(s, m, "remounted read-only");
			continue;
		}
		say("cannot remount %s read-only: %s", m->path, strerror(err));
		freeze(s, m);
	}
	sync();
	sd_persist_check(s);
}

/* ext2/3/4 superblock at 1024: s_magic 0x38, s_state 0x3a (1 = cleanly unmounted,
 * 2 = errors), s_feature_incompat 0x60 (4 = journal needs recovery). */
static int persist_clean(struct sd_state *s, char *why, size_t len)
{
	unsigned char sb[1024];
	unsigned state, incompat;

	if (strncmp(s->rw_type, "ext", 3)) {
		snprintf(why, len, "%s on %s, state not checked", s->rw_type, s->rw_src);
		return -1;
	}
	if (pread(s->rw_fd, sb, sizeof(sb), 1024) != (ssize_t)sizeof(sb) ||
	    sb[0x38] != 0x53 || sb[0x39] != 0xef) {
		snprintf(why, len, "%s: no ext superblock read", s->rw_src);
		return -1;
	}
	state = sb[0x3a] | (unsigned)sb[0x3b] << 8;
	incompat = sb[0x60] | (unsigned)sb[0x61] << 8;
	if ((state & 1) && !(state & 2) && !(incompat & 4)) {
		snprintf(why, len, "%s %s: cleanly unmounted", s->rw_type, s->rw_src);
		return 1;
	}
	snprintf(why, len, "%s %s:%s%s%s", s->rw_type, s->rw_src, state & 1 ? "" : " not marked clean",
		 state & 2 ? " errors" : "", incompat & 4 ? " journal needs recovery" : "");
	return 0;
}

void sd_persist_check(struct sd_state *s)
{
	if (s->rw_fd < 0)
		return;
	s->rw_clean = persist_clean(s, s->rw_why, sizeof(s->rw_why));
	close(s->rw_fd);
	s->rw_fd = -1;
}
