// SPDX-License-Identifier: GPL-2.0
/* Removing names: unlink and rmdir, with whiteouts where a lower name remains. */
#include "aufs.h"
#include "vfsub.h"

struct au_del {
	struct au_dinfo *pdi;
	struct au_dinfo *di;
	struct au_branch *wbr;
	int wb;
	int bstart;
	int lower;		/* a lower name must be whited out */
	struct dentry *h_parent;
	const struct cred *old;
	bool write;
};

static void au_del_end(struct au_del *d)
{
	if (d->h_parent) {
		inode_unlock(d_inode(d->h_parent));
		au_revert_creds(d->old);
	}
	if (d->write)
		mnt_drop_write(d->wbr->path.mnt);
	dput(d->h_parent);
	au_br_put(d->wbr);
	if (!IS_ERR_OR_NULL(d->di))
		au_di_put(d->di);
	if (!IS_ERR_OR_NULL(d->pdi))
		au_di_put(d->pdi);
}

/* Pick the branch of the removal and lock the parent dir there. */
static int au_del_begin(struct au_del *d, struct dentry *dentry)
{
	struct dentry *parent = dentry->d_parent;
	const struct cred *old;
	int err;

	memset(d, 0, sizeof(*d));
	d->pdi = au_di_fresh(parent);
	if (IS_ERR(d->pdi))
		return PTR_ERR(d->pdi);
	d->di = au_di_fresh(dentry);
	if (IS_ERR(d->di))
		return PTR_ERR(d->di);
	d->bstart = d->di->bstart;
	if (d->bstart < 0 || d->pdi->brs != d->di->brs)
		return -ESTALE;
	d->wbr = d->di->brs->br[d->bstart];
	if (au_br_writable(READ_ONCE(d->wbr->perm))) {
		old = au_cred_override(dentry->d_sb);
		d->lower = au_lower_exists(d->pdi, &dentry->d_name, d->bstart + 1);
		au_revert_creds(old);
		if (d->lower < 0) {
			d->wbr = NULL;	/* not referenced yet: au_del_end must not put it */
			return d->lower;
		}
	} else {
		d->wbr = au_wbr_copyup(dentry, d->pdi, d->bstart);
		if (IS_ERR(d->wbr)) {
			err = PTR_ERR(d->wbr);
			d->wbr = NULL;
			return err;
		}
		d->lower = 1;
	}
	au_br_get(d->wbr);
	err = au_cpup_dirs(parent, d->wbr);
	if (err)
		return err;
	d->wb = au_br_index(d->pdi->brs, d->wbr);
	if (d->wb < 0)
		return -ESTALE;
	err = mnt_want_write(d->wbr->path.mnt);
	if (err)
		return err;
	d->write = true;
	d->h_parent = au_di_h(d->pdi, d->wb);
	if (!d->h_parent)
		return -ESTALE;
	d->old = au_cred_override(dentry->d_sb);
	au_lock_parent(d_inode(d->h_parent));
	return 0;
}

/* The branch object of dentry on the locked h_parent, checked against the cache. */
static struct dentry *au_del_target(struct au_del *d, struct dentry *dentry)
{
	struct dentry *h, *cached = au_di_h(d->di, d->wb);

	h = au_do_lookup(d->h_parent, dentry->d_name.name, dentry->d_name.len);
	if (!IS_ERR(h) && (d_is_negative(h) || !cached ||
			   d_inode(h) != d_inode(cached))) {
		/* the branch changed behind our back (UDBA) */
		dput(h);
		h = ERR_PTR(-ESTALE);
	}
	dput(cached);
	return h;
}

/*
 * The name was on a lower branch only when the removal began; a copy-up that
 * ran meanwhile (it does not hold the aufs parent) may have put it on the
 * locked d->h_parent since.  Returns it (to remove with the whiteout), NULL.
 */
static struct dentry *au_del_copied(struct au_del *d, struct dentry *dentry)
{
	struct dentry *h;

	h = au_do_lookup(d->h_parent, dentry->d_name.name, dentry->d_name.len);
	if (!IS_ERR(h) && d_is_negative(h)) {
		dput(h);
		h = NULL;
	}
	return h;
}

/*
 * The whiteout is made before the name is removed, so that a failure to make
 * it (ENOSPC, EIO) leaves both in place; a failed removal takes it back.
 */
static int au_del_wh(struct au_del *d, struct dentry *dentry)
{
	return d->lower ? au_wh_create(d->wbr, d->h_parent, &dentry->d_name) : 0;
}

static void au_del_wh_revert(struct au_del *d, struct dentry *dentry)
{
	if (d->lower)
		au_wh_unlink(d->h_parent, &dentry->d_name);
}

