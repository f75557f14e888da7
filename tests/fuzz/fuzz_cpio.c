// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: lib/cpio.c's writer fed entries from the input, one per line: "d PATH", "f PATH DATA",
 * "l PATH TARGET", "c PATH" (a device node); the archive written is read back and checked: every
 * header valid, one TRAILER!!! at the end, each entry's parent an earlier directory or symlink. */
#include <sys/stat.h>

#include "cpio.h"
#include "fuzz.h"

static unsigned long hex8(const char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = '\0';
	return strtoul(b, NULL, 16);
}

static void check(const char *a, size_t len)
{
	size_t off = 0, n = 0, cap = 0, i;
	char **names = NULL;
	unsigned long *modes = NULL;
	bool trailer = false;

	while (!trailer) {
		unsigned long mode, fsize, nsize;
		const char *name, *slash;

		if (off + 110 > len || memcmp(a + off, "070701", 6))
			abort();
		mode = hex8(a + off + 14);
		fsize = hex8(a + off + 54);
		nsize = hex8(a + off + 94);
		name = a + off + 110;
		if (!nsize || off + 110 + nsize > len || name[nsize - 1])
			abort();
		trailer = !strcmp(name, "TRAILER!!!");
		slash = strrchr(name, '/');
		if (!trailer && slash) {
			for (i = n; i-- > 0;)
				if (strlen(names[i]) == (size_t)(slash - name) &&
				    !memcmp(names[i], name, (size_t)(slash - name)))
					break;
			if (i == (size_t)-1 || (!S_ISDIR(modes[i]) && !S_ISLNK(modes[i])))
				abort();
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			modes = realloc(modes, cap * sizeof(*modes));
			if (!names || !modes)
				abort();
		}
		names[n] = (char *)name;
		modes[n++] = mode;
		off = (off + 110 + nsize + 3) & ~(size_t)3;
		off = (off + fsize + 3) & ~(size_t)3;
	}
	/* nothing but the padding after the one TRAILER!!! */
	if (off > len || len % 512)
		abort();
	for (; off < len; off++)
		if (a[off])
			abort();
	free(names);
	free(modes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_writer w;
	char *text = fuzz_str(data, size), *line, *save, *path, *arg;
	int fd;

	if (!text)
		return 0;
	cpio_init(&w, 1700000000);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) < 3 || line[1] != ' ')
			continue;
		path = line + 2;
		arg = strchr(path, ' ');
		if (arg)
			*arg++ = '\0';
		switch (line[0]) {
		case 'd': cpio_add_dir(&w, path, 0755); break;
		case 'f': cpio_add_data(&w, path, 0644, arg ? arg : "", arg ? strlen(arg) : 0); break;
		case 'l': cpio_add_symlink(&w, path, arg ? arg : "x"); break;
		case 'c': cpio_add_node(&w, path, S_IFCHR | 0600, 1, 3); break;
		}
	}
	fd = fuzz_memfd((const uint8_t *)"", 0);
	if (fd >= 0 && cpio_write(&w, fd) == 0) {
		off_t len = lseek(fd, 0, SEEK_CUR);
		char *a = malloc((size_t)len + 1);

		if (!a || pread(fd, a, (size_t)len, 0) != len)
			abort();
		check(a, (size_t)len);
		free(a);
	}
	if (fd >= 0)
		close(fd);
	cpio_free(&w);
	free(text);
	return 0;
}
