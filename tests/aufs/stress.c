// SPDX-License-Identifier: GPL-2.0
/* Multi-process random-operation stress (an fsstress of our own): N processes run random
 * create/write/truncate/unlink/rename/link/mkdir/rmdir/chmod/readdir on one shared tree of
 * lower and new names, seeds reproducible; on aufs one more process adds and deletes a spare
 * branch (remount add:/del:) all along and checks its names come and go; then checks that hold under concurrency: readdir
 * shows no whiteout and every name it shows stats, the union equals the merge of its
 * branches, it unmounts (no EBUSY), and aufs leaves no temporary directory behind. */
#include "fsop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define ST_PROCS_MAX 16
#define ST_DEPTH 24

/* directories (lower ones and new ones) and names the processes pick from */
static const char *const st_dirs[] = {
	"d", "d/sub", "d/l2sub", "m", "m/d0", "hide", "rmd", "ren", "opq", "s0", "s0/s1", "s2",
	"s2/d0", "",
};
static const char *const st_names[] = {
	"x", "y", "w", "z", "f00", "f01", "f02", "g0", "h1", "h2", "c1", "c2", "c6", "o1",
	"kid", "sub", "d0", "s1", "n", "t",
};
#define NDIRS (sizeof(st_dirs) / sizeof(st_dirs[0]))
#define NNAMES (sizeof(st_names) / sizeof(st_names[0]))

enum { OP_CREATE, OP_WRITE, OP_TRUNC, OP_UNLINK, OP_RENAME, OP_LINK, OP_MKDIR, OP_RMDIR,
       OP_CHMOD, OP_READDIR, OP_EMPTY, OP_STAT, OP_N };
static const char *const op_name[OP_N] = {
	"create", "write", "truncate", "unlink", "rename", "link", "mkdir", "rmdir", "chmod",
	"readdir", "rmtree", "stat",
};

struct st_stat {
	unsigned long ops[OP_N];
	unsigned long bad;		/* unexpected errno or a check that failed */
};

static unsigned st_rand(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void st_path(char *b, size_t n, unsigned *s)
{
	const char *d = st_dirs[st_rand(s) % NDIRS];

	snprintf(b, n, "%s/%s%s%s", UNION, d, *d ? "/" : "", st_names[st_rand(s) % NNAMES]);
}

/* errnos a racing namespace may give; anything else is a failure */
static int st_expected(int e)
{
	return e == ENOENT || e == EEXIST || e == ENOTEMPTY || e == ENOTDIR || e == EISDIR ||
	       e == EXDEV || e == EINVAL || e == EPERM || e == EMLINK;
}

static void st_bad(struct st_stat *st, int proc, const char *op, const char *p, int e)
{
	if (st->bad++ < 5)
		printf("#   stress p%d: %s %s: %s\n", proc, op, p, strerror(e));
}

/* readdir of dir: no whiteout may show; a name may vanish (ENOENT) but not fail otherwise */
static void st_readdir(struct st_stat *st, int proc, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;

	if (!d) {
		if (!st_expected(errno))
			st_bad(st, proc, "opendir", dir, errno);
		return;
	}
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, ".wh.", 4)) {
			printf("#   stress p%d: readdir %s shows %s\n", proc, dir, e->d_name);
			st->bad++;
		}
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
			st_bad(st, proc, "stat of a readdir name in", dir, errno);
	}
	closedir(d);
}

/* unlink every non-directory of dir, then rmdir it (the dirwh path on aufs) */
static int st_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_type == DT_DIR)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir);
}

