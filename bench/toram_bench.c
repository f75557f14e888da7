// SPDX-License-Identifier: GPL-2.0
/*
 * toram-bench: run /init's copy pass (toram_pass: read once, hash, write to tmpfs) on
 * files, outside PID 1, so bench/toram.sh can time it against dd in the same guest.
 * usage: toram-bench [-n] DESTDIR FILE...   (-n: hash only, no copy)
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live.h"
#include "toram.h"

int main(int argc, char **argv)
{
	static struct toram_job j;
	char why[LIVE_PATH_MAX + 128];
	const char *dest;
	bool copy = true;
	struct stat st;
	int i = 1, err;

	if (argc > 1 && !strcmp(argv[1], "-n"))
		copy = false, i++;
	if (argc - i < 2) {
		fprintf(stderr, "usage: toram-bench [-n] DESTDIR FILE...\n");
		return 2;
	}
	dest = argv[i++];
	for (; i < argc && j.n < LIVE_MAX_LAYERS; i++) {
		struct toram_layer *l = &j.l[j.n++];
		const char *base = strrchr(argv[i], '/');

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		snprintf(l->name, sizeof(l->name), "%s", base ? base + 1 : argv[i]);
		snprintf(l->src, sizeof(l->src), "%s", argv[i]);
		snprintf(l->dst, sizeof(l->dst), "%s/%s", dest, base ? base + 1 : argv[i]);
		l->size = (uint64_t)st.st_size;
		j.total += l->size;
	}
	j.what = copy ? "toram" : "hash";
	j.console = true;
	j.quiet = true;
	err = toram_pass(&j, copy, why, sizeof(why));
	if (err) {
		fprintf(stderr, "toram-bench: %s\n", why);
		return 1;
	}
	printf("toram-bench: %s %llu bytes in %llu ms\n", j.what, (unsigned long long)j.done,
	       (unsigned long long)j.elapsed_ms);
	return 0;
}
