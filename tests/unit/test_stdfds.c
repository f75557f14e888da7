// SPDX-License-Identifier: GPL-2.0
/* Host tests of /init's standard descriptors (early_std_fds): 0-2 are always open. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "live.h"

static bool is_null(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static bool is_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* Run fn in a child with the fds in closed[] closed; its exit status (0 = all good). */
static int in_child(const int *closed, size_t n, int (*fn)(void))
{
	pid_t pid;
	int status;
	size_t i;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++)
			close(closed[i]);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}

static char console_file[64];

/* no console: 0-2 on /dev/null, and the next file opened is 3, not a standard fd */
static int no_console(void)
{
	int fd;

	if (early_std_fds("/nonexistent/console", "/dev/null") != 3)
		return 1;
	if (!is_null(0) || !is_null(1) || !is_null(2))
		return 2;
	fd = open("/proc/self/status", O_RDONLY);
	if (fd != 3)
		return 3;
	return 0;
}

TEST(std_fds_null_when_no_console)
{
	const int all[] = { 0, 1, 2 };

	CHECK_EQ(in_child(all, 3, no_console), 0);
}

/* a console: only the closed ones are opened on it, the open ones stay */
static int console_ok(void)
{
	if (early_std_fds(console_file, "/dev/null") != 0)
		return 1;
	if (!is_file(1, console_file))
		return 2;
	if (is_file(0, console_file) || is_file(2, console_file))
		return 3;
	return 0;
}

TEST(std_fds_console_fills_the_closed_one)
{
	const int one[] = { 1 };

	CHECK_EQ(in_child(one, 1, console_ok), 0);
}

/* all open: nothing changes */
static int all_open(void)
{
	struct stat before, after;

	if (fstat(2, &before) < 0 || early_std_fds("/nonexistent/console", "/dev/null") != 0 ||
	    fstat(2, &after) < 0)
		return 1;
	return before.st_ino == after.st_ino && before.st_dev == after.st_dev ? 0 : 2;
}

TEST(std_fds_open_ones_untouched)
{
	CHECK_EQ(in_child(NULL, 0, all_open), 0);
}

/* neither the console nor null (and no right to make null there): an error, not silence */
static int nothing(void)
{
	return early_std_fds("/nonexistent/console", "/nonexistent/null") < 0 ? 0 : 1;
}

TEST(std_fds_error_when_nothing_opens)
{
	const int all[] = { 0, 1, 2 };

	CHECK_EQ(in_child(all, 3, nothing), 0);
}

int main(void)
{
	int fd;

	snprintf(console_file, sizeof(console_file), "/tmp/test_stdfds.%d", (int)getpid());
	fd = open(console_file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	RUN(std_fds_null_when_no_console);
	RUN(std_fds_console_fills_the_closed_one);
	RUN(std_fds_open_ones_untouched);
	RUN(std_fds_error_when_nothing_opens);
	unlink(console_file);
	return HARNESS_END();
}
