// SPDX-License-Identifier: GPL-2.0
/* Adding names: create, mkdir, mknod, symlink, link. */
#include "aufs.h"
#include "vfsub.h"

/* One name being added: its parent on the chosen writable branch, locked. */
struct au_add {
	struct dentry *dentry;
	struct au_dinfo *pdi;
	struct au_dinfo *di;
	struct au_branch *wbr;
	int wb;
	struct dentry *h_parent;
	struct dentry *h_dentry;
	struct dentry *h_wh;		/* the whiteout of the name, maybe negative */
	const struct cred *old;
	struct cred *cred;
	bool write;
};

static void au_add_end(struct au_add *a)
{
	if (a->h_parent) {
		inode_unlock(d_inode(a->h_parent));
		au_revert_creds(a->old);
		if (a->cred)
			put_cred(a->cred);
	}
	if (a->write)
		mnt_drop_write(a->wbr->path.mnt);
	dput(a->h_wh);
	dput(a->h_dentry);
	dput(a->h_parent);
	au_br_put(a->wbr);
	if (!IS_ERR_OR_NULL(a->di))
		au_di_put(a->di);
	if (!IS_ERR_OR_NULL(a->pdi))
		au_di_put(a->pdi);
}

/*
 * Choose the branch (or use want), copy the parent up to it, lock the parent
 * there and look the name up.  On success the caller creates a->h_dentry.
 */
static int au_add_begin(struct au_add *a, struct dentry *dentry, bool isdir,
			struct au_branch *want)
{
	struct dentry *parent = dentry->d_parent;	/* stable: VFS holds its lock */
	struct au_branch *wbr;
	int err;

	memset(a, 0, sizeof(*a));
	a->dentry = dentry;
	a->pdi = au_di_fresh(parent);
	if (IS_ERR(a->pdi))
		return PTR_ERR(a->pdi);
	a->di = au_di_fresh(dentry);
	if (IS_ERR(a->di))
		return PTR_ERR(a->di);
	wbr = want ? want : au_wbr_create(dentry, a->pdi, a->di, isdir);
	if (IS_ERR(wbr))
		return PTR_ERR(wbr);
	au_br_get(wbr);
	a->wbr = wbr;
	err = au_cpup_dirs(parent, wbr);
	if (err)
		return err;
	a->wb = au_br_index(a->pdi->brs, wbr);
	if (a->wb < 0 || a->pdi->brs != a->di->brs)
		return -ESTALE;
	a->h_parent = au_di_h(a->pdi, a->wb);
	if (!a->h_parent)
		return -ESTALE;
	err = mnt_want_write(wbr->path.mnt);
	if (err) {
		dput(a->h_parent);
		a->h_parent = NULL;
		return err;
	}
	a->write = true;
	a->old = au_cred_create(dentry->d_sb, &a->cred);
	if (IS_ERR(a->old)) {
		dput(a->h_parent);
		a->h_parent = NULL;
		return PTR_ERR(a->old);
	}
	au_lock_parent(d_inode(a->h_parent));
	a->h_dentry = au_do_lookup(a->h_parent, dentry->d_name.name,
				   dentry->d_name.len);
	if (IS_ERR(a->h_dentry)) {
		err = PTR_ERR(a->h_dentry);
		a->h_dentry = NULL;
		return err;
	}
	if (d_is_positive(a->h_dentry))
		return -EEXIST;
	/*
	 * The whiteout this name may replace, looked up now: once the object
	 * exists on the branch, nothing that can fail for want of memory
	 * stands between it and the end (au_add_finish).
	 */
	a->h_wh = au_wh_lookup(a->h_parent, &dentry->d_name);
	if (IS_ERR(a->h_wh)) {
		err = PTR_ERR(a->h_wh);
		a->h_wh = NULL;
		return err;
	}
	return 0;
}

/* Take back the object made on the branch when the add fails after it. */
static void au_add_undo(struct au_add *a)
{
	struct inode *h_dir = d_inode(a->h_parent);
	struct dentry *h = a->h_dentry;

	if (d_is_negative(h))
		return;
	if (d_is_dir(h)) {
		au_diropq_remove(h);
		au_do_rmdir(h_dir, h);
	} else {
		au_do_unlink(h_dir, h);
	}
}

/*
 * The object exists on the branch: drop the whiteout, bind the aufs inode.
 * On failure the object is taken back, so the name is as it was.
 */
