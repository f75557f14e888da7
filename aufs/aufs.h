/* SPDX-License-Identifier: GPL-2.0 */
/* aufs private header: core structures, lock order and prototypes. */
#ifndef __AUFS_H__
#define __AUFS_H__

#define pr_fmt(fmt) "aufs: " fmt

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <linux/cred.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include "debug.h"
#include "compat.h"

/*
 * Lock order (no lockdep in Debian's 6.1: this comment and AUFS_DEBUG are the guard).
 *
 *   s_umount (VFS, remount)
 *     aufs dir i_rwsem (VFS, parent before child; lock_rename for rename)
 *       aufs inode i_rwsem (VFS: setattr, write)
 *         branch sb_writers (mnt_want_write)
 *           au_inode.cpup_lock (copy-up of that one object; never two at once,
 *                               see the top of cpup.c)
 *             branch lock_rename / h_dir i_rwsem (I_MUTEX_PARENT)
 *               h_inode i_rwsem (I_MUTEX_CHILD / normal)
 *
 * Spinlocks, innermost and never held across a branch call:
 *   sb->s_inode_list_lock > inode->i_lock > dentry->d_lock > au_dinfo.lock
 *   (au_brs_rebase_sb);  sbi->brs_lock;  au_inode.lock;
 *   sbi->wbr_lock;  au_branch.mmap_lock;  sbi->plink_lock.
 *
 * Branch calls run with the mounter's credentials (au_cred_override), after the
 * caller was checked against the aufs inode; creating calls use the caller's
 * fsuid/fsgid on top of the mounter's capabilities (au_cred_create).
 */

#define AUFS_NAME		"aufs"
#define AUFS_SUPER_MAGIC	0x61756673
#define AUFS_WH_PFX		".wh."
#define AUFS_WH_PFX_LEN		(sizeof(AUFS_WH_PFX) - 1)
#define AUFS_WH_DIROPQ		".wh..wh..opq"
#define AUFS_WH_TMP_PFX		".wh..wh.tmp."
#define AUFS_WH_BASE		".wh..wh.aufs"	/* whiteouts link to it */
#define AUFS_BRANCH_MAX		127
#define AUFS_ROOT_INO		2
#define AUFS_FIRST_INO		11
#define AUFS_MFS_DEF_SEC	30

/* branch permission */
#define AU_BR_RW		1
#define AU_BR_RO		2
#define AU_BR_RR		3
#define AU_BR_PERM_MASK		3
#define AU_BR_WH		4	/* ro+wh: lookup whiteouts, never write */
#define AU_BR_NOLWH		8	/* rw+nolwh: no hard-linked whiteouts */

/* mount flags (sbi->flags) */
#define AU_OPT_XINO		BIT(0)
#define AU_OPT_PLINK		BIT(1)
#define AU_OPT_WARN_PERM	BIT(2)
#define AU_OPT_SHWH		BIT(3)
#define AU_OPT_VERBOSE		BIT(4)
#define AU_OPT_DIROPQ_A		BIT(5)
#define AU_OPT_TRUNC_XIB	BIT(6)

enum { AU_UDBA_NONE, AU_UDBA_REVAL, AU_UDBA_NOTIFY };
enum {
	AU_WBR_CREATE_TDP, AU_WBR_CREATE_RR, AU_WBR_CREATE_MFS,
	AU_WBR_CREATE_MFSRR, AU_WBR_CREATE_PMFS
};
enum { AU_WBR_COPYUP_TDP, AU_WBR_COPYUP_BUP, AU_WBR_COPYUP_BU };
enum { AU_COO_NONE, AU_COO_LEAF, AU_COO_ALL };

