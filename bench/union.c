// SPDX-License-Identifier: GPL-2.0
/* aufs vs overlayfs micro-benchmarks, run in one guest on the same two squashfs layers and a
 * fresh rw tmpfs per run: stat, merged readdir, small reads, copy-up 4 KiB / 64 MiB,
 * create+unlink, readdir after whiteouts. Runs are interleaved; medians and ratios printed.
 * Host side: `union mkfixture LOWER1 LOWER2` writes the two layer trees. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NDIRS 20
#define PER_DIR 500		/* per layer: 2 x 20 x 500 = 20,000 files */
#define BIG_L1 5000		/* big/: e0000..e4999 on layer 1, e4000..e8999 on layer 2 */
#define BIG_MERGED 9000
#define N4K 1000
#define BIG64 (64u << 20)
#define NCU 5000
#define NWH_ALL 6000
#define NWH 5000

static const char *types[2] = { "aufs", "overlay" };
static int have[2];
static int runs = 5;

static void die(const char *what, const char *path)
{
	printf("union-bench: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void put(const char *path, size_t len)
{
	static char buf[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create", path);
	memset(buf, 'b', sizeof(buf));
	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			die("write", path);
		len -= n;
	}
	close(fd);
}

static void mkfixture(const char *l1, const char *l2)
{
	char p[512];
	int d, i;

	for (int layer = 0; layer < 2; layer++) {
		const char *r = layer ? l2 : l1;

		snprintf(p, sizeof(p), "%s", r);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/s", r);
		mkdir(p, 0755);
		for (d = 0; d < NDIRS; d++) {
			snprintf(p, sizeof(p), "%s/s/d%02d", r, d);
			mkdir(p, 0755);
			for (i = 0; i < PER_DIR; i++) {
				snprintf(p, sizeof(p), "%s/s/d%02d/%c%03d", r, d, layer ? 'g' : 'f', i);
				put(p, 100);
			}
		}
		snprintf(p, sizeof(p), "%s/big", r);
		mkdir(p, 0755);
		for (i = layer ? 4000 : 0; i < (layer ? 9000 : BIG_L1); i++) {
			snprintf(p, sizeof(p), "%s/big/e%04d", r, i);
			put(p, 0);
		}
	}
	snprintf(p, sizeof(p), "%s/c4k", l1);
	mkdir(p, 0755);
	for (i = 0; i < N4K; i++) {
		snprintf(p, sizeof(p), "%s/c4k/k%03d", l1, i);
		put(p, 4096);
	}
	snprintf(p, sizeof(p), "%s/wh", l1);
	mkdir(p, 0755);
	for (i = 0; i < NWH_ALL; i++) {
		snprintf(p, sizeof(p), "%s/wh/w%04d", l1, i);
		put(p, 0);
	}
	/* 64 MiB of incompressible-ish data */
	snprintf(p, sizeof(p), "%s/big64", l1);
	{
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		unsigned x = 12345;
		unsigned *buf = malloc(1 << 20);

		if (fd < 0)
			die("create", p);
		for (unsigned mb = 0; mb < BIG64 >> 20; mb++) {
			for (unsigned k = 0; k < (1 << 20) / 4; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				buf[k] = x;
			}
			if (write(fd, buf, 1 << 20) != 1 << 20)
				die("write", p);
		}
		free(buf);
		close(fd);
	}
}

/* ---- guest ---- */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int umount_all(void)
{
	int r = 0;

	if (umount("/u") < 0 && errno != EINVAL)
		r = -1;
	if (umount("/rw") < 0 && errno != EINVAL)
		r = -1;
	return r;
}

static int mount_union(int t)
{
	mkdir("/rw", 0755);
	mkdir("/u", 0755);
	if (mount("tmpfs", "/rw", "tmpfs", 0, "size=512m") < 0)
		return -1;
	mkdir("/rw/upper", 0755);
	mkdir("/rw/work", 0755);
	if (t == 0)
		return mount("none", "/u", "aufs", 0, "br:/rw/upper=rw:/l2=rr:/l1=rr");
	return mount("overlay", "/u", "overlay", 0,
		     "lowerdir=/l2:/l1,upperdir=/rw/upper,workdir=/rw/work");
}

static long errors;
#define E(cond) do { if (!(cond)) errors++; } while (0)

static void w_stat(int setup)
{
	char p[64];
	struct stat st;

	if (setup)
		return;
	for (int d = 0; d < NDIRS; d++)
		for (int i = 0; i < PER_DIR; i++) {
			snprintf(p, sizeof(p), "/u/s/d%02d/f%03d", d, i);
			E(stat(p, &st) == 0);
			p[9] = 'g';
			E(stat(p, &st) == 0);
		}
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void w_readdir(int setup)
{
	if (setup)
		return;
	for (int k = 0; k < 5; k++)
		E(count_dir("/u/big") == BIG_MERGED);
}

static void w_read(int setup)
{
	char p[64], buf[256];

	if (setup)
		return;
	for (int d = 0; d < NDIRS; d++)
		for (int i = 0; i < 250; i++) {
			int fd;

			snprintf(p, sizeof(p), "/u/s/d%02d/%c%03d", d, i & 1 ? 'g' : 'f', i);
			fd = open(p, O_RDONLY);
			E(fd >= 0 && read(fd, buf, sizeof(buf)) == 100);
			close(fd);
		}
}

static void w_cpup4k(int setup)
{
	char p[64];

	if (setup)
		return;
	for (int i = 0; i < N4K; i++) {
		int fd;

		snprintf(p, sizeof(p), "/u/c4k/k%03d", i);
		fd = open(p, O_WRONLY | O_APPEND);
		E(fd >= 0 && write(fd, "+", 1) == 1);
		close(fd);
	}
}

static void w_cpup64m(int setup)
{
	int fd;

	if (setup)
		return;
	fd = open("/u/big64", O_WRONLY);
	E(fd >= 0 && pwrite(fd, "+", 1, 0) == 1);
	close(fd);
}

static void w_create_unlink(int setup)
{
	char p[64];

	if (setup)
		return;
	E(mkdir("/u/cu", 0755) == 0);
	for (int i = 0; i < NCU; i++) {
		snprintf(p, sizeof(p), "/u/cu/c%04d", i);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		E(fd >= 0);
		close(fd);
	}
	for (int i = 0; i < NCU; i++) {
		snprintf(p, sizeof(p), "/u/cu/c%04d", i);
		E(unlink(p) == 0);
	}
}

static void w_wh_readdir(int setup)
{
	char p[64];

	if (setup) {
		for (int i = 0; i < NWH; i++) {
			snprintf(p, sizeof(p), "/u/wh/w%04d", i);
			E(unlink(p) == 0);
		}
		return;
	}
	for (int k = 0; k < 5; k++)
		E(count_dir("/u/wh") == NWH_ALL - NWH);
}

static const struct workload {
	const char *name;
	void (*fn)(int setup);
} wl[] = {
	{ "stat-20k-files-2-layers", w_stat },
	{ "readdir-merged-9k-x5", w_readdir },
	{ "read-5k-small-files", w_read },
	{ "copyup-4KiB-x1000", w_cpup4k },
	{ "copyup-64MiB", w_cpup64m },
	{ "create+unlink-5k", w_create_unlink },
	{ "readdir-after-5k-whiteouts-x5", w_wh_readdir },
};

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void warm(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512], buf[65536];

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			warm(p);
		} else {
			int fd = open(p, O_RDONLY);
			while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
	}
	closedir(d);
}

static int run_guest(void)
{
	size_t nw = sizeof(wl) / sizeof(wl[0]);
	double t[2][16];
	int within = 0, over = 0;
	char *s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((s = getenv("BENCH_RUNS")) && atoi(s) >= 1)
		runs = atoi(s) > 15 ? 15 : atoi(s);
	mkdir("/l1", 0755);
	mkdir("/l2", 0755);
	if (mount("/dev/vda", "/l1", "squashfs", MS_RDONLY, NULL) < 0)
		die("mount", "/dev/vda");
	if (mount("/dev/vdb", "/l2", "squashfs", MS_RDONLY, NULL) < 0)
		die("mount", "/dev/vdb");
	warm("/l1");	/* lower page and dentry caches warm: measure the union, not squashfs */
	warm("/l2");
	for (int k = 0; k < 2; k++) {
		have[k] = mount_union(k) == 0;
		if (!have[k])
			printf("# %s: cannot mount: %s\n", types[k], strerror(errno));
		umount_all();
	}
	printf("# union bench: %d runs per workload, interleaved, median ms\n", runs);
	printf("# %-32s %10s %10s %7s\n", "workload", "aufs", "overlay", "ratio");
	for (size_t w = 0; w < nw; w++) {
		double med[2] = { 0, 0 };

		for (int r = 0; r < runs; r++)
			for (int j = 0; j < 2; j++) {
				int k = (r + j) & 1;	/* alternate which goes first */
				double t0;

				if (!have[k])
					continue;
				errors = 0;
				if (mount_union(k) < 0) {
					printf("# %s: mount: %s\n", types[k], strerror(errno));
					have[k] = 0;
					umount_all();
					continue;
				}
				wl[w].fn(1);
				t0 = now_ms();
				wl[w].fn(0);
				t[k][r] = now_ms() - t0;
				if (errors)
					printf("# %s %s run %d: %ld operations failed\n", types[k],
					       wl[w].name, r, errors);
				if (umount_all() < 0)
					printf("# %s: umount: %s\n", types[k], strerror(errno));
			}
		for (int k = 0; k < 2; k++)
			if (have[k]) {
				qsort(t[k], runs, sizeof(double), cmpd);
				med[k] = t[k][runs / 2];
			}
		if (have[0] && have[1] && med[1] > 0) {
			double ratio = med[0] / med[1];

			printf("%-34s aufs %9.1f ms  overlay %9.1f ms  ratio %5.2f %s\n", wl[w].name,
			       med[0], med[1], ratio, ratio <= 1.3 ? "ok" : "ABOVE-1.3");
			if (ratio <= 1.3)
				within++;
			else
				over++;
		} else {
			printf("%-34s aufs %9s ms  overlay %9.1f ms  ratio   n/a\n", wl[w].name,
			       have[0] ? "?" : "n/a", med[1]);
		}
	}
	printf("union-bench: %d workloads within 1.3x of overlayfs, %d above\n", within, over);
	printf("BENCH-DONE\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "mkfixture")) {
		mkfixture(argv[2], argv[3]);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run_guest();
	fprintf(stderr, "usage: union mkfixture L1 L2 | union run (in the guest)\n");
	return 2;
}
