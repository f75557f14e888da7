// SPDX-License-Identifier: GPL-2.0
/*
 * /run/initramfs/shutdown VERB: systemd-shutdown execs it after pivoting into
 * /run/initramfs (the old root at /oldroot); another init runs it as PID 1 the same way,
 * or directly on the old root (no /oldroot: unmount what can go, remount the rest
 * read-only). VERB is reboot, poweroff, halt or kexec (systemd adds options: ignored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdrom.h"
#include "fileio.h"
#include "layout.h"
#include "runstatus.h"
#include "shutdown.h"

#define SD_RB_KEXEC	0x45584543	/* LINUX_REBOOT_CMD_KEXEC */

static const struct {
	const char *verb;
	int cmd;
} verbs[] = {
	{ "reboot", RB_AUTOBOOT },
	{ "poweroff", RB_POWER_OFF },
	{ "halt", RB_HALT_SYSTEM },
	{ "kexec", SD_RB_KEXEC },
};

/* medium=, toram= and persist= of /run/live/status; 0 or -errno */
static int read_status(struct sd_state *s, const char *path)
{
	struct live_status st;
	const char *v;
	char *text;
	int err = file_slurp(path, &text, NULL);

	if (err)
		return err;
	err = runstatus_parse(&st, text);
	free(text);
	if (err)
		return err;
	v = runstatus_get(&st, "medium");
	snprintf(s->medium, sizeof(s->medium), "%s", v ? v : "");
	v = runstatus_get(&st, "persist");
	snprintf(s->persist, sizeof(s->persist), "%s", v ? v : "");
	/* "done" or "background: done"; "no", "fallback: ..." keep the medium */
	v = runstatus_get(&st, "toram");
	s->toram = v && (!strncmp(v, "done", 4) || !strncmp(v, "background: done", 16));
	runstatus_free(&st);
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

#define SD_KEXEC_LOADED	"/sys/kernel/kexec_loaded"

/* A kernel loaded for kexec; unknown (no /sys) counts as loaded: reboot(2) decides. */
static bool kexec_loaded(void)
{
	char buf[8];

	return file_read(SD_KEXEC_LOADED, buf, sizeof(buf)) <= 0 || buf[0] == '1';
}

static void eject(const struct sd_state *s)
{
	int err;

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
	err = cdrom_eject(s->medium);
	if (err)
		say("cannot eject %s: %s", s->medium, strerror(-err));
	else
		say("ejected %s", s->medium);
}

static void summary(struct sd_state *s)
{
	char lazy[32] = "", frozen[48] = "", pers[SD_PATH + 96];
	size_t freed = sd_loops_freed(s);

	if (!*s->persist || !strcmp(s->persist, "none"))
		snprintf(pers, sizeof(pers), "no persistence");
	else if (s->rw_frozen && s->rw_clean > 0)
		snprintf(pers, sizeof(pers), "persistence busy but frozen, consistent on disk");
	else if (s->rw_clean > 0)
		snprintf(pers, sizeof(pers), "persistence clean");
	else if (s->rw_clean == 0)
		snprintf(pers, sizeof(pers), "persistence NOT clean (%s)", s->rw_why);
	else
		snprintf(pers, sizeof(pers), "persistence state unknown (%s)",
			 *s->rw_why ? s->rw_why : "its mount was not seen");
	if (s->lazy)
		snprintf(lazy, sizeof(lazy), " (%u lazily)", s->lazy);
	/* beyond the persistence's own */
	if (s->frozen > (s->rw_frozen ? 1U : 0U))
		snprintf(frozen, sizeof(frozen), ", %u busy filesystem%s frozen", s->frozen,
			 s->frozen == 1 ? "" : "s");
	say("unmounted %u%s, detached %zu loop device%s, %s%s%s", s->unmounted + s->lazy, lazy,
	    freed, freed == 1 ? "" : "s", pers, frozen, s->failed ? ", some mounts stayed" : "");
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
	if (read_status(&s, status))
		say("%s: not readable: a live system's mounts are taken apart all the same", status);
	/* reboot(2) with nothing loaded fails: say so now, and reboot (ejecting the CD) */
	if (cmd == SD_RB_KEXEC && !kexec_loaded()) {
		say("kexec: no kernel loaded (%s is not 1): rebooting instead", SD_KEXEC_LOADED);
		cmd = RB_AUTOBOOT;
	}
	/* kexec: the next kernel is likely to boot from the same CD */
	if (cmd == SD_RB_KEXEC && !s.no_eject) {
		s.no_eject = true;
		s.no_eject_why = "kexec: the next kernel may boot from it";
	}
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
