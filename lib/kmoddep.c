// SPDX-License-Identifier: GPL-2.0
/* Kernel module database: parse modules.dep/.alias/.builtin, resolve closures, match modaliases. */
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmoddep.h"

/*
 * Names are looked up through a small open-addressing hash built at load time
 * (db->index). The full host tree has ~4000 modules and ~10000 dependency
 * references: a linear search per reference would be ~40M comparisons.
 */
struct kmod_index {
	int *slots;	/* module index + 1; 0 = empty */
	size_t size;	/* power of two */
};

#define MODNAME_MAX 64

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * Normalise a module reference ("kernel/drivers/scsi/sr_mod.ko", "sr-mod",
 * "sr_mod.ko.xz") to its name ("sr_mod") in out. Returns 0 or -ENAMETOOLONG.
 */
static int modname_norm(const char *ref, char *out, size_t outlen)
{
	const char *base = strrchr(ref, '/');
	size_t n, i;
	const char *ko;

	base = base ? base + 1 : ref;
	ko = strstr(base, ".ko");
	n = ko && (ko[3] == '\0' || ko[3] == '.') ? (size_t)(ko - base) : strlen(base);
	if (n == 0 || n >= outlen)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[n] = '\0';
	return 0;
}

static const struct kmod_index *db_index(const struct kmod_db *db)
{
	return db->nmods ? db->index : NULL;
}

static int index_lookup(const struct kmod_db *db, const char *name)
{
	const struct kmod_index *ix = db_index(db);
	size_t i;

	if (!ix) {
		for (i = 0; i < db->nmods; i++)
			if (strcmp(db->mods[i].name, name) == 0)
				return (int)i;
		return -1;
	}
	for (i = name_hash(name) & (ix->size - 1); ix->slots[i];
	     i = (i + 1) & (ix->size - 1))
		if (strcmp(db->mods[ix->slots[i] - 1].name, name) == 0)
			return ix->slots[i] - 1;
	return -1;
}

