// SPDX-License-Identifier: GPL-2.0
/* Reproducible newc cpio writer: entries sorted by path, parents implied, fixed metadata. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"

struct cpio_entry {
	char *path;
	mode_t mode;		/* type and permissions */
	char *data;		/* file contents (copied) or symlink target; NULL for dirs/nodes */
	size_t len;
	char *src;		/* regular file read at write time, instead of data */
	unsigned maj, min;	/* device nodes */
};

struct out {
	int fd;
	char buf[65536];
	size_t n;
	unsigned long long off;	/* bytes written so far, for padding */
};

void cpio_init(struct cpio_writer *w, uint32_t mtime)
{
	memset(w, 0, sizeof(*w));
	w->mtime = mtime;
}

static int valid_path(const char *path)
{
	const char *p;

	if (!path || !*path || path[0] == '/' || strlen(path) >= 4096)
		return 0;
	/* the kernel's unpacker stops at this name: nothing after it would be unpacked */
	if (!strcmp(path, "TRAILER!!!"))
		return 0;
	/* no empty, "." or ".." components: the kernel unpacker trusts names */
	for (p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
		if (!*p && p[-1] == '/')
			return 0;
	}
	return 1;
}

static struct cpio_entry *add(struct cpio_writer *w, const char *path, mode_t mode)
{
	struct cpio_entry *e;

	if (!valid_path(path)) {
		errno = EINVAL;
		return NULL;
	}
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct cpio_entry *p = realloc(w->entries, ncap * sizeof(*p));

		if (!p)
			return NULL;
		w->entries = p;
		w->cap = ncap;
	}
	e = &w->entries[w->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	e->mode = mode;
	w->n++;
	return e;
}

int cpio_add_dir(struct cpio_writer *w, const char *path, mode_t perm)
{
	return add(w, path, S_IFDIR | (perm & 07777)) ? 0 : -errno;
}

int cpio_add_data(struct cpio_writer *w, const char *path, mode_t perm, const void *data, size_t len)
{
	struct cpio_entry *e;
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	e = add(w, path, S_IFREG | (perm & 07777));
	if (!e) {
		free(copy);
		return -errno;
	}
	e->data = copy;
	e->len = len;
	return 0;
}

int cpio_add_file(struct cpio_writer *w, const char *path, mode_t perm, const char *src)
{
	struct cpio_entry *e;
	char *copy = strdup(src);

	if (!copy)
		return -ENOMEM;
	e = add(w, path, S_IFREG | (perm & 07777));
	if (!e) {
		free(copy);
		return -errno;
	}
	e->src = copy;
	return 0;
}

int cpio_add_symlink(struct cpio_writer *w, const char *path, const char *target)
{
	struct cpio_entry *e;
	char *copy = strdup(target);

	if (!copy)
		return -ENOMEM;
	e = add(w, path, S_IFLNK | 0777);
	if (!e) {
		free(copy);
		return -errno;
	}
	e->data = copy;
	e->len = strlen(target);
	return 0;
}

int cpio_add_node(struct cpio_writer *w, const char *path, mode_t mode, unsigned maj, unsigned min)
{
	struct cpio_entry *e;

	if (!S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode))
		return -EINVAL;
	e = add(w, path, mode & (S_IFMT | 07777));
	if (!e)
		return -errno;
	e->maj = maj;
	e->min = min;
	return 0;
}

static int flush(struct out *o)
{
	size_t done = 0;

	while (done < o->n) {
		ssize_t r = write(o->fd, o->buf + done, o->n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)r;
	}
	o->n = 0;
	return 0;
}

static int put(struct out *o, const void *data, size_t len)
{
	const char *p = data;
	int err;

	while (len) {
		size_t n = sizeof(o->buf) - o->n;

		if (n > len)
			n = len;
		memcpy(o->buf + o->n, p, n);
		o->n += n;
		o->off += n;
		p += n;
		len -= n;
		if (o->n == sizeof(o->buf)) {
			err = flush(o);
			if (err)
				return err;
		}
	}
	return 0;
}

static int pad4(struct out *o)
{
	static const char zero[4];

	return put(o, zero, (4 - (o->off & 3)) & 3);
}

static int header(struct out *o, unsigned ino, mode_t mode, unsigned nlink, uint32_t mtime,
		  unsigned long long size, unsigned maj, unsigned min, const char *name)
{
	char h[128];
	size_t namesize = strlen(name) + 1;
	int err;

	if (size > 0xffffffffULL)
		return -EFBIG;
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, (unsigned)mode, 0u, 0u, nlink, (unsigned)mtime, (unsigned)size,
		 0u, 0u, maj, min, (unsigned)namesize, 0u);
	err = put(o, h, 110);
	if (!err)
		err = put(o, name, namesize);
	if (!err)
		err = pad4(o);
	return err;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct cpio_entry *)a)->path, ((const struct cpio_entry *)b)->path);
}

/* The first entry named path, or NULL. */
static const struct cpio_entry *find(const struct cpio_writer *w, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w->entries[i].path, path) == 0)
			return &w->entries[i];
	return NULL;
}

