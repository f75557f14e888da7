// SPDX-License-Identifier: GPL-2.0
/* Run a helper with an argv (no shell), wait (optionally with a deadline), optionally
 * capture its output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append what fd has (the rest of a full out is read and dropped); false at EOF or error. */
static bool take(int fd, char *out, size_t outlen, size_t *got)
{
	char sink[512];
	ssize_t n;

	if (*got + 1 < outlen)
		n = read(fd, out + *got, outlen - 1 - *got);
	else
		n = read(fd, sink, sizeof(sink));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (*got + 1 < outlen)
		*got += (size_t)n;
	return true;
}

/* The child ended: true with its status; false while it runs. */
static bool ended(pid_t pid, int *status, int *err)
{
	pid_t r = waitpid(pid, status, WNOHANG);

	if (r == pid)
		return true;
	if (r < 0 && errno != EINTR) {
		*err = -errno;	/* not ours any more: no status to read */
		return true;
	}
	return false;
}

int spawn_run_for(const char *const argv[], char *const envp[], char *out, size_t outlen,
		  unsigned timeout_ms)
{
	int pipefd[2] = { -1, -1 };
	int errpipe[2], status = 0, err = 0, wait_err = 0, exec_err = 0;
	long long deadline = timeout_ms ? now_ms() + timeout_ms : 0;
	bool done = false, timed_out = false;
	size_t got = 0;
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
		/* with a deadline: a process group of its own, killed whole when it passes */
		if (timeout_ms)
			setpgid(0, 0);
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
	if (timeout_ms)
		setpgid(pid, pid);	/* also here: no window before the child's own call */
	close(errpipe[1]);
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	}
	/*
	 * Read until the child has ended, not until EOF: a daemon it started in the
	 * background may hold the pipe for ever. Once it ended, what it wrote is in the
	 * pipe: take that, leave the rest.
	 */
	while (!done) {
		struct pollfd p = { pipefd[0], POLLIN, 0 };
		long long left = deadline ? deadline - now_ms() : 100;
		int wait_ms = left < 0 ? 0 : left > 100 ? 100 : (int)left;

		done = ended(pid, &status, &wait_err);
		if (done) {
			while (pipefd[0] >= 0 && take(pipefd[0], out, outlen, &got) &&
			       poll(&p, 1, 0) > 0)
				;
			break;
		}
		if (deadline && left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			/* SIGKILL ends it unless it waits in the kernel (a dead NFS server):
			 * then its zombie is left to the reaper, and we go on */
			for (n = 0; n < 50 && !ended(pid, &status, &wait_err); n++)
				usleep(100000);
			timed_out = true;
			break;
		}
		if (pipefd[0] >= 0) {
			if (poll(&p, 1, wait_ms > 20 ? 20 : wait_ms) > 0 &&
			    !take(pipefd[0], out, outlen, &got)) {
				close(pipefd[0]);
				pipefd[0] = -1;
			}
		} else {
			usleep((useconds_t)(wait_ms > 10 ? 10 : wait_ms) * 1000);
		}
	}
	if (out && outlen)
		out[got] = '\0';
	while ((n = read(errpipe[0], &exec_err, sizeof(exec_err))) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	if (timed_out) {
		err = -ETIMEDOUT;
		goto out_close;
	}
	if (n == (ssize_t)sizeof(exec_err) && exec_err) {
		err = -exec_err;
		goto out_close;
	}
	if (wait_err)
		err = wait_err;
	else if (WIFEXITED(status))
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

int spawn_run(const char *const argv[], char *const envp[], char *out, size_t outlen)
{
	return spawn_run_for(argv, envp, out, outlen, 0);
}
