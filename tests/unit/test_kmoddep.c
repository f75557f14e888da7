// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/kmoddep.c: parsing, closure order, cycles, modalias matching. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "kmoddep.h"

#define FIXTURES "tests/unit/fixtures"
#define KCACHE "build/cache/kernel"

/*
 * The real module trees in the build cache (make deps; Debian 12's plain .ko, Debian
 * 13's .ko.xz): the n-th one's modules dir into buf, 0 when there is none.
 */
static int real_tree(int n, char *buf, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir(KCACHE);
	int found = 0;

	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(buf, len, KCACHE "/%s/lib/modules/%s", d->d_name, d->d_name);
		if (access(buf, R_OK) == 0 && n-- == 0) {
			found = 1;
			break;
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

/* Position of module name in a closure, or -1. */
static int pos_of(const struct kmod_db *db, const int *order, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(db->mods[order[i]].name, name) == 0)
			return (int)i;
	return -1;
}

static int closure_of(const struct kmod_db *db, const char *const *names, size_t nnames,
		      int **order, size_t *n)
{
	int roots[16];
	size_t i;

	for (i = 0; i < nnames; i++) {
		roots[i] = kmoddep_find(db, names[i]);
		if (roots[i] < 0)
			return -ENOENT;
	}
	return kmoddep_closure(db, roots, nnames, order, n);
}

/* Every module comes after all of its direct dependencies, and only once. */
static int order_valid(const struct kmod_db *db, const int *order, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		const struct kmod_entry *m = &db->mods[order[i]];

		for (j = 0; j < i; j++)
			if (order[j] == order[i])
				return 0;
		for (k = 0; k < m->ndeps; k++) {
			for (j = 0; j < i; j++)
				if (order[j] == m->deps[k])
					break;
			if (j == i)
				return 0;
		}
	}
	return 1;
}

TEST(kmoddep_parse_fixture)
{
	struct kmod_db db;
	int i;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod"), 0);
	CHECK_EQ(db.nmods, 19);
	i = kmoddep_find(&db, "usb-storage");
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_STR(db.mods[i].name, "usb_storage");
		CHECK_STR(db.mods[i].path, "kernel/drivers/usb/storage/usb-storage.ko");
		CHECK_EQ(db.mods[i].ndeps, 4);
	}
	CHECK_EQ(kmoddep_find(&db, "usb_storage"), i);
	CHECK_EQ(kmoddep_find(&db, "usb_storage.ko"), i);
	CHECK_EQ(kmoddep_find(&db, "nls_iso8859-1"), kmoddep_find(&db, "nls_iso8859_1"));
	CHECK(kmoddep_find(&db, "nls_iso8859_1") >= 0);
	i = kmoddep_find(&db, "btrfs");
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_STR(db.mods[i].path, "kernel/fs/btrfs/btrfs.ko.zst");
	CHECK_EQ(kmoddep_find(&db, "nosuch"), -1);
	CHECK_EQ(kmoddep_find(&db, ""), -1);
	CHECK_EQ(db.naliases, 13);
	CHECK_EQ(db.nbuiltin, 4);
	CHECK(kmoddep_is_builtin(&db, "ext4"));
	CHECK(kmoddep_is_builtin(&db, "zstd_decompress"));
	CHECK(kmoddep_is_builtin(&db, "zstd-decompress"));
	CHECK(!kmoddep_is_builtin(&db, "sr_mod"));
	kmoddep_free(&db);
}

TEST(kmoddep_missing_dir)
{
	struct kmod_db db;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/nosuch"), -ENOENT);
}

/* modules.alias and modules.builtin may be absent: no aliases, nothing built in */
TEST(kmoddep_optional_files)
{
	char dir[] = "/tmp/kmoddep.XXXXXX", path[64];
	struct kmod_db db;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("kernel/fs/isofs/isofs.ko:\n", f);
	fclose(f);
	CHECK_EQ(kmoddep_load(&db, dir), 0);
	CHECK_EQ(db.nmods, 1);
	CHECK_EQ(db.naliases, 0);
	CHECK_EQ(db.nbuiltin, 0);
	CHECK_EQ(kmoddep_find(&db, "isofs"), 0);
	kmoddep_free(&db);
	unlink(path);
	rmdir(dir);
}