int cpio_has(const struct cpio_writer *w, const char *path)
{
	return find(w, w->n, path) != NULL;
}

/* Add a 0755 directory for every missing parent of every entry; a parent that is a file
 * or a device node is refused (a symlink is followed by the unpacker, as on disk). */
static int add_parents(struct cpio_writer *w)
{
	const struct cpio_entry *p;
	char buf[4096];
	size_t i, n = w->n;
	char *slash;

	for (i = 0; i < n; i++) {
		strcpy(buf, w->entries[i].path);
		while ((slash = strrchr(buf, '/'))) {
			*slash = '\0';
			p = find(w, w->n, buf);
			if (p && !S_ISDIR(p->mode) && !S_ISLNK(p->mode)) {
				fprintf(stderr, "cpio: %s: its parent %s is not a directory\n",
					w->entries[i].path, buf);
				return -ENOTDIR;
			}
			if (p)
				break;
			if (cpio_add_dir(w, buf, 0755) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* After sorting: drop repeated directories; a repeated file is the caller's bug. */
static int dedup(struct cpio_writer *w)
{
	size_t i, j;

	for (i = 1; i < w->n; i++)
		if (strcmp(w->entries[i - 1].path, w->entries[i].path) == 0 &&
		    (!S_ISDIR(w->entries[i].mode) || !S_ISDIR(w->entries[i - 1].mode))) {
			fprintf(stderr, "cpio: %s: added twice\n", w->entries[i].path);
			return -EEXIST;
		}
	for (i = 0, j = 0; i < w->n; i++) {
		if (j && strcmp(w->entries[j - 1].path, w->entries[i].path) == 0) {
			free(w->entries[i].path);
			continue;
		}
		w->entries[j++] = w->entries[i];
	}
	w->n = j;
	return 0;
}

static int copy_file(struct out *o, const char *src, int fd, unsigned long long size)
{
	char buf[65536];
	unsigned long long left = size;
	int err;

	while (left) {
		ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			fprintf(stderr, "cpio: %s: shrank while being archived\n", src);
			return -EIO;
		}
		err = put(o, buf, (size_t)r);
		if (err)
			return err;
		left -= (unsigned long long)r;
	}
	return 0;
}

static unsigned subdirs(const struct cpio_writer *w, size_t i)
{
	const char *dir = w->entries[i].path;
	size_t len = strlen(dir), j;
	unsigned n = 0;

	/* children sort right after their parent; stop at the first non-descendant */
	for (j = i + 1; j < w->n; j++) {
		const char *p = w->entries[j].path;

		if (strncmp(p, dir, len) != 0)
			break;
		if (p[len] != '/')
			continue;	/* "dir-x" sorts among the descendants of "dir" */
		if (S_ISDIR(w->entries[j].mode) && !strchr(p + len + 1, '/'))
			n++;
	}
	return n;
}

static int write_entry(struct cpio_writer *w, struct out *o, size_t i)
{
	const struct cpio_entry *e = &w->entries[i];
	unsigned ino = (unsigned)i + 1;
	struct stat st;
	int fd, err;

	if (S_ISDIR(e->mode))
		return header(o, ino, e->mode, 2 + subdirs(w, i), w->mtime, 0, 0, 0, e->path);
	if (!e->src) {
		err = header(o, ino, e->mode, 1, w->mtime, e->len, e->maj, e->min, e->path);
		if (!err && e->len)
			err = put(o, e->data, e->len);
		return err ? err : pad4(o);
	}
	fd = open(e->src, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "cpio: %s: %s\n", e->src, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = -EINVAL;
		fprintf(stderr, "cpio: %s: not a regular file\n", e->src);
		close(fd);
		return err;
	}
	err = header(o, ino, e->mode, 1, w->mtime, (unsigned long long)st.st_size, 0, 0, e->path);
	if (!err)
		err = copy_file(o, e->src, fd, (unsigned long long)st.st_size);
	close(fd);
	return err ? err : pad4(o);
}

int cpio_write(struct cpio_writer *w, int fd)
{
	struct out *o;
	size_t i;
	int err;

	err = add_parents(w);
	if (err)
		return err;
	if (w->n > 1)	/* qsort(NULL, 0) is undefined */
		qsort(w->entries, w->n, sizeof(*w->entries), cmp_entry);
	err = dedup(w);
	if (err)
		return err;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->fd = fd;
	for (i = 0; i < w->n && !err; i++)
		err = write_entry(w, o, i);
	if (!err)
		err = header(o, 0, 0, 1, 0, 0, 0, 0, "TRAILER!!!");
	if (!err) {
		/* pad the archive to 512 bytes like GNU cpio, so concatenation stays aligned */
		static const char zero[512];

		err = put(o, zero, (512 - (o->off & 511)) & 511);
	}
	if (!err)
		err = flush(o);
	free(o);
	return err;
}

void cpio_free(struct cpio_writer *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->entries[i].path);
		free(w->entries[i].data);
		free(w->entries[i].src);
	}
	free(w->entries);
	memset(w, 0, sizeof(*w));
}
