/* SPDX-License-Identifier: GPL-2.0 */
/* All boot state of /init (struct live_ctx), the phase list, and the phases' prototypes. */
#ifndef LIVE_INIT_H
#define LIVE_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "loopdev.h"
#include "probe.h"

#define LIVE_PATH_MAX	256
#define LIVE_MAX_DEVS	64
#define LIVE_MAX_LAYERS	32
#define LIVE_WORDS_MAX	1024
#define LIVE_HOOK_TIMEOUT_DEFAULT	60	/* seconds; docs/livestack.7 */
#define LIVE_HELPER_TIMEOUT_DEFAULT	300	/* e2fsck, mke2fs, cp: docs/livestack.7 */

/* The configuration from /proc/cmdline, native names (aliases resolved). Filled by the
 * parser (cmdline.c, alias.c) in early.c, then only read: phases get it as
 * ctx->cfg (const). What a phase finds out goes into struct live_ctx, owned by that
 * phase (like overlayfs' ovl_config and ovl_fs). */
struct live_cfg {
	char media[LIVE_PATH_MAX];	/* "auto", "/dev/X", "LABEL=x", "UUID=x" */
	char dir[LIVE_PATH_MAX];	/* directory of the layers on the medium */
	char layers[LIVE_PATH_MAX];	/* comma list of layer names, "" = all */
	char layers_skip[LIVE_PATH_MAX];	/* live.layers.skip=: name substrings not mounted */
	char layers_optional[LIVE_PATH_MAX];	/* live.layers.optional=: from <dir>/optional/ */
	char image[64];			/* live.image=: the layer file name in dir, "" = NN-*.squashfs */
	char unionfs[16];		/* "" (image default), "aufs", "overlay" */
	char ramsize[32];		/* tmpfs size= for the rw branch: "50%", "512m" */
	char brk[32];			/* phase to stop before, "" = none */
	char init[LIVE_PATH_MAX];	/* the real init in the new root */
	int timeout;			/* seconds to wait for the medium */
	int hook_timeout;		/* live.hook.timeout=: seconds a hook may run */
	int helper_timeout;		/* live.helper.timeout=: e2fsck, mke2fs, cp */
	/* persist.c: "" (off), "auto", "LABEL=x", "UUID=x", "/dev/X", "/path/file.img",
	 * "/dev/X:/path/file.img"; persist_size: live.persist.size= ("" = never create) */
	char persist[LIVE_PATH_MAX];
	char persist_size[32];
	/* persist_foreign.c: live.persist.dir= (archiso's cow_directory=): the directory on the
	 * persistence fs holding the branch; persist_path: live-boot's persistence-path=, where
	 * the image files are looked for; persist_fmt: the peer a boot parameter implies
	 * ("archiso", "porteus"), "" = found from the content */
	char persist_dir[LIVE_PATH_MAX];
	char persist_path[LIVE_PATH_MAX];
	char persist_fmt[16];
	/* live.persist.create[=SIZE]: "" = no, "default" = the default size (persist_create.c) */
	char persist_create[32];
	bool persist_ro;		/* live.persist.ro: the persistence is a ro branch under a RAM one */
	char ramdev[8];			/* live.ramdev=: "tmpfs" (default) or "zram" */
	char iso[LIVE_PATH_MAX];	/* live.iso=: an ISO file on some partition */
	char todisk[LIVE_PATH_MAX];	/* live.todisk=: copy the layers to this partition */
	char id[40];			/* live.id=: "" = the image's built-in ID, "any" = none */
	bool dir_set;			/* live.dir= (or an alias) given: no peer layouts tried */
	bool debug, quiet, toram;
	bool toram_bg, verify;		/* live.toram=background, live.verify (toram.c) */
	/* Network boot (net.c, fetch.c, nfs.c): "" = not asked for. */
	char net[LIVE_PATH_MAX];	/* "dhcp", or ip='s static form */
	char fetch[1024];		/* URL(s) of the layers, comma-separated */
	char fetch_sha256[LIVE_PATH_MAX];	/* expected SHA-256 hex, comma list */
	char nfs[LIVE_PATH_MAX];	/* SERVER:/PATH */
	/* Words nobody knows (kept for the status file) and warnings about them. */
	char unknown[LIVE_WORDS_MAX];
	char warnings[LIVE_WORDS_MAX];
};

