// SPDX-License-Identifier: GPL-2.0
/* Whiteouts ".wh.<name>", opaque dirs ".wh..wh..opq" and temporary names. */
#include "aufs.h"
#include <linux/random.h>
#include "vfsub.h"

int au_wh_name(struct qstr *wh, const struct qstr *name)
{
	char *p;

	if (name->len > NAME_MAX - AUFS_WH_PFX_LEN)
		return -ENAMETOOLONG;
	p = kmalloc(AUFS_WH_PFX_LEN + name->len + 1, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memcpy(p, AUFS_WH_PFX, AUFS_WH_PFX_LEN);
	memcpy(p + AUFS_WH_PFX_LEN, name->name, name->len);
	p[AUFS_WH_PFX_LEN + name->len] = '\0';
	wh->name = p;
	wh->len = AUFS_WH_PFX_LEN + name->len;
	return 0;
}

/* Caller holds h_parent's i_rwsem. */
struct dentry *au_wh_lookup(struct dentry *h_parent, const struct qstr *name)
{
	struct dentry *h;
	struct qstr wh;
	int err;

	err = au_wh_name(&wh, name);
	if (err)
		return ERR_PTR(err);
	h = au_do_lookup(h_parent, wh.name, wh.len);
	kfree(wh.name);
	return h;
}

/* Is name whited out in h_parent?  1 yes, 0 no, -errno.  Unlocked. */
int au_wh_test(struct dentry *h_parent, const struct qstr *name)
{
	struct dentry *h;
	struct qstr wh;
	int err;

	err = au_wh_name(&wh, name);
	if (err)
		return err;
	h = au_do_lookup_unlocked(h_parent, wh.name, wh.len);
	kfree(wh.name);
	if (IS_ERR(h))
		return PTR_ERR(h) == -EACCES ? 0 : PTR_ERR(h);
	err = d_is_positive(h);
	dput(h);
	return err;
}

int au_diropq_test(struct dentry *h_dir)
{
	struct dentry *h;
	int err;

	h = au_do_lookup_unlocked(h_dir, AUFS_WH_DIROPQ, sizeof(AUFS_WH_DIROPQ) - 1);
	if (IS_ERR(h))
		return PTR_ERR(h) == -EACCES ? 0 : PTR_ERR(h);
	err = d_is_positive(h);
	dput(h);
	return err;
}

/*
 * The whiteout base <branch root>/.wh..wh.aufs (aufs(5) "Whiteout"): every
 * whiteout on a writable branch without +nolwh is a hard link to it, so that
 * hiding a name needs no new inode.  Created (or an existing empty regular
 * file adopted) when the branch becomes writable; pinned until the branch goes.
 * Without it (nolwh, the branch refused it) whiteouts are plain files.
 */
void au_wh_base_init(struct super_block *sb, struct au_branch *br)
{
	struct dentry *root = br->path.dentry, *h;
	struct inode *h_dir = d_inode(root);
	const struct cred *old;
	int perm = READ_ONCE(br->perm), err;

	if (READ_ONCE(br->wh_base) || !au_br_writable(perm) ||
	    (perm & AU_BR_NOLWH))
		return;
	if (mnt_want_write(br->path.mnt))
		return;
	old = au_cred_override(sb);
	au_lock_parent(h_dir);
	h = au_do_lookup(root, AUFS_WH_BASE, sizeof(AUFS_WH_BASE) - 1);
	if (!IS_ERR(h)) {
		err = 0;
		if (d_is_negative(h))
			err = au_do_create(h_dir, h, S_IFREG | 0444);
		if (!err && d_is_reg(h) && !i_size_read(d_inode(h)) &&
		    !cmpxchg(&br->wh_base, NULL, h))
			h = NULL;	/* the branch keeps the reference */
		else if (err)
			pr_info("%s: no whiteout base (%d), plain whiteouts\n",
				br->name, err);
		dput(h);
	}
	inode_unlock(h_dir);
	au_revert_creds(old);
	mnt_drop_write(br->path.mnt);
}

/*
 * Make the negative h a whiteout: a hard link to the branch's whiteout base,
 * or a plain empty file when the branch has none (nolwh), the base is full
 * (EMLINK) or gone, or the branch filesystem cannot link.
 */
static int au_wh_make(struct au_branch *br, struct dentry *h_parent,
		      struct dentry *h)
{
	struct dentry *base;
	int err;

	if (d_is_positive(h))
		return 0;
	base = br ? READ_ONCE(br->wh_base) : NULL;
	/* unhashed: the base was removed on the branch behind aufs' back */
	if (base && !d_unhashed(base) && !(READ_ONCE(br->perm) & AU_BR_NOLWH)) {
		err = au_do_link(base, d_inode(h_parent), h);
		switch (err) {
		case -EMLINK:
		case -ENOENT:	/* the base has no name left (raced) */
		case -EPERM:
		case -EOPNOTSUPP:
		case -EXDEV:
			break;
		default:
			return err;
		}
	}
	return au_do_create(d_inode(h_parent), h, S_IFREG | 0444);
}

/* Create .wh.<name> in h_parent; caller holds h_parent's i_rwsem. */
int au_wh_create(struct au_branch *br, struct dentry *h_parent,
		 const struct qstr *name)
{
	struct dentry *h = au_wh_lookup(h_parent, name);
	int err;

	if (IS_ERR(h))
		return PTR_ERR(h);
	err = au_wh_make(br, h_parent, h);
	dput(h);
	return err;
}

/* Remove .wh.<name> if present; caller holds h_parent's i_rwsem. 1 if removed. */
int au_wh_unlink(struct dentry *h_parent, const struct qstr *name)
{
	struct dentry *h = au_wh_lookup(h_parent, name);
	int err = 0;

	if (IS_ERR(h))
		return PTR_ERR(h);
	if (d_is_positive(h)) {
		err = au_do_unlink(d_inode(h_parent), h);
		if (!err)
			err = 1;
	}
	dput(h);
	return err;
}

/*
 * Mark h_dir opaque; the caller holds h_dir's parent (I_MUTEX_PARENT, or both
 * parents of a rename), not h_dir: h_dir is the child in the lock order.
 */
int au_diropq_create(struct au_branch *br, struct dentry *h_dir)
{
	struct inode *h_inode = d_inode(h_dir);
	struct dentry *h;
	int err;

	inode_lock_nested(h_inode, I_MUTEX_CHILD);
	h = au_do_lookup(h_dir, AUFS_WH_DIROPQ, sizeof(AUFS_WH_DIROPQ) - 1);
	err = PTR_ERR_OR_ZERO(h);
	if (!err) {
		err = au_wh_make(br, h_dir, h);
		dput(h);
	}
	inode_unlock(h_inode);
	return err;
}

/* Take back the mark au_diropq_create() made, locking as it does. */
void au_diropq_remove(struct dentry *h_dir)
{
	struct inode *h_inode = d_inode(h_dir);
	struct dentry *h;

	inode_lock_nested(h_inode, I_MUTEX_CHILD);
	h = au_do_lookup(h_dir, AUFS_WH_DIROPQ, sizeof(AUFS_WH_DIROPQ) - 1);
	if (!IS_ERR(h)) {
		if (d_is_positive(h))
			au_do_unlink(h_inode, h);
		dput(h);
	}
	inode_unlock(h_inode);
}

/* A fresh whiteout-prefixed temporary name; caller holds h_parent's i_rwsem. */
struct dentry *au_tmp_lookup(struct dentry *h_parent)
{
	char name[sizeof(AUFS_WH_TMP_PFX) + 16];
	struct dentry *h;
	int i, len;

	for (i = 0; i < 8; i++) {
		len = snprintf(name, sizeof(name), AUFS_WH_TMP_PFX "%08x",
			       get_random_u32());
		h = au_do_lookup(h_parent, name, len);
		if (IS_ERR(h) || d_is_negative(h))
			return h;
		dput(h);
	}
	return ERR_PTR(-EEXIST);
}
