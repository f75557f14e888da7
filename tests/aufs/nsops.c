// SPDX-License-Identifier: GPL-2.0
/* The multi-step operations of the full-branch and fault-injection tables (cases_nospace.c,
 * cases_inject.c): each one's preparation, the call, the state after success, and the tree
 * snapshot both compare before and after a failure. */
#include "nsops.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s)
			return;
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names, types, modes, sizes and (union only) contents of a tree, sorted */
static void snap_tree(struct sbuf *b, const char *dir, const char *rel, int contents)
{
	char *names[256], path[512], sub[512];
	struct dirent *e;
	struct stat st;
	int n = 0, i;
	DIR *d = opendir(dir);

	if (!d) {
		sb_printf(b, "%s: opendir %s\n", rel, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
		if (lstat(path, &st) < 0) {
			sb_printf(b, "%s: lstat %s\n", sub, strerror(errno));
		} else {
			sb_printf(b, "%s 0%o %lld", sub, (unsigned)st.st_mode,
				  S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL);
			if (contents && S_ISREG(st.st_mode)) {
				size_t len;
				char *c = get_file(path, &len);

				sb_printf(b, " [%.*s]", c ? (int)len : 0, c ? c : "");
				free(c);
			}
			sb_printf(b, "\n");
			if (S_ISDIR(st.st_mode))
				snap_tree(b, path, sub, contents);
		}
		free(names[i]);
	}
}

/* the union's d/ with contents and the whole rw branch */
char *snapshot(void)
{
	struct sbuf b = { 0 };

	snap_tree(&b, pu("d"), "u:d", 1);
	snap_tree(&b, C->upper, "w:", 0);
	return b.s ? b.s : strdup("");
}

static int op_unlink_y(void) { return unlink(pu("d/y")); }
static int op_unlink_x(void) { return unlink(pu("d/x")); }
static int op_rmdir(void) { return rmdir(pu("d/l2sub")); }
static int op_ren_over(void) { return rename(pu("d/y"), pu("d/w")); }
static int op_ren_new(void) { return rename(pu("d/y"), pu("d/n")); }
static int op_ren_dir(void) { return rename(pu("d/l2sub"), pu("d/nd")); }
static int op_ren_dir_over(void) { return rename(pu("d/nd"), pu("d/l2sub")); }
static int op_link(void) { return link(pu("d/y"), pu("d/ln")); }
static int op_chmod(void) { return chmod(pu("d/w"), 0600); }
static int op_mkdir(void) { return mkdir(pu("d/l2sub"), 0755); }

static int op_creat(void)
{
	int fd = open(pu("d/y"), O_WRONLY | O_CREAT | O_EXCL, 0644);

	return fd < 0 ? -1 : close(fd);
}

static int op_append(void)
{
	int fd = open(pu("d/x"), O_WRONLY | O_APPEND);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, "more\n", 5);
	e = errno;
	close(fd);
	errno = e;
	return n == 5 ? 0 : -1;
}

static int prep_cpup_x(void) { return chmod(pu("d/x"), 0640); }
static int prep_cpup_y(void) { return chmod(pu("d/y"), 0640); }
static int prep_cpup_dir(void) { return chmod(pu("d/l2sub"), 0700); }
static int prep_wh_y(void) { return unlink(pu("d/y")); }
static int prep_wh_dir(void) { return rmdir(pu("d/l2sub")); }
static int prep_newdir(void) { return mkdir(pu("d/nd"), 0755); }
static int op_ren_over_up(void) { return rename(pu("d/y"), pu("d/nu")); }
static int op_ren_dir_over_up(void) { return rename(pu("d/nd"), pu("d/nd2")); }

static int prep_upfile(void)
{
	return put_str(pu("d/nu"), "nu\n");
}

static int prep_updirs(void)
{
	return mkdir(pu("d/nd"), 0755) < 0 ? -1 : mkdir(pu("d/nd2"), 0755);
}