enum live_verdict { DEV_UNSEEN, DEV_ACCEPTED, DEV_REJECTED };

struct live_dev {
	char name[32];			/* kernel name: "sr0", "vda1" */
	uint64_t size;			/* bytes */
	bool removable, cdrom;
	bool probed;
	int probe_err;			/* 0, or -errno from probing */
	struct probe_result fs;
	enum live_verdict verdict;
	char reason[96];		/* why accepted or rejected */
};

struct live_layer {
	char name[64];			/* "10-base" */
	char image[LIVE_PATH_MAX];	/* the squashfs file */
	char mnt[LIVE_PATH_MAX];	/* /run/live/layers/10-base */
	char loopdev[32];
};

/* Why a phase failed: printed once by the rescue path (kinit style). */
struct live_fail {
	char what[256];			/* what was looked for / what went wrong */
	char hint[256];			/* what to try */
};

struct live_ctx;
/* A phase returns 0 or -errno; on failure it fills ctx->fail first. */
typedef int (*live_phase_fn)(struct live_ctx *ctx);

struct live_phase {
	const char *name;		/* the name live.break= and hooks use */
	live_phase_fn run;
};

struct live_ctx {
	const struct live_cfg *cfg;	/* the parsed boot line: read only */
	/* main.c's storage of *cfg: written only by the menu (menu.c), a second parser
	 * (the user picks a device or types boot words) */
	struct live_cfg *amend;
	/* medium.c, isofile.c (set from cfg in main.c, and again by the menu): the layers'
	 * directory on the medium and their file name, cfg's or a peer layout's (casper,
	 * Knoppix) found on the medium */
	char dir[LIVE_PATH_MAX];
	char image[64];
	bool want_id_loaded;		/* medium.c: image_id and want_id are read */
	/* persist.c: live.persist.dir=, or the directory of Porteus' changes= on its host */
	char persist_dir[LIVE_PATH_MAX];
	/* net.c: live.net= as configured: "dhcp" when the boot loader or the menu needs it */
	char net[LIVE_PATH_MAX];
	char kver[65];
	char image_union[16];		/* union= from the image info file */
	struct live_dev devs[LIVE_MAX_DEVS];
	size_t ndevs;
	int medium;			/* index into devs, -1 = none yet */
	struct live_layer layers[LIVE_MAX_LAYERS];
	size_t nlayers;
	char unionfs[16];		/* what was mounted: "aufs" or "overlay" */
	char union_note[256];		/* e.g. why aufs was not used */
	char rw_type[16];		/* "tmpfs", "zram", "persistence" */
	char rw_dev[32];		/* zram.c: "/dev/zram0" */
	char rw_comp[24];		/* zram.c: its compression algorithm */
	/* persist.c: live.persist.ro: the persistence fs' branch dir, a ro branch under the RAM one */
	char rw_lower[LIVE_PATH_MAX];
	/* persist.c: what the rw branch is on, for the status file */
	char persist_what[LIVE_PATH_MAX];	/* "none", "/dev/sdb2", "/dev/sdb1:/live-rw.img" */
	char persist_fs[16];
	char persist_check[160];
	/* persist_foreign.c: the branch's layout on the rw mount ("" = LIVE_RW_UPPER/WORK;
	 * rw_work "" = no place for overlayfs' workdir), the union its whiteouts need
	 * ("" = any), the peer format found, the label/file name, live-boot's bind lines */
	char rw_upper[LIVE_PATH_MAX];
	char rw_work[LIVE_PATH_MAX];
	char rw_union[16];
	char persist_format[16];
	char persist_label[40];
	struct live_bind {
		char src[LIVE_PATH_MAX];	/* on the persistence fs */
		char dest[128];			/* in the new root */
	} binds[8];
	size_t nbinds;
	/* medium.c/isofile.c */
	char image_id[40];		/* the ID built into the initramfs, "" = none */
	char want_id[40];		/* the ID a medium must carry, "" = any */
	char medium_id[40];		/* the accepted medium's ID */
	char iso_host[32];		/* live.iso=: the partition holding the file */
	char others[256];		/* other media that would have been accepted */
	/* source.c: the block medium source's judge of a device (devices.c, menu.c call it) */
	int (*judge)(struct live_ctx *ctx, struct live_dev *dev);
	struct kmod_state *kmod;	/* opaque, owned by kmod.c */
	int uevent_fd;			/* kernel uevents, opened before coldplug; -1 = none */
	uint64_t t_start_ms;		/* CLOCK_BOOTTIME when /init started */
	/* main(): the words the kernel passed to /init after its name (single, -b, those
	 * after --), passed on unchanged to the real init; NULL-terminated */
	char *const *init_args;
	const struct live_phase *phases;	/* the boot sequence, for reports */
	size_t nphases;
	uint64_t phase_ms[16];
	struct live_fail fail;
	/* toram.c: where layers.c finds the layers ("" = on the medium); status lines */
	char layers_from[LIVE_PATH_MAX];
	char toram_status[1024];
	/* network boot: the configured interface and where the layers came from */
	char netdev[32];
	char medium_src[LIVE_PATH_MAX];	/* URL or NFS export when not a block device */
};


