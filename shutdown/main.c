// SPDX-License-Identifier: GPL-2.0
/*
 * /run/initramfs/shutdown VERB: systemd-shutdown execs it after pivoting into
 * /run/initramfs (the old root at /oldroot); another init runs it as PID 1 the same way,
 * or directly on the old root (no /oldroot: unmount what can go, remount the rest
 * read-only). VERB is reboot, poweroff, halt or kexec (systemd adds options: ignored).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "layout.h"
#include "shutdown.h"

#define SD_CDROMEJECT	0x5309
#define SD_RB_KEXEC	0x45584543

static const struct {
	const char *verb;
	int cmd;
} verbs[] = {
	{ "reboot", RB_AUTOBOOT },
	{ "poweroff", RB_POWER_OFF },
	{ "halt", RB_HALT_SYSTEM },
	{ "kexec", SD_RB_KEXEC },
};

static int status_line(void *arg, char *line)
{
	struct sd_state *s = arg;

	if (!strncmp(line, "medium=", 7))
		snprintf(s->medium, sizeof(s->medium), "%s", line + 7);
	else if (!strncmp(line, "toram=", 6))	/* "no", "fallback: ..." keep the medium */
		s->toram = !strncmp(line + 6, "done", 4) || !strncmp(line + 6, "background: done", 16);
	else if (!strncmp(line, "persist=", 8))
		snprintf(s->persist, sizeof(s->persist), "%s", line + 8);
	return 0;
}

/* live.noeject on the kernel command line (a word of its own) */
static bool cmdline_has(const char *word)
{
	char buf[4096], *w, *save = NULL;

	if (file_read("/proc/cmdline", buf, sizeof(buf)) <= 0)
		return false;
	for (w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		if (!strcmp(w, word))
			return true;
	return false;
}

static void eject(const struct sd_state *s)
{
	int fd;

	if (strncmp(s->medium, "/dev/sr", 7))
		return;
	if (s->toram) {
		say("%s: the layers were copied to RAM at boot, nothing to eject", s->medium);
		return;
	}
	if (s->no_eject) {
		say("not ejecting %s (%s)", s->medium, s->no_eject_why);
		return;
	}
	fd = open(s->medium, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, SD_CDROMEJECT, 0) < 0)
		say("cannot eject %s: %s", s->medium, strerror(errno));
	else
		say("ejected %s", s->medium);
	if (fd >= 0)
		close(fd);
}

static void summary(struct sd_state *s)
{
	char lazy[32] = "", pers[SD_PATH + 96];
	size_t freed = sd_loops_freed(s);

	if (!*s->persist || !strcmp(s->persist, "none"))
		snprintf(pers, sizeof(pers), "no persistence");
	else if (s->rw_clean > 0)
		snprintf(pers, sizeof(pers), "persistence clean");
	else if (s->rw_clean == 0)
		snprintf(pers, sizeof(pers), "persistence NOT clean (%s)", s->rw_why);
	else
		snprintf(pers, sizeof(pers), "persistence state unknown (%s)",
			 *s->rw_why ? s->rw_why : "its mount was not seen");
	if (s->lazy)
		snprintf(lazy, sizeof(lazy), " (%u lazily)", s->lazy);
	say("unmounted %u%s, detached %zu loop device%s, %s%s", s->unmounted + s->lazy, lazy,
	    freed, freed == 1 ? "" : "s", pers, s->failed ? ", some mounts stayed" : "");
}

int main(int argc, char **argv)
{
	static struct sd_state s;
	const char *verb = argc > 1 ? argv[1] : "";
	char status[SD_PATH];
	struct stat root, old;
	int cmd = -1, i;
	size_t v;

	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (!strcmp(verb, verbs[v].verb))
			cmd = verbs[v].cmd;
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--no-eject"))
			s.no_eject_why = "--no-eject";
	if (cmd == -1) {
		fprintf(stderr, "usage: %s reboot|poweroff|halt|kexec [--no-eject]\n", argv[0]);
		if (getpid() != 1)
			return 2;
		say_setup();
		say("unknown verb '%s': rebooting", verb);
		cmd = RB_AUTOBOOT;
	}
	say_setup();
	s.rw_fd = -1;
	s.rw_clean = -1;
	if (!s.no_eject_why && cmdline_has("live.noeject"))
		s.no_eject_why = "live.noeject";
	s.no_eject = s.no_eject_why != NULL;
	/* under /oldroot when something pivoted us here (systemd-shutdown), else on / */
	s.old = stat("/", &root) == 0 && stat("/oldroot", &old) == 0 &&
		old.st_dev != root.st_dev ? "/oldroot" : "";
	snprintf(status, sizeof(status), "%s%s", s.old, LIVE_STATUS);
	if (file_lines(status, status_line, &s))
		say("%s: not readable: a live system's mounts are taken apart all the same", status);
	say("%s: taking the live system apart (%s)", verb,
	    *s.old ? "old root at /oldroot" : "running on the old root");
	sd_loops_scan(&s);
	sd_unmount_all(&s);
	if (!*s.old)
		sd_remount_ro(&s);
	sd_persist_check(&s);
	sd_loops_detach(&s, true);
	sync();
	eject(&s);
	summary(&s);
	sync();
	if (reboot(cmd) < 0 && cmd == SD_RB_KEXEC) {
		say("kexec: %s: rebooting instead", strerror(errno));
		reboot(RB_AUTOBOOT);
	}
	say("reboot(%s): %s", verb, strerror(errno));
	if (getpid() != 1)
		return 1;
	for (;;)
		pause();
}
