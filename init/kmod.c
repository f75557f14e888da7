// SPDX-License-Identifier: GPL-2.0
/* Load kernel modules with finit_module: the image's fixed set, then by modalias as devices appear. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compat.h"
#include "fileio.h"
#include "kmoddep.h"
#include "live.h"
#include "log.h"

struct kmod_state {
	struct kmod_db db;
	int *state;			/* per module: 0 new, 1 loaded, -errno failed */
	char dir[LIVE_PATH_MAX];
	bool ok;
};

static struct kmod_state *kmod_get(struct live_ctx *ctx)
{
	struct kmod_state *k = ctx->kmod;
	int err;

	if (k)
		return k->ok ? k : NULL;
	k = calloc(1, sizeof(*k));
	if (!k) {
		log_err("out of memory for the module database: loading no modules");
		return NULL;
	}
	ctx->kmod = k;
	snprintf(k->dir, sizeof(k->dir), "%s/%s", LIVE_MODULES_DIR, ctx->kver);
	err = kmoddep_load(&k->db, k->dir);
	if (err) {
		log_warn("no module database in %s (%s): loading no modules", k->dir, strerror(-err));
		return NULL;
	}
	k->state = calloc(k->db.nmods ? k->db.nmods : 1, sizeof(*k->state));
	if (!k->state) {
		log_err("out of memory for %zu modules: loading no modules", k->db.nmods);
		return NULL;
	}
	k->ok = true;
	return k;
}

static int load_one(struct kmod_state *k, int idx)
{
	const struct kmod_entry *m = &k->db.mods[idx];
	char path[LIVE_PATH_MAX * 2];
	unsigned int flags = 0;
	size_t len = strlen(m->path);
	int fd, err = 0;

	if (k->state[idx])
		return k->state[idx] == 1 ? 0 : k->state[idx];	/* the first attempt's reason */
	snprintf(path, sizeof(path), "%s/%s", k->dir, m->path);
	if ((len > 3 && !strcmp(m->path + len - 3, ".xz")) ||
	    (len > 4 && !strcmp(m->path + len - 4, ".zst")) ||
	    (len > 3 && !strcmp(m->path + len - 3, ".gz")))
		flags |= LIVE_MODULE_INIT_COMPRESSED_FILE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		/* a modalias may name a module the image left out on purpose */
		log_debug("module %s: cannot open %s: %s", m->name, path, strerror(errno));
		goto out;
	}
	if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST) {
		err = -errno;
		/* EINVAL: a kernel before 5.17, or another compression than its own;
		 * EOPNOTSUPP: built without CONFIG_MODULE_DECOMPRESS */
		if (flags && (errno == EINVAL || errno == EOPNOTSUPP))
			log_warn("module %s: compressed (%s) and this kernel cannot decompress it "
				 "(CONFIG_MODULE_DECOMPRESS and that compression): rebuild the image "
				 "with --compressed-modules decompress", m->name, m->path);
		else
			log_warn("module %s: %s", m->name, strerror(errno));
	} else {
		log_debug("loaded %s", m->name);
	}
	close(fd);
out:
	k->state[idx] = err ? err : 1;
	return err;
}

static int load_closure(struct kmod_state *k, int idx)
{
	size_t n = 0, i;
	int *order = NULL;
	int err;

	err = kmoddep_closure(&k->db, &idx, 1, &order, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		err = load_one(k, order[i]);
		if (err)
			break;
	}
	free(order);
	return err;
}

int kmod_load_name(struct live_ctx *ctx, const char *name)
{
	struct kmod_state *k = kmod_get(ctx);
	int idx;

	if (!k)
		return -ENOENT;
	idx = kmoddep_find(&k->db, name);
	if (idx < 0)
		return kmoddep_is_builtin(&k->db, name) ? 0 : -ENOENT;
	return load_closure(k, idx);
}

/* Can mount(2) take filesystem type fs now? Its module is loaded first when the image has it. */
bool kmod_fs_available(struct live_ctx *ctx, const char *fs)
{
	char list[4096], want[40];
	ssize_t n;

	kmod_load_name(ctx, fs);
	n = file_read("/proc/filesystems", list, sizeof(list) - 1);
	if (n <= 0)
		return false;
	list[n] = '\0';
	snprintf(want, sizeof(want), "\t%s\n", fs);
	return strstr(list, want) != NULL;
}

struct alias_walk {
	struct kmod_state *k;
	const char *driver;	/* <syspath>/driver, or NULL */
};

static bool has_driver(const char *driver)
{
	return driver && access(driver, F_OK) == 0;
}

static int alias_cb(void *arg, int mod)
{
	struct alias_walk *w = arg;

	load_closure(w->k, mod);
	/* bound: the other matches (e.g. ata_generic after ata_piix) are not needed */
	return has_driver(w->driver);
}

int kmod_load_modalias(struct live_ctx *ctx, const char *modalias, const char *syspath)
{
	struct kmod_state *k = kmod_get(ctx);
	char driver[LIVE_PATH_MAX * 2];
	struct alias_walk w = { k, NULL };

	if (!k)
		return -ENOENT;
	if (syspath) {
		snprintf(driver, sizeof(driver), "%s/driver", syspath);
		w.driver = driver;
		if (has_driver(driver))
			return 0;
	}
	kmoddep_alias_match(&k->db, modalias, alias_cb, &w);
	return 0;
}

static int base_line(void *arg, char *line)
{
	struct live_ctx *ctx = arg;
	int err;

	if (!*line || *line == '#')
		return 0;
	err = kmod_load_name(ctx, line);
	if (err)
		log_warn("module %s from %s: %s", line, LIVE_MODULES_LOAD, strerror(-err));
	return 0;
}

int kmod_load_base(struct live_ctx *ctx)
{
	int err;

	err = file_lines(LIVE_MODULES_LOAD, base_line, ctx);

	if (err && err != -ENOENT)
		log_warn("%s: %s", LIVE_MODULES_LOAD, strerror(-err));
	return 0;
}