struct au_branch {
	struct kref kref;
	struct path path;		/* the branch root, with a mount reference */
	char *name;			/* as the user gave it, for messages */
	int perm;
	unsigned int id;		/* unique for the life of the mount */
	atomic_t open_count;		/* aufs files opened on this branch */
	struct xarray xino;		/* h_ino -> aufs ino (xino) */
	spinlock_t mmap_lock;
	struct list_head mmaps;		/* struct au_mmap: branch inodes ever mmapped */
	struct dentry *wh_base;		/* .wh..wh.aufs in path, set once, or NULL */
};

/* An immutable snapshot of the branch array; remount publishes a new one. */
struct au_brs {
	struct kref kref;
	struct rcu_head rcu;
	unsigned int gen;
	int nbr;
	struct au_branch *br[];
};

struct au_sbinfo {
	spinlock_t brs_lock;
	struct au_brs *brs;
	unsigned int next_br_id;
	unsigned int gen;
	const struct cred *cred;	/* the mounter's */
	unsigned long flags;
	int udba;
	int create;
	int cpup;
	int coo;
	unsigned int dirwh;
	unsigned long mfs_sec;
	u64 mfsrr_low;
	spinlock_t wbr_lock;
	int rr_next;
	int mfs_bindex;
	unsigned long mfs_jiffies;
	atomic64_t next_ino;
	spinlock_t plink_lock;
	struct list_head plinks;
	char *xino_path;		/* xino=PATH as given (the table is in memory) */
	struct super_block *sb;
};

/*
 * Per dentry: the object of this name on each branch of one snapshot.  After a
 * branch change the stacks of dentries in use are moved to the new snapshot
 * (au_di_rebase) but keep their gen, so they are looked up again when used.
 */
struct au_dinfo {
	struct kref kref;
	struct rcu_head rcu;
	spinlock_t lock;
	struct au_brs *brs;
	unsigned int gen;	/* generation the stack was looked up for */
	int bstart;		/* topmost positive branch, -1 if negative */
	int bbot;		/* lowest branch that counts (whiteout/opaque stop) */
	int bwh;		/* branch where a whiteout hid the name, -1 */
	int bopq;		/* dir: branch holding .wh..wh..opq, -1 */
	struct dentry *h[];	/* positive branch dentries or NULL */
};

struct au_inode {
	spinlock_t lock;
	struct au_branch *h_br;		/* branch of the top object */
	struct dentry *h_dentry;	/* the top object, what data ops use */
	unsigned int gen;
	unsigned int pl_nlink;		/* names of a pseudo-linked file, 0 if none */
	struct mutex cpup_lock;		/* serializes copy-ups of this object */
	struct inode vfs_inode;
};

static inline struct au_sbinfo *AU_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct au_inode *AU_I(struct inode *inode)
{
	return container_of(inode, struct au_inode, vfs_inode);
}

static inline bool au_br_writable(int perm)
{
	return (perm & AU_BR_PERM_MASK) == AU_BR_RW;
}

static inline bool au_br_whable(int perm)
{
	return au_br_writable(perm) || (perm & AU_BR_WH);
}

static inline bool au_test_wh_name(const char *name, int len)
{
	return len >= AUFS_WH_PFX_LEN &&
	       !memcmp(name, AUFS_WH_PFX, AUFS_WH_PFX_LEN);
}

/* module.c */
extern struct kmem_cache *au_inode_cachep;
extern struct workqueue_struct *au_wq;
extern struct file_system_type au_fs_type;

/* super.c */
extern const struct super_operations au_sops;
int au_fill_super(struct super_block *sb, struct fs_context *fc);
void au_free_sbinfo(struct au_sbinfo *sbi);
const struct cred *au_cred_override(struct super_block *sb);
const struct cred *au_cred_create(struct super_block *sb, struct cred **newp);

/* fsctx.c */
int au_init_fs_context(struct fs_context *fc);
extern const struct fs_parameter_spec au_fs_parameters[];

