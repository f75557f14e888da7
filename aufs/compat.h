/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference aufs meets, in one place, decided by the probes of
 * the headers (probe/NAME.c -> HAVE_NAME in the generated compat_probe.h), never
 * by version numbers: a distribution's backport is taken as what it is.
 * vfsub.h calls the branch filesystems through the au_vfs_* helpers below.
 */
#ifndef __AUFS_COMPAT_H__
#define __AUFS_COMPAT_H__

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/xattr.h>
#include <linux/splice.h>
#include <linux/slab.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/cred.h>
#include "compat_probe.h"

/* the idmap of a mount (user_namespace before mnt_idmap) */
#ifdef HAVE_MNT_IDMAP
#include <linux/mnt_idmapping.h>
typedef struct mnt_idmap au_idmap_t;
#define AU_NOP_IDMAP	(&nop_mnt_idmap)
#else
typedef struct user_namespace au_idmap_t;
#define AU_NOP_IDMAP	(&init_user_ns)
#endif

/* the last argument of the namespace calls that break NFS delegations */
#ifdef HAVE_VFS_DELEGATED_INODE
#define AU_DELEG	, NULL
#else
#define AU_DELEG
#endif

static inline struct dentry *au_vfs_lookup(struct dentry *parent,
					   const char *name, int len,
					   bool locked)
{
#ifdef HAVE_LOOKUP_ONE_QSTR
	struct qstr q = QSTR_INIT(name, len);

	return locked ? lookup_one(AU_NOP_IDMAP, &q, parent) :
			lookup_one_unlocked(AU_NOP_IDMAP, &q, parent);
#else
	return locked ? lookup_one(AU_NOP_IDMAP, name, parent, len) :
			lookup_one_unlocked(AU_NOP_IDMAP, name, parent, len);
#endif
}

static inline int au_vfs_create(struct inode *dir, struct dentry *d, umode_t mode)
{
#ifdef HAVE_VFS_CREATE_DENTRY
	return vfs_create(AU_NOP_IDMAP, d, mode, NULL);
#else
	return vfs_create(AU_NOP_IDMAP, dir, d, mode, true);
#endif
}

/*
 * vfs_mkdir() that leaves the caller's reference to d and its lock of dir
 * alone.  Where it returns a dentry it consumes d on error and may return
 * another dentry for the new directory (a filesystem that splices); d then
 * stays negative and the caller sees -ESTALE.  Where it also unlocks dir on
 * error (7.0), the lock is taken again: every caller unlocks dir itself.
 */
static inline int au_vfs_mkdir(struct inode *dir, struct dentry *d, umode_t mode)
{
#ifdef HAVE_VFS_MKDIR_DENTRY
	struct dentry *ret = vfs_mkdir(AU_NOP_IDMAP, dir, dget(d), mode AU_DELEG);

	if (IS_ERR(ret)) {
#ifdef HAVE_VFS_MKDIR_UNLOCKS
		inode_lock_nested(dir, I_MUTEX_PARENT);
#endif
		return PTR_ERR(ret);
	}
	dput(ret);
	return ret == d ? 0 : -ESTALE;
#else
	return vfs_mkdir(AU_NOP_IDMAP, dir, d, mode);
#endif
}

static inline int au_vfs_mknod(struct inode *dir, struct dentry *d, umode_t mode,
			       dev_t rdev)
{
	return vfs_mknod(AU_NOP_IDMAP, dir, d, mode, rdev AU_DELEG);
}

static inline int au_vfs_symlink(struct inode *dir, struct dentry *d,
				 const char *target)
{
	return vfs_symlink(AU_NOP_IDMAP, dir, d, target AU_DELEG);
}

static inline int au_vfs_link(struct dentry *src, struct inode *dir,
			      struct dentry *d)
{
	return vfs_link(src, AU_NOP_IDMAP, dir, d, NULL);
}

static inline int au_vfs_unlink(struct inode *dir, struct dentry *d)
{
	return vfs_unlink(AU_NOP_IDMAP, dir, d, NULL);
}

static inline int au_vfs_rmdir(struct inode *dir, struct dentry *d)
{
	return vfs_rmdir(AU_NOP_IDMAP, dir, d AU_DELEG);
}

/* Caller holds au_lock_rename() of both parents, so d_parent is stable. */
static inline int au_vfs_rename(struct inode *odir, struct dentry *old,
				struct inode *ndir, struct dentry *new,
				unsigned int flags)
{
	struct renamedata rd = {
#if defined(HAVE_RENAMEDATA_MNT_IDMAP)
		.mnt_idmap	= AU_NOP_IDMAP,
#elif defined(HAVE_RENAMEDATA_OLD_MNT_IDMAP)
		.old_mnt_idmap	= AU_NOP_IDMAP,
		.new_mnt_idmap	= AU_NOP_IDMAP,
#else
		.old_mnt_userns	= AU_NOP_IDMAP,
		.new_mnt_userns	= AU_NOP_IDMAP,
#endif
#ifdef HAVE_RENAMEDATA_PARENT
		.old_parent	= old->d_parent,
		.new_parent	= new->d_parent,
#else
		.old_dir	= odir,
		.new_dir	= ndir,
#endif
		.old_dentry	= old,
		.new_dentry	= new,
		.flags		= flags,
	};

	return vfs_rename(&rd);
}

