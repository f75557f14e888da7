// SPDX-License-Identifier: GPL-2.0
/* Fault injection (issue 11 point 2): each multi-step operation of nsops.c and remount,del: is
 * run with its 1st, 2nd, ... slab allocation, then page allocation, failed (the kernel's
 * per-task fail-nth) until one run sees no injection; every failure must leave the union and
 * the branch exactly as before. Printed as a table; SKIP on a kernel without failslab. */
#include "nsops.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define DBG "/sys/kernel/debug"
#define FAIL_NTH "/proc/thread-self/fail-nth"
#define MAX_NTH 2000	/* more points than this in one operation is a runaway */

enum { INJ_SLAB, INJ_PAGE, INJ_MODES };

static const char *const mode_name[INJ_MODES] = { "failslab", "fail_page_alloc" };

/* what one operation did under one kind of injection */
struct tally {
	int points;		/* injections made (the operation's allocations of that kind) */
	int ok_injected;	/* of them, runs that still succeeded */
	int errs[8];		/* distinct errnos seen */
	int nerrs;
	int bad;		/* runs that broke a rule */
};

static int dbg_put(const char *knob, const char *val)
{
	char p[128];

	snprintf(p, sizeof(p), DBG "/%s", knob);
	if (put_str(p, val) < 0) {
		FAIL("write %s to %s: %s", val, p, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * fail-nth counts every should_fail() call of this task whatever its kind, so one kind is
 * let through its own filters at a time: failslab alone (page allocations all ignored by
 * order), or fail_page_alloc alone (failslab limited to caches marked for it: none).
 * probability stays 0: nothing fails but the Nth call; verbose 0: no stack in the log.
 */
static int inj_config(int mode)
{
	int r = 0;

	r |= dbg_put("failslab/verbose", "0");
	r |= dbg_put("fail_page_alloc/verbose", "0");
	r |= dbg_put("failslab/probability", "0");
	r |= dbg_put("fail_page_alloc/probability", "0");
	r |= dbg_put("failslab/task-filter", "Y");
	r |= dbg_put("fail_page_alloc/task-filter", "Y");
	if (mode == INJ_SLAB) {
		r |= dbg_put("fail_page_alloc/ignore-gfp-wait", "Y");
		r |= dbg_put("fail_page_alloc/ignore-gfp-highmem", "Y");
		r |= dbg_put("fail_page_alloc/min-order", "100");
		r |= dbg_put("failslab/cache-filter", "N");
		r |= dbg_put("failslab/ignore-gfp-wait", "N");
	} else if (mode == INJ_PAGE) {
		r |= dbg_put("failslab/cache-filter", "Y");
		r |= dbg_put("failslab/ignore-gfp-wait", "Y");
		r |= dbg_put("fail_page_alloc/ignore-gfp-wait", "N");
		r |= dbg_put("fail_page_alloc/ignore-gfp-highmem", "N");
		r |= dbg_put("fail_page_alloc/min-order", "0");
	} else {	/* the kernel's defaults */
		r |= dbg_put("failslab/cache-filter", "N");
		r |= dbg_put("failslab/ignore-gfp-wait", "Y");
		r |= dbg_put("fail_page_alloc/ignore-gfp-wait", "Y");
		r |= dbg_put("fail_page_alloc/ignore-gfp-highmem", "Y");
		r |= dbg_put("fail_page_alloc/min-order", "1");
	}
	return r ? -1 : 0;
}

static int op_del(void)
{
	return mount("none", UNION, "aufs", MS_REMOUNT, "del:" L2_DIR);
}

static const struct nsop del_op = { "remount del: branch", NULL, op_del, 0, NULL, NULL, NULL };

/* branch list of the union, malloc'd */
static char *branches(void)
{
	const char *o = mount_opts(UNION);

	return strdup(o ? o : "?");
}

static void tally_err(struct tally *t, int e)
{
	for (int i = 0; i < t->nerrs; i++)
		if (t->errs[i] == e)
			return;
	if (t->nerrs < (int)(sizeof(t->errs) / sizeof(t->errs[0])))
		t->errs[t->nerrs++] = e;
}

/* arm fail-nth at n, call fn; *left is what was not used of n (0: the Nth call failed) */
static int run_armed(int fd, int n, int (*fn)(void), int *e, int *left)
{
	char buf[16];
	int r, len = snprintf(buf, sizeof(buf), "%d", n);
	ssize_t got;

	if (pwrite(fd, buf, (size_t)len, 0) != len)
		return -2;
	errno = 0;
	r = fn();
	*e = r < 0 ? errno : 0;
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	if (pwrite(fd, "0", 1, 0) != 1 || got <= 0)
		return -2;
	buf[got] = 0;
	*left = atoi(buf);
	return r;
}

/*
 * One run on a fresh branch and mount with the Nth call failed: 1 if the injection was made,
 * 0 if the operation ended first (the last run), -1 if the run could not be made.
 */
static int attempt(const struct nsop *op, int mode, int fd, int n, struct tally *t)
{
	char *before = NULL, *after = NULL, *dropped = NULL, *br0 = NULL, *br1 = NULL;
	int r, e = 0, left = -1, made = -1;
	const char *how = mode_name[mode];

	if (rm_rf(C->upper) < 0 || mkdir(C->upper, 0755) < 0) {
		FAIL("%s: cannot empty %s: %s", op->name, C->upper, strerror(errno));
		return -1;
	}
	if (EXP(0, union_mount(NULL)) < 0)
		return -1;
	if (op->prep && EXP(0, op->prep()) < 0)
		goto out;
	before = snapshot();
	br0 = branches();
	r = run_armed(fd, n, op->fn, &e, &left);
	if (r == -2) {
		FAIL("%s: %s: %s", op->name, FAIL_NTH, strerror(errno));
		goto out;
	}
	made = left == 0;
	after = snapshot();
	br1 = branches();
	if (!made && r < 0) {
		FAIL("%s (%s, nothing injected at %d): %s", op->name, how, n, strerror(e));
	} else if (r == 0) {
		if (made)
			t->ok_injected++;
		if (op->list)
			check_success(op);
		else if (strstr(br1, L2_DIR))
			FAIL("%s (%s #%d) succeeded, branch %s still in %s", op->name, how, n,
			     L2_DIR, br1);
	} else if (e == ENOMEM && nsop_creates_then_opens(op) && nsop_succeeded(op)) {
		tally_err(t, e);	/* created, then the open failed: see nsops.c */
	} else {
		tally_err(t, e);
		dropped = drop_new_dirs(before, after, 1);
		if (!dropped || strcmp(before, dropped) || strcmp(br0, br1)) {
			FAIL("%s (%s #%d) failed with %s but changed the tree:\n--- before (%s)\n%s"
			     "--- after (%s)\n%s", op->name, how, n, ename(e), br0, before, br1,
			     after);
		}
	}
	if (made)
		t->points++;
out:
	if (C->mounted && union_umount() < 0) {
		FAIL("%s (%s #%d): umount of the union: %s (a leaked reference)", op->name, how, n,
		     ename(errno));
		umount2(UNION, MNT_DETACH);
		C->mounted = 0;
	}
	free(before);
	free(after);
	free(dropped);
	free(br0);
	free(br1);
	return made;
}

/* every injection point of one operation under one kind: n = 1, 2, ... until none is made */
static void sweep(const struct nsop *op, int mode, int fd, struct tally *t)
{
	int was = C->failed, made = 1, n;

	memset(t, 0, sizeof(*t));
	if (inj_config(mode) < 0) {
		t->bad++;
		return;
	}
	printf("# inject: %s / %s\n", op->name, mode_name[mode]);
	fflush(stdout);
	for (n = 1; n <= MAX_NTH && made == 1; n++) {
		C->failed = 0;
		made = attempt(op, mode, fd, n, t);
		if (C->failed || made < 0)
			t->bad++;
		was |= C->failed;
	}
	C->failed = was;
	if (made == 1)
		FAIL("%s under %s: still injecting after %d runs", op->name, mode_name[mode],
		     MAX_NTH);
}

/*
 * fsop.inject=A,B,... on the kernel command line: only the rows whose names contain one of
 * the words ('_' for a space), for a short run under a slow kernel; all rows without it.
 */
static int row_wanted(const char *name)
{
	char *cl = get_file("/proc/cmdline", NULL), *v, *save = NULL;
	int want = 1;

	v = cl ? strstr(cl, "fsop.inject=") : NULL;
	if (v) {
		v += strlen("fsop.inject=");
		v[strcspn(v, " \n")] = 0;
		for (char *c = v; *c; c++)
			if (*c == '_')
				*c = ' ';
		want = 0;
		for (char *t = strtok_r(v, ",", &save); t && !want; t = strtok_r(NULL, ",", &save))
			want = strstr(name, t) != NULL;
	}
	free(cl);
	return want;
}

static const char *cell(const struct tally *t)
{
	static char buf[2][64];
	static int k;
	char *b = buf[k++ & 1];
	int len = snprintf(b, sizeof(buf[0]), "%d", t->points);

	for (int i = 0; i < t->nerrs && len < (int)sizeof(buf[0]); i++)
		len += snprintf(b + len, sizeof(buf[0]) - (size_t)len, "%s%s", i ? "," : " ",
				ename(t->errs[i]));
	if (t->ok_injected && len < (int)sizeof(buf[0]))
		snprintf(b + len, sizeof(buf[0]) - (size_t)len, "%sok%d", t->nerrs ? "," : " ",
			 t->ok_injected);
	return b;
}

static void inject_table(void)
{
	int fd, debugfs_here = 0;
	struct tally t[INJ_MODES];

	if (access(DBG "/failslab", F_OK) < 0) {
		if (mount("debugfs", DBG, "debugfs", 0, NULL) == 0)
			debugfs_here = 1;
	}
	if (access(DBG "/failslab", F_OK) < 0 || access(DBG "/fail_page_alloc", F_OK) < 0) {
		skipf("no %s/failslab or fail_page_alloc (kernel without CONFIG_FAILSLAB, "
		      "CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS)", DBG);
		goto out;
	}
	fd = open(FAIL_NTH, O_RDWR);
	if (fd < 0) {
		skipf("no %s: %s", FAIL_NTH, strerror(errno));
		goto out;
	}
	note("cells: injection points hit, the errnos returned, okN: N runs succeeded anyway");
	note("%-26s %-22s %-22s %s", "operation", mode_name[0], mode_name[1], "tree");
	for (int i = 0; nsops[i].name; i++) {
		const struct nsop *op = &nsops[i];
		int bad;

		if (!row_wanted(op->name))
			continue;
		sweep(op, INJ_SLAB, fd, &t[0]);
		sweep(op, INJ_PAGE, fd, &t[1]);
		bad = t[0].bad || t[1].bad;
		note("%-26s %-22s %-22s %s", op->name, cell(&t[0]), cell(&t[1]),
		     bad ? "WRONG" : "as before");
	}
	if (!row_wanted(del_op.name))
		goto done;
	sweep(&del_op, INJ_SLAB, fd, &t[0]);
	sweep(&del_op, INJ_PAGE, fd, &t[1]);
	note("%-26s %-22s %-22s %s", del_op.name, cell(&t[0]), cell(&t[1]),
	     t[0].bad || t[1].bad ? "WRONG" : "as before");
done:
	close(fd);
	inj_config(INJ_MODES);
out:
	if (debugfs_here)
		umount(DBG);
}

const struct fcase inject_cases[] = {
	{ "inject-table", inject_table, F_AUFS | F_NOMOUNT | F_TMPFS },
	{ NULL, NULL, 0 },
};
