// SPDX-License-Identifier: GPL-2.0
/* What is mounted: the union on / and its aufs branches, read from /proc/self/mounts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livectl.h"

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Fields of a mounts line: device, mount point, type, options. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	return n;
}

int mounts_root(struct root_union *ru)
{
	char line[8192], *f[4];
	FILE *fp = fopen("/proc/self/mounts", "re");
	int found = 0;

	memset(ru, 0, sizeof(*ru));
	if (!fp)
		return -errno;
	/* the last mount on / is the one in effect */
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (fields(line, f, 4) < 4)
			continue;
		unescape(f[1]);
		if (strcmp(f[1], "/"))
			continue;
		snprintf(ru->type, sizeof(ru->type), "%s", f[2]);
		snprintf(ru->opts, sizeof(ru->opts), "%s", f[3]);
		found = 1;
	}
	fclose(fp);
	return found ? 0 : -ENOENT;
}

int mounts_aufs_branch(const struct root_union *ru, const char *dir, int *nrw)
{
	const char *br = strstr(ru->opts, "br:");
	char list[4096], *save = NULL, *tok, *eq;
	int i = 0, found = -1, leading = 1;

	if (nrw)
		*nrw = 0;
	while (br && br != ru->opts && br[-1] != ',')
		br = strstr(br + 1, "br:");
	if (!br)
		return -1;
	snprintf(list, sizeof(list), "%.*s", (int)strcspn(br + 3, ","), br + 3);
	for (tok = strtok_r(list, ":", &save); tok; tok = strtok_r(NULL, ":", &save), i++) {
		eq = strrchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		unescape(tok);
		if (leading && eq && !strncmp(eq, "rw", 2) && nrw)
			(*nrw)++;
		else
			leading = 0;
		if (found < 0 && !strcmp(tok, dir))
			found = i;
	}
	return found;
}

bool mounts_is_mountpoint(const char *path)
{
	char line[8192], *f[4];
	FILE *fp = fopen("/proc/self/mounts", "re");
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (fields(line, f, 4) < 2)
			continue;
		unescape(f[1]);
		found = !strcmp(f[1], path);
	}
	fclose(fp);
	return found;
}

int mounts_need_aufs(const struct root_union *ru, const char *what)
{
	if (!strcmp(ru->type, "aufs"))
		return 0;
	if (!strcmp(ru->type, "overlay"))
		livectl_err("%s: the root union is overlayfs, which cannot change its layers while "
			    "mounted (its lower layers are fixed at mount time); boot with "
			    "live.union=aufs to add and remove layers at run time", what);
	else
		livectl_err("%s: the root filesystem is %s, not an aufs union: there is no branch "
			    "list to change (is this a livestack live system?)", what,
			    *ru->type ? ru->type : "unknown");
	return -EOPNOTSUPP;
}
