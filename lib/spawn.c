// SPDX-License-Identifier: GPL-2.0
/* Run a helper with an argv (no shell), wait, optionally capture its output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

int spawn_run(const char *const argv[], char *const envp[], char *out, size_t outlen)
{
	int pipefd[2] = { -1, -1 };
	int errpipe[2];
	size_t got = 0;
	int status, err = 0;
	ssize_t n;
	pid_t pid;

	if (out && outlen && pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	/* the child reports a failed exec through a close-on-exec pipe */
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		err = -errno;
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(errpipe[0]);
		close(errpipe[1]);
		goto out_close;
	}
	if (pid == 0) {
		if (pipefd[1] >= 0) {
			dup2(pipefd[1], STDOUT_FILENO);
			dup2(pipefd[1], STDERR_FILENO);
		}
		if (envp)
			environ = (char **)envp;
		execvp(argv[0], (char *const *)argv);
		err = errno;
		n = write(errpipe[1], &err, sizeof(err));
		(void)n;
		_exit(127);
	}
	close(errpipe[1]);
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
	}
	if (pipefd[0] >= 0) {
		char sink[512];

		for (;;) {
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
	}
	while ((n = read(errpipe[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err = errno;
			break;
		}
	}
	if (n == (ssize_t)sizeof(err) && err) {
		err = -err;
		goto out_close;
	}
	if (WIFEXITED(status))
		err = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		err = 128 + WTERMSIG(status);
	else
		err = -ECHILD;
out_close:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return err;
}
