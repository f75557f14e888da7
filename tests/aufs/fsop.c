// SPDX-License-Identifier: GPL-2.0
/* Guest test driver: runs every case on a fresh union (aufs or overlayfs), prints TAP,
 * and after each case unmounts, scans the kernel log and compares the taint. Also the
 * host-side fixture builder: `fsop mkfixture DIR`. */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


static struct ctx ctx;
struct ctx *C = &ctx;

static int kmsg_fd = -1;
/* kernel log lines of the running case: printed only when it fails */
static char kbuf[4096];
static size_t klen;

static void kbuf_add(const char *tag, const char *msg)
{
	int n = snprintf(kbuf + klen, sizeof(kbuf) - klen, "#   %s: %s\n", tag, msg);

	if (n > 0 && klen + n < sizeof(kbuf))
		klen += n;
}
static unsigned long taint_base;
static int n_pass, n_fail, tap_no;

/* ---- reporting ---- */

void failf(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	C->failed++;
}

void note(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void skipf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(C->skip, sizeof(C->skip), fmt, ap);
	va_end(ap);
	C->skipped = 1;
}

const char *ename(int e)
{
	static char buf[4][24];
	static int n;
	static const struct { int e; const char *s; } t[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ EBADF, "EBADF" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ENODATA, "ENODATA" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENODEV, "ENODEV" }, { ESTALE, "ESTALE" }, { ETXTBSY, "ETXTBSY" }, { ENXIO, "ENXIO" },
		{ ELOOP, "ELOOP" }, { ENOSYS, "ENOSYS" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
	};
	char *b = buf[n++ & 3];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].s;
	snprintf(b, 24, "errno %d", e);
	return b;
}

long expect_(const char *what, long r, int err, int want, int want2, const char *file, int line)
{
	if (err == want || (want2 >= 0 && err == want2))
		return r;
	if (want2 >= 0)
		failf(file, line, "%s: got %s, expected %s or %s", what, ename(err), ename(want),
		      ename(want2));
	else
		failf(file, line, "%s: got %s, expected %s", what, ename(err), ename(want));
	return r;
}

/* ---- paths ---- */

static const char *vpath(const char *base, const char *fmt, va_list ap)
{
	static char buf[16][512];
	static int n;
	char *b = buf[n++ & 15];
	int k = snprintf(b, 512, "%s/", base);

	vsnprintf(b + k, 512 - k, fmt, ap);
	return b;
}
#define PATHFN(fn, base) const char *fn(const char *fmt, ...) { va_list ap; const char *r; \
	va_start(ap, fmt); r = vpath(base, fmt, ap); va_end(ap); return r; }
PATHFN(pu, UNION)
PATHFN(pw, C->upper)
PATHFN(pl, L2_DIR)
PATHFN(ps, SQ_DIR)

/* ---- files ---- */

int put_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		p += w;
		len -= w;
	}
	return close(fd);
}

int put_str(const char *path, const char *s)
{
	return put_file(path, s, strlen(s), 0644);
}

char *get_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t cap = 4096, n = 0;
	char *b;

	if (fd < 0)
		return NULL;
	b = malloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			int e = errno;
			free(b);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	b[n] = 0;
	if (len)
		*len = n;
	return b;
}

void check_content_(const char *path, const void *want, size_t len, const char *file, int line)
{
	size_t n;
	char *b = get_file(path, &n);

	if (!b) {
		failf(file, line, "read %s: %s", path, ename(errno));
		return;
	}
	if (n != len || memcmp(b, want, len) != 0) {
		size_t i = 0;

		while (i < n && i < len && b[i] == ((const char *)want)[i])
			i++;
		if (len < 64 && n < 64)
			failf(file, line, "%s holds \"%.*s\" (%zu bytes), expected \"%.*s\"", path,
			      (int)n, b, n, (int)len, (const char *)want);
		else
			failf(file, line, "%s: %zu bytes, expected %zu, first difference at %zu",
			      path, n, len, i);
	}
	free(b);
}

int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void gen_data(unsigned seed, char *buf, size_t n)
{
	unsigned x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = 'a' + x % 26;
	}
}

int mkdirs(const char *path, mode_t mode)
{
	char b[512];

	snprintf(b, sizeof(b), "%s", path);
	for (char *p = b + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(b, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(b, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[1024];

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_rf(sub);
	}
	closedir(d);
	return rmdir(path);
}

/* ---- directories ---- */

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *list_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL, *out;
	size_t n = 0, cap = 0, len = 1;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap)
			v = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
		v[n++] = strdup(e->d_name);
		len += strlen(e->d_name) + 1;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmpstr);
	out = malloc(len);
	out[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, v[i]);
		free(v[i]);
	}
	free(v);
	return out;
}

