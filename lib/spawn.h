/* SPDX-License-Identifier: GPL-2.0 */
/* Run a helper program with an argv (no shell) and wait for it. */
#ifndef LIVE_SPAWN_H
#define LIVE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Run argv[0] (a path, or a name searched in PATH) with argv; envp NULL keeps the
 * environment. Returns the exit status (0..255), 128+signal when killed, or -errno
 * when it could not start. When out is not NULL, stdout+stderr are captured into
 * out (NUL-terminated, truncated to outlen-1) instead of inherited.
 */
int spawn_run(const char *const argv[], char *const envp[], char *out, size_t outlen);
/*
 * The same with a deadline (timeout_ms > 0): the child runs in a process group of its
 * own, killed whole (SIGKILL) when the deadline passes, and -ETIMEDOUT is returned with
 * the output so far. Either way the wait ends when the child ends: what it left running
 * in the background does not hold it by keeping the output pipe open.
 */
int spawn_run_for(const char *const argv[], char *const envp[], char *out, size_t outlen,
		  unsigned timeout_ms);

#endif