TEST(kmoddep_closure_order)
{
	static const char *const roots[] = { "sr_mod", "isofs", "usb-storage" };
	struct kmod_db db;
	int *order = NULL;
	size_t n = 0;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod"), 0);
	CHECK_EQ(closure_of(&db, roots, 3, &order, &n), 0);
	/* sr_mod scsi_mod scsi_common cdrom isofs usb_storage usbcore usb_common */
	CHECK_EQ(n, 8);
	CHECK(order_valid(&db, order, n));
	CHECK(pos_of(&db, order, n, "scsi_common") < pos_of(&db, order, n, "scsi_mod"));
	CHECK(pos_of(&db, order, n, "scsi_mod") < pos_of(&db, order, n, "sr_mod"));
	CHECK(pos_of(&db, order, n, "cdrom") < pos_of(&db, order, n, "sr_mod"));
	CHECK(pos_of(&db, order, n, "cdrom") < pos_of(&db, order, n, "isofs"));
	CHECK(pos_of(&db, order, n, "usb_common") < pos_of(&db, order, n, "usbcore"));
	CHECK(pos_of(&db, order, n, "usbcore") < pos_of(&db, order, n, "usb_storage"));
	/* roots keep their relative order */
	CHECK(pos_of(&db, order, n, "sr_mod") < pos_of(&db, order, n, "isofs"));
	CHECK(pos_of(&db, order, n, "isofs") < pos_of(&db, order, n, "usb_storage"));
	CHECK_EQ(pos_of(&db, order, n, "libata"), -1);
	free(order);
	kmoddep_free(&db);
}

TEST(kmoddep_closure_root_twice)
{
	static const char *const roots[] = { "scsi_mod", "sr_mod", "sr-mod", "scsi_common" };
	struct kmod_db db;
	int *order = NULL;
	size_t n = 0;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod"), 0);
	CHECK_EQ(closure_of(&db, roots, 4, &order, &n), 0);
	CHECK_EQ(n, 4);
	CHECK(order_valid(&db, order, n));
	free(order);
	kmoddep_free(&db);
}

TEST(kmoddep_closure_cycle)
{
	static const char *const a[] = { "a" };
	static const char *const d[] = { "d" };
	struct kmod_db db;
	int *order = NULL;
	size_t n = 0;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod-cycle"), 0);
	CHECK_EQ(db.nmods, 4);
	CHECK_EQ(db.naliases, 0);
	CHECK_EQ(closure_of(&db, a, 1, &order, &n), -ELOOP);
	CHECK(order == NULL);
	CHECK_EQ(closure_of(&db, d, 1, &order, &n), 0);
	CHECK_EQ(n, 1);
	free(order);
	kmoddep_free(&db);
}

struct hits {
	int mods[8];
	int n;
};

static int collect(void *arg, int mod)
{
	struct hits *h = arg;

	if (h->n < 8)
		h->mods[h->n++] = mod;
	return 0;
}

static int stop_at_first(void *arg, int mod)
{
	(void)arg;
	return mod + 1000;
}

TEST(kmoddep_alias_fnmatch)
{
	struct kmod_db db;
	struct hits h = { .n = 0 };

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod"), 0);
	/* matches two patterns of ata_piix: reported once */
	CHECK_EQ(kmoddep_alias_match(&db, "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80",
				     collect, &h), 0);
	CHECK_EQ(h.n, 1);
	CHECK_EQ(h.mods[0], kmoddep_find(&db, "ata_piix"));
	h.n = 0;
	CHECK_EQ(kmoddep_alias_match(&db, "scsi:t-0x05", collect, &h), 0);
	CHECK_EQ(h.n, 1);
	CHECK_EQ(h.mods[0], kmoddep_find(&db, "sr_mod"));
	h.n = 0;
	CHECK_EQ(kmoddep_alias_match(&db, "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00",
				     collect, &h), 0);
	CHECK_EQ(h.n, 1);
	CHECK_EQ(h.mods[0], kmoddep_find(&db, "usb_storage"));
	h.n = 0;
	/* xhci_pci is not in modules.dep (not in the image): never reported */
	CHECK_EQ(kmoddep_alias_match(&db, "pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i30",
				     collect, &h), 0);
	CHECK_EQ(h.n, 0);
	CHECK_EQ(kmoddep_alias_match(&db, "fs-overlay", collect, &h), 0);
	CHECK_EQ(h.n, 1);
	CHECK_EQ(h.mods[0], kmoddep_find(&db, "overlay"));
	h.n = 0;
	CHECK_EQ(kmoddep_alias_match(&db, "scsi:t-0x00", collect, &h), 0);
	CHECK_EQ(h.n, 0);
	CHECK_EQ(kmoddep_alias_match(&db, "scsi:t-0x05", stop_at_first, NULL),
		 kmoddep_find(&db, "sr_mod") + 1000);
	kmoddep_free(&db);
}