static int index_build(struct kmod_db *db)
{
	struct kmod_index *ix;
	size_t i, j;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	ix->size = 16;
	while (ix->size < db->nmods * 2)
		ix->size <<= 1;
	ix->slots = calloc(ix->size, sizeof(*ix->slots));
	if (!ix->slots) {
		free(ix);
		return -ENOMEM;
	}
	for (i = 0; i < db->nmods; i++) {
		j = name_hash(db->mods[i].name) & (ix->size - 1);
		while (ix->slots[j])
			j = (j + 1) & (ix->size - 1);
		ix->slots[j] = (int)i + 1;
	}
	db->index = ix;
	return 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static char *skip_space(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void strip_eol(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/*
 * modules.dep: "kernel/a/b.ko: kernel/c/d.ko kernel/e/f.ko". First pass keeps each
 * line's dependency text; references are resolved once every module is known.
 */
static int load_dep(struct kmod_db *db, FILE *f, char ***deptext)
{
	char *line = NULL, *colon, **texts = NULL;
	size_t linecap = 0, cap = 0, tcap = 0;
	char name[MODNAME_MAX];
	ssize_t len;
	int err = 0;

	while ((len = getline(&line, &linecap, f)) >= 0) {
		struct kmod_entry *m;

		strip_eol(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon)
			continue;	/* not depmod output; ignore like modprobe does */
		*colon = '\0';
		if (modname_norm(line, name, sizeof(name)) < 0)
			continue;
		err = grow((void **)&db->mods, &cap, db->nmods, sizeof(*db->mods));
		if (!err)
			err = grow((void **)&texts, &tcap, db->nmods, sizeof(*texts));
		if (err)
			break;
		m = &db->mods[db->nmods];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		m->path = strdup(line);
		texts[db->nmods] = strdup(skip_space(colon + 1));
		db->nmods++;
		if (!m->name || !m->path || !texts[db->nmods - 1]) {
			err = -ENOMEM;
			break;
		}
	}
	free(line);
	*deptext = texts;
	if (!err && ferror(f))
		err = -EIO;
	return err;
}

static int resolve_deps(struct kmod_db *db, char **texts)
{
	char name[MODNAME_MAX];
	size_t i, n;
	char *tok, *save;
	int idx;

	for (i = 0; i < db->nmods; i++) {
		struct kmod_entry *m = &db->mods[i];

		n = 0;
		for (tok = texts[i]; *tok; tok++)
			if (*tok != ' ' && (tok == texts[i] || tok[-1] == ' '))
				n++;
		if (!n)
			continue;
		m->deps = malloc(n * sizeof(*m->deps));
		if (!m->deps)
			return -ENOMEM;
		for (tok = strtok_r(texts[i], " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (modname_norm(tok, name, sizeof(name)) < 0)
				continue;
			idx = index_lookup(db, name);
			/* A dependency without its own line: depmod never writes that,
			 * but a hand-pruned file might; skipping it beats refusing to boot. */
			if (idx >= 0 && m->ndeps < n)
				m->deps[m->ndeps++] = idx;
		}
	}
	return 0;
}

/* modules.alias: "alias PATTERN MODNAME". */
static int load_alias(struct kmod_db *db, FILE *f)
{
	char *line = NULL, *pat, *mod, *end;
	size_t linecap = 0, cap = 0;
	char name[MODNAME_MAX];
	int err = 0;

	while (getline(&line, &linecap, f) >= 0) {
		strip_eol(line);
		if (strncmp(line, "alias", 5) != 0 || (line[5] != ' ' && line[5] != '\t'))
			continue;
		pat = skip_space(line + 5);
		end = strpbrk(pat, " \t");
		if (!end)
			continue;
		*end = '\0';
		mod = skip_space(end + 1);
		if (!*mod || modname_norm(mod, name, sizeof(name)) < 0)
			continue;
		err = grow((void **)&db->aliases, &cap, db->naliases, sizeof(*db->aliases));
		if (err)
			break;
		db->aliases[db->naliases].pattern = strdup(pat);
		if (!db->aliases[db->naliases].pattern) {
			err = -ENOMEM;
			break;
		}
		db->aliases[db->naliases].mod = kmoddep_find(db, name);
		db->aliases[db->naliases].literal = strcspn(pat, "*?[\\");
		db->naliases++;
	}
	free(line);
	return err;
}

/* modules.builtin: one "kernel/path/name.ko" per line. */
static int load_builtin(struct kmod_db *db, FILE *f)
{
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	char name[MODNAME_MAX];
	int err = 0;

	while (getline(&line, &linecap, f) >= 0) {
		strip_eol(line);
		if (!line[0] || line[0] == '#' || modname_norm(line, name, sizeof(name)) < 0)
			continue;
		err = grow((void **)&db->builtin, &cap, db->nbuiltin, sizeof(*db->builtin));
		if (err)
			break;
		db->builtin[db->nbuiltin] = strdup(name);
		if (!db->builtin[db->nbuiltin]) {
			err = -ENOMEM;
			break;
		}
		db->nbuiltin++;
	}
	free(line);
	return err;
}

static FILE *open_in(const char *moddir, const char *file)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", moddir, file) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(path, "re");
}

/* Read moddir/file with load if it is there: 0 also when it does not exist, else -errno. */
static int load_optional(struct kmod_db *db, const char *moddir, const char *file,
			 int (*load)(struct kmod_db *db, FILE *f))
{
	FILE *f = open_in(moddir, file);
	int err;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	err = load(db, f);
	fclose(f);
	return err;
}

int kmoddep_load(struct kmod_db *db, const char *moddir)
{
	char **texts = NULL;
	size_t i, ntexts;
	FILE *f;
	int err;

	memset(db, 0, sizeof(*db));
	f = open_in(moddir, "modules.dep");
	if (!f)
		return -errno;
	err = load_dep(db, f, &texts);
	fclose(f);
	ntexts = db->nmods;
	if (!err && db->nmods)
		err = index_build(db);
	if (!err)
		err = resolve_deps(db, texts);
	for (i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	if (err)
		goto out_free;

	err = load_optional(db, moddir, "modules.alias", load_alias);
	if (!err)
		err = load_optional(db, moddir, "modules.builtin", load_builtin);
	if (!err)
		return 0;

out_free:
	kmoddep_free(db);
	return err;
}

void kmoddep_free(struct kmod_db *db)
{
	struct kmod_index *ix = db->index;
	size_t i;

	for (i = 0; i < db->nmods; i++) {
		free(db->mods[i].name);
		free(db->mods[i].path);
		free(db->mods[i].deps);
	}
	free(db->mods);
	for (i = 0; i < db->naliases; i++)
		free(db->aliases[i].pattern);
	free(db->aliases);
	for (i = 0; i < db->nbuiltin; i++)
		free(db->builtin[i]);
	free(db->builtin);
	if (ix)
		free(ix->slots);
	free(ix);
	memset(db, 0, sizeof(*db));
}

int kmoddep_find(const struct kmod_db *db, const char *name)
{
	char norm[MODNAME_MAX];

	if (modname_norm(name, norm, sizeof(norm)) < 0)
		return -1;
	return index_lookup(db, norm);
}

bool kmoddep_is_builtin(const struct kmod_db *db, const char *name)
{
	char norm[MODNAME_MAX];
	size_t i;

	if (modname_norm(name, norm, sizeof(norm)) < 0)
		return false;
	for (i = 0; i < db->nbuiltin; i++)
		if (strcmp(db->builtin[i], norm) == 0)
			return true;
	return false;
}

enum { WHITE, GREY, BLACK };

struct closure {
	const struct kmod_db *db;
	unsigned char *color;
	int *order;
	size_t n;
};

/* Depth-first, post-order: a module is emitted after everything it needs. */
static int visit(struct closure *c, int mod)
{
	const struct kmod_entry *m = &c->db->mods[mod];
	size_t i;
	int err;

	if (c->color[mod] == BLACK)
		return 0;
	if (c->color[mod] == GREY)
		return -ELOOP;
	c->color[mod] = GREY;
	/* modules.dep lists the deepest dependencies last; modprobe loads from the
	 * end of the list, so walk it backwards to produce the same order. */
	for (i = m->ndeps; i-- > 0;) {
		err = visit(c, m->deps[i]);
		if (err)
			return err;
	}
	c->color[mod] = BLACK;
	c->order[c->n++] = mod;
	return 0;
}

int kmoddep_closure(const struct kmod_db *db, const int *roots, size_t nroots,
		    int **order, size_t *norder)
{
	struct closure c = { .db = db };
	size_t i;
	int err = 0;

	*order = NULL;
	*norder = 0;
	c.color = calloc(db->nmods ? db->nmods : 1, 1);
	c.order = malloc((db->nmods ? db->nmods : 1) * sizeof(*c.order));
	if (!c.color || !c.order) {
		err = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < nroots && !err; i++) {
		if (roots[i] < 0 || (size_t)roots[i] >= db->nmods)
			err = -EINVAL;
		else
			err = visit(&c, roots[i]);
	}
	if (err)
		goto out_free;
	free(c.color);
	*order = c.order;
	*norder = c.n;
	return 0;

out_free:
	free(c.color);
	free(c.order);
	return err;
}

/*
 * fnmatch(3) with flags 0, asked only when the modalias starts with the pattern's
 * literal prefix: a pattern cannot match otherwise, and the compare rejects nearly
 * every pattern of the image ("pci:v00008086d..." vs "usb:v...") for a coldplugged device
 * without fnmatch's setup cost. tests/unit/test_kmoddep.c checks the results are
 * fnmatch's and measures both.
 */
static bool alias_matches(const struct kmod_alias *a, const char *modalias)
{
	return strncmp(a->pattern, modalias, a->literal) == 0 &&
	       fnmatch(a->pattern, modalias, 0) == 0;
}

int kmoddep_alias_match(const struct kmod_db *db, const char *modalias,
			int (*fn)(void *arg, int mod), void *arg)
{
	size_t i, j;
	int ret;

	for (i = 0; i < db->naliases; i++) {
		const struct kmod_alias *a = &db->aliases[i];

		if (a->mod < 0 || !alias_matches(a, modalias))
			continue;
		/* once per module: an earlier matching alias already reported it */
		for (j = 0; j < i; j++)
			if (db->aliases[j].mod == a->mod && alias_matches(&db->aliases[j], modalias))
				break;
		if (j < i)
			continue;
		ret = fn(arg, a->mod);
		if (ret)
			return ret;
	}
	return 0;
}

static int append_unique(int **mods, size_t *nmods, int mod)
{
	size_t i;
	int *p;

	for (i = 0; i < *nmods; i++)
		if ((*mods)[i] == mod)
			return 0;
	p = realloc(*mods, (*nmods + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	p[(*nmods)++] = mod;
	*mods = p;
	return 0;
}

/*
 * "kernel/drivers/ata/pata_*" and ".../pata_*.ko" both match kernel/drivers/ata/pata_foo.ko,
 * and its compressed forms (pata_foo.ko.xz, .ko.zst, .ko.gz) as well.
 */
static bool path_matches(const char *glob, const char *path)
{
	const char *ko = strstr(path, ".ko");
	size_t n = ko ? (size_t)(ko - path) : strlen(path);
	char stem[4096];

	if (n + 4 > sizeof(stem))
		return false;
	memcpy(stem, path, n);
	stem[n] = '\0';
	if (fnmatch(glob, path, FNM_PATHNAME) == 0 || fnmatch(glob, stem, FNM_PATHNAME) == 0)
		return true;
	memcpy(stem + n, ".ko", 4);
	return ko && fnmatch(glob, stem, FNM_PATHNAME) == 0;
}

/* One list entry; returns how many modules it matched (>= 0) or -errno. */
static int select_entry(const struct kmod_db *db, const char *entry, int **mods, size_t *nmods)
{
	bool by_path = strchr(entry, '/') != NULL;
	char norm[MODNAME_MAX];
	size_t i;
	int idx, err, found = 0;

	if (!by_path && !strpbrk(entry, "*?[")) {
		idx = kmoddep_find(db, entry);
		if (idx >= 0) {
			err = append_unique(mods, nmods, idx);
			return err ? err : 1;
		}
		return kmoddep_is_builtin(db, entry) ? 1 : 0;
	}
	/* a name glob ("nls_*") or a kernel-relative path glob */
	if (!by_path && modname_norm(entry, norm, sizeof(norm)) < 0)
		return 0;
	for (i = 0; i < db->nmods; i++) {
		if (by_path ? !path_matches(entry, db->mods[i].path) :
			      fnmatch(norm, db->mods[i].name, 0) != 0)
			continue;
		err = append_unique(mods, nmods, (int)i);
		if (err)
			return err;
		found++;
	}
	return found;
}

int kmoddep_list_select(const struct kmod_db *db, const char *listfile,
			int **mods, size_t *nmods, char *missing, size_t missinglen)
{
	char *line = NULL, *entry, *end;
	size_t linecap = 0;
	bool optional;
	int err = 0, n;
	FILE *f;

	f = fopen(listfile, "re");
	if (!f) {
		err = -errno;
		if (missing && missinglen)
			snprintf(missing, missinglen, "%s", listfile);
		return err;
	}
	while (getline(&line, &linecap, f) >= 0) {
		end = strchr(line, '#');
		if (end)
			*end = '\0';
		strip_eol(line);
		entry = skip_space(line);
		if (!*entry)
			continue;
		end = strpbrk(entry, " \t");
		if (end)
			*end = '\0';	/* one entry per line; the rest is a comment */
		optional = entry[strlen(entry) - 1] == '?';
		if (optional)
			entry[strlen(entry) - 1] = '\0';
		if (!*entry)
			continue;
		n = select_entry(db, entry, mods, nmods);
		if (n < 0) {
			err = n;
			break;
		}
		if (n == 0 && !optional) {
			if (missing && missinglen)
				snprintf(missing, missinglen, "%s", entry);
			err = -ENOENT;
			break;
		}
	}
	free(line);
	fclose(f);
	return err;
}