/*
 * lock_rename()/unlock_rename() where the headers still have them, otherwise
 * the same locking done here: the superblock's rename mutex, then the two
 * directories, an ancestor before its descendant.
 */
#ifdef HAVE_LOCK_RENAME
static inline struct dentry *au_lock_rename(struct dentry *p1, struct dentry *p2)
{
	return lock_rename(p1, p2);
}

static inline void au_unlock_rename(struct dentry *p1, struct dentry *p2)
{
	unlock_rename(p1, p2);
}
#else
/* d_ancestor(), which is not exported: the child of p1 on p2's way up, if any */
static inline struct dentry *au_d_ancestor(struct dentry *p1, struct dentry *p2)
{
	struct dentry *p;

	for (p = p2; !IS_ROOT(p); p = p->d_parent)
		if (p->d_parent == p1)
			return p;
	return NULL;
}

/* the superblock's rename mutex keeps directories where they are meanwhile */
static inline struct dentry *au_lock_rename(struct dentry *p1, struct dentry *p2)
{
	struct dentry *p;

	if (p1 == p2) {
		inode_lock_nested(d_inode(p1), I_MUTEX_PARENT);
		return NULL;
	}
	mutex_lock(&p1->d_sb->s_vfs_rename_mutex);
	p = au_d_ancestor(p2, p1);
	if (p) {
		inode_lock_nested(d_inode(p2), I_MUTEX_PARENT);
		inode_lock_nested(d_inode(p1), I_MUTEX_CHILD);
		return p;
	}
	p = au_d_ancestor(p1, p2);
	if (p) {
		inode_lock_nested(d_inode(p1), I_MUTEX_PARENT);
		inode_lock_nested(d_inode(p2), I_MUTEX_CHILD);
		return p;
	}
	if (d_inode(p1) > d_inode(p2))
		swap(p1, p2);
	inode_lock_nested(d_inode(p1), I_MUTEX_PARENT);
	inode_lock_nested(d_inode(p2), I_MUTEX_PARENT2);
	return NULL;
}

static inline void au_unlock_rename(struct dentry *p1, struct dentry *p2)
{
	inode_unlock(d_inode(p1));
	if (p1 != p2) {
		inode_unlock(d_inode(p2));
		mutex_unlock(&p1->d_sb->s_vfs_rename_mutex);
	}
}
#endif

static inline int au_vfs_notify_change(struct dentry *d, struct iattr *attr)
{
	return notify_change(AU_NOP_IDMAP, d, attr, NULL);
}

static inline int au_generic_permission(struct inode *inode, int mask)
{
	return generic_permission(AU_NOP_IDMAP, inode, mask);
}

static inline int au_setattr_prepare(struct dentry *d, struct iattr *attr)
{
	return setattr_prepare(AU_NOP_IDMAP, d, attr);
}

/* the caller's "no security check" (vfs_getattr_nosec()) goes down to the branch */
static inline int au_vfs_getattr(const struct path *path, struct kstat *st,
				 u32 mask, unsigned int flags)
{
#ifdef HAVE_AT_GETATTR_NOSEC
	if (flags & AT_GETATTR_NOSEC)
		return vfs_getattr_nosec(path, st, mask, flags);
#endif
	return vfs_getattr(path, st, mask, flags);
}

/* inode times: fields before the accessors */
static inline struct timespec64 au_inode_atime(const struct inode *inode)
{
#ifdef HAVE_INODE_TIME_ACCESSORS
	return inode_get_atime(inode);
#else
	return inode->i_atime;
#endif
}

static inline struct timespec64 au_inode_mtime(const struct inode *inode)
{
#ifdef HAVE_INODE_TIME_ACCESSORS
	return inode_get_mtime(inode);
#else
	return inode->i_mtime;
#endif
}

static inline void au_inode_set_ctime(struct inode *inode, struct timespec64 ts)
{
#ifdef HAVE_INODE_CTIME_ACCESSORS
	inode_set_ctime_to_ts(inode, ts);
#else
	inode->i_ctime = ts;
#endif
}

