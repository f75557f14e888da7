// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a kernel's modules.dep, modules.alias and modules.builtin (lib/kmoddep.c), split
 * from the input at 0 bytes; then name lookups, a dependency closure and modalias matches. */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "kmoddep.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_kmoddep.%d", (int)getpid());
	mkdir(dir, 0700);
	return 0;
}

static int count(void *arg, int mod)
{
	(void)mod;
	++*(int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "modules.dep", "modules.alias", "modules.builtin",
					     "list" };
	struct kmod_db db;
	char path[128], missing[128];
	const uint8_t *p = data, *end = data + size;
	int *order = NULL, *sel = NULL, roots[2], hits = 0;
	size_t i, norder = 0, nsel = 0;

	for (i = 0; i < 4; i++) {
		const uint8_t *z = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (fuzz_file(path, p, n))
			return 0;
		p += n + (z != NULL);
	}
	if (kmoddep_load(&db, dir))
		return 0;
	roots[0] = kmoddep_find(&db, "sr_mod");
	roots[1] = db.nmods ? (int)(db.nmods - 1) : -1;
	kmoddep_is_builtin(&db, "ext4");
	if (roots[1] >= 0 && kmoddep_closure(&db, roots + (roots[0] < 0), roots[0] < 0 ? 1 : 2,
					     &order, &norder) == 0) {
		if (norder > db.nmods)
			abort();
		free(order);
	}
	kmoddep_alias_match(&db, "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80", count,
			    &hits);
	kmoddep_alias_match(&db, "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00", count, &hits);
	snprintf(path, sizeof(path), "%s/list", dir);
	kmoddep_list_select(&db, path, &sel, &nsel, missing, sizeof(missing));
	free(sel);
	kmoddep_free(&db);
	return 0;
}
