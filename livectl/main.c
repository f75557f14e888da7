// SPDX-License-Identifier: GPL-2.0
/* livectl: the live system's runtime tool; subcommand dispatch, usage, exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "layout.h"
#include "livectl.h"

static const char *status_file;

static const char usage[] =
	"usage: livectl [--status FILE] COMMAND [ARGS]\n"
	"\n"
	"  status [--json]                      what /init set up: medium, layers, union, rw, times\n"
	"  status --timeline | --svg FILE       the boot as a timeline: kernel, each phase of /init\n"
	"  layer add FILE.squashfs [--top|--bottom]\n"
	"                                       mount a squashfs and add it to the aufs root\n"
	"  layer del NAME                       remove a layer from the aufs root and unmount it\n"
	"  layer list                           the layers, top first\n"
	"  persist save --to FILE|DEVICE [--size MiB] [--label LABEL]\n"
	"                                       write the RAM session's changes to an ext2/3/4 image\n"
	"  persist convert --to aufs|overlay DIR\n"
	"                                       rewrite a branch's whiteouts for the other union\n"
	"\n"
	"  --status FILE (or LIVECTL_STATUS=FILE) reads another status file than " LIVE_STATUS "\n"
	"exit status: 0 done, 1 usage error, 2 the operation failed (see livectl(8))\n";

const char *livectl_status_path(void)
{
	const char *env = getenv("LIVECTL_STATUS");

	if (status_file)
		return status_file;
	return env && *env ? env : LIVE_STATUS;
}

void livectl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("livectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void livectl_note(const char *fmt, ...)
{
	char msg[512], line[600];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<5>livestack: livectl: %s\n", msg);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		n = 0;	/* the kernel log is a courtesy: nothing to do when it refuses */
	close(fd);
}

int livectl_status_load(struct live_status *st)
{
	const char *path = livectl_status_path();
	char *text;
	int err;

	err = file_slurp(path, &text, NULL);
	if (err) {
		livectl_err("cannot read %s: %s%s", path, strerror(-err),
			    err == -ENOENT ? " (not a livestack live system?)" : "");
		return err;
	}
	err = runstatus_parse(st, text);
	free(text);
	if (err == -EBADMSG)
		livectl_err("cannot trust %s: a key appears twice (a value with a line break was "
			    "written into it?)", path);
	else if (err)
		livectl_err("cannot parse %s: %s", path, strerror(-err));
	return err;
}

int livectl_status_save(const struct live_status *st)
{
	const char *path = livectl_status_path();
	size_t len;
	char *text;
	int err;

	err = runstatus_format(st, &text, &len);
	if (!err) {
		err = file_write_atomic(path, text, len, 0644);
		free(text);
	}
	if (err)
		livectl_err("cannot update %s: %s", path, strerror(-err));
	return err;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "status", status_cmd },
	{ "layer", layer_cmd },
	{ "persist", persist_cmd },
};

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int i, n = 0;
	size_t c;

	if (!args)
		return LIVECTL_EFAIL;
	/* the global option may stand anywhere: pull it out first */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--status")) {
			if (i + 1 >= argc) {
				livectl_err("--status needs a FILE");
				return LIVECTL_EUSAGE;
			}
			status_file = argv[++i];
		} else if (!strncmp(argv[i], "--status=", 9)) {
			status_file = argv[i] + 9;
		} else {
			args[n++] = argv[i];
		}
	}
	if (n == 0) {
		fputs(usage, stderr);
		return LIVECTL_EUSAGE;
	}
	if (!strcmp(args[0], "-h") || !strcmp(args[0], "--help") || !strcmp(args[0], "help")) {
		fputs(usage, stdout);
		return LIVECTL_OK;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(args[0], commands[c].name))
			return commands[c].run(n, args);
	livectl_err("unknown command '%s'", args[0]);
	fputs(usage, stderr);
	return LIVECTL_EUSAGE;
}