static inline void au_inode_copy_times(struct inode *inode, const struct inode *h)
{
#ifdef HAVE_INODE_TIME_ACCESSORS
	inode_set_atime_to_ts(inode, inode_get_atime(h));
	inode_set_mtime_to_ts(inode, inode_get_mtime(h));
#else
	inode->i_atime = h->i_atime;
	inode->i_mtime = h->i_mtime;
#endif
#ifdef HAVE_INODE_CTIME_ACCESSORS
	inode_set_ctime_to_ts(inode, inode_get_ctime(h));
#else
	inode->i_ctime = h->i_ctime;
#endif
}

/* kvrealloc() with the old size, which it no longer needs */
static inline void *au_kvrealloc(void *p, size_t oldsize, size_t newsize, gfp_t gfp)
{
#ifdef HAVE_KVREALLOC_NEWSIZE
	return kvrealloc(p, newsize, gfp);
#else
	return kvrealloc(p, oldsize, newsize, gfp);
#endif
}

/* the I_* state bits of an inode, read without i_lock */
static inline unsigned long au_inode_state(struct inode *inode)
{
#ifdef HAVE_INODE_STATE_READ
	return inode_state_read_once(inode);
#else
	return READ_ONCE(inode->i_state);
#endif
}

/* the member linking a dentry into its inode's i_dentry list */
#ifdef HAVE_DENTRY_D_ALIAS
#define AU_D_ALIAS	d_alias
#else
#define AU_D_ALIAS	d_u.d_alias
#endif

/* mmap of a branch file, which may have ->mmap_prepare instead of ->mmap */
static inline bool au_can_mmap(struct file *file)
{
#ifdef HAVE_CAN_MMAP_FILE
	return can_mmap_file(file);
#else
	return file->f_op->mmap;
#endif
}

static inline int au_call_mmap(struct file *file, struct vm_area_struct *vma)
{
#ifdef HAVE_VFS_MMAP
	return vfs_mmap(file, vma);
#else
	return call_mmap(file, vma);
#endif
}

/*
 * override_creds() that takes a reference to the new creds and revert_creds()
 * that drops it, as they did before they stopped counting.
 */
static inline const struct cred *au_override_creds(const struct cred *new)
{
#ifdef HAVE_CREDS_NOREF
	return override_creds(get_cred(new));
#else
	return override_creds(new);
#endif
}

static inline void au_revert_creds(const struct cred *old)
{
#ifdef HAVE_CREDS_NOREF
	put_cred(revert_creds(old));
#else
	revert_creds(old);
#endif
}

/* splice_read of a file read through ->read_iter (no page cache of its own) */
#ifdef HAVE_COPY_SPLICE_READ
#define au_splice_read_iter	copy_splice_read
#else
#define au_splice_read_iter	generic_file_splice_read
#endif

/* super_operations.drop_inode: forget the inode at the last iput */
#ifdef HAVE_INODE_JUST_DROP
#define au_drop_inode_now	inode_just_drop
#else
#define au_drop_inode_now	generic_delete_inode
#endif

static inline void au_set_d_op(struct super_block *sb,
			       const struct dentry_operations *op)
{
#ifdef HAVE_SET_DEFAULT_D_OP
	set_default_d_op(sb, op);
#else
	sb->s_d_op = op;
#endif
}

/*
 * Operation prototypes whose parameters differ: AU_D_REVALIDATE_ARGS and
 * AU_UPDATE_TIME_ARGS name the parameters a definition uses (dentry, flags).
 */
#ifdef HAVE_D_REVALIDATE_NAME
#define AU_D_REVALIDATE_ARGS	struct inode *au_dir, const struct qstr *au_name, \
				struct dentry *dentry, unsigned int flags
#else
#define AU_D_REVALIDATE_ARGS	struct dentry *dentry, unsigned int flags
#endif

/* inode_operations.create: whether it is told O_EXCL */
#ifdef HAVE_IOP_CREATE_NO_EXCL
#define AU_CREATE_EXCL_ARG
#else
#define AU_CREATE_EXCL_ARG	, bool excl
#endif

#if defined(HAVE_UPDATE_TIME_TYPE)
#define AU_UPDATE_TIME_ARGS	struct inode *inode, enum fs_update_time au_type, \
				unsigned int flags
#elif defined(HAVE_UPDATE_TIME_FLAGS)
#define AU_UPDATE_TIME_ARGS	struct inode *inode, int flags
#else
#define AU_UPDATE_TIME_ARGS	struct inode *inode, struct timespec64 *au_ts, int flags
#endif

/* inode_operations.mkdir returns the new dentry (NULL: the one it was given) */
#ifdef HAVE_IOP_MKDIR_DENTRY
typedef struct dentry *au_mkdir_ret_t;
#define AU_MKDIR_RET(err)	ERR_PTR(err)
#else
typedef int au_mkdir_ret_t;
#define AU_MKDIR_RET(err)	(err)
#endif

#endif /* __AUFS_COMPAT_H__ */
