// SPDX-License-Identifier: GPL-2.0
/* Profiles: configs/profiles/NAME.conf, key=value lines choosing module lists and compression. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkimage.h"

/* Split value on spaces/commas into words[]; returns 0 or -1 when too many/long. */
static int split_words(char *value, char words[][MK_NAME_MAX], size_t *n)
{
	char *tok, *save;

	*n = 0;
	for (tok = strtok_r(value, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (*n == MK_LISTS_MAX || strlen(tok) >= MK_NAME_MAX)
			return -1;
		strcpy(words[(*n)++], tok);
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int set_key(struct mk_profile *p, const char *key, char *value)
{
	char *end;

	if (strcmp(key, "lists") == 0)
		return split_words(value, p->lists, &p->nlists);
	if (strcmp(key, "load") == 0)
		return split_words(value, p->load, &p->nload);
	if (strcmp(key, "exclude") == 0)
		return split_words(value, p->exclude, &p->nexclude);
	if (strcmp(key, "compress") == 0) {
		if (strcmp(value, "zstd") && strcmp(value, "gzip") && strcmp(value, "none"))
			return -1;
		strcpy(p->compress, value);
		return 0;
	}
	if (strcmp(key, "level") == 0) {
		p->level = (int)strtol(value, &end, 10);
		return *end || p->level < 0 || p->level > 22 ? -1 : 0;
	}
	return -2;
}

int profile_load(const char *datadir, const char *name, struct mk_profile *p)
{
	char path[MK_PATH_MAX], *line = NULL, *eq, *key;
	size_t cap = 0, i, j, lineno = 0;
	int err = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	if (strlen(name) >= sizeof(p->name) || strchr(name, '/')) {
		mk_err("profile '%s': not a profile name", name);
		return -1;
	}
	strcpy(p->name, name);
	strcpy(p->compress, "zstd");
	strcpy(p->load[0], "base");
	p->nload = 1;
	snprintf(path, sizeof(path), "%s/configs/profiles/%s.conf", datadir, name);
	f = fopen(path, "re");
	if (!f) {
		mk_err("profile '%s': %s: %s (profiles live in DATADIR/configs/profiles; "
		       "set --datadir)", name, path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if ((eq = strchr(line, '#')))
			*eq = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			mk_err("%s:%zu: expected key=value", path, lineno);
			err = -1;
			break;
		}
		*eq = '\0';
		err = set_key(p, trim(key), trim(eq + 1));
		if (err) {
			mk_err("%s:%zu: %s '%s'", path, lineno,
			       err == -2 ? "unknown key" : "bad value for", trim(key));
			err = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	if (err)
		return -1;
	if (!p->nlists) {
		mk_err("%s: no 'lists=' line", path);
		return -1;
	}
	/* every unconditionally loaded list is also in the image */
	for (i = 0; i < p->nload; i++) {
		for (j = 0; j < p->nlists; j++)
			if (strcmp(p->load[i], p->lists[j]) == 0)
				break;
		if (j == p->nlists) {
			mk_err("%s: load=%s is not one of lists=", path, p->load[i]);
			return -1;
		}
	}
	return 0;
}