static int au_add_finish(struct au_add *a, struct inode *inode)
{
	struct dentry *h = a->h_dentry;
	bool linked = inode;
	int err;

	if (d_is_negative(h) || d_unhashed(h)) {
		/* some filesystems leave the dentry negative; look it up again */
		h = au_do_lookup(a->h_parent, a->dentry->d_name.name,
				 a->dentry->d_name.len);
		if (IS_ERR(h))
			return PTR_ERR(h);
		dput(a->h_dentry);
		a->h_dentry = h;
		if (d_is_negative(h))
			return -EIO;
	}
	if (!inode) {
		inode = au_new_inode(a->dentry->d_sb, a->wbr, h);
		if (IS_ERR(inode)) {
			au_add_undo(a);
			return PTR_ERR(inode);
		}
	} else {
		ihold(inode);
	}
	if (a->h_wh && d_is_positive(a->h_wh)) {
		err = au_do_unlink(d_inode(a->h_parent), a->h_wh);
		if (err) {
			iput(inode);
			au_add_undo(a);
			return err;
		}
	}
	if (linked)
		au_cpattr(inode, d_inode(h));
	au_di_set_h(a->di, a->wb, dget(h));
	spin_lock(&a->di->lock);
	a->di->bwh = -1;
	spin_unlock(&a->di->lock);
	d_instantiate(a->dentry, inode);
	return 0;
}

static int au_add_nondir(struct inode *dir, struct dentry *dentry, umode_t mode,
			 dev_t rdev, const char *symname)
{
	struct au_add a;
	int err;

	err = au_add_begin(&a, dentry, false, NULL);
	if (err)
		goto out;
	if (symname)
		err = au_do_symlink(d_inode(a.h_parent), a.h_dentry, symname);
	else if (S_ISREG(mode))
		err = au_do_create(d_inode(a.h_parent), a.h_dentry, mode);
	else
		err = au_do_mknod(d_inode(a.h_parent), a.h_dentry, mode, rdev);
	if (!err)
		err = au_add_finish(&a, NULL);
out:
	au_add_end(&a);
	return err;
}

int au_create(au_idmap_t *idmap, struct inode *dir,
	      struct dentry *dentry, umode_t mode AU_CREATE_EXCL_ARG)
{
	return au_add_nondir(dir, dentry, (mode & 07777) | S_IFREG, 0, NULL);
}

int au_mknod(au_idmap_t *idmap, struct inode *dir,
	     struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return au_add_nondir(dir, dentry, mode, rdev, NULL);
}

int au_symlink(au_idmap_t *idmap, struct inode *dir,
	       struct dentry *dentry, const char *symname)
{
	return au_add_nondir(dir, dentry, S_IFLNK | 0777, 0, symname);
}

static int au_mkdir_op(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	struct au_sbinfo *sbi = AU_SB(dentry->d_sb);
	struct au_add a;
	bool opq;
	int err;

	err = au_add_begin(&a, dentry, true, NULL);
	if (err)
		goto out;
	err = au_do_mkdir(d_inode(a.h_parent), a.h_dentry, mode);
	if (err)
		goto out;
	/*
	 * Replacing a whiteout: whatever the lower branches have under this name
	 * must stay hidden, so the dir is opaque before the whiteout goes.
	 */
	opq = d_is_positive(a.h_wh) || (sbi->flags & AU_OPT_DIROPQ_A);
	if (opq && d_is_positive(a.h_dentry)) {
		err = au_diropq_create(a.wbr, a.h_dentry);
		if (err)
			goto out_rmdir;
		spin_lock(&a.di->lock);
		a.di->bopq = a.wb;
		a.di->bbot = a.wb;
		spin_unlock(&a.di->lock);
	}
	err = au_add_finish(&a, NULL);
	goto out;

out_rmdir:
	au_do_rmdir(d_inode(a.h_parent), a.h_dentry);
out:
	au_add_end(&a);
	return err;
}

au_mkdir_ret_t au_mkdir(au_idmap_t *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	return AU_MKDIR_RET(au_mkdir_op(dir, dentry, mode));
}

/* link(2) stays on the branch of the source when it is writable (aufs(5)). */
int au_link(struct dentry *src, struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(src);
	struct au_branch *wbr;
	struct path h_src;
	struct au_add a;
	int err;

	err = au_cpup_for_write(src, -1);
	if (err)
		return err;
	err = au_h_top(inode, &h_src);
	if (err)
		return err;
	spin_lock(&AU_I(inode)->lock);
	wbr = AU_I(inode)->h_br;
	au_br_get(wbr);
	spin_unlock(&AU_I(inode)->lock);
	err = au_add_begin(&a, dentry, false, wbr);
	au_br_put(wbr);
	if (!err)
		err = au_do_link(h_src.dentry, d_inode(a.h_parent), a.h_dentry);
	if (!err)
		err = au_add_finish(&a, inode);
	au_add_end(&a);
	path_put(&h_src);
	return err;
}
