// SPDX-License-Identifier: GPL-2.0
/*
 * Leftover processes. systemd-shutdown ends every process before it hands over to us;
 * another init may not have, or a process may ignore SIGTERM. When a mount stays busy
 * and we are PID 1 (nothing else is meant to run any more): SIGTERM to every process
 * but kernel threads and systemd's root-storage daemons (argv[0] starting with '@'),
 * up to 2 s for them to go, then SIGKILL and up to 2 s more, reaping them as they exit.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "shutdown.h"

#define SD_PF_KTHREAD	0x00200000	/* include/linux/sched.h */

/* "comm[pid]" for a process we may end; false for kernel threads, zombies, ourselves,
 * root-storage daemons and pids that are gone. */
static bool leftover(long pid, char *name, size_t len)
{
	char path[64], buf[512], *open, *close;
	unsigned long flags;
	char state;

	if (pid <= 1 || pid == (long)getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (file_read(path, buf, sizeof(buf)) <= 0)
		return false;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open ||
	    sscanf(close + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2 ||
	    state == 'Z' || (flags & SD_PF_KTHREAD))
		return false;
	snprintf(name, len, "%.*s[%ld]", (int)(close - open - 1), open + 1, pid);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	return !(file_read(path, buf, sizeof(buf)) > 0 && buf[0] == '@');
}

/* Send sig (0: only count) to the leftovers; their names into names. */
static unsigned signal_all(int sig, char *names, size_t len)
{
	struct dirent *d;
	unsigned n = 0;
	size_t used = 0;
	DIR *dh = opendir("/proc");

	names[0] = '\0';
	if (!dh)
		return 0;
	while ((d = readdir(dh))) {
		char name[48], *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || !leftover(pid, name, sizeof(name)) || (sig && kill((pid_t)pid, sig) < 0))
			continue;
		n++;
		if (used < len)
			used += (size_t)snprintf(names + used, len - used, "%s%s", used ? " " : "", name);
	}
	closedir(dh);
	return n;
}

/* Up to 2 s for them to go, reaping the dead (as PID 1 every orphan is our child). */
static unsigned wait_gone(char *names, size_t len)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	unsigned left = 0;
	int i;

	for (i = 0; i < 20; i++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		left = signal_all(0, names, len);
		if (!left)
			break;
		nanosleep(&tick, NULL);
	}
	return left;
}

bool sd_kill_leftovers(struct sd_state *s)
{
	char names[240];
	unsigned n;

	if (s->killed)
		return false;
	s->killed = true;
	if (getpid() != 1) {
		say("not PID 1: the processes keeping it busy are left alone (the caller ends them)");
		return false;
	}
	n = signal_all(SIGTERM, names, sizeof(names));
	if (!n)
		return false;
	say("mounts busy: SIGTERM to %u leftover process%s: %s", n, n == 1 ? "" : "es", names);
	n = wait_gone(names, sizeof(names));
	if (!n)
		return true;
	say("still running after 2 s, SIGKILL: %s", names);
	signal_all(SIGKILL, names, sizeof(names));
	n = wait_gone(names, sizeof(names));
	if (n)
		say("still there after SIGKILL (stuck in the kernel?): %s", names);
	return true;
}