/* opts.c: freestanding parsers; one au_opt per option, applied in order */
enum au_opt_type {
	AU_OP_BRS,		/* br:/dirs=: start a new branch list */
	AU_OP_ADD,		/* idx < 0: append */
	AU_OP_DEL,
	AU_OP_MOD,
	AU_OP_FLAG_SET,		/* val = AU_OPT_* */
	AU_OP_FLAG_CLR,
	AU_OP_XINO_PATH,
	AU_OP_TRUNC_XIB,
	AU_OP_CLEAN_PLINK,
	AU_OP_UDBA,
	AU_OP_CREATE,		/* val = policy, val2 = seconds, low = bytes */
	AU_OP_CPUP,
	AU_OP_COO,
	AU_OP_DIRWH,
};

struct au_opt {
	enum au_opt_type type;
	int idx;
	int perm;		/* -1: default */
	char *path;
	int val;
	unsigned long val2;
	u64 low;
};

struct au_opts {
	int n;
	int max;
	struct au_opt *opt;
};

int au_opts_parse(struct au_opts *opts, char *str, bool remount);
void au_opts_free(struct au_opts *opts);
int au_opts_apply(struct super_block *sb, struct au_opts *opts, bool remount);
int au_show_options(struct seq_file *m, struct dentry *root);

/* branch.c */
struct au_brs *au_brs_get(struct super_block *sb);
void au_brs_put(struct au_brs *brs);
struct au_brs *au_brs_alloc(int nbr);
void au_br_get(struct au_branch *br);
void au_br_put(struct au_branch *br);
struct au_branch *au_br_new(struct super_block *sb, struct path *path, int perm,
			    const char *name);
int au_br_index(struct au_brs *brs, struct au_branch *br);
int au_br_check_new(struct super_block *sb, struct au_brs *brs,
		    struct path *path, int perm, const char *name, bool warn);
int au_br_busy(struct super_block *sb, struct au_branch *br);
void au_brs_publish(struct super_block *sb, struct au_brs *brs);
void au_br_note_mmap(struct au_branch *br, struct inode *h_inode);
void au_brs_rebase_sb(struct super_block *sb, struct au_brs *brs);

/* dentry.c */
extern const struct dentry_operations au_dops;
struct au_dinfo *au_di_alloc(struct au_brs *brs);
struct au_dinfo *au_di_get(struct dentry *dentry);
void au_di_put(struct au_dinfo *di);
void au_di_set(struct dentry *dentry, struct au_dinfo *di);
struct dentry *au_di_h(struct au_dinfo *di, int bindex);
void au_di_set_h(struct au_dinfo *di, int bindex, struct dentry *h_dentry);
void au_di_clear(struct au_dinfo *di, int bwh);
int au_refresh_dentry(struct dentry *dentry);
struct au_dinfo *au_di_fresh(struct dentry *dentry);
struct au_dinfo *au_di_root(struct super_block *sb, struct au_brs *brs);
int au_di_rebase(struct dentry *dentry, struct au_brs *brs);

/* lookup.c */
struct dentry *au_lookup(struct inode *dir, struct dentry *dentry,
			 unsigned int flags);
int au_lookup_name(struct au_dinfo *pdi, const struct qstr *name,
		   struct au_dinfo *di, int bfrom);
int au_lower_exists(struct au_dinfo *pdi, const struct qstr *name, int bfrom);

/* inode.c */
struct inode *au_iget(struct super_block *sb, struct au_dinfo *di);
struct inode *au_new_inode(struct super_block *sb, struct au_branch *br,
			   struct dentry *h_dentry);
void au_iinfo_set_top(struct inode *inode, struct au_branch *br,
		      struct dentry *h_dentry);
int au_h_top(struct inode *inode, struct path *path);
void au_cpattr(struct inode *inode, struct inode *h_inode);
void au_iinfo_fin(struct inode *inode);

/* i_op.c */
extern const struct inode_operations au_dir_iops;
extern const struct inode_operations au_file_iops;
extern const struct inode_operations au_symlink_iops;
extern const struct inode_operations au_special_iops;
int au_permission(au_idmap_t *idmap, struct inode *inode, int mask);

