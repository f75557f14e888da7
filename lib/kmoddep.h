/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel module database: modules.dep, modules.alias, modules.builtin; closure and modalias matching. */
#ifndef LIVE_KMODDEP_H
#define LIVE_KMODDEP_H

#include <stdbool.h>
#include <stddef.h>

struct kmod_entry {
	char *name;	/* normalised: '-' replaced by '_', no suffix: "sr_mod" */
	char *path;	/* as in modules.dep, relative: "kernel/drivers/scsi/sr_mod.ko" (.ko.xz/.ko.zst kept) */
	int *deps;	/* indices into kmod_db.mods, direct dependencies as listed */
	size_t ndeps;
};

struct kmod_alias {
	char *pattern;	/* fnmatch(3) pattern from modules.alias: "pci:v00008086d00007010sv*sd*bc*sc*i*" */
	int mod;	/* index into kmod_db.mods; -1 when the module is not in modules.dep */
	size_t literal;	/* length of the pattern's literal prefix: up to its first '*', '?', '[' or '\' */
};

struct kmod_db {
	struct kmod_entry *mods;
	size_t nmods;
	struct kmod_alias *aliases;
	size_t naliases;
	char **builtin;	/* normalised names of built-in modules */
	size_t nbuiltin;
	void *index;	/* private: name hash built by kmoddep_load() */
};

/* Load moddir/modules.dep (required), modules.alias and modules.builtin (optional). */
int kmoddep_load(struct kmod_db *db, const char *moddir);
void kmoddep_free(struct kmod_db *db);
/* Index of a module by name ("sr-mod", "sr_mod" and "sr_mod.ko" all work), or -1. */
int kmoddep_find(const struct kmod_db *db, const char *name);
bool kmoddep_is_builtin(const struct kmod_db *db, const char *name);
/*
 * Dependency closure of roots in load order (dependencies before users), each
 * module once. *order is malloc'd (caller frees). Returns 0 or -errno (-ELOOP on a cycle).
 */
int kmoddep_closure(const struct kmod_db *db, const int *roots, size_t nroots,
		    int **order, size_t *norder);
/*
 * Call fn(arg, mod) for each module (index, once each, in alias-file order) with an alias
 * pattern matching modalias. Stops early and returns fn's value if it returns non-zero.
 */
int kmoddep_alias_match(const struct kmod_db *db, const char *modalias,
			int (*fn)(void *arg, int mod), void *arg);

/*
 * Select the modules a list file names: one entry per line, a module name
 * ("usb-storage"), a name glob ("nls_*") or a kernel-relative path glob
 * ("kernel/drivers/ata/pata_*"); '#' starts a comment; a trailing '?' marks the
 * entry optional. Indices are appended to *mods (realloc'd; a module already there
 * is not added again). Built-in modules count as present and add nothing.
 * Returns 0, -ENOENT for a required entry that matches nothing (the entry is
 * copied into missing), or another -errno (reading the file).
 */
int kmoddep_list_select(const struct kmod_db *db, const char *listfile,
			int **mods, size_t *nmods, char *missing, size_t missinglen);

#endif