const struct nsop nsops[] = {
	{ "unlink lower file", NULL, op_unlink_y, 0, "l2sub sub w x", NULL, NULL },
	{ "unlink upper+lower file", prep_cpup_x, op_unlink_x, 0, "l2sub sub w y", NULL, NULL },
	{ "rmdir lower dir", NULL, op_rmdir, 0, "sub w x y", NULL, NULL },
	{ "rmdir upper+lower dir", prep_cpup_dir, op_rmdir, 0, "sub w x y", NULL, NULL },
	{ "rename lower over lower", NULL, op_ren_over, 0, "l2sub sub w x", "d/w", "sq y\n" },
	{ "rename upper over lower", prep_cpup_y, op_ren_over, 0, "l2sub sub w x", "d/w",
	  "sq y\n" },
	{ "rename lower to new", NULL, op_ren_new, 0, "l2sub n sub w x", "d/n", "sq y\n" },
	{ "rename lower dir", NULL, op_ren_dir, EXDEV, "nd sub w x y", NULL, NULL },
	{ "rename dir over lower dir", prep_newdir, op_ren_dir_over, 0, "l2sub sub w x y",
	  NULL, NULL },
	{ "link lower file", NULL, op_link, 0, "l2sub ln sub w x y", "d/ln", "sq y\n" },
	{ "create over whiteout", prep_wh_y, op_creat, 0, "l2sub sub w x y", "d/y", "" },
	{ "mkdir over whiteout", prep_wh_dir, op_mkdir, 0, "l2sub sub w x y", NULL, NULL },
	{ "copy-up write", NULL, op_append, 0, "l2sub sub w x y", "d/x", "l2 x\nmore\n" },
	{ "copy-up chmod", NULL, op_chmod, 0, "l2sub sub w x y", NULL, NULL },
	{ "rename lower over upper", prep_upfile, op_ren_over_up, 0, "l2sub nu sub w x", "d/nu",
	  "sq y\n" },
	{ "rename dir over upper dir", prep_updirs, op_ren_dir_over_up, 0, "l2sub nd2 sub w x y",
	  NULL, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

/*
 * A regular file the branch gained that the union showed before with the same mode and
 * size (its content is compared in the union's lines): a copy-up that finished before a
 * later step failed.  Kept, as overlayfs keeps a finished copy-up.
 */
static int finished_copyup(const char *before, const char *line)
{
	char u[520];
	unsigned mode;
	long long size;
	char path[400];

	if (strncmp(line, "w:/", 3) || sscanf(line + 3, "%399s 0%o %lld", path, &mode, &size) != 3 ||
	    !S_ISREG(mode))
		return 0;
	snprintf(u, sizeof(u), "\nu:%s 0%o %lld [", path, mode, size);
	return strstr(before, u) != NULL || !strncmp(before, u + 1, strlen(u + 1));
}

/*
 * after without the branch directories it gained (an ancestor copied up before the failing
 * step: invisible in the union, as overlayfs leaves it too) and the finished copy-ups of
 * unchanged files; noted.  Returns a new string.
 */
char *drop_new_dirs(const char *before, const char *after, int quiet)
{
	struct sbuf b = { 0 };
	const char *l, *e;

	for (l = after; *l; l = *e ? e + 1 : e) {
		char line[512];
		size_t n;

		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		n = (size_t)(e - l) < sizeof(line) - 2 ? (size_t)(e - l) : sizeof(line) - 2;
		memcpy(line, l, n);
		line[n] = '\n';
		line[n + 1] = 0;
		if (!strncmp(line, "w:", 2) && strstr(line, " 040") && !strstr(before, line)) {
			if (!quiet)
				note("left on the branch: %.*s (copied-up ancestor)", (int)n, line);
			continue;
		}
		if (!strstr(before, line) && finished_copyup(before, line)) {
			if (!quiet)
				note("left on the branch: %.*s (a finished copy-up)", (int)n, line);
			continue;
		}
		sb_printf(&b, "%s", line);
	}
	return b.s ? b.s : strdup("");
}

void check_success(const struct nsop *op)
{
	char *l = list_dir(pu("d"));

	if (!l || strcmp(l, op->list))
		FAIL("%s: d lists \"%s\", expected \"%s\"", op->name, l ? l : "?", op->list);
	free(l);
	if (op->file && op->content)
		CHECK_STR(pu("%s", op->file), op->content);
}

/*
 * op creates with open(O_CREAT): the VFS makes the file, then opens it; an open
 * that fails after (ENOMEM for the open file's state) leaves the file, on every
 * filesystem.  The state after such a failure may be the success state.
 */
int nsop_creates_then_opens(const struct nsop *op)
{
	return op->fn == op_creat;
}

/* does d/ look as op says after success? (no FAIL) */
int nsop_succeeded(const struct nsop *op)
{
	char *l = list_dir(pu("d"));
	int ok = l && op->list && !strcmp(l, op->list);

	free(l);
	if (ok && op->file && op->content) {
		size_t len;
		char *c = get_file(pu("%s", op->file), &len);

		ok = c && len == strlen(op->content) && !memcmp(c, op->content, len);
		free(c);
	}
	return ok;
}
