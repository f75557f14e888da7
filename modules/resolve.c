// SPDX-License-Identifier: GPL-2.0
/* livestack-modresolve: print the dependency closure of module lists in load order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmoddep.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: livestack-modresolve [-p] MODDIR LIST...\n"
		"  MODDIR  a lib/modules/KVER tree with modules.dep\n"
		"  LIST    a module list (modules/*.list format)\n"
		"  -p      print paths relative to MODDIR instead of names\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct kmod_db db;
	char missing[256];
	int *mods = NULL, *order = NULL;
	size_t nmods = 0, norder = 0, i;
	int argi = 1, paths = 0, err;

	if (argi < argc && strcmp(argv[argi], "-p") == 0) {
		paths = 1;
		argi++;
	}
	if (argc - argi < 2)
		return usage();
	err = kmoddep_load(&db, argv[argi]);
	if (err) {
		fprintf(stderr, "livestack-modresolve: %s/modules.dep: %s\n", argv[argi], strerror(-err));
		return 1;
	}
	for (argi++; argi < argc; argi++) {
		err = kmoddep_list_select(&db, argv[argi], &mods, &nmods, missing, sizeof(missing));
		if (err == -ENOENT && strcmp(missing, argv[argi]) != 0) {
			fprintf(stderr, "livestack-modresolve: %s: module '%s' is not in modules.dep "
				"(mark it optional with a trailing '?')\n", argv[argi], missing);
			goto out_fail;
		}
		if (err) {
			fprintf(stderr, "livestack-modresolve: %s: %s\n", argv[argi], strerror(-err));
			goto out_fail;
		}
	}
	err = kmoddep_closure(&db, mods, nmods, &order, &norder);
	if (err) {
		fprintf(stderr, "livestack-modresolve: %s\n",
			err == -ELOOP ? "dependency cycle in modules.dep" : strerror(-err));
		goto out_fail;
	}
	for (i = 0; i < norder; i++)
		printf("%s\n", paths ? db.mods[order[i]].path : db.mods[order[i]].name);
	free(order);
	free(mods);
	kmoddep_free(&db);
	return ferror(stdout) ? 1 : 0;

out_fail:
	free(mods);
	kmoddep_free(&db);
	return 1;
}
