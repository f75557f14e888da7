/* SPDX-License-Identifier: GPL-2.0 */
/* The one gate to the branch filesystems: traced, lock-asserted VFS calls (API forms: compat.h). */
#ifndef __AUFS_VFSUB_H__
#define __AUFS_VFSUB_H__

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/xattr.h>
#include <linux/splice.h>
#include "aufs.h"
#include "compat.h"

/* Caller holds h_dir's i_rwsem for every namespace call below. */

static inline struct dentry *au_do_lookup(struct dentry *h_parent,
					  const char *name, int len)
{
	AU_MUST_LOCK(d_inode(h_parent));
	return au_vfs_lookup(h_parent, name, len, true);
}

static inline struct dentry *au_do_lookup_unlocked(struct dentry *h_parent,
						   const char *name, int len)
{
	return au_vfs_lookup(h_parent, name, len, false);
}

static inline int au_do_create(struct inode *h_dir, struct dentry *h_dentry,
			       umode_t mode)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_create(h_dir, h_dentry, mode);
	pr_debug("create(%pd2, 0%o) = %i\n", h_dentry, mode, err);
	return err;
}

static inline int au_do_mkdir(struct inode *h_dir, struct dentry *h_dentry,
			      umode_t mode)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_mkdir(h_dir, h_dentry, mode);
	pr_debug("mkdir(%pd2, 0%o) = %i\n", h_dentry, mode, err);
	return err;
}

static inline int au_do_mknod(struct inode *h_dir, struct dentry *h_dentry,
			      umode_t mode, dev_t rdev)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_mknod(h_dir, h_dentry, mode, rdev);
	pr_debug("mknod(%pd2, 0%o) = %i\n", h_dentry, mode, err);
	return err;
}

static inline int au_do_symlink(struct inode *h_dir, struct dentry *h_dentry,
				const char *target)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_symlink(h_dir, h_dentry, target);
	pr_debug("symlink(%pd2 -> %s) = %i\n", h_dentry, target, err);
	return err;
}

static inline int au_do_link(struct dentry *h_src, struct inode *h_dir,
			     struct dentry *h_dentry)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_link(h_src, h_dir, h_dentry);
	pr_debug("link(%pd2, %pd2) = %i\n", h_src, h_dentry, err);
	return err;
}

static inline int au_do_unlink(struct inode *h_dir, struct dentry *h_dentry)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_unlink(h_dir, h_dentry);
	pr_debug("unlink(%pd2) = %i\n", h_dentry, err);
	return err;
}

static inline int au_do_rmdir(struct inode *h_dir, struct dentry *h_dentry)
{
	int err;

	AU_MUST_LOCK(h_dir);
	err = au_vfs_rmdir(h_dir, h_dentry);
	pr_debug("rmdir(%pd2) = %i\n", h_dentry, err);
	return err;
}

/* Caller holds au_lock_rename() of the parents of h_old and h_new. */
static inline int au_do_rename(struct inode *h_olddir, struct dentry *h_old,
			       struct inode *h_newdir, struct dentry *h_new,
			       unsigned int flags)
{
	int err;

	AU_MUST_LOCK(h_olddir);
	AU_MUST_LOCK(h_newdir);
	err = au_vfs_rename(h_olddir, h_old, h_newdir, h_new, flags);
	pr_debug("rename(%pd2, %pd2, 0x%x) = %i\n", h_old, h_new, flags, err);
	return err;
}

/* Caller holds the h_dentry's inode i_rwsem. */
static inline int au_do_notify_change(struct dentry *h_dentry,
				      struct iattr *attr)
{
	int err;

	AU_MUST_LOCK(d_inode(h_dentry));
	err = au_vfs_notify_change(h_dentry, attr);
	pr_debug("notify_change(%pd2, 0x%x) = %i\n", h_dentry, attr->ia_valid, err);
	return err;
}

static inline ssize_t au_do_getxattr(struct dentry *h_dentry, const char *name,
				     void *value, size_t size)
{
	ssize_t err = vfs_getxattr(AU_NOP_IDMAP, h_dentry, name, value, size);

	pr_debug("getxattr(%pd2, %s) = %zi\n", h_dentry, name, err);
	return err;
}

static inline int au_do_setxattr(struct dentry *h_dentry, const char *name,
				 const void *value, size_t size, int flags)
{
	int err = vfs_setxattr(AU_NOP_IDMAP, h_dentry, name, value, size, flags);

	pr_debug("setxattr(%pd2, %s) = %i\n", h_dentry, name, err);
	return err;
}

static inline int au_do_removexattr(struct dentry *h_dentry, const char *name)
{
	int err = vfs_removexattr(AU_NOP_IDMAP, h_dentry, name);

	pr_debug("removexattr(%pd2, %s) = %i\n", h_dentry, name, err);
	return err;
}

static inline ssize_t au_do_listxattr(struct dentry *h_dentry, char *list,
				      size_t size)
{
	return vfs_listxattr(h_dentry, list, size);
}

static inline struct file *au_do_open(const struct path *h_path, int flags,
				      const struct cred *cred)
{
	struct file *file = dentry_open(h_path, flags | O_NOATIME, cred);

	pr_debug("open(%pd2, 0%o) = %pe\n", h_path->dentry, flags, file);
	return file;
}

static inline int au_do_getattr(const struct path *h_path, struct kstat *st,
				u32 mask, unsigned int flags)
{
	return au_vfs_getattr(h_path, st, mask, flags);
}

static inline int au_do_statfs(const struct path *h_path, struct kstatfs *buf)
{
	return vfs_statfs(h_path, buf);
}

static inline void au_lock_parent(struct inode *h_dir)
{
	inode_lock_nested(h_dir, I_MUTEX_PARENT);
}

#endif /* __AUFS_VFSUB_H__ */
