// SPDX-License-Identifier: GPL-2.0
/* rename(2): copy-up of the source, whiteout of the old name, directory rules. */
#include "aufs.h"
#include "vfsub.h"

struct au_ren {
	struct au_dinfo *opdi, *odi, *npdi, *ndi;
	struct au_branch *wbr;
	int wb;
};

static void au_ren_put(struct au_ren *r)
{
	struct au_dinfo **p[] = { &r->opdi, &r->odi, &r->npdi, &r->ndi };
	int i;

	for (i = 0; i < ARRAY_SIZE(p); i++)
		if (!IS_ERR_OR_NULL(*p[i]))
			au_di_put(*p[i]);
	au_br_put(r->wbr);
}

static int au_ren_fresh(struct au_ren *r, struct dentry *old, struct dentry *new)
{
	struct au_dinfo **p[] = { &r->opdi, &r->odi, &r->npdi, &r->ndi };
	struct dentry *d[] = { old->d_parent, old, new->d_parent, new };
	int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		if (!IS_ERR_OR_NULL(*p[i]))
			au_di_put(*p[i]);
		*p[i] = au_di_fresh(d[i]);
		if (IS_ERR(*p[i]))
			return PTR_ERR(*p[i]);
	}
	for (i = 1; i < ARRAY_SIZE(p); i++)
		if ((*p[i])->brs != r->opdi->brs)
			return -ESTALE;
	return 0;
}

/* The branch rename(2) works on (aufs(5), "Exceptions for Policies"). */
static int au_ren_wbr(struct au_ren *r, struct dentry *old, struct dentry *new)
{
	struct au_brs *brs = r->odi->brs;
	int b = r->odi->bstart;

	if (r->ndi->bstart >= 0 && r->ndi->bstart < b)
		b = r->ndi->bstart;
	if (r->ndi->bwh >= 0 && r->ndi->bwh < b)
		b = r->ndi->bwh;
	if (au_br_writable(READ_ONCE(brs->br[b]->perm)))
		r->wbr = brs->br[b];
	else
		r->wbr = au_wbr_copyup(old, r->opdi, b);
	if (IS_ERR(r->wbr)) {
		int err = PTR_ERR(r->wbr);

		r->wbr = NULL;
		return err;
	}
	au_br_get(r->wbr);
	return 0;
}