static void st_child(int proc, unsigned seed, int secs, struct st_stat *st)
{
	time_t end = time(NULL) + secs;
	char p[512], q[512], buf[4096];
	unsigned s = seed ? seed : 1;
	int fd, op, r;

	while (time(NULL) < end) {
		op = st_rand(&s) % OP_N;
		st_path(p, sizeof(p), &s);
		st_path(q, sizeof(q), &s);
		errno = 0;
		r = 0;
		switch (op) {
		case OP_CREATE:
			fd = r = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
			if (fd >= 0) {
				gen_data(s, buf, st_rand(&s) % sizeof(buf));
				r = write(fd, buf, st_rand(&s) % sizeof(buf));
				close(fd);
			}
			break;
		case OP_WRITE:
			fd = r = open(p, O_WRONLY);
			if (fd >= 0) {
				gen_data(s, buf, 512);
				r = pwrite(fd, buf, 512, st_rand(&s) % 8192);
				close(fd);
			}
			break;
		case OP_TRUNC:
			r = truncate(p, st_rand(&s) % 6000);
			break;
		case OP_UNLINK:
			r = unlink(p);
			break;
		case OP_RENAME:
			r = rename(p, q);
			break;
		case OP_LINK:
			r = link(p, q);
			break;
		case OP_MKDIR:
			r = mkdir(p, 0755);
			break;
		case OP_RMDIR:
			r = rmdir(p);
			break;
		case OP_CHMOD:
			r = chmod(p, (st_rand(&s) & 1) ? 0644 : 0755);
			break;
		case OP_READDIR:
			*strrchr(p, '/') = 0;
			st_readdir(st, proc, p);
			break;
		case OP_EMPTY:
			*strrchr(p, '/') = 0;
			if (strcmp(p, UNION))
				r = st_rmtree(p);
			break;
		case OP_STAT: {
			struct stat sb;

			r = lstat(p, &sb);
			break;
		}
		}
		st->ops[op]++;
		if (r < 0 && !st_expected(errno))
			st_bad(st, proc, op_name[op], p, errno);
	}
}

/* ---- aufs: a spare branch added and deleted while the others work ---- */

#define SPARE "/spare"

struct st_br {
	unsigned long add, del, busy, bad;
};

static void st_br_bad(struct st_br *b, const char *what, int e)
{
	if (b->bad++ < 5)
		printf("#   stress brancher: %s: %s\n", what, strerror(e));
}

/* its names show after add:, with their content, and are gone after del: */
static void st_br_check(struct st_br *b, int added)
{
	char *d = get_file(UNION "/spd/f", NULL);
	int e = errno;

	if (added && (!d || strcmp(d, "spare f\n")))
		st_br_bad(b, "spd/f after add", d ? EBADMSG : e);
	if (!added && (d || e != ENOENT))
		st_br_bad(b, "spd/f after del", d ? EEXIST : e);
	free(d);
	if (added != !access(UNION "/spare.txt", F_OK))
		st_br_bad(b, "spare.txt", added ? errno : EEXIST);
}

static int st_br_del(struct st_br *b)
{
	if (mount("none", UNION, "aufs", MS_REMOUNT, "del:" SPARE) == 0) {
		b->del++;
		st_br_check(b, 0);
		return 0;
	}
	if (errno == EBUSY)
		b->busy++;
	else
		st_br_bad(b, "remount del:", errno);
	return -1;
}

static void st_brancher(int secs, struct st_br *b)
{
	time_t end = time(NULL) + secs;

	while (time(NULL) < end) {
		if (mount("none", UNION, "aufs", MS_REMOUNT, "add:3:" SPARE "=ro") < 0) {
			st_br_bad(b, "remount add:", errno);
			break;
		}
		b->add++;
		st_br_check(b, 1);
		usleep(20 * 1000);
		while (st_br_del(b) < 0) {
			if (b->bad || time(NULL) > end + 20) {
				st_br_bad(b, "del: never succeeded", EBUSY);
				return;
			}
			usleep(10 * 1000);
		}
		usleep(20 * 1000);
	}
}

/* ---- after the run: the union against the merge of its branches ---- */

static int st_is_wh(const char *dir, const char *name, int aufs)
{
	char p[1024];
	struct stat sb;

	if (aufs)
		return !strncmp(name, ".wh.", 4);
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == 0;
}

