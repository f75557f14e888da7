// SPDX-License-Identifier: GPL-2.0
/* aufs-only: the inode-number table (xino) stays flat when a big tree is listed again and again
 * and when files are created and removed, and numbers survive the eviction of their inodes. */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define PER_DIR 500

static int xino_files = 8000;	/* fsop.xino=FILESxPASSES */
static int xino_passes = 3;

void xino_config(const char *spec)
{
	int f = 0, p = 0;

	if (spec && sscanf(spec, "%dx%d", &f, &p) == 2 && f > 0 && p > 1) {
		xino_files = f;
		xino_passes = p;
	}
}

struct mem {
	long nodes;	/* radix_tree_node objects: the xarrays of the table */
	long nodes_kb;
	long ainodes;	/* aufs_inode objects */
	long slab_kb;	/* Slab: in /proc/meminfo */
	long avail_kb;	/* MemAvailable: */
};

static long meminfo(const char *buf, const char *key)
{
	const char *p = buf ? strstr(buf, key) : NULL;

	return p ? atol(p + strlen(key)) : -1;
}

/* after dropping the caches: everything evictable is gone, the table stays */
static void measure(struct mem *m)
{
	char *s, *line, *save = NULL, name[64];
	long act, num, size;

	/* aufs inodes and dentries are freed after an RCU grace period */
	for (int i = 0; i < 3; i++) {
		drop_caches();
		usleep(300 * 1000);
	}
	memset(m, 0, sizeof(*m));
	s = get_file("/proc/slabinfo", NULL);
	if (!s) {
		FAIL("/proc/slabinfo: %s", strerror(errno));
		return;
	}
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s %ld %ld %ld", name, &act, &num, &size) != 4)
			continue;
		if (!strcmp(name, "radix_tree_node")) {
			m->nodes = act;
			m->nodes_kb = act * size / 1024;
		} else if (!strcmp(name, "aufs_inode")) {
			m->ainodes = act;
		}
	}
	free(s);
	s = get_file("/proc/meminfo", NULL);
	m->slab_kb = meminfo(s, "Slab:");
	m->avail_kb = meminfo(s, "MemAvailable:");
	free(s);
}

static void show(const char *what, int pass, const struct mem *m)
{
	note("%s pass %d: radix_tree_node %ld (%ld kB), aufs_inode %ld, Slab %ld kB, "
	     "MemAvailable %ld kB", what, pass, m->nodes, m->nodes_kb, m->ainodes, m->slab_kb,
	     m->avail_kb);
}

/*
 * A leak of one table entry per file costs files/64 xarray nodes per pass (the branch inode
 * numbers are dense); allow half of that over all passes, plus noise.
 */
static void check_flat(const char *what, const struct mem *first, const struct mem *last,
		       int passes)
{
	long leak = (long)(passes - 1) * xino_files / 64;

	note("%s: radix_tree_node %+ld (a leak of one entry per file: %+ld), aufs_inode %+ld",
	     what, last->nodes - first->nodes, leak, last->ainodes - first->ainodes);
	if (last->nodes - first->nodes > leak / 2 + 16)
		FAIL("%s: the table grew by %ld xarray nodes over %d passes", what,
		     last->nodes - first->nodes, passes - 1);
	if (last->ainodes - first->ainodes > xino_files / 20 + 256)
		FAIL("%s: %ld aufs inodes more after drop_caches", what,
		     last->ainodes - first->ainodes);
}