int au_rename(au_idmap_t *idmap, struct inode *olddir,
	      struct dentry *old, struct inode *newdir, struct dentry *new,
	      unsigned int flags)
{
	struct super_block *sb = old->d_sb;
	struct inode *inode = d_inode(old), *target = d_inode(new);
	struct dentry *h_odir = NULL, *h_ndir = NULL, *h_old = NULL, *h_new = NULL;
	struct dentry *h_nwh = NULL;	/* the new name's whiteout on the branch */
	struct dentry *trap;
	struct au_ren r = {};
	const struct cred *cred;
	bool isdir = d_is_dir(old), opq = false, opq_made = false, write = false;
	int err, lower_old, b;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if (target && d_is_dir(new)) {
		err = au_test_empty(new);
		if (err)
			return err;
	}
	err = au_ren_fresh(&r, old, new);
	if (err)
		goto out;
	err = au_ren_wbr(&r, old, new);
	if (err)
		goto out;
	r.wb = au_br_index(r.odi->brs, r.wbr);

	/* a dir whose lower parts have children would need a recursive copy-up */
	if (isdir) {
		for (b = r.wb + 1; b <= r.odi->bbot; b++)
			if (r.odi->h[b])
				break;
		if (b <= r.odi->bbot && au_test_empty_from(old, r.wb + 1)) {
			pr_warn("rename %pd2: lower branches hold children, returning EXDEV\n", old);
			err = -EXDEV;
			goto out;
		}
	}
	err = au_cpup(old, r.wbr, -1);
	if (!err)
		err = au_cpup_dirs(new->d_parent, r.wbr);
	if (err)
		goto out;
	err = au_ren_fresh(&r, old, new);
	if (err)
		goto out;
	r.wb = au_br_index(r.odi->brs, r.wbr);
	err = -ESTALE;
	if (r.wb < 0)
		goto out;

	cred = au_cred_override(sb);
	lower_old = au_lower_exists(r.opdi, &old->d_name, r.wb + 1);
	if (!lower_old && isdir)
		for (b = r.wb + 1; b <= r.odi->bbot; b++)
			if (r.odi->h[b])
				lower_old = 1;
	if (isdir && lower_old >= 0) {
		opq = (AU_SB(sb)->flags & AU_OPT_DIROPQ_A) || r.ndi->bwh >= 0;
		if (!opq) {
			int lower_new = au_lower_exists(r.npdi, &new->d_name, r.wb + 1);

			/* a failed lookup (ENOMEM) must not leave the dir without its mark */
			if (lower_new < 0)
				lower_old = lower_new;
			opq = lower_new > 0;
		}
	}
	au_revert_creds(cred);
	err = lower_old;
	if (err < 0)
		goto out;

	err = mnt_want_write(r.wbr->path.mnt);
	if (err)
		goto out;
	write = true;
	h_odir = au_di_h(r.opdi, r.wb);
	h_ndir = au_di_h(r.npdi, r.wb);
	err = -ESTALE;
	if (!h_odir || !h_ndir)
		goto out;
	cred = au_cred_override(sb);
	trap = au_lock_rename(h_ndir, h_odir);
	h_old = au_do_lookup(h_odir, old->d_name.name, old->d_name.len);
	if (IS_ERR(h_old)) {
		err = PTR_ERR(h_old);
		h_old = NULL;
		goto out_unlock;
	}
	h_new = au_do_lookup(h_ndir, new->d_name.name, new->d_name.len);
	if (IS_ERR(h_new)) {
		err = PTR_ERR(h_new);
		h_new = NULL;
		goto out_unlock;
	}
	err = -ESTALE;
	if (d_is_negative(h_old))
		goto out_unlock;
	err = -EINVAL;
	if (h_old == trap)
		goto out_unlock;
	err = -ENOTEMPTY;
	if (h_new == trap)
		goto out_unlock;
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && d_is_positive(h_new))
		goto out_unlock;
	/* looked up now: nothing may fail on allocation after the rename */
	h_nwh = au_wh_lookup(h_ndir, &new->d_name);
	if (IS_ERR(h_nwh)) {
		err = PTR_ERR(h_nwh);
		h_nwh = NULL;
		goto out_unlock;
	}
	/*
	 * What needs a new inode or link comes first, the rename last: when a
	 * step fails (ENOSPC) the ones before are taken back and both names
	 * stay as they were.
	 */
	if (lower_old) {
		err = au_wh_create(r.wbr, h_odir, &old->d_name);
		if (err)
			goto out_unlock;
	}
	if (opq) {
		opq_made = !au_diropq_test(h_old);
		err = au_diropq_create(r.wbr, h_old);
		if (err)
			goto out_revert;
	}
	if (d_is_dir(h_new) && d_is_positive(h_new)) {
		err = au_remove_whs(r.wbr, h_new);
		if (err)
			goto out_revert;
	}
	err = au_do_rename(d_inode(h_odir), h_old, d_inode(h_ndir), h_new, 0);
	if (err)
		goto out_revert;
	/* h_old carries the new name now */
	if (d_is_positive(h_nwh))
		err = au_do_unlink(d_inode(h_ndir), h_nwh);

	if (!err) {
		struct au_dinfo *di = au_di_alloc(r.odi->brs);

		if (di) {
			di->h[r.wb] = dget(h_old);
			di->bstart = r.wb;
			di->bbot = r.wb;
			if (opq)
				di->bopq = r.wb;
			au_di_set(old, di);
		}
		au_di_clear(r.ndi, -1);
		if (target) {
			if (isdir)
				clear_nlink(target);
			else
				drop_nlink(target);
		}
		au_cpattr(inode, d_inode(h_old));
	}
	goto out_unlock;
out_revert:
	if (opq_made)
		au_diropq_remove(h_old);
	if (lower_old)
		au_wh_unlink(h_odir, &old->d_name);
out_unlock:
	au_unlock_rename(h_ndir, h_odir);
	au_revert_creds(cred);
out:
	dput(h_nwh);
	dput(h_old);
	dput(h_new);
	dput(h_odir);
	dput(h_ndir);
	if (write)
		mnt_drop_write(r.wbr->path.mnt);
	au_ren_put(&r);
	return err;
}
