// SPDX-License-Identifier: GPL-2.0
/* Inode operations on existing objects: getattr, setattr, permission, get_link. */
#include "aufs.h"
#include "vfsub.h"

/*
 * Directories: checked against the aufs inode (the topmost dir) and every
 * lower dir that exists, write access only where it would be used.  Others:
 * the topmost inode only (aufs(5), "Incompatible with an Ordinary Filesystem").
 */
int au_permission(au_idmap_t *idmap, struct inode *inode, int mask)
{
	struct dentry *alias;
	struct au_dinfo *di;
	int err, b;

	err = au_generic_permission(inode, mask);
	if (err || !S_ISDIR(inode->i_mode) || !(mask & (MAY_READ | MAY_EXEC)))
		return err;
	/*
	 * No references taken, so that rcu-walk works too: dinfo, branch
	 * dentries and inodes are all freed after a grace period.
	 */
	rcu_read_lock();
	spin_lock(&inode->i_lock);
	alias = hlist_entry_safe(inode->i_dentry.first, struct dentry, AU_D_ALIAS);
	di = alias ? READ_ONCE(alias->d_fsdata) : NULL;
	spin_unlock(&inode->i_lock);
	for (b = di ? di->bstart + 1 : 0; b >= 1 && b <= di->bbot && !err; b++) {
		struct dentry *h = READ_ONCE(di->h[b]);
		struct inode *h_inode = h ? d_inode_rcu(h) : NULL;

		if (h_inode)
			err = au_generic_permission(h_inode,
						    (mask & ~(MAY_WRITE | MAY_APPEND)) | MAY_NOT_BLOCK);
	}
	rcu_read_unlock();
	if (err == -ECHILD && !(mask & MAY_NOT_BLOCK))
		err = -EACCES;	/* an ACL needing I/O; be strict rather than block under RCU */
	return err;
}

static unsigned int au_dir_nlink(struct dentry *dentry, unsigned int top)
{
	struct au_dinfo *di = au_di_get(dentry);
	unsigned int nlink = 2;
	int b;

	if (!di)
		return top;
	for (b = max(di->bstart, 0); b <= di->bbot; b++) {
		struct dentry *h = au_di_h(di, b);

		if (h) {
			unsigned int n = d_inode(h)->i_nlink;

			/* a fs that does not count subdirs (nlink 1) makes it unknown */
			if (n < 2)
				nlink = 1;
			else if (nlink > 1)
				nlink += n - 2;
		}
		dput(h);
	}
	au_di_put(di);
	return nlink;
}

static int au_getattr(au_idmap_t *idmap, const struct path *path,
		      struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = d_inode(dentry);
	const struct cred *old;
	struct path h_path;
	int err;

	err = au_h_top(inode, &h_path);
	if (err)
		return err;
	old = au_cred_override(dentry->d_sb);
	err = au_do_getattr(&h_path, stat, request_mask, flags);
	au_revert_creds(old);
	if (!err) {
		au_cpattr(inode, d_inode(h_path.dentry));
		stat->dev = dentry->d_sb->s_dev;
		stat->ino = inode->i_ino;
		if (S_ISDIR(inode->i_mode))
			stat->nlink = au_dir_nlink(dentry, stat->nlink);
		else
			stat->nlink = max(stat->nlink, READ_ONCE(AU_I(inode)->pl_nlink));
	}
	path_put(&h_path);
	return err;
}

static int au_setattr(au_idmap_t *idmap, struct dentry *dentry,
		      struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	const struct cred *old;
	struct path h_path;
	loff_t len = -1;
	int err;

	err = au_setattr_prepare(dentry, attr);
	if (err)
		return err;
	if (attr->ia_valid & ATTR_SIZE)
		len = attr->ia_size;
	err = au_cpup_for_write(dentry, len);
	if (err)
		return err;
	err = au_h_top(inode, &h_path);
	if (err)
		return err;
	err = mnt_want_write(h_path.mnt);
	if (err)
		goto out_path;
	/* notify_change() derives the mode change itself from the kill bits */
	if (attr->ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		attr->ia_valid &= ~ATTR_MODE;
	attr->ia_valid &= ~ATTR_FILE;
	inode_lock(d_inode(h_path.dentry));
	old = au_cred_override(dentry->d_sb);
	err = au_do_notify_change(h_path.dentry, attr);
	au_revert_creds(old);
	inode_unlock(d_inode(h_path.dentry));
	au_cpattr(inode, d_inode(h_path.dentry));
	mnt_drop_write(h_path.mnt);
out_path:
	path_put(&h_path);
	return err;
}

static const char *au_get_link(struct dentry *dentry, struct inode *inode,
			       struct delayed_call *done)
{
	const struct cred *old;
	struct path h_path;
	const char *p;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	if (au_h_top(inode, &h_path))
		return ERR_PTR(-ESTALE);
	old = au_cred_override(dentry->d_sb);
	p = vfs_get_link(h_path.dentry, done);
	au_revert_creds(old);
	path_put(&h_path);
	return p;
}

static int au_update_time(AU_UPDATE_TIME_ARGS)
{
	/* atime is the branch's business (files are read through it) */
	return 0;
}

const struct inode_operations au_dir_iops = {
	.lookup		= au_lookup,
	.create		= au_create,
	.mkdir		= au_mkdir,
	.mknod		= au_mknod,
	.symlink	= au_symlink,
	.link		= au_link,
	.unlink		= au_unlink,
	.rmdir		= au_rmdir,
	.rename		= au_rename,
	.permission	= au_permission,
	.getattr	= au_getattr,
	.setattr	= au_setattr,
	.listxattr	= au_listxattr,
	.update_time	= au_update_time,
};

const struct inode_operations au_file_iops = {
	.permission	= au_permission,
	.getattr	= au_getattr,
	.setattr	= au_setattr,
	.listxattr	= au_listxattr,
	.update_time	= au_update_time,
};

const struct inode_operations au_symlink_iops = {
	.get_link	= au_get_link,
	.getattr	= au_getattr,
	.setattr	= au_setattr,
	.listxattr	= au_listxattr,
	.update_time	= au_update_time,
};

const struct inode_operations au_special_iops = {
	.permission	= au_permission,
	.getattr	= au_getattr,
	.setattr	= au_setattr,
	.listxattr	= au_listxattr,
	.update_time	= au_update_time,
};
