/* SPDX-License-Identifier: GPL-2.0 */
/* Union semantics tests (aufs and overlayfs as reference): shared context, step checks, helpers. */
#ifndef FSOP_H
#define FSOP_H

#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Fixed guest paths: squashfs lower (loop), second lower (tmpfs, fresh per case),
 * rw root (tmpfs fresh per case, or a directory on the ext4 disk), union mount point. */
#define SQ_DIR	"/sq"
#define L2_DIR	"/l2"
#define UNION	"/u"
#define EXT4_DIR "/e"

struct ctx {
	const char *type;	/* "aufs" or "overlay" */
	int aufs;
	const char *rwfs;	/* "tmpfs" or "ext4" */
	char rw[128];		/* rw root: holds upper/ and (overlay) work/ */
	char upper[160];	/* the rw branch */
	char work[160];
	int failed;
	int skipped;
	char skip[160];
	int mounted;
};

extern struct ctx *C;

/* case flags */
#define F_AUFS		1	/* aufs-only semantics (not run on overlay) */
#define F_NOMOUNT	2	/* the case mounts the union itself */
#define F_TMPFS		4	/* only in the tmpfs pass (option/mount tests) */

struct fcase {
	const char *name;
	void (*fn)(void);
	int flags;
};

/* case tables, each ends with { NULL } */
extern const struct fcase lookup_cases[];	/* cases_lookup.c */
extern const struct fcase copyup_cases[];	/* cases_copyup.c */
extern const struct fcase ns_cases[];		/* cases_ns.c */
extern const struct fcase more_cases[];		/* cases_more.c */
extern const struct fcase aufs_cases[];		/* cases_aufs.c */
extern const struct fcase mount_cases[];	/* cases_mount.c */
extern const struct fcase deep_cases[];		/* cases_deep.c */
extern const struct fcase race_cases[];		/* cases_race.c */
extern const struct fcase nospace_cases[];	/* cases_nospace.c */
extern const struct fcase inject_cases[];	/* cases_inject.c */
extern const struct fcase stress_cases[];	/* stress.c */
extern const struct fcase xino_cases[];		/* cases_xino.c */
extern const struct fcase loopbr_cases[];	/* cases_loopbr.c */
void xino_config(const char *spec);	/* "FILESxPASSES" */
void stress_config(int secs, int procs, unsigned seed);
extern const struct fcase scale_cases[];	/* cases_scale.c */
void scale_config(int files);
int kmsg_find(const char *needle);	/* new kernel log lines containing needle */

/* reporting */
void failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ename(int e);	/* "ENOSPC", "success", "errno N" */
void skipf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FAIL(...) failf(__FILE__, __LINE__, __VA_ARGS__)
#define CHECK(cond) do { if (!(cond)) FAIL("CHECK(%s)", #cond); } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) FAIL("%s == %lld, expected %lld", #a, _a, _b); } while (0)

/* One step with the errno it must give: want 0 = success (result >= 0). */
long expect_(const char *what, long r, int err, int want, int want2, const char *file, int line);
#define EXP(want, expr) ({ errno = 0; long _r = (long)(expr); \
	expect_(#expr, _r, _r < 0 ? errno : 0, (want), -1, __FILE__, __LINE__); })
/* either of two results is acceptable (e.g. the manual allows EXDEV) */
#define EXP2(want, want2, expr) ({ errno = 0; long _r = (long)(expr); \
	expect_(#expr, _r, _r < 0 ? errno : 0, (want), (want2), __FILE__, __LINE__); })

/* paths: union, rw branch, second lower, squashfs lower */
const char *pu(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *pw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *pl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ps(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* files */
int put_file(const char *path, const void *data, size_t len, mode_t mode);
int put_str(const char *path, const char *s);
char *get_file(const char *path, size_t *len);	/* malloc'd, NULL + errno */
void check_content_(const char *path, const void *want, size_t len, const char *file, int line);
#define CHECK_STR(path, s) check_content_((path), (s), strlen(s), __FILE__, __LINE__)
#define CHECK_DATA(path, d, n) check_content_((path), (d), (n), __FILE__, __LINE__)
int exists(const char *path);
void gen_data(unsigned seed, char *buf, size_t n);
int mkdirs(const char *path, mode_t mode);
int rm_rf(const char *path);

/* directories: sorted names without "." and "..", space separated */
char *list_dir(const char *path);
void check_list_(const char *path, const char *want, const char *file, int line);
#define CHECK_LIST(path, want) check_list_((path), (want), __FILE__, __LINE__)
int count_entry(const char *path, const char *name);

/* union */
int has_whiteout(const char *dir, const char *name);	/* in a rw branch dir */
int union_mount(const char *extra);	/* standard 3-branch union at UNION */
int union_umount(void);
/* <linux/loop.h> is not in musl's headers */
#define LOOP_SET_FD		0x4C00
#define LOOP_CLR_FD		0x4C01
#define LOOP_CTL_GET_FREE	0x4C82
int loop_mount(const char *img, const char *dir, const char *type, int rw);
int loop_detach(int n);
int aufs_mount(const char *opts);	/* raw aufs mount at UNION */
const char *mount_opts(const char *mnt);	/* options from /proc/mounts */
void drop_caches(void);
int as_user(uid_t uid, int (*fn)(const char *), const char *arg);	/* returns errno or 0 */

/* fixture */
void fixture_squash(const char *dir);	/* host side: the squashfs tree */
void fixture_l2(const char *dir);	/* guest side: the second lower, per case */
#define BIG_SIZE (3u << 20)
#define SPARSE_HOLE (8u << 20)
#define MODEL_FILES 12
#define MANY_SQ 400
#define MANY_L2 100
/* lower-only directory chains "TOP/d/d/.../d" with "deep\n" in f at the bottom */
#define DEEP_SQ1 100		/* squashfs deep100 */
#define DEEP_SQ2 1000		/* squashfs deep1000 */
#define DEEP_L2 2100		/* second lower deepl2: longer than PATH_MAX can name */
#define DEEP_MODE 0751

/* model.c */
int model_run(unsigned seed, int seconds);

#endif
