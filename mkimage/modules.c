// SPDX-License-Identifier: GPL-2.0
/* The image's kernel modules: lists of a profile closed over modules.dep, aufs.ko, pruned indexes. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "mkimage.h"

/*
 * aufs.ko is built out of tree and is not in the kernel's modules.dep: read what
 * depmod would have read from its .modinfo section ("key=value\0" strings) and check
 * that it was built for the kernel the image is for.
 */
static int aufs_modinfo(struct mk_aufs *a, const char *kver)
{
	char *data, *p, *end;
	size_t len, vlen = strlen(kver);
	int err, vermagic_ok = 0, seen_vermagic = 0;

	err = file_slurp(a->path, &data, &len);
	if (err) {
		mk_err("--aufs %s: %s", a->path, strerror(-err));
		return -1;
	}
	if (len < 4 || memcmp(data, "\177ELF", 4) != 0) {
		mk_err("--aufs %s: not a kernel module (no ELF header)", a->path);
		free(data);
		return -1;
	}
	a->depends[0] = a->aliases[0] = '\0';
	for (p = data, end = data + len; p < end; p++) {
		if (p != data && p[-1] != '\0')
			continue;
		if (end - p > 9 && memcmp(p, "vermagic=", 9) == 0) {
			seen_vermagic = 1;
			vermagic_ok |= strncmp(p + 9, kver, vlen) == 0 && p[9 + vlen] == ' ';
		} else if (end - p > 8 && memcmp(p, "depends=", 8) == 0 &&
			   strnlen(p, (size_t)(end - p)) < (size_t)(end - p)) {
			snprintf(a->depends, sizeof(a->depends), "%s", p + 8);
		} else if (end - p > 6 && memcmp(p, "alias=", 6) == 0 &&
			   strnlen(p, (size_t)(end - p)) < (size_t)(end - p)) {
			size_t used = strlen(a->aliases);

			snprintf(a->aliases + used, sizeof(a->aliases) - used, "%s\n", p + 6);
		}
	}
	free(data);
	if (!seen_vermagic) {
		mk_err("--aufs %s: no vermagic in .modinfo: not a kernel module", a->path);
		return -1;
	}
	if (!vermagic_ok) {
		mk_err("--aufs %s: built for another kernel than %s (rebuild with 'make aufs KVER=%s')",
		       a->path, kver, kver);
		return -1;
	}
	return 0;
}

