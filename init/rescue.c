// SPDX-License-Identifier: GPL-2.0
/* When boot cannot go on: explain (phase, what, devices, hint), then a busybox shell. PID 1 never exits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

static void shell(const char *phase)
{
	char ps1[64];
	pid_t pid, r;
	int status = 0;

	snprintf(ps1, sizeof(ps1), "(livestack:%s) # ", phase);
	pid = fork();
	if (pid == 0) {
		int fd;

		setsid();
		fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		setenv("PS1", ps1, 1);
		setenv("ENV", "", 1);
		execl(LIVE_BUSYBOX, "sh", "-i", (char *)NULL);
		fprintf(stderr, "livestack: no shell (%s: %s)\n", LIVE_BUSYBOX, strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		sleep(5);
		return;
	}
	/* PID 1 also collects the orphans that end while the shell runs */
	while ((r = waitpid(-1, &status, 0)) != pid) {
		if (r < 0 && errno != EINTR) {
			log_warn("rescue shell (pid %d): %s", (int)pid, strerror(errno));
			sleep(5);	/* no status to read: do not spin either */
			return;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		sleep(10);	/* no shell in the image: do not spin */
}

void rescue_shell(struct live_ctx *ctx, const char *phase)
{
	char devs[2048];

	log_err("boot stopped in phase '%s'", phase);
	if (*ctx->fail.what)
		log_err("%s", ctx->fail.what);
	devlist_describe(ctx, devs, sizeof(devs));
	if (!strstr(ctx->fail.what, "devices seen:"))
		log_console("livestack: block devices seen:%s\n", *devs ? devs : " none");
	if (*ctx->fail.hint)
		log_console("livestack: try: %s\n", ctx->fail.hint);
	log_console("livestack: rescue shell; type 'exit' to retry phase '%s'\n", phase);
	shell(phase);
}

/*
 * A crash of PID 1 panics the kernel, and so does PID 1 exiting. Should /init ever fault,
 * say so and replace the process with a shell that never ends: the crashed /init's
 * children (a rescue shell, a hook) are hung up first so that one shell reads the
 * console, and an exited shell is followed by another (only async-signal-safe calls here).
 */
#define CRASH_LOOP \
	"kill -HUP -1 2>/dev/null; sleep 1; " \
	"while :; do setsid -c sh -i || sleep 5; " \
	"echo 'livestack: /init cannot go on after a crash: another shell " \
	"(poweroff -f powers off, reboot -f restarts)'; done"

static void crashed(int sig)
{
	static const char msg[] = "\nlivestack: /init crashed (fatal signal); this is a bug, "
				  "please report it. Starting a rescue shell.\n";
	char *const argv[] = { "sh", "-c", CRASH_LOOP, NULL };
	char *const envp[] = { "PATH=/sbin:/usr/sbin:/bin:/usr/bin", "PS1=(livestack:crashed) # ",
			       "ENV=", NULL };
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	execve(LIVE_BUSYBOX, argv, envp);
	execve("/bin/sh", argv, envp);
	for (;;)
		pause();
}

void rescue_install_crash_handler(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crashed;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