int live_fail(struct live_ctx *ctx, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
uint64_t live_now_ms(void);
/* phase.c: PID 1 adopts every orphan: collect those that ended (no zombies left) */
void live_reap(void);
/* retry.c: the mounts (IDs from /proc/self/mountinfo) before a phase's attempt and after
 * it failed; retry_undo unmounts those the attempt added that are still there */
#define RETRY_MOUNTS_MAX	256
struct retry_mounts {
	unsigned ids[RETRY_MOUNTS_MAX];
	size_t n;
	bool ok, overflow;
};
void retry_mounts_read(struct retry_mounts *m);
void retry_undo(const struct retry_mounts *before, const struct retry_mounts *failed);

/* early.c */
int early_mount(struct live_ctx *ctx, struct live_cfg *cfg);
int early_not_init(void);	/* /init run as another PID than 1: say so, return 1 */
/* fds 0-2 on console, or null when it cannot be opened: how many on null, or -errno */
int early_std_fds(const char *console, const char *null);
/* cmdline.c */
void cmdline_defaults(struct live_cfg *o);
int cmdline_parse(struct live_cfg *o, const char *line);
/* cmdline.c: the native keys, one table: the parser, "did you mean" (alias.c) and the
 * tests read it. KEY_FLAG: no value, KEY_VALUE: key=value, KEY_EITHER: both forms. */
enum live_key_val { KEY_FLAG, KEY_VALUE, KEY_EITHER };
struct live_key {
	const char *key;
	enum live_key_val val;
	int (*set)(struct live_cfg *o, const struct live_key *k, const char *val, bool has_val);
	size_t off, len;	/* the field in struct live_cfg */
	const char *arg;	/* the handler's: default, choices, minimum, reader */
};
extern const struct live_key live_keys[];
extern const size_t live_nkeys;
/* alias.c */
int alias_apply(struct live_cfg *o, const char *key, const char *val, bool has_val);
const char *alias_closest_native(const char *word);
/* kmod.c */
int kmod_load_base(struct live_ctx *ctx);
/* Load the drivers a device's modalias names; with syspath, stop once it has a driver. */
int kmod_load_modalias(struct live_ctx *ctx, const char *modalias, const char *syspath);
int kmod_load_name(struct live_ctx *ctx, const char *name);
/* mount(2) knows filesystem type fs (its module loaded first when the image has it) */
bool kmod_fs_available(struct live_ctx *ctx, const char *fs);
/* devices.c */
int devices_coldplug(struct live_ctx *ctx);
int devices_find_medium(struct live_ctx *ctx);
/* devices.c: handle pending uevents; judge the devices again (all = also those already
 * rejected, else only new ones and drives that had no disc) */
void devices_events(struct live_ctx *ctx);
void devices_rescan(struct live_ctx *ctx, bool all);
/* menu.c: the text menu after a failed medium search */
enum { MENU_BOOT = 0, MENU_RETRY = 1, MENU_SHELL = 2 };
int menu_run(struct live_ctx *ctx, int (*net_boot)(struct live_ctx *ctx));
/* source.c: the premount phase: the medium source the boot line asks for finds the layers */
int source_find(struct live_ctx *ctx);
/* devlist.c: the devices seen: add one (the one rule for CD and removable), add all of
 * /sys/class/block, the preferred order, the whole disk of a partition, the list as text */
struct live_dev *devlist_add(struct live_ctx *ctx, const char *name);
void devlist_add_present(struct live_ctx *ctx);
bool devlist_order(const struct live_dev *a, const struct live_dev *b);
const char *devlist_disk_of(const char *name, char *buf, size_t len);
void devlist_describe(const struct live_ctx *ctx, char *buf, size_t len);
/* medium.c */
int medium_consider(struct live_ctx *ctx, struct live_dev *dev);
/* medium.c: the probe's mount(2) type if fs is one a medium may be kept on, else NULL */
const char *medium_mount_type(const struct probe_result *fs);
/* medium.c: mount(2) data for a filesystem type (vfat: iocharset=utf8), NULL for none */
const char *medium_mount_data(struct live_ctx *ctx, const char *type);
/* medium.c: probe dev, match live.media=, the mount type; 0 or a rejection (-ENOENT) */
int medium_judge_fs(struct live_ctx *ctx, struct live_dev *dev, const char **type);
/* isofile.c: live.iso=: look for the ISO file on dev; 0 = it is now the medium. */
int isofile_consider(struct live_ctx *ctx, struct live_dev *dev);
/* medium.c: 0 when the medium on LIVE_MEDIUM_MNT carries the wanted build ID (or none is wanted) */
int medium_check_id(struct live_ctx *ctx, char *why, size_t len);
/* the layers under the mounted medium: live.dir=, else a peer layout (casper, Knoppix) */
size_t medium_find_layers(struct live_ctx *ctx, struct live_layer *l, int *errp);
/* toram.c */
int toram_run(struct live_ctx *ctx);
/* layers.c */
int layers_mount(struct live_ctx *ctx);
/* cloop_nbd.c: is path a cloop image; serve it on /dev/nbdN and mount it at l->mnt;
 * cloop_layer_stop: disconnect /dev/nbdN (unmounted), its helper exits */
bool cloop_layer_is(const char *path);
int cloop_layer_mount(struct live_ctx *ctx, struct live_layer *l);
void cloop_layer_stop(const char *dev);
int layers_list(const char *dir, const char *select, struct live_layer *out, size_t max, size_t *n);
/* what the layers' files are called: "*.squashfs", or image (live.image=) */
const char *layers_pattern(const char *image);
/* the layers in dir with the boot parameters' selection (live.layers=, .skip=) and image */
int layers_opts(const char *dir, const struct live_cfg *o, const char *image,
		struct live_layer *out, size_t max, size_t *n);
/* main.c, menu.c: the state that starts as a copy of the config (dir, image) */
void live_state_from_cfg(struct live_ctx *ctx);
/* persist.c */
int persist_setup(struct live_ctx *ctx);
/* fsck.c: e2fsck -p node (result for the status file; -EUCLEAN when not repaired),
 * and mke2fs on a new image file */
int fsck_check(struct live_ctx *ctx, const char *node, char *result, size_t len);
/* fsck_check's run of argv (found e2fsck, its options, node) within live.helper.timeout= */
int fsck_run(const struct live_ctx *ctx, const char *const *argv, const char *dev, char *result,
	     size_t len);
int fsck_mkfs(const char *file, unsigned long long kib, const char *label, char *how, size_t len,
	      int timeout_s);
/* persist_foreign.c: after the persistence fs is on LIVE_RW_MNT, find whose format it is
 * and set the layout: 0 = use it, 1 = only binds (the rw branch is a tmpfs), <0 = refused
 * (why says why); foreign_files: the image file names to look for, with persistence-path=;
 * foreign_binds: live-boot's bind lines, after the union is mounted. */
int foreign_layout(struct live_ctx *ctx, char *why, size_t len);
size_t foreign_files(const struct live_ctx *ctx, char (*out)[LIVE_PATH_MAX], size_t max);
void foreign_binds(struct live_ctx *ctx);
/* The whiteouts under dir (skip: a subdirectory not looked at, NULL = none), at most
 * 50,000 entries; live-boot's persistence.conf into ctx->binds (sources under mnt),
 * true when it has "/ union". Both host-tested. */
struct foreign_wh {
	unsigned long aufs, overlay, entries;
	char first_aufs[LIVE_PATH_MAX], first_overlay[LIVE_PATH_MAX];
	const char *skip;
};
void foreign_scan(const char *dir, const char *skip, struct foreign_wh *w);
bool foreign_conf(struct live_ctx *ctx, const char *conf, const char *mnt);
const char *live_rw_upper(const struct live_ctx *ctx);
const char *live_rw_work(const struct live_ctx *ctx);
/* persist_ram.c: the RAM rw branch (zram if asked and possible, else tmpfs) on LIVE_RW_MNT;
 * persist_ro_lower: live.persist.ro: the persistence on LIVE_RW_MNT moves to
 * LIVE_PERSIST_RO_MNT and its branch becomes ctx->rw_lower */
int ram_branch_mount(struct live_ctx *ctx);
int persist_ro_lower(struct live_ctx *ctx, char *why, size_t len);
/* zram.c: live.ramdev=zram: an ext fs on /dev/zram0 of live.ramsize on target; 0 or -errno
 * with why filled; zram_size_bytes: live.ramsize as bytes (ram: the RAM size), 0 if bad */
int zram_mount(struct live_ctx *ctx, const char *target, char *why, size_t len);
unsigned long long zram_size_bytes(const char *s, unsigned long long ram);
/* persist_create.c: live.persist.create: the size to create (0 = too little room, why
 * says so), whether a partition is an EFI system partition, the disk of a partition */
unsigned long long pcreate_size(const char *opt, const char *fstype, unsigned long long avail,
				char *why, size_t len);
bool pcreate_is_esp(const char *name);
/* union.c */
int union_mount(struct live_ctx *ctx);
int union_build_aufs(char *buf, size_t len, const char *rw, const char *ro,
		     const struct live_layer *l, size_t n);
int union_build_overlay(char *buf, size_t len, const char *upper, const char *work,
			const char *ro, const struct live_layer *l, size_t n);
/* hooks.c */
int hooks_run(struct live_ctx *ctx, const char *phase);
/* status.c */
int status_write(struct live_ctx *ctx, const char *path);
int status_format(const struct live_ctx *ctx, char *buf, size_t len);
/* switchroot.c */
int switchroot_check(struct live_ctx *ctx, const char *newroot);
int switchroot_exec(struct live_ctx *ctx, const char *newroot);
/* shutdown_prep.c: /run/initramfs/shutdown for systemd-shutdown (never fails) */
void shutdown_prep(struct live_ctx *ctx);
/* net.c */
bool net_wanted(const struct live_cfg *o);
int net_setup(struct live_ctx *ctx);
/* net.c: the image can configure a network (klibc's ipconfig is in it) */
bool net_supported(void);
/* A value of /run/live/net ("next-server", "address"); "" when absent. */
void net_lease_value(const char *key, char *out, size_t len);
/* fetch.c */
int fetch_layers(struct live_ctx *ctx);
/* nfs.c */
int nfs_mount_medium(struct live_ctx *ctx);
/* rescue.c */
void rescue_shell(struct live_ctx *ctx, const char *phase);
void rescue_install_crash_handler(void);

#endif
