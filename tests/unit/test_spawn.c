// SPDX-License-Identifier: GPL-2.0
/* Host tests of lib/spawn.c: output captured, a background daemon does not hold the wait,
 * a deadline kills the child's whole process group, exec failures are -errno. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "spawn.h"

static long long ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(spawn_output_and_status)
{
	const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 7", NULL };
	char out[64];

	CHECK_EQ(spawn_run_for(argv, NULL, out, sizeof(out), 5000), 7);
	CHECK_STR(out, "out\nerr\n");
}

TEST(spawn_daemon_holding_the_pipe_does_not_hold_the_wait)
{
	/* the daemon keeps stdout (the pipe) open for 30 s; the shell ends at once */
	const char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $! > /tmp/test_spawn.pid; echo started", NULL };
	char out[64], pid[32] = "";
	long long t0 = ms(), took;
	FILE *f;
	int rc;

	rc = spawn_run(argv, NULL, out, sizeof(out));
	took = ms() - t0;
	CHECK_EQ(rc, 0);
	CHECK_STR(out, "started\n");
	CHECK(took < 5000);
	f = fopen("/tmp/test_spawn.pid", "r");
	if (f) {
		if (fgets(pid, sizeof(pid), f))
			kill(atoi(pid), SIGKILL);
		fclose(f);
	}
	unlink("/tmp/test_spawn.pid");
}

TEST(spawn_deadline_kills_the_process_group)
{
	const char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $! > /tmp/test_spawn2.pid; echo so-far; sleep 30", NULL };
	char out[64], pid[32] = "";
	long long t0 = ms(), took;
	FILE *f;
	int rc, child = 0;

	rc = spawn_run_for(argv, NULL, out, sizeof(out), 500);
	took = ms() - t0;
	CHECK_EQ(rc, -ETIMEDOUT);
	CHECK_STR(out, "so-far\n");
	CHECK(took >= 500 && took < 5000);
	f = fopen("/tmp/test_spawn2.pid", "r");
	if (f) {
		if (fgets(pid, sizeof(pid), f))
			child = atoi(pid);
		fclose(f);
	}
	unlink("/tmp/test_spawn2.pid");
	/* the background child was in the group: gone (reaped by init, or a zombie) */
	CHECK(child > 0);
	if (child > 0) {
		char path[64], buf[256] = "";
		int tries;

		/* SIGKILL is delivered at once but the exit takes a moment: up to 2 s */
		snprintf(path, sizeof(path), "/proc/%d/stat", child);
		for (tries = 0; tries < 200; tries++) {
			buf[0] = '\0';
			f = fopen(path, "r");
			if (f) {
				if (!fgets(buf, sizeof(buf), f))
					buf[0] = '\0';
				fclose(f);
			}
			if (!*buf || strstr(buf, ") Z "))
				break;
			usleep(10000);
		}
		CHECK(!*buf || strstr(buf, ") Z ") != NULL);
	}
}

TEST(spawn_no_program_is_enoent)
{
	const char *argv[] = { "/nonexistent/program", NULL };
	char out[16];

	CHECK_EQ(spawn_run_for(argv, NULL, out, sizeof(out), 1000), -ENOENT);
	CHECK_EQ(spawn_run(argv, NULL, NULL, 0), -ENOENT);
}

TEST(spawn_without_capture_waits_for_the_child)
{
	const char *argv[] = { "/bin/sh", "-c", "sleep 0.3; exit 3", NULL };
	long long t0 = ms();

	CHECK_EQ(spawn_run_for(argv, NULL, NULL, 0, 5000), 3);
	CHECK(ms() - t0 >= 300);
}

int main(void)
{
	RUN(spawn_output_and_status);
	RUN(spawn_daemon_holding_the_pipe_does_not_hold_the_wait);
	RUN(spawn_deadline_kills_the_process_group);
	RUN(spawn_no_program_is_enoent);
	RUN(spawn_without_capture_waits_for_the_child);
	return HARNESS_END();
}