static int add_aufs_deps(struct mk_modules *m, struct mk_aufs *a, int **roots, size_t *nroots,
			 int **load, size_t *nload)
{
	char deps[sizeof(a->depends)], *tok, *save;
	int idx;

	snprintf(deps, sizeof(deps), "%s", a->depends);
	for (tok = strtok_r(deps, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int *p, *q;

		idx = kmoddep_find(&m->db, tok);
		if (idx < 0) {
			if (kmoddep_is_builtin(&m->db, tok))
				continue;
			mk_err("--aufs %s depends on '%s', which is not in modules.dep", a->path, tok);
			return -1;
		}
		p = realloc(*roots, (*nroots + 1) * sizeof(*p));
		if (p)
			*roots = p;
		q = realloc(*load, (*nload + 1) * sizeof(*q));
		if (q)
			*load = q;
		if (!p || !q)
			return -1;
		p[(*nroots)++] = idx;
		q[(*nload)++] = idx;
	}
	return 0;
}

static int select_list(struct mk_modules *m, const char *datadir, const char *list,
		       int **roots, size_t *nroots)
{
	char path[MK_PATH_MAX], missing[256];
	int err;

	snprintf(path, sizeof(path), "%s/modules/%s.list", datadir, list);
	err = kmoddep_list_select(&m->db, path, roots, nroots, missing, sizeof(missing));
	if (err == -ENOENT && strcmp(missing, path) != 0) {
		mk_err("module list %s: '%s' is not in modules.dep of this kernel "
		       "(add a trailing '?' to make it optional)", path, missing);
		return -1;
	}
	if (err) {
		mk_err("module list %s: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}

static void drop_excluded(const struct mk_modules *m, const struct mk_profile *p,
			  int *roots, size_t *nroots)
{
	size_t i, j, k = 0;

	for (i = 0; i < *nroots; i++) {
		for (j = 0; j < p->nexclude; j++)
			if (kmoddep_find(&m->db, p->exclude[j]) == roots[i])
				break;
		if (j == p->nexclude)
			roots[k++] = roots[i];
	}
	*nroots = k;
}

static bool selected(const struct mk_modules *m, int idx);

/* A softdep name is a module name or an alias ("crypto-crc32c"); only image modules count. */
static void soft_add(struct mk_modules *m, int user, const char *name)
{
	size_t i, k;
	int idx = kmoddep_find(&m->db, name);

	for (i = 0; i < m->db.naliases || idx >= 0; i++) {
		int cand = idx >= 0 ? idx : m->db.aliases[i].mod;
		int *p;

		if (idx < 0 && (cand < 0 || fnmatch(m->db.aliases[i].pattern, name, 0) != 0))
			continue;
		if (cand != user && selected(m, cand)) {
			for (k = 0; k < m->nsoft[user] && m->soft[user][k] != cand; k++)
				;
			p = k < m->nsoft[user] ? NULL :
				realloc(m->soft[user], (m->nsoft[user] + 1) * sizeof(*p));
			if (p) {
				m->soft[user] = p;
				p[m->nsoft[user]++] = cand;
			}
		}
		if (idx >= 0)
			break;
	}
}

/*
 * modules.softdep "pre:" entries (ext4 and jbd2 want crc32c first) become plain
 * dependencies in the image's modules.dep: /init has no modprobe to honour
 * softdeps, and the kernel's request_module() has nothing to call at that point.
 */
static void load_softdeps(struct mk_modules *m, const char *moddir)
{
	char path[MK_PATH_MAX], *line = NULL, *tok, *save;
	size_t cap = 0;
	int user, pre;
	FILE *f;

	m->soft = calloc(m->db.nmods ? m->db.nmods : 1, sizeof(*m->soft));
	m->nsoft = calloc(m->db.nmods ? m->db.nmods : 1, sizeof(*m->nsoft));
	snprintf(path, sizeof(path), "%s/modules.softdep", moddir);
	f = fopen(path, "re");
	if (!f || !m->soft || !m->nsoft) {
		if (f)
			fclose(f);
		return;
	}
	while (getline(&line, &cap, f) >= 0) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strcmp(tok, "softdep") != 0)
			continue;
		tok = strtok_r(NULL, " \t\n", &save);
		user = tok ? kmoddep_find(&m->db, tok) : -1;
		if (user < 0 || !selected(m, user))
			continue;
		for (pre = 0; (tok = strtok_r(NULL, " \t\n", &save));) {
			if (strcmp(tok, "pre:") == 0 || strcmp(tok, "post:") == 0)
				pre = strcmp(tok, "pre:") == 0;
			else if (pre)
				soft_add(m, user, tok);
		}
	}
	free(line);
	fclose(f);
}

int modules_select(struct mk_modules *m, const char *moddir, const char *datadir,
		   const struct mk_profile *p, struct mk_aufs *aufs, const char *kver)
{
	int *roots = NULL, *load = NULL;
	size_t nroots = 0, nload = 0, i, j;
	int err;

	memset(m, 0, sizeof(*m));
	err = kmoddep_load(&m->db, moddir);
	if (err) {
		mk_err("kernel module dir %s: cannot read modules.dep: %s "
		       "(is linux-image-%s unpacked? try 'make deps')", moddir, strerror(-err), kver);
		return -1;
	}
	for (i = 0; i < p->nexclude; i++)
		if (kmoddep_find(&m->db, p->exclude[i]) < 0)
			mk_info("profile %s: exclude=%s: no such module, ignored", p->name, p->exclude[i]);
	for (i = 0; i < p->nlists; i++) {
		bool is_load = false;

		for (j = 0; j < p->nload; j++)
			is_load |= strcmp(p->load[j], p->lists[i]) == 0;
		if (select_list(m, datadir, p->lists[i], &roots, &nroots) ||
		    (is_load && select_list(m, datadir, p->lists[i], &load, &nload)))
			goto out_fail;
	}
	if (aufs->path && (aufs_modinfo(aufs, kver) ||
			   add_aufs_deps(m, aufs, &roots, &nroots, &load, &nload)))
		goto out_fail;
	drop_excluded(m, p, roots, &nroots);
	drop_excluded(m, p, load, &nload);
	err = kmoddep_closure(&m->db, roots, nroots, &m->all, &m->nall);
	if (!err)
		err = kmoddep_closure(&m->db, load, nload, &m->load, &m->nload);
	if (err) {
		mk_err("%s/modules.dep: %s", moddir,
		       err == -ELOOP ? "dependency cycle" : strerror(-err));
		goto out_fail;
	}
	free(roots);
	free(load);
	load_softdeps(m, moddir);
	return 0;

out_fail:
	free(roots);
	free(load);
	modules_free(m);
	return -1;
}

void modules_free(struct mk_modules *m)
{
	size_t i;

	for (i = 0; m->soft && i < m->db.nmods; i++)
		free(m->soft[i]);
	free(m->soft);
	free(m->nsoft);
	free(m->all);
	free(m->load);
	kmoddep_free(&m->db);
	memset(m, 0, sizeof(*m));
}

static bool selected(const struct mk_modules *m, int idx)
{
	size_t i;

	for (i = 0; i < m->nall; i++)
		if (m->all[i] == idx)
			return true;
	return false;
}

/* In modules.dep's own order, so the file reads like depmod's. */
char *modules_dep_text(const struct mk_modules *m, const struct mk_aufs *aufs)
{
	struct mk_buf b = { 0 };
	char deps[sizeof(aufs->depends)], *tok, *save, p[MK_PATH_MAX];
	size_t i, k;
	int err = mk_buf_printf(&b, "%s", "");

	for (i = 0; i < m->db.nmods && !err; i++) {
		const struct kmod_entry *e = &m->db.mods[i];

		if (!selected(m, (int)i))
			continue;
		err = mk_buf_printf(&b, "%s:", modules_image_path(m, (int)i, p, sizeof(p)));
		for (k = 0; k < e->ndeps && !err; k++)
			err = mk_buf_printf(&b, " %s", modules_image_path(m, e->deps[k], p, sizeof(p)));
		for (k = 0; m->nsoft && k < m->nsoft[i] && !err; k++) {
			size_t d;

			for (d = 0; d < e->ndeps && e->deps[d] != m->soft[i][k]; d++)
				;
			if (d == e->ndeps)
				err = mk_buf_printf(&b, " %s",
						    modules_image_path(m, m->soft[i][k], p, sizeof(p)));
		}
		if (!err)
			err = mk_buf_printf(&b, "\n");
	}
	if (!err && aufs->path) {
		err = mk_buf_printf(&b, "extra/aufs.ko:");
		snprintf(deps, sizeof(deps), "%s", aufs->depends);
		for (tok = strtok_r(deps, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
			int idx = kmoddep_find(&m->db, tok);

			if (idx >= 0)
				err = mk_buf_printf(&b, " %s", modules_image_path(m, idx, p, sizeof(p)));
		}
		if (!err)
			err = mk_buf_printf(&b, "\n");
	}
	if (err) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

char *modules_alias_text(const struct mk_modules *m, const struct mk_aufs *aufs)
{
	struct mk_buf b = { 0 };
	size_t i;
	int err = mk_buf_printf(&b, "# Aliases of the modules in this image (livestack-mkimage).\n");

	for (i = 0; i < m->db.naliases && !err; i++) {
		const struct kmod_alias *a = &m->db.aliases[i];

		if (a->mod >= 0 && selected(m, a->mod))
			err = mk_buf_printf(&b, "alias %s %s\n", a->pattern, m->db.mods[a->mod].name);
	}
	if (!err && aufs->path) {
		char aliases[sizeof(aufs->aliases)], *tok, *save;

		snprintf(aliases, sizeof(aliases), "%s", aufs->aliases);
		for (tok = strtok_r(aliases, "\n", &save); tok && !err; tok = strtok_r(NULL, "\n", &save))
			err = mk_buf_printf(&b, "alias %s aufs\n", tok);
	}
	if (err) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

const char *modules_compressed(const char *path)
{
	static const char *const sfx[] = { ".xz", ".zst", ".gz" };
	const char *ko = strstr(path, ".ko.");
	size_t i;

	for (i = 0; ko && i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (strcmp(ko + 3, sfx[i]) == 0)
			return sfx[i];
	return NULL;
}

static unsigned compressed_bit(const char *sfx)
{
	return !sfx ? 0 : !strcmp(sfx, ".xz") ? MK_KMOD_XZ : !strcmp(sfx, ".zst") ? MK_KMOD_ZST :
	       MK_KMOD_GZ;
}

bool modules_decompressed(const struct mk_modules *m, int idx)
{
	unsigned bit = compressed_bit(modules_compressed(m->db.mods[idx].path));

	if (!bit || m->compressed == MK_KMOD_KEEP)
		return false;
	return m->compressed == MK_KMOD_DECOMPRESS || !(m->kernel_can & bit);
}

void modules_kernel_config(struct mk_modules *m, const char *moddir, const char *kver,
			   char *found, size_t len)
{
	static const struct { const char *opt; unsigned bit; } algo[] = {
		{ "CONFIG_MODULE_COMPRESS_XZ=y", MK_KMOD_XZ },
		{ "CONFIG_MODULE_COMPRESS_ZSTD=y", MK_KMOD_ZST },
		{ "CONFIG_MODULE_COMPRESS_GZIP=y", MK_KMOD_GZ },
	};
	char path[2][MK_PATH_MAX], *line = NULL;
	size_t cap = 0, i, k;
	unsigned can = 0;
	bool decomp = false;
	FILE *f = NULL;

	snprintf(path[0], sizeof(path[0]), "%s/../../../config", moddir);
	snprintf(path[1], sizeof(path[1]), "/boot/config-%s", kver);
	for (k = 0; k < 2 && !f; k++)
		f = fopen(path[k], "re");
	m->kernel_can = 0;
	found[0] = '\0';
	if (!f)
		return;
	snprintf(found, len, "%s", path[k - 1]);
	while (getline(&line, &cap, f) >= 0) {
		decomp |= strncmp(line, "CONFIG_MODULE_DECOMPRESS=y", 26) == 0;
		for (i = 0; i < sizeof(algo) / sizeof(algo[0]); i++)
			if (strncmp(line, algo[i].opt, strlen(algo[i].opt)) == 0)
				can |= algo[i].bit;
	}
	free(line);
	fclose(f);
	m->kernel_can = decomp ? can : 0;
}

const char *modules_image_path(const struct mk_modules *m, int idx, char *buf, size_t len)
{
	const char *path = m->db.mods[idx].path, *sfx = modules_compressed(path);

	if (!modules_decompressed(m, idx))
		return path;
	snprintf(buf, len, "%.*s", (int)(strlen(path) - strlen(sfx)), path);
	return buf;
}

/*
 * xz and gzip write NAME beside NAME.xz: they are given a link DST.SFX to the module
 * (-f: follow it, -k: keep it). The kernel's signature (or DKMS's), appended before
 * compression, stays at the end of the plain file.
 */
int modules_decompress(const char *src, const char *dst)
{
	const char *sfx = modules_compressed(src);
	const char *tool = !sfx ? NULL : !strcmp(sfx, ".xz") ? "xz" : !strcmp(sfx, ".zst") ?
			   "zstd" : "gzip";
	char abs[MK_PATH_MAX], link[MK_PATH_MAX + 16];

	if (!tool) {
		mk_err("kernel module %s: not a .ko.xz, .ko.zst or .ko.gz", src);
		return -1;
	}
	/* the link must name the module from dst's directory: an absolute path */
	if (!realpath(src, abs)) {
		mk_err("kernel module %s: %s", src, strerror(errno));
		return -1;
	}
	if (strcmp(tool, "zstd") == 0) {
		const char *argv[] = { "zstd", "-d", "-q", "-f", "-o", dst, abs, NULL };

		if (mk_run(argv))
			goto fail;
		return 0;
	}
	snprintf(link, sizeof(link), "%s%s", dst, sfx);
	if (symlink(abs, link) < 0) {
		mk_err("%s: %s", link, strerror(errno));
		return -1;
	}
	{
		const char *argv[] = { tool, "-d", "-k", "-f", "-q", link, NULL };

		if (mk_run(argv)) {
			unlink(link);
			goto fail;
		}
	}
	unlink(link);
	return 0;
fail:
	mk_err("kernel module %s: cannot decompress it with %s (install %s, or keep it "
	       "compressed: --compressed-modules keep)", src, tool,
	       !strcmp(tool, "xz") ? "xz-utils" : tool);
	return -1;
}

int modules_image_file(const struct mk_modules *m, int idx, const char *moddir,
		       const char *tmpdir, char *buf, size_t len)
{
	char src[MK_PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s", moddir, m->db.mods[idx].path);
	if (mk_need_file("kernel module", src))
		return -1;
	if (!modules_decompressed(m, idx)) {
		snprintf(buf, len, "%s", src);
		return 0;
	}
	snprintf(buf, len, "%s/mod%d.ko", tmpdir, idx);
	return modules_decompress(src, buf);
}