static void real_tree_check(const char *tree)
{
	static const char *const sr[] = { "sr_mod" };
	static const char *const ov[] = { "overlay", "squashfs", "loop", "isofs" };
	static const char *const fs[] = { "ext4", "btrfs", "vfat", "nls_iso8859_1" };
	struct kmod_db db;
	struct hits h = { .n = 0 };
	int *order = NULL;
	size_t n = 0;

	printf("# %s\n", tree);
	CHECK_EQ(kmoddep_load(&db, tree), 0);
	CHECK(db.nmods > 1000);
	CHECK(db.naliases > 1000);
	CHECK(db.nbuiltin > 50);
	CHECK_EQ(closure_of(&db, sr, 1, &order, &n), 0);
	CHECK(order_valid(&db, order, n));
	CHECK(pos_of(&db, order, n, "cdrom") >= 0);
	CHECK(pos_of(&db, order, n, "scsi_mod") >= 0);
	CHECK_EQ(pos_of(&db, order, n, "sr_mod"), (int)n - 1);
	free(order);
	CHECK_EQ(closure_of(&db, ov, 4, &order, &n), 0);
	CHECK(order_valid(&db, order, n));
	CHECK(pos_of(&db, order, n, "overlay") >= 0);
	CHECK(pos_of(&db, order, n, "cdrom") < pos_of(&db, order, n, "isofs"));
	free(order);
	CHECK_EQ(closure_of(&db, fs, 4, &order, &n), 0);
	CHECK(order_valid(&db, order, n));
	CHECK(pos_of(&db, order, n, "jbd2") < pos_of(&db, order, n, "ext4"));
	CHECK(pos_of(&db, order, n, "fat") < pos_of(&db, order, n, "vfat"));
	free(order);
	/* QEMU's PIIX3 IDE controller */
	CHECK_EQ(kmoddep_alias_match(&db, "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80",
				     collect, &h), 0);
	CHECK(h.n >= 1);
	CHECK(h.n >= 1 && h.mods[0] == kmoddep_find(&db, "ata_piix"));
	CHECK(kmoddep_is_builtin(&db, "zstd_decompress") || kmoddep_find(&db, "zstd_decompress") >= 0);
	kmoddep_free(&db);
}

TEST(kmoddep_real_tree)
{
	char tree[512];
	int i;

	for (i = 0; real_tree(i, tree, sizeof(tree)); i++)
		real_tree_check(tree);
	if (i == 0)
		printf("# skip: no kernel in %s (make deps)\n", KCACHE);
}

/* Modalias strings for the fast-path comparison: the host's, then pattern expansions. */
struct strs {
	char **v;
	size_t n, cap;
};

static void strs_add(struct strs *s, const char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = strdup(str);
}

static struct strs *sys_strs;

static int sys_modalias(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char line[4096];
	FILE *f;

	(void)st;
	if (type != FTW_F || strcmp(path + ftw->base, "modalias") != 0)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && line[0] && line[0] != '\n') {
		line[strcspn(line, "\n")] = '\0';
		strs_add(sys_strs, line);
	}
	fclose(f);
	return 0;
}

/*
 * A string the pattern matches, every '*' replaced by star: '?' -> '0', a bracket
 * expression -> its first member, "\x" -> 'x'. Empty when the pattern has a negated class.
 */