/* files created and removed through the union: their numbers are freed at eviction */
static void churn_flat(void)
{
	struct mem first, m;
	char p[64];
	int fd;

	EXP(0, mkdir(pu("churn"), 0755));
	for (int pass = 0; pass < xino_passes && !C->failed; pass++) {
		for (int i = 0; i < xino_files; i++) {
			snprintf(p, sizeof(p), "churn/f%d", i);
			fd = open(pu("%s", p), O_CREAT | O_WRONLY, 0644);
			if (fd < 0) {
				FAIL("create %s: %s", p, strerror(errno));
				break;
			}
			close(fd);
		}
		for (int i = 0; i < xino_files; i++) {
			snprintf(p, sizeof(p), "churn/f%d", i);
			if (unlink(pu("%s", p)) < 0) {
				FAIL("unlink %s: %s", p, strerror(errno));
				break;
			}
		}
		measure(pass ? &m : &first);
		show("create+unlink", pass, pass ? &m : &first);
	}
	if (!C->failed)
		check_flat("create+unlink", &first, &m, xino_passes);
	EXP(0, rmdir(pu("churn")));
}

/* readdir + lstat of every entry; the inode numbers go to ino[] */
static long list_tree(ino_t *ino, int n)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char dir[64];
	long seen = 0, bad = 0;
	int k;

	for (int j = 0; j * PER_DIR < n; j++) {
		snprintf(dir, sizeof(dir), "big/d%d", j);
		d = opendir(pu("%s", dir));
		if (!d) {
			FAIL("opendir %s: %s", dir, strerror(errno));
			return -1;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] != 'f')
				continue;
			k = atoi(e->d_name + 1);
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    k < 0 || k >= n || e->d_ino != st.st_ino) {
				if (bad++ < 3)
					FAIL("%s/%s: lstat %s, d_ino %lu st_ino %lu", dir, e->d_name,
					     strerror(errno), (unsigned long)e->d_ino,
					     (unsigned long)st.st_ino);
				continue;
			}
			if (ino[k] && ino[k] != st.st_ino && bad++ < 3)
				FAIL("%s/%s: inode %lu, %lu in the pass before", dir, e->d_name,
				     (unsigned long)st.st_ino, (unsigned long)ino[k]);
			ino[k] = st.st_ino;
			seen++;
		}
		closedir(d);
	}
	return seen;
}

/* a big lower tree listed again and again: the numbers stay, the memory too */
static void list_flat(void)
{
	ino_t *ino = calloc(xino_files, sizeof(*ino));
	struct mem before, first, m;
	char p[64];
	long seen;
	int fd;

	if (!ino) {
		FAIL("calloc");
		return;
	}
	/* room for the big run: no inode limit on the second lower */
	EXP(0, mount("tmpfs", L2_DIR, NULL, MS_REMOUNT, "size=768m,nr_inodes=0"));
	EXP(0, mkdir(pl("big"), 0755));
	for (int i = 0; i < xino_files; i++) {
		if (i % PER_DIR == 0) {
			snprintf(p, sizeof(p), "big/d%d", i / PER_DIR);
			EXP(0, mkdir(pl("%s", p), 0755));
		}
		snprintf(p, sizeof(p), "big/d%d/f%d", i / PER_DIR, i);
		fd = open(pl("%s", p), O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			FAIL("create %s: %s", p, strerror(errno));
			goto out;
		}
		close(fd);
	}
	if (EXP(0, union_mount(NULL)) < 0)
		goto out;
	measure(&before);
	show("list", -1, &before);
	for (int pass = 0; pass < xino_passes && !C->failed; pass++) {
		seen = list_tree(ino, xino_files);
		if (seen != xino_files)
			FAIL("pass %d: %ld files listed, %d created", pass, seen, xino_files);
		measure(pass ? &m : &first);
		show("list", pass, pass ? &m : &first);
	}
	if (!C->failed) {
		note("list: the first pass added %ld xarray nodes for %d files (%ld kB)",
		     first.nodes - before.nodes, xino_files, first.nodes_kb - before.nodes_kb);
		check_flat("list", &first, &m, xino_passes);
	}
out:
	free(ino);
}

const struct fcase xino_cases[] = {
	{ "xino-create-unlink-flat", churn_flat, F_AUFS | F_TMPFS },
	{ "xino-list-flat", list_flat, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ NULL },
};