void check_list_(const char *path, const char *want, const char *file, int line)
{
	char *got = list_dir(path);

	if (!got) {
		failf(file, line, "readdir %s: %s", path, ename(errno));
		return;
	}
	if (strcmp(got, want))
		failf(file, line, "readdir %s: \"%s\", expected \"%s\"", path, got, want);
	free(got);
}

int count_entry(const char *path, const char *name)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strcmp(e->d_name, name);
	closedir(d);
	return n;
}

/* ---- union ---- */

int has_whiteout(const char *dir, const char *name)
{
	char p[512];
	struct stat st;

	if (C->aufs) {
		snprintf(p, sizeof(p), "%s/.wh.%s", dir, name);
		return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
	}
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

int aufs_mount(const char *opts)
{
	int r = mount("none", UNION, "aufs", 0, opts);

	if (r == 0)
		C->mounted = 1;
	return r;
}

int union_mount(const char *extra)
{
	char o[1024];
	int r;

	if (C->aufs)
		snprintf(o, sizeof(o), "br:%s=rw:%s=ro:%s=rr%s%s", C->upper, L2_DIR, SQ_DIR,
			 extra && *extra ? "," : "", extra ? extra : "");
	else
		snprintf(o, sizeof(o), "lowerdir=%s:%s,upperdir=%s,workdir=%s%s%s", L2_DIR, SQ_DIR,
			 C->upper, C->work, extra && *extra ? "," : "", extra ? extra : "");
	r = mount(C->aufs ? "none" : "overlay", UNION, C->type, 0, o);
	if (r == 0)
		C->mounted = 1;
	return r;
}

int union_umount(void)
{
	int r = umount(UNION);

	if (r == 0)
		C->mounted = 0;
	return r;
}

const char *mount_opts(const char *mnt)
{
	static char opts[4096];
	char line[4096], dev[256], dir[512], type[64], o[4096];
	FILE *f = fopen("/proc/mounts", "r");
	const char *found = NULL;

	if (!f)
		return NULL;
	/* the last matching line is the topmost mount */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %511s %63s %4095s", dev, dir, type, o) == 4 &&
		    !strcmp(dir, mnt)) {
			strcpy(opts, o);
			found = opts;
		}
	fclose(f);
	return found;
}

void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3\n", 2) != 2)
			note("drop_caches: %s", strerror(errno));
		close(fd);
	}
}

int as_user(uid_t uid, int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgid(uid) < 0 || setuid(uid) < 0)
			_exit(255);
		errno = 0;
		_exit(fn(arg) < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 254;
}

/* ---- guest setup ---- */

static unsigned long read_taint(void)
{
	char *s = get_file("/proc/sys/kernel/tainted", NULL);
	unsigned long t = s ? strtoul(s, NULL, 10) : 0;

	free(s);
	return t;
}

/* Scan new kernel log records; report aufs/overlay messages, fail on WARN/BUG/Oops. */
static int kmsg_scan(int quiet)
{
	char rec[2048];
	int bad = 0, shown = 0;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "WARNING") || strstr(msg, "BUG") || strstr(msg, "Oops") ||
		    strstr(msg, "general protection") || strstr(msg, "Call Trace")) {
			printf("#   kernel: %s\n", msg);
			bad = 1;
		} else if (!quiet && shown < 12 && (strstr(msg, "aufs") || strstr(msg, "overlay"))) {
			kbuf_add("kmsg", msg);
			shown++;
		}
	}
	return bad;
}

static int kmsg_bad;

int kmsg_find(const char *needle)
{
	char rec[2048];
	int n = 0;

	if (kmsg_fd < 0)
		return -1;
	for (;;) {
		ssize_t r = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg;

		if (r < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[r] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "WARNING") || strstr(msg, "BUG") || strstr(msg, "Oops") ||
		    strstr(msg, "general protection") || strstr(msg, "Call Trace")) {
			printf("#   kernel: %s\n", msg);
			kmsg_bad = 1;
		}
		if (strstr(msg, needle)) {
			kbuf_add("kmsg", msg);
			n++;
		}
	}
	return n;
}

static int loop_squash(const char *img)
{
	return loop_mount(img, SQ_DIR, "squashfs", 0) < 0 ? -1 : 0;
}

