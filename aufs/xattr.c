// SPDX-License-Identifier: GPL-2.0
/* Extended attributes: read from the top object, written after copy-up. */
#include "aufs.h"
#include <linux/xattr.h>
#include "vfsub.h"

static int au_xattr_get(const struct xattr_handler *handler,
			struct dentry *dentry, struct inode *inode,
			const char *name, void *buffer, size_t size)
{
	const struct cred *old;
	struct path h_path;
	ssize_t ret;

	ret = au_h_top(inode, &h_path);
	if (ret)
		return ret;
	old = au_cred_override(inode->i_sb);
	ret = au_do_getxattr(h_path.dentry, name, buffer, size);
	au_revert_creds(old);
	path_put(&h_path);
	return ret;
}

static int au_xattr_set(const struct xattr_handler *handler,
			au_idmap_t *idmap,
			struct dentry *dentry, struct inode *inode,
			const char *name, const void *value, size_t size,
			int flags)
{
	const struct cred *old;
	struct path h_path;
	int err;

	if (!dentry)
		return -EOPNOTSUPP;
	err = au_cpup_for_write(dentry, -1);
	if (err)
		return err;
	err = au_h_top(inode, &h_path);
	if (err)
		return err;
	err = mnt_want_write(h_path.mnt);
	if (err)
		goto out_path;
	old = au_cred_override(inode->i_sb);
	if (value)
		err = au_do_setxattr(h_path.dentry, name, value, size, flags);
	else
		err = au_do_removexattr(h_path.dentry, name);
	au_revert_creds(old);
	au_cpattr(inode, d_inode(h_path.dentry));
	mnt_drop_write(h_path.mnt);
out_path:
	path_put(&h_path);
	return err;
}

ssize_t au_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct path h_path;
	ssize_t ret;

	ret = au_h_top(d_inode(dentry), &h_path);
	if (ret)
		return ret;
	ret = au_do_listxattr(h_path.dentry, list, size);
	path_put(&h_path);
	return ret;
}

static const struct xattr_handler au_xattr_all = {
	.prefix	= "",	/* every name goes to the branch as it is */
	.get	= au_xattr_get,
	.set	= au_xattr_set,
};

const struct xattr_handler *au_xattr_handlers[] = {
	&au_xattr_all,
	NULL,
};
