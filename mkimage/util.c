// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the subcommands: messages, temp files and dirs, helper programs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "mkimage.h"
#include "spawn.h"

void mk_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, MK_PROG ": error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mk_getopt_reset(void)
{
	optind = 1;
	opterr = 0;	/* mk_usage() says it, with the program's prefix */
}

int mk_usage(const char *cmd, const char *usage, int argc, char **argv)
{
	const char *arg = optind > 1 && optind <= argc ? argv[optind - 1] : "?";

	if (optopt && strncmp(arg, "--", 2))
		mk_err("%s: unknown option or missing value: '-%c'", cmd, optopt);
	else
		mk_err("%s: unknown option or missing value: '%s'", cmd, arg);
	fputs(usage, stderr);
	return MK_EUSAGE;
}

void mk_info(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, MK_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint32_t mk_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > 0xffffffffULL) {
		mk_info("ignoring SOURCE_DATE_EPOCH=%s (not a number of seconds)", s);
		return 0;
	}
	return (uint32_t)v;
}

static int is_datadir(const char *dir)
{
	char p[MK_PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/modules/base.list", dir);
	return stat(p, &st) == 0;
}

const char *mk_datadir(const char *opt)
{
	static char dir[MK_PATH_MAX];
	char self[MK_PATH_MAX];
	ssize_t n;

	if (opt)
		return opt;
	/* build tree: build/bin/livestack-mkimage -> ../../ */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		static const char *const rel[] = { "../..", "../share/livestack" };
		const char *bin;
		size_t i;

		self[n] = '\0';
		bin = dirname(self);	/* once: dirname may write into self */
		/* installed: PREFIX/bin/livestack-mkimage -> PREFIX/share/livestack */
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(dir, sizeof(dir), "%s/%s", bin, rel[i]);
			if (is_datadir(dir)) {
				char *real = realpath(dir, NULL);

				if (real) {
					snprintf(dir, sizeof(dir), "%s", real);
					free(real);
				}
				return dir;
			}
		}
	}
	return "/usr/local/share/livestack";
}

void mk_boot_opts_init(struct mk_boot_opts *b, size_t max_layers, long timeout)
{
	memset(b, 0, sizeof(*b));
	b->max_layers = max_layers < MK_LAYERS_MAX ? max_layers : MK_LAYERS_MAX;
	b->cmdline = "";
	b->timeout = timeout;
}

static int add_layer(struct mk_boot_opts *b, const char *cmd, const char *path)
{
	if (b->nlayers == b->max_layers) {
		mk_err("%s: more than %zu layers", cmd, b->max_layers);
		return -1;
	}
	b->layers[b->nlayers++] = path;
	return 0;
}

int mk_boot_opt(struct mk_boot_opts *b, const char *cmd, int c, int argc, char **argv)
{
	char *end;

	switch (c) {
	case 'l':
		if (add_layer(b, cmd, optarg))
			return -1;
		/* several files after one --layer */
		while (optind < argc && argv[optind][0] != '-')
			if (add_layer(b, cmd, argv[optind++]))
				return -1;
		return 1;
	case 'c':
		b->cmdline = optarg;
		return 1;
	case 't':
		b->timeout = strtol(optarg, &end, 10);
		if (*end || b->timeout < 0 || b->timeout > 36000) {
			mk_err("%s: --timeout %s: tenths of a second, 0..36000", cmd, optarg);
			return -1;
		}
		return 1;
	case 'd':
		b->datadir = optarg;
		return 1;
	}
	return 0;
}

int mk_boot_opts_done(struct mk_boot_opts *b, const char *cmd, int argc, char **argv)
{
	if (optind < argc) {
		mk_err("%s: unexpected argument '%s'", cmd, argv[optind]);
		return -1;
	}
	b->datadir = mk_datadir(b->datadir);
	return 0;
}

int mk_run(const char *const argv[])
{
	static char out[16384];
	int rc;

	rc = spawn_run(argv, NULL, out, sizeof(out));
	if (rc == 0)
		return 0;
	if (rc < 0)
		mk_err("cannot run %s: %s (is it installed? try 'make deps')", argv[0], strerror(-rc));
	else
		mk_err("%s failed (exit %d):\n%s", argv[0], rc, out);
	return -1;
}

int mk_tmp_beside(const char *out, char *tmp, size_t len)
{
	int fd;

	if ((size_t)snprintf(tmp, len, "%s.tmp.XXXXXX", out) >= len) {
		mk_err("%s: path too long", out);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		char dir[MK_PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", out);
		mk_err("cannot write %s: %s (directory %s)", out, strerror(errno), dirname(dir));
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int mk_commit(const char *tmp, const char *out, mode_t mode)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	if (chmod(tmp, mode) < 0 || rename(tmp, out) < 0) {
		mk_err("cannot write %s: %s", out, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int mk_tmpdir(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/livestack-mkimage.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(buf)) {
		mk_err("cannot create a temporary directory in %s: %s", t && *t ? t : "/tmp",
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void mk_rm_rf(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int mk_need_file(const char *what, const char *path)
{
	struct stat st;

	if (!path) {
		mk_err("no %s given", what);
		return -1;
	}
	if (stat(path, &st) < 0) {
		mk_err("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		mk_err("%s %s: not a regular file", what, path);
		return -1;
	}
	if (access(path, R_OK) < 0) {
		mk_err("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

int mk_write(const char *path, const char *data, mode_t mode)
{
	char dir[MK_PATH_MAX];
	int err;

	snprintf(dir, sizeof(dir), "%s", path);
	err = file_mkdirs(dirname(dir), 0755);
	if (!err)
		err = file_write_atomic(path, data, strlen(data), mode);
	if (err)
		mk_err("cannot write %s: %s", path, strerror(-err));
	return err ? -1 : 0;
}

int mk_copy(const char *src, const char *dst, mode_t mode)
{
	char dir[MK_PATH_MAX], *data;
	size_t len;
	int err;

	snprintf(dir, sizeof(dir), "%s", dst);
	err = file_mkdirs(dirname(dir), 0755);
	if (err) {
		mk_err("cannot create %s: %s", dir, strerror(-err));
		return -1;
	}
	err = file_slurp(src, &data, &len);
	if (err) {
		mk_err("cannot read %s: %s", src, strerror(-err));
		return -1;
	}
	err = file_write_atomic(dst, data, len, mode);
	free(data);
	if (err)
		mk_err("cannot write %s: %s", dst, strerror(-err));
	return err ? -1 : 0;
}

int mk_buf_printf(struct mk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		{
			size_t ncap = b->cap ? b->cap * 2 : 4096;
			char *p;

			while (ncap - b->len <= (size_t)n)
				ncap *= 2;
			p = realloc(b->s, ncap);
			if (!p)
				return -ENOMEM;
			b->s = p;
			b->cap = ncap;
		}
	}
}

off_t mk_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : st.st_size;
}