static int st_opaque(const char *dir, int aufs)
{
	char p[1024], v[4];
	struct stat sb;

	if (aufs) {
		snprintf(p, sizeof(p), "%s/.wh..wh..opq", dir);
		return lstat(p, &sb) == 0;
	}
	return getxattr(dir, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* is name hidden by a whiteout in branch dir bdir? */
static int st_whited(const char *bdir, const char *name, int aufs)
{
	char p[1024];
	struct stat sb;

	if (aufs) {
		snprintf(p, sizeof(p), "%s/.wh.%s", bdir, name);
		return lstat(p, &sb) == 0;
	}
	snprintf(p, sizeof(p), "%s/%s", bdir, name);
	return lstat(p, &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == 0;
}

static int st_same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = get_file(a, &na), *y = get_file(b, &nb);
	int same = x && y && na == nb && !memcmp(x, y, na);

	free(x);
	free(y);
	return same;
}

/*
 * Compare union dir rel with the merge of the branch dirs br[0..n-1] (top first, each a
 * directory): names, types, file contents.  Returns the number of differences.
 */
static int st_compare(const char *rel, char br[][512], int n, int depth)
{
	char up[1024], bp[1024];
	char *names = list_dir(rel), *save = NULL, *nm;
	int bad = 0, i, k;

	if (!names)
		return 1;
	/* every name the union shows: from the top branch holding it, not whited out above */
	for (nm = strtok_r(names, " ", &save); nm; nm = strtok_r(NULL, " ", &save)) {
		struct stat us, bs;
		int found = -1;

		snprintf(up, sizeof(up), "%s/%s", rel, nm);
		if (lstat(up, &us) < 0) {
			printf("#   stress: %s listed but lstat: %s\n", up, strerror(errno));
			bad++;
			continue;
		}
		for (i = 0; i < n && found < 0; i++) {
			snprintf(bp, sizeof(bp), "%s/%s", br[i], nm);
			if (lstat(bp, &bs) == 0 && !st_is_wh(br[i], nm, C->aufs))
				found = i;
			else if (st_whited(br[i], nm, C->aufs))
				break;
		}
		if (found < 0) {
			printf("#   stress: %s is in the union but on no branch\n", up);
			bad++;
			continue;
		}
		if ((us.st_mode & S_IFMT) != (bs.st_mode & S_IFMT) ||
		    (!S_ISDIR(us.st_mode) && us.st_size != bs.st_size)) {
			printf("#   stress: %s: mode 0%o size %lld, branch %s: 0%o %lld\n", up,
			       us.st_mode, (long long)us.st_size, bp, bs.st_mode,
			       (long long)bs.st_size);
			bad++;
		} else if (S_ISREG(us.st_mode) && !st_same_file(up, bp)) {
			printf("#   stress: %s differs from %s\n", up, bp);
			bad++;
		} else if (S_ISDIR(us.st_mode) && depth < ST_DEPTH) {
			char (*cb)[512] = calloc(n, 512);
			int m = 0;

			for (k = found; k < n; k++) {
				struct stat ks;

				if (k > found && st_whited(br[k], nm, C->aufs))
					break;
				snprintf(cb[m], 512, "%s/%s", br[k], nm);
				if (lstat(cb[m], &ks) < 0)
					continue;
				if (!S_ISDIR(ks.st_mode))
					break;
				if (st_opaque(cb[m++], C->aufs))
					break;
			}
			bad += st_compare(up, cb, m, depth + 1);
			free(cb);
		}
	}
	free(names);
	/* and every name of the merge is in the union */
	for (i = 0; i < n; i++) {
		DIR *d = opendir(br[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			int hidden = 0;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			    st_is_wh(br[i], e->d_name, C->aufs))
				continue;
			for (k = 0; k < i && !hidden; k++)
				hidden = st_whited(br[k], e->d_name, C->aufs);
			snprintf(up, sizeof(up), "%s/%s", rel, e->d_name);
			if (!hidden && !exists(up)) {
				printf("#   stress: %s/%s is not in the union as %s\n", br[i],
				       e->d_name, up);
				bad++;
			}
		}
		closedir(d);
		if (st_opaque(br[i], C->aufs))
			break;
	}
	return bad;
}

/* aufs: a temporary name left on the rw branch after unmount (work queue flushed) */
static int st_tmp_left(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!strncmp(e->d_name, ".wh..wh.tmp.", 12)) {
			printf("#   stress: %s left on the rw branch\n", p);
			n++;
		} else if (e->d_type == DT_DIR && depth < ST_DEPTH) {
			n += st_tmp_left(p, depth + 1);
		}
	}
	closedir(d);
	return n;
}

