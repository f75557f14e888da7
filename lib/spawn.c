// SPDX-License-Identifier: GPL-2.0
/* Run a helper with an argv (no shell), wait, optionally capture its output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

int spawn_run(const char *const argv[], char *const envp[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	size_t got = 0;
	int status, err;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (out && outlen) {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			err = -errno;
			posix_spawn_file_actions_destroy(&fa);
			return err;
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
			   envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (err) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return -err;
	}
	if (pipefd[0] >= 0) {
		char sink[512];

		for (;;) {
			ssize_t n;

			if (got < outlen - 1)
				n = read(pipefd[0], out + got, outlen - 1 - got);
			else
				n = read(pipefd[0], sink, sizeof(sink));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (got < outlen - 1)
				got += (size_t)n;
		}
		out[got] = '\0';
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -ECHILD;
}