static int case_setup(int idx)
{
	memset(C->skip, 0, sizeof(C->skip));
	C->failed = C->skipped = C->mounted = 0;
	if (!strcmp(C->rwfs, "tmpfs")) {
		snprintf(C->rw, sizeof(C->rw), "/rw");
		mkdir(C->rw, 0755);
		if (mount("tmpfs", C->rw, "tmpfs", 0, "size=256m,mode=0755") < 0)
			return -1;
	} else {
		snprintf(C->rw, sizeof(C->rw), "%s/c%d", EXT4_DIR, idx);
		rm_rf(C->rw);
		if (mkdir(C->rw, 0755) < 0)
			return -1;
	}
	snprintf(C->upper, sizeof(C->upper), "%s/upper", C->rw);
	snprintf(C->work, sizeof(C->work), "%s/work", C->rw);
	mkdir(C->upper, 0755);
	mkdir(C->work, 0755);
	mkdir(L2_DIR, 0755);
	mkdir(UNION, 0755);
	if (mount("tmpfs", L2_DIR, "tmpfs", 0, "size=64m,mode=0755") < 0)
		return -1;
	fixture_l2(L2_DIR);
	return 0;
}

static void case_teardown(int idx)
{
	if (chdir("/") < 0)
		FAIL("chdir /");
	/* every case leaves the union unmounted or unmountable: EBUSY means a leaked reference */
	while (C->mounted) {
		if (umount(UNION) < 0) {
			FAIL("umount %s at the end of the case: %s", UNION, ename(errno));
			umount2(UNION, MNT_DETACH);
		}
		C->mounted = 0;
		/* a case may stack mounts; unmount all */
		if (mount_opts(UNION))
			C->mounted = 1;
	}
	if (umount(L2_DIR) < 0) {
		FAIL("umount %s: %s", L2_DIR, ename(errno));
		umount2(L2_DIR, MNT_DETACH);
	}
	if (!strcmp(C->rwfs, "tmpfs")) {
		if (umount(C->rw) < 0) {
			FAIL("umount %s: %s", C->rw, ename(errno));
			umount2(C->rw, MNT_DETACH);
		}
	} else {
		rm_rf(C->rw);
	}
	(void)idx;
}

static void run_case(const struct fcase *fc, int idx)
{
	unsigned long t;
	int bad;

	printf("# start %d %s/%s/%s\n", idx, C->type, C->rwfs, fc->name);
	fflush(stdout);
	kmsg_scan(1);
	if (case_setup(idx) < 0) {
		FAIL("setup: %s", strerror(errno));
	} else {
		if (!(fc->flags & F_NOMOUNT) && EXP(0, union_mount(NULL)) < 0)
			FAIL("cannot mount the union");
		else
			fc->fn();
		case_teardown(idx);
	}
	bad = kmsg_scan(0) || kmsg_bad;
	kmsg_bad = 0;
	if (bad)
		FAIL("kernel log has a WARNING/BUG/Oops");
	t = read_taint();
	if (t & ~taint_base) {
		FAIL("new taint bits 0x%lx (was 0x%lx, now 0x%lx)", t & ~taint_base, taint_base, t);
		taint_base = t;	/* report each new bit once */
	}
	tap_no++;
	if (C->failed && klen)
		fputs(kbuf, stdout);
	klen = 0;
	kbuf[0] = 0;
	if (C->failed) {
		n_fail++;
		printf("not ok %d - %s/%s/%s\n", tap_no, C->type, C->rwfs, fc->name);
	} else if (C->skipped) {
		n_pass++;
		printf("ok %d - %s/%s/%s # SKIP %s\n", tap_no, C->type, C->rwfs, fc->name, C->skip);
	} else {
		n_pass++;
		printf("ok %d - %s/%s/%s\n", tap_no, C->type, C->rwfs, fc->name);
	}
	fflush(stdout);
}

/* model as a case: its own seed, time bound from the command line */
static unsigned model_seed;
static int model_secs = 20;
static void case_model(void)
{
	model_run(model_seed, model_secs);
}

static const struct fcase model_case = { "model-random-ops", case_model, F_NOMOUNT };

static char *cmdline_get(const char *key)
{
	static char buf[4096];
	char *s = get_file("/proc/cmdline", NULL), *tok, *save = NULL;
	size_t kl = strlen(key);

	if (!s)
		return NULL;
	for (tok = strtok_r(s, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, key, kl) && tok[kl] == '=') {
			snprintf(buf, sizeof(buf), "%s", tok + kl + 1);
			free(s);
			return buf;
		}
	}
	free(s);
	return NULL;
}

/* fsop.only=A,B,...: does name contain one of the words? */
static int only_match(const char *name, const char *only)
{
	char w[128], *save = NULL;

	snprintf(w, sizeof(w), "%s", only);
	for (char *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strstr(name, t))
			return 1;
	return 0;
}

