// SPDX-License-Identifier: GPL-2.0
/* Shared case: parallel copy-up of disjoint lower-only subtrees.  8 directories of N files
 * on the second lower; one process writes to every file of one set, then 8 processes each
 * write to the files of their own directory of a second, equal set.  TAP checks the result
 * only (every file copied up once, with its data and the appended line); the times and their
 * ratio are printed as '#' lines (the guest's CPUs: AUFS_TEST_SMP; N: AUFS_TEST_SCALE). */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SC_DIRS		8
#define SC_SIZE		4096
#define SC_LINE		"appended\n"
#define SC_MAX		2000

static int sc_files = 48;

void scale_config(int files)
{
	sc_files = files < 1 ? 1 : files > SC_MAX ? SC_MAX : files;
}

/* the lower content of file f of dir d: SC_SIZE bytes, different per file */
static void sc_data(int d, int f, char *buf)
{
	gen_data((unsigned)(d * SC_MAX + f + 1), buf, SC_SIZE);
}

/* second lower: scale1/d<i>/f<j> and scale8/d<i>/f<j> (before the union is mounted) */
static int sc_build(void)
{
	static const char *const sets[] = { "scale1", "scale8" };
	char buf[SC_SIZE];
	int s, d, f;

	for (s = 0; s < 2; s++)
		for (d = 0; d < SC_DIRS; d++) {
			if (mkdirs(pl("%s/d%d", sets[s], d), 0755) < 0)
				return -1;
			for (f = 0; f < sc_files; f++) {
				sc_data(d, f, buf);
				if (put_file(pl("%s/d%d/f%04d", sets[s], d, f), buf, SC_SIZE,
					     0644) < 0)
					return -1;
			}
		}
	return 0;
}

/* Append one line to every file of set/d<d> through the union; the number of failures. */
static int sc_write_dir(const char *set, int d)
{
	int f, fd, bad = 0;

	for (f = 0; f < sc_files; f++) {
		fd = open(pu("%s/d%d/f%04d", set, d, f), O_WRONLY | O_APPEND);
		if (fd < 0) {
			printf("#   open %s/d%d/f%04d: %s\n", set, d, f, strerror(errno));
			bad++;
			continue;
		}
		if (write(fd, SC_LINE, strlen(SC_LINE)) != (ssize_t)strlen(SC_LINE))
			bad++;
		if (close(fd) < 0)
			bad++;
	}
	return bad;
}

/* names in a union dir, "." and ".." excepted */
static int sc_count(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dir);
	return n;
}

static double sc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* procs processes share the SC_DIRS dirs of set; returns the seconds taken, -1 on failure */
static double sc_run(const char *set, int procs)
{
	double t0 = sc_now();
	int i, st, bad = 0;

	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int d, n = 0;

			for (d = i; d < SC_DIRS; d += procs)
				n += sc_write_dir(set, d);
			fflush(stdout);
			_exit(n ? 1 : 0);
		}
		if (pid < 0) {
			FAIL("fork: %s", strerror(errno));
			bad = 1;
		}
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	if (bad) {
		FAIL("%s: %d processes: a write through the union failed", set, procs);
		return -1;
	}
	return sc_now() - t0;
}

/* every file: the lower data plus the line, in the union and on the rw branch */
static void sc_check(const char *set)
{
	char want[SC_SIZE + sizeof(SC_LINE)];
	int d, f, bad = 0;
	char *got;
	size_t len;

	for (d = 0; d < SC_DIRS && bad < 5; d++) {
		CHECK_EQ(sc_count(pu("%s/d%d", set, d)), sc_files);
		for (f = 0; f < sc_files && bad < 5; f++) {
			sc_data(d, f, want);
			memcpy(want + SC_SIZE, SC_LINE, strlen(SC_LINE));
			got = get_file(pw("%s/d%d/f%04d", set, d, f), &len);
			if (!got || len != SC_SIZE + strlen(SC_LINE) ||
			    memcmp(got, want, len)) {
				FAIL("%s/d%d/f%04d on the rw branch: %zu bytes, not the lower "
				     "data plus one line", set, d, f, got ? len : 0);
				bad++;
			}
			free(got);
			got = get_file(pu("%s/d%d/f%04d", set, d, f), &len);
			if (!got || len != SC_SIZE + strlen(SC_LINE) ||
			    memcmp(got, want, len)) {
				FAIL("%s/d%d/f%04d in the union differs", set, d, f);
				bad++;
			}
			free(got);
			got = get_file(pl("%s/d%d/f%04d", set, d, f), &len);
			if (!got || len != SC_SIZE || memcmp(got, want, SC_SIZE)) {
				FAIL("%s/d%d/f%04d: the lower changed", set, d, f);
				bad++;
			}
			free(got);
		}
	}
}

static void copyup_scale(void)
{
	double t1, t8;

	if (sc_build() < 0) {
		FAIL("cannot fill the second lower: %s", strerror(errno));
		return;
	}
	if (EXP(0, union_mount(NULL)) < 0)
		return;
	t1 = sc_run("scale1", 1);
	t8 = sc_run("scale8", SC_DIRS);
	sc_check("scale1");
	sc_check("scale8");
	if (t1 > 0 && t8 > 0)
		note("copyup-scale %s/%s: %d dirs x %d files, %ld CPUs: 1 process %.3f s, "
		     "%d processes %.3f s, ratio 8/1 %.2f (speedup %.2f)", C->type, C->rwfs,
		     SC_DIRS, sc_files, sysconf(_SC_NPROCESSORS_ONLN), t1, SC_DIRS, t8,
		     t8 / t1, t1 / t8);
}

const struct fcase scale_cases[] = {
	{ "copyup-scale", copyup_scale, F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