/* i_op_add.c */
int au_create(au_idmap_t *idmap, struct inode *dir,
	      struct dentry *dentry, umode_t mode AU_CREATE_EXCL_ARG);
au_mkdir_ret_t au_mkdir(au_idmap_t *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode);
int au_mknod(au_idmap_t *idmap, struct inode *dir,
	     struct dentry *dentry, umode_t mode, dev_t rdev);
int au_symlink(au_idmap_t *idmap, struct inode *dir,
	       struct dentry *dentry, const char *symname);
int au_link(struct dentry *src, struct inode *dir, struct dentry *dentry);

/* i_op_del.c */
int au_unlink(struct inode *dir, struct dentry *dentry);
int au_rmdir(struct inode *dir, struct dentry *dentry);
int au_remove_whs(struct au_branch *br, struct dentry *h_dir);
int au_rmdir_async(struct super_block *sb, struct au_branch *br,
		   struct dentry *h_parent, struct dentry *h_dir);

/* i_op_ren.c */
int au_rename(au_idmap_t *idmap, struct inode *olddir,
	      struct dentry *old, struct inode *newdir, struct dentry *new,
	      unsigned int flags);

/* whout.c */
int au_wh_name(struct qstr *wh, const struct qstr *name);
struct dentry *au_wh_lookup(struct dentry *h_parent, const struct qstr *name);
int au_wh_test(struct dentry *h_parent, const struct qstr *name);
void au_wh_base_init(struct super_block *sb, struct au_branch *br);
int au_wh_create(struct au_branch *br, struct dentry *h_parent,
		 const struct qstr *name);
int au_wh_unlink(struct dentry *h_parent, const struct qstr *name);
int au_diropq_test(struct dentry *h_dir);
int au_diropq_create(struct au_branch *br, struct dentry *h_dir);
void au_diropq_remove(struct dentry *h_dir);
struct dentry *au_tmp_lookup(struct dentry *h_parent);

/* cpup.c */
int au_cpup(struct dentry *dentry, struct au_branch *wbr, loff_t len);
int au_cpup_dirs(struct dentry *dir, struct au_branch *wbr);
int au_cpup_for_write(struct dentry *dentry, loff_t len);

/* wbr_policy.c */
struct au_branch *au_wbr_create(struct dentry *dentry, struct au_dinfo *pdi,
				struct au_dinfo *di, bool isdir);
struct au_branch *au_wbr_copyup(struct dentry *dentry, struct au_dinfo *pdi,
				int bsrc);

/* readdir.c */
extern const struct file_operations au_dir_fops;
int au_test_empty_from(struct dentry *dentry, int bfrom);
int au_whs_count(struct au_branch *br, struct dentry *h_dir);
int au_whtree_rm(struct au_branch *br, struct dentry *h_parent,
		 struct dentry *h_dir, int lsc);
#define au_test_empty(d) au_test_empty_from(d, 0)

/* file.c */
extern const struct file_operations au_file_fops;

/* xino.c */
ino_t au_xino(struct super_block *sb, struct au_branch *br, ino_t h_ino, bool alloc);
void au_xino_set(struct au_branch *br, ino_t h_ino, ino_t ino);
void au_xino_evict(struct super_block *sb, struct au_branch *br,
		   struct dentry *h_dentry, ino_t ino);

/* plink.c */
void au_plink_add(struct super_block *sb, ino_t ino, struct au_branch *br,
		  struct dentry *h_dentry);
struct dentry *au_plink_find(struct super_block *sb, ino_t ino,
			     struct au_branch **brp);
void au_plink_clean(struct super_block *sb, struct au_branch *br);

/* xattr.c */
extern const struct xattr_handler *au_xattr_handlers[];
ssize_t au_listxattr(struct dentry *dentry, char *list, size_t size);

#endif /* __AUFS_H__ */
