// SPDX-License-Identifier: GPL-2.0
/*
 * Where the layers come from (phase premount): the medium sources as one table, the first
 * one the boot line asks for is used. A network source finds the layers itself; a block
 * source is a judge of one block device, run by devices.c on each device that appears, and
 * falls back to the menu (menu.c) when live.timeout passes. docs/design/extending.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "live.h"
#include "log.h"

static bool want_fetch(const struct live_cfg *o)
{
	return *o->fetch;
}

static bool want_nfs(const struct live_cfg *o)
{
	return *o->nfs;
}

static bool want_iso(const struct live_cfg *o)
{
	return *o->iso;
}

static bool want_any(const struct live_cfg *o)
{
	(void)o;
	return true;
}

struct medium_source {
	const char *name;
	bool (*wanted)(const struct live_cfg *o);
	/* a network source: find and mount the layers; NULL for a block source */
	int (*find)(struct live_ctx *ctx);
	/* a block source: is this device (or a file on it) the medium? 0 = accepted */
	int (*judge)(struct live_ctx *ctx, struct live_dev *dev);
};

/* In the order they are tried; the last one is wanted always. */
static const struct medium_source sources[] = {
	{ "http",	want_fetch,	fetch_layers,		NULL },		/* live.fetch= */
	{ "nfs",	want_nfs,	nfs_mount_medium,	NULL },		/* live.nfs= */
	{ "isofile",	want_iso,	NULL,			isofile_consider },	/* live.iso= */
	{ "block",	want_any,	NULL,			medium_consider },	/* CD, disk, stick */
};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static const struct medium_source *source_for(const struct live_cfg *o, bool network)
{
	size_t i;

	for (i = 0; i < NSOURCES; i++)
		if ((!network || sources[i].find) && sources[i].wanted(o))
			return &sources[i];
	return NULL;
}

/* The menu's "boot from the network": the network source the boot line now names. */
static int network_boot(struct live_ctx *ctx)
{
	const struct medium_source *s = source_for(ctx->cfg, true);

	return s ? s->find(ctx) : -ENOENT;
}

/* A block source: wait for the medium, then the menu: retry, a device, the network, a shell. */
static int block_find(struct live_ctx *ctx)
{
	int err;

	for (;;) {
		err = devices_find_medium(ctx);
		if (!err)
			return 0;
		switch (menu_run(ctx, network_boot)) {
		case MENU_BOOT:
			return 0;
		case MENU_RETRY:
			log_info("scanning the devices again");
			devices_rescan(ctx, true);
			if (ctx->medium >= 0)
				return 0;
			continue;
		default:
			return err;
		}
	}
}

int source_find(struct live_ctx *ctx)
{
	const struct medium_source *s = source_for(ctx->cfg, false);

	if (s->find)
		return s->find(ctx);
	ctx->judge = s->judge;
	return block_find(ctx);
}