static const struct fcase *const sets[] = {
	lookup_cases, copyup_cases, ns_cases, more_cases, aufs_cases, mount_cases, deep_cases,
	race_cases, xino_cases, loopbr_cases, nospace_cases, inject_cases, stress_cases,
	scale_cases,
};

static int run_guest(void)
{
	char *v, rwlist[128], only[128] = "", *rwsave = NULL;
	int from = 0, idx = 0, rmmod = 0, stress_secs;
	const char *rw;

	setvbuf(stdout, NULL, _IOLBF, 0);
	v = cmdline_get("fsop.type");
	C->type = v && !strcmp(v, "aufs") ? "aufs" : "overlay";
	C->aufs = !strcmp(C->type, "aufs");
	v = cmdline_get("fsop.rw");
	snprintf(rwlist, sizeof(rwlist), "%s", v ? v : "tmpfs");
	if ((v = cmdline_get("fsop.from")))
		from = atoi(v);
	if ((v = cmdline_get("fsop.only")))
		snprintf(only, sizeof(only), "%s", v);
	if ((v = cmdline_get("fsop.model")))
		model_secs = atoi(v);
	if ((v = cmdline_get("fsop.seed")))
		model_seed = strtoul(v, NULL, 0);
	else
		model_seed = (unsigned)time(NULL) ^ (unsigned)getpid() << 16;
	if ((v = cmdline_get("fsop.rmmod")))
		rmmod = atoi(v);
	v = cmdline_get("fsop.stress");
	stress_secs = v ? atoi(v) : 10;
	v = cmdline_get("fsop.procs");
	stress_config(stress_secs, v ? atoi(v) : 4, model_seed);
	xino_config(cmdline_get("fsop.xino"));
	if ((v = cmdline_get("fsop.scale")))
		scale_config(atoi(v));

	if (loop_squash("/fixture/lower.sqfs") < 0) {
		printf("not ok 1 - %s: cannot loop-mount the squashfs fixture: %s\n", C->type,
		       strerror(errno));
		printf("0 passed, 1 failed\n");
		return 1;
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	taint_base = read_taint();
	printf("# fsop %s, rw branches %s, taint at start %lu\n", C->type, rwlist, taint_base);

	/* strtok_r: cases use strtok themselves */
	for (rw = strtok_r(rwlist, ",", &rwsave); rw; rw = strtok_r(NULL, ",", &rwsave)) {
		C->rwfs = rw;
		if (!strcmp(rw, "ext4")) {
			mkdir(EXT4_DIR, 0755);
			if (mount("/dev/vda", EXT4_DIR, "ext4", 0, NULL) < 0) {
				printf("not ok %d - %s/ext4: cannot mount /dev/vda: %s\n", ++tap_no,
				       C->type, strerror(errno));
				n_fail++;
				continue;
			}
		}
		for (size_t set = 0; set < sizeof(sets) / sizeof(sets[0]); set++) {
			for (const struct fcase *fc = sets[set]; fc->name; fc++) {
				if ((fc->flags & F_AUFS) && !C->aufs)
					continue;
				if ((fc->flags & F_TMPFS) && strcmp(rw, "tmpfs"))
					continue;
				if (*only && !only_match(fc->name, only))
					continue;
				if (idx++ < from)
					continue;
				run_case(fc, idx - 1);
			}
		}
		if (model_secs > 0 && (!*only || only_match("model", only)) && idx++ >= from) {
			printf("# model seed %u (%d s)\n", model_seed, model_secs);
			run_case(&model_case, idx - 1);
		}
		if (!strcmp(rw, "ext4"))
			umount(EXT4_DIR);
	}
	if (C->aufs && rmmod) {
		/* the module unloads cleanly once nothing is mounted */
		printf("# start %d aufs/rmmod\n", idx);
		umount(SQ_DIR);
		tap_no++;
		if (syscall(SYS_delete_module, "aufs", O_NONBLOCK) < 0) {
			printf("#   delete_module(aufs): %s\n", strerror(errno));
			printf("not ok %d - aufs/module-unload\n", tap_no);
			n_fail++;
		} else if (kmsg_scan(0) || (read_taint() & ~taint_base)) {
			printf("not ok %d - aufs/module-unload # kernel log\n", tap_no);
			n_fail++;
		} else {
			printf("ok %d - aufs/module-unload\n", tap_no);
			n_pass++;
		}
	}
	printf("%d passed, %d failed\n", n_pass, n_fail);
	printf("FSOP-DONE\n");
	return n_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "mkfixture")) {
		fixture_squash(argv[2]);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run_guest();
	fprintf(stderr, "usage: fsop mkfixture DIR | fsop run (in the guest)\n");
	return 2;
}