int au_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct au_del d;
	struct dentry *h;
	int err;

	err = au_del_begin(&d, dentry);
	if (!err)
		err = au_del_wh(&d, dentry);
	if (err)
		goto out;
	if (d.wb == d.bstart) {
		h = au_del_target(&d, dentry);
		err = PTR_ERR(h);
		if (IS_ERR(h))
			goto out_wh;
		err = au_do_unlink(d_inode(d.h_parent), h);
		dput(h);
		if (err)
			goto out_wh;
	} else {
		h = au_del_copied(&d, dentry);
		err = PTR_ERR_OR_ZERO(h);
		if (h && !IS_ERR(h)) {
			err = d_is_dir(h) ? -EISDIR :
				au_do_unlink(d_inode(d.h_parent), h);
			dput(h);
		}
		if (err)
			goto out_wh;
	}
	au_di_clear(d.di, d.lower ? d.wb : -1);
	if (!err) {
		struct path h_top;

		if (AU_I(inode)->pl_nlink)
			AU_I(inode)->pl_nlink--;

		if (!au_h_top(inode, &h_top)) {
			if (d_inode(h_top.dentry) && d.wb == d.bstart)
				au_cpattr(inode, d_inode(h_top.dentry));
			else
				drop_nlink(inode);
			path_put(&h_top);
		}
		au_inode_set_ctime(inode, current_time(inode));
	}
	goto out;
out_wh:
	au_del_wh_revert(&d, dentry);
out:
	au_del_end(&d);
	return err;
}

struct au_rmw {
	struct work_struct work;
	struct au_branch *br;
	struct dentry *h_parent;
	struct dentry *h_dir;
	const struct cred *cred;
};

static void au_rmw_do(struct work_struct *work)
{
	struct au_rmw *w = container_of(work, struct au_rmw, work);
	const struct cred *old = au_override_creds(w->cred);
	int err;

	/*
	 * The removal of the parent's aufs directory (rmdir, rename over it)
	 * may remove h_dir first: au_whtree_rm() then finds it gone.
	 */
	err = mnt_want_write(w->br->path.mnt);
	if (!err) {
		err = au_whtree_rm(w->br, w->h_parent, w->h_dir, I_MUTEX_PARENT);
		mnt_drop_write(w->br->path.mnt);
	}
	if (err)
		pr_warn("dirwh: removing %pd2 failed (%d), left on the branch\n",
			w->h_dir, err);
	au_revert_creds(old);
	put_cred(w->cred);
	dput(w->h_dir);
	dput(w->h_parent);
	au_br_put(w->br);
	kfree(w);
}

/*
 * dirwh: a dir with many whiteouts was renamed to a temporary whiteout name
 * (h_dir); empty and remove it in the background.
 */
int au_rmdir_async(struct super_block *sb, struct au_branch *br,
		   struct dentry *h_parent, struct dentry *h_dir)
{
	struct au_rmw *w = kmalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return -ENOMEM;
	INIT_WORK(&w->work, au_rmw_do);
	au_br_get(br);
	w->br = br;
	w->h_parent = dget(h_parent);
	w->h_dir = dget(h_dir);
	w->cred = get_cred(AU_SB(sb)->cred);
	queue_work(au_wq, &w->work);
	return 0;
}

/* Remove h (a logically empty dir) from the locked d->h_parent. */
static int au_rmdir_h(struct au_del *d, struct dentry *dentry, struct dentry *h)
{
	unsigned int dirwh = READ_ONCE(AU_SB(dentry->d_sb)->dirwh);
	struct inode *h_dir = d_inode(d->h_parent);
	struct dentry *tmp;
	int n, err;

	n = au_whs_count(d->wbr, h);
	if (n < 0)
		return n;
	if (!n || n < dirwh)
		goto out_sync;
	tmp = au_tmp_lookup(d->h_parent);
	if (IS_ERR(tmp))
		goto out_sync;
	err = au_do_rename(h_dir, h, h_dir, tmp, 0);
	dput(tmp);
	if (err)
		goto out_sync;
	/* h now carries the temporary name */
	return au_rmdir_async(dentry->d_sb, d->wbr, d->h_parent, h);

out_sync:
	err = n ? au_remove_whs(d->wbr, h) : 0;
	if (!err)
		err = au_do_rmdir(h_dir, h);
	return err;
}

int au_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct au_del d;
	struct dentry *h;
	int err;

	err = au_test_empty(dentry);
	if (err)
		return err;
	err = au_del_begin(&d, dentry);
	if (!err)
		err = au_del_wh(&d, dentry);
	if (err)
		goto out;
	if (d.wb == d.bstart) {
		h = au_del_target(&d, dentry);
		err = PTR_ERR(h);
		if (IS_ERR(h))
			goto out_wh;
		err = au_rmdir_h(&d, dentry, h);
		dput(h);
		if (err)
			goto out_wh;
	} else {
		h = au_del_copied(&d, dentry);
		err = PTR_ERR_OR_ZERO(h);
		if (h && !IS_ERR(h)) {
			err = d_is_dir(h) ? au_rmdir_h(&d, dentry, h) : -ENOTDIR;
			dput(h);
		}
		if (err)
			goto out_wh;
	}
	au_di_clear(d.di, d.lower ? d.wb : -1);
	if (!err)
		clear_nlink(inode);
	goto out;
out_wh:
	au_del_wh_revert(&d, dentry);
out:
	au_del_end(&d);
	return err;
}