static int st_secs = 10, st_procs = 4;
static unsigned st_seed;

void stress_config(int secs, int procs, unsigned seed)
{
	st_secs = secs;
	st_procs = procs < 1 ? 1 : procs > ST_PROCS_MAX ? ST_PROCS_MAX : procs;
	st_seed = seed;
}

static void stress(void)
{
	struct st_stat *sh;
	struct st_br *brs;
	unsigned long total = 0, per[OP_N] = { 0 }, bad = 0;
	char br[3][512], line[512];
	int i, o, n;

	/* aufs: every rmdir of a dir holding a whiteout goes through the work queue */
	if (EXP(0, union_mount(C->aufs ? "dirwh=1" : NULL)) < 0)
		return;
	sh = mmap(NULL, sizeof(*sh) * ST_PROCS_MAX + sizeof(*brs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	memset(sh, 0, sizeof(*sh) * ST_PROCS_MAX + sizeof(*brs));
	brs = (struct st_br *)(sh + ST_PROCS_MAX);
	if (C->aufs) {
		rm_rf(SPARE);
		EXP(0, mkdir(SPARE, 0755));
		EXP(0, mkdir(SPARE "/spd", 0755));
		EXP(0, put_str(SPARE "/spd/f", "spare f\n"));
		EXP(0, put_str(SPARE "/spare.txt", "spare\n"));
		if (fork() == 0) {
			st_brancher(st_secs, brs);
			fflush(stdout);
			_exit(0);
		}
	}
	for (i = 0; i < st_procs; i++)
		mkdir(pu("s%d", i % 3), 0755);
	note("stress seed %u, %d processes, %d s", st_seed, st_procs, st_secs);
	fflush(stdout);
	for (i = 0; i < st_procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			st_child(i, st_seed + i * 7919, st_secs, &sh[i]);
			fflush(stdout);
			_exit(0);
		}
		if (pid < 0)
			FAIL("fork: %s", strerror(errno));
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i < st_procs; i++) {
		for (o = 0; o < OP_N; o++) {
			per[o] += sh[i].ops[o];
			total += sh[i].ops[o];
		}
		bad += sh[i].bad;
	}
	n = snprintf(line, sizeof(line), "stress: %lu ops:", total);
	for (o = 0; o < OP_N && n < (int)sizeof(line); o++)
		n += snprintf(line + n, sizeof(line) - n, " %s %lu", op_name[o], per[o]);
	note("%s", line);
	if (bad)
		FAIL("stress: %lu unexpected results (seed %u)", bad, st_seed);
	if (C->aufs) {
		note("stress: spare branch added %lu, deleted %lu, del EBUSY %lu", brs->add,
		     brs->del, brs->busy);
		if (brs->bad)
			FAIL("stress: %lu wrong results of remount add:/del: (seed %u)", brs->bad,
			     st_seed);
		else if (!brs->add)
			FAIL("stress: the spare branch was never added");
	}
	munmap(sh, sizeof(*sh) * ST_PROCS_MAX + sizeof(*brs));

	/* quiet now: the union is the merge of its branches */
	snprintf(br[0], 512, "%s", C->upper);
	snprintf(br[1], 512, "%s", L2_DIR);
	snprintf(br[2], 512, "%s", SQ_DIR);
	n = st_opaque(br[0], C->aufs) ? 1 : 3;
	if (st_compare(UNION, br, n, 0))
		FAIL("stress: the union differs from its branches (seed %u)", st_seed);
	EXP(0, union_umount());
	if (C->aufs)
		rm_rf(SPARE);
	if (C->aufs && st_tmp_left(C->upper, 0))
		FAIL("stress: temporary directories left behind (seed %u)", st_seed);
}

const struct fcase stress_cases[] = {
	{ "stress-multiproc", stress, F_NOMOUNT },
	{ NULL, NULL, 0 },
};