static void expand(const char *pat, const char *star, char *out, size_t len)
{
	size_t n = 0;

	for (; *pat && n + 8 < len; pat++) {
		if (*pat == '*') {
			n += (size_t)snprintf(out + n, len - n, "%s", star);
		} else if (*pat == '?') {
			out[n++] = '0';
		} else if (*pat == '[') {
			if (pat[1] == '!' || pat[1] == '^') {
				n = 0;
				break;
			}
			out[n++] = pat[1];
			pat = strchr(pat + 2, ']');
			if (!pat)
				break;
		} else if (*pat == '\\' && pat[1]) {
			out[n++] = *++pat;
		} else {
			out[n++] = *pat;
		}
	}
	out[n] = '\0';
}

/* What kmoddep_alias_match did before the literal-prefix check: fnmatch on every alias. */
static void plain_match(const struct kmod_db *db, const char *modalias, struct hits *h)
{
	size_t i, j;

	for (i = 0; i < db->naliases; i++) {
		const struct kmod_alias *a = &db->aliases[i];

		if (a->mod < 0 || fnmatch(a->pattern, modalias, 0) != 0)
			continue;
		for (j = 0; j < i; j++)
			if (db->aliases[j].mod == a->mod &&
			    fnmatch(db->aliases[j].pattern, modalias, 0) == 0)
				break;
		if (j == i)
			collect(h, a->mod);
	}
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The literal-prefix check changes no result: every module reported, in the same
 * order, as with fnmatch alone, over the real modules.alias for the host's modaliases
 * and for strings made from the patterns themselves (each matches its own pattern and
 * comes close to its neighbours'; cut short ones end inside a literal prefix).
 */
TEST(kmoddep_alias_prefix_same_as_fnmatch)
{
	struct strs s = { 0 };
	struct kmod_db db;
	struct hits fast, plain;
	char buf[4096];
	size_t i, nsys, matched = 0;
	double t0, ms[2][2] = { { 0 } };	/* [host, made][fast, plain] */
	char tree[512];

	if (!real_tree(0, tree, sizeof(tree))) {
		printf("# skip: no kernel in %s (make deps)\n", KCACHE);
		return;
	}
	CHECK_EQ(kmoddep_load(&db, tree), 0);
	sys_strs = &s;
	nftw("/sys/devices", sys_modalias, 32, FTW_PHYS);
	nsys = s.n;
	/* every 100th pattern: plain fnmatch over all ~26,000 patterns is the slow side */
	for (i = 0; i < db.naliases; i += 100) {
		const struct kmod_alias *a = &db.aliases[i];

		expand(a->pattern, "", buf, sizeof(buf));
		if (buf[0])
			strs_add(&s, buf);
		expand(a->pattern, "1A", buf, sizeof(buf));
		if (buf[0])
			strs_add(&s, buf);
		snprintf(buf, sizeof(buf), "%.*s", (int)(a->literal / 2 + 1), a->pattern);
		strs_add(&s, buf);
	}
	CHECK(s.n - nsys > 500);
	for (i = 0; i < s.n; i++) {
		fast.n = plain.n = 0;
		t0 = cpu_ms();
		kmoddep_alias_match(&db, s.v[i], collect, &fast);
		ms[i >= nsys][0] += cpu_ms() - t0;
		t0 = cpu_ms();
		plain_match(&db, s.v[i], &plain);
		ms[i >= nsys][1] += cpu_ms() - t0;
		matched += plain.n > 0;
		if (fast.n != plain.n || memcmp(fast.mods, plain.mods, fast.n * sizeof(int))) {
			printf("#   %s: %d modules, fnmatch alone %d\n", s.v[i], fast.n, plain.n);
			CHECK(0);
		}
	}
	/* not a vacuous comparison: most strings match something */
	CHECK(matched > s.n / 2);
	printf("# %zu aliases; CPU ms, literal prefix first vs fnmatch alone: %zu host modaliases "
	       "%.2f vs %.2f, %zu made from patterns %.1f vs %.1f\n", db.naliases, nsys,
	       ms[0][0], ms[0][1], s.n - nsys, ms[1][0], ms[1][1]);
	for (i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	kmoddep_free(&db);
}

TEST(kmoddep_list_select_entries)
{
	struct kmod_db db;
	char missing[64] = "";
	int *mods = NULL;
	size_t n = 0;

	CHECK_EQ(kmoddep_load(&db, FIXTURES "/kmod"), 0);
	CHECK_EQ(kmoddep_list_select(&db, FIXTURES "/lists/good.list", &mods, &n,
				     missing, sizeof(missing)), 0);
	/* sr_mod isofs (ext4 builtin) fat vfat nls_iso8859_1, in list order */
	CHECK_EQ(n, 5);
	if (n == 5) {
		CHECK_STR(db.mods[mods[0]].name, "sr_mod");
		CHECK_STR(db.mods[mods[1]].name, "isofs");
		CHECK_STR(db.mods[mods[4]].name, "nls_iso8859_1");
		CHECK(mods[2] == kmoddep_find(&db, "vfat") || mods[3] == kmoddep_find(&db, "vfat"));
		CHECK(mods[2] == kmoddep_find(&db, "fat") || mods[3] == kmoddep_find(&db, "fat"));
	}
	/* a second list appends, without repeating what is there */
	CHECK_EQ(kmoddep_list_select(&db, FIXTURES "/lists/good.list", &mods, &n,
				     missing, sizeof(missing)), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(kmoddep_list_select(&db, FIXTURES "/lists/missing.list", &mods, &n,
				     missing, sizeof(missing)), -ENOENT);
	CHECK_STR(missing, "nosuch");
	CHECK_EQ(kmoddep_list_select(&db, FIXTURES "/lists/emptyglob.list", &mods, &n,
				     missing, sizeof(missing)), -ENOENT);
	CHECK_STR(missing, "kernel/drivers/nothing/*");
	CHECK_EQ(kmoddep_list_select(&db, FIXTURES "/lists/nosuch.list", &mods, &n,
				     missing, sizeof(missing)), -ENOENT);
	CHECK_STR(missing, FIXTURES "/lists/nosuch.list");
	free(mods);
	kmoddep_free(&db);
}

static void repo_lists_check(const char *tree)
{
	static const char *const lists[] = { "base", "cdrom", "disk", "fs", "usb", "net" };
	struct kmod_db db;
	char path[256], missing[256];
	int *mods = NULL, *order = NULL;
	size_t n = 0, norder = 0, i;

	printf("# %s\n", tree);
	CHECK_EQ(kmoddep_load(&db, tree), 0);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		snprintf(path, sizeof(path), "modules/%s.list", lists[i]);
		missing[0] = '\0';
		CHECK_EQ(kmoddep_list_select(&db, path, &mods, &n, missing, sizeof(missing)), 0);
		if (missing[0])
			printf("#   %s: missing '%s'\n", path, missing);
	}
	CHECK_EQ(kmoddep_closure(&db, mods, n, &order, &norder), 0);
	CHECK(order_valid(&db, order, norder));
	CHECK(pos_of(&db, order, norder, "sr_mod") >= 0);
	CHECK(pos_of(&db, order, norder, "usb_storage") >= 0);
	CHECK(pos_of(&db, order, norder, "ext4") >= 0);
	free(order);
	free(mods);
	kmoddep_free(&db);
}

TEST(kmoddep_repo_lists_resolve)
{
	char tree[512];
	int i;

	for (i = 0; real_tree(i, tree, sizeof(tree)); i++)
		repo_lists_check(tree);
	if (i == 0)
		printf("# skip: no kernel in %s (make deps)\n", KCACHE);
}

/*
 * Debian 13's layout: every module .ko.xz (CONFIG_MODULE_COMPRESS_ALL), modules.dep
 * naming them so, modules.alias and the lists naming modules without any suffix.
 */
static int write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(kmoddep_compressed_tree)
{
	char dir[] = "/tmp/kmodxz.XXXXXX", list[64], missing[64] = "";
	struct kmod_db db;
	struct hits h = { .n = 0 };
	static const char *const sr[] = { "sr_mod" };
	int *order = NULL, *mods = NULL;
	size_t n = 0, nmods = 0;
	int i;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(write_file(dir, "modules.dep",
		"kernel/drivers/scsi/sr_mod.ko.xz: kernel/drivers/scsi/scsi_mod.ko.xz "
		"kernel/drivers/cdrom/cdrom.ko.xz\n"
		"kernel/drivers/scsi/scsi_mod.ko.xz:\n"
		"kernel/drivers/cdrom/cdrom.ko.xz:\n"
		"kernel/fs/fat/vfat.ko.zst: kernel/fs/fat/fat.ko.zst\n"
		"kernel/fs/fat/fat.ko.zst:\n"
		"kernel/fs/nls/nls_cp437.ko.gz:\n"
		"kernel/fs/isofs/isofs.ko.xz: kernel/drivers/cdrom/cdrom.ko.xz\n"), 0);
	CHECK_EQ(write_file(dir, "modules.alias",
		"alias scsi:t-0x05* sr_mod\nalias fs-vfat vfat\n"), 0);
	CHECK_EQ(write_file(dir, "cd.list", "sr-mod\nkernel/fs/fat/*.ko\nnls_*\n"), 0);
	CHECK_EQ(write_file(dir, "dir.list", "kernel/fs/isofs/*\n"), 0);
	CHECK_EQ(kmoddep_load(&db, dir), 0);
	CHECK_EQ(db.nmods, 7);
	i = kmoddep_find(&db, "sr_mod");
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_STR(db.mods[i].name, "sr_mod");
		CHECK_STR(db.mods[i].path, "kernel/drivers/scsi/sr_mod.ko.xz");
		CHECK_EQ(db.mods[i].ndeps, 2);
	}
	CHECK_EQ(kmoddep_find(&db, "sr_mod.ko.xz"), i);
	CHECK_EQ(kmoddep_find(&db, "nls_cp437.ko.gz"), kmoddep_find(&db, "nls-cp437"));
	CHECK_EQ(closure_of(&db, sr, 1, &order, &n), 0);
	CHECK_EQ(n, 3);
	CHECK(order_valid(&db, order, n));
	CHECK_EQ(pos_of(&db, order, n, "sr_mod"), 2);
	free(order);
	CHECK_EQ(kmoddep_alias_match(&db, "scsi:t-0x05", collect, &h), 0);
	CHECK(h.n == 1 && h.mods[0] == i);
	/* a path glob ending in .ko also matches .ko.zst; a name glob nls_cp437.ko.gz */
	snprintf(list, sizeof(list), "%s/cd.list", dir);
	CHECK_EQ(kmoddep_list_select(&db, list, &mods, &nmods, missing, sizeof(missing)), 0);
	CHECK_EQ(nmods, 4);
	CHECK(nmods == 4 && mods[0] == i && mods[3] == kmoddep_find(&db, "nls_cp437"));
	snprintf(list, sizeof(list), "%s/dir.list", dir);
	CHECK_EQ(kmoddep_list_select(&db, list, &mods, &nmods, missing, sizeof(missing)), 0);
	CHECK(nmods == 5 && mods[4] == kmoddep_find(&db, "isofs"));
	free(mods);
	kmoddep_free(&db);
	for (i = 0; i < 4; i++) {
		static const char *const names[] = { "modules.dep", "modules.alias", "cd.list",
						     "dir.list" };

		snprintf(list, sizeof(list), "%s/%s", dir, names[i]);
		unlink(list);
	}
	rmdir(dir);
}

int main(void)
{
	RUN(kmoddep_parse_fixture);
	RUN(kmoddep_missing_dir);
	RUN(kmoddep_optional_files);
	RUN(kmoddep_closure_order);
	RUN(kmoddep_closure_root_twice);
	RUN(kmoddep_closure_cycle);
	RUN(kmoddep_alias_fnmatch);
	RUN(kmoddep_real_tree);
	RUN(kmoddep_alias_prefix_same_as_fnmatch);
	RUN(kmoddep_list_select_entries);
	RUN(kmoddep_repo_lists_resolve);
	RUN(kmoddep_compressed_tree);
	return HARNESS_END();
}
