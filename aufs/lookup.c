// SPDX-License-Identifier: GPL-2.0
/* Top-down lookup across the branches; whiteouts and opaque dirs stop it. */
#include "aufs.h"
#include "vfsub.h"

/*
 * Fill di with the object named name below the directory pdi, from branch
 * bfrom down.  Runs with the mounter's credentials; the branch dirs are not
 * locked (lookup_one_unlocked).
 */
int au_lookup_name(struct au_dinfo *pdi, const struct qstr *name,
		   struct au_dinfo *di, int bfrom)
{
	struct au_brs *brs = pdi->brs;
	int b, err = 0, last = -1;
	umode_t type = 0;

	for (b = max(bfrom, pdi->bstart); b >= 0 && b <= pdi->bbot; b++) {
		struct au_branch *br = brs->br[b];
		struct dentry *h_parent = au_di_h(pdi, b), *h;

		if (!h_parent)
			continue;
		last = b;
		if (au_br_whable(br->perm)) {
			err = au_wh_test(h_parent, name);
			if (err < 0) {
				dput(h_parent);
				break;
			}
			if (err > 0) {
				err = 0;
				di->bwh = b;
				dput(h_parent);
				break;
			}
		}
		h = au_do_lookup_unlocked(h_parent, name->name, name->len);
		dput(h_parent);
		if (IS_ERR(h)) {
			err = PTR_ERR(h);
			break;
		}
		if (d_is_negative(h)) {
			dput(h);
			continue;
		}
		if (!type) {
			type = d_inode(h)->i_mode & S_IFMT;
			di->bstart = b;
		} else if (!d_is_dir(h)) {
			/* a lower non-directory under a directory is hidden, and so is the rest */
			dput(h);
			last = b - 1;
			break;
		}
		di->h[b] = h;
		if (type != S_IFDIR)
			break;
		if (au_br_whable(br->perm) && au_diropq_test(h) > 0) {
			di->bopq = b;
			break;
		}
	}
	di->bbot = last < 0 ? pdi->bbot : last;
	return err;
}

/* Does name exist (visibly) in a branch from bfrom down? */
int au_lower_exists(struct au_dinfo *pdi, const struct qstr *name, int bfrom)
{
	struct au_dinfo *di = au_di_alloc(pdi->brs);
	int err;

	if (!di)
		return -ENOMEM;
	err = au_lookup_name(pdi, name, di, bfrom);
	if (!err)
		err = di->bstart >= 0;
	au_di_put(di);
	return err;
}

struct dentry *au_lookup(struct inode *dir, struct dentry *dentry,
			 unsigned int flags)
{
	struct super_block *sb = dir->i_sb;
	struct au_dinfo *pdi, *di;
	struct inode *inode = NULL;
	const struct cred *old;
	int err;

	if (dentry->d_name.len > NAME_MAX - AUFS_WH_PFX_LEN)
		return ERR_PTR(-ENAMETOOLONG);
	/* the whiteout prefix is reserved on every branch */
	if (au_test_wh_name(dentry->d_name.name, dentry->d_name.len))
		return ERR_PTR(-EPERM);

	pdi = au_di_fresh(dentry->d_parent);
	if (IS_ERR(pdi))
		return ERR_CAST(pdi);
	err = -ENOMEM;
	di = au_di_alloc(pdi->brs);
	if (!di)
		goto out_pdi;
	old = au_cred_override(sb);
	err = au_lookup_name(pdi, &dentry->d_name, di, 0);
	au_revert_creds(old);
	if (err)
		goto out_di;
	if (di->bstart >= 0) {
		inode = au_iget(sb, di);
		if (IS_ERR(inode)) {
			err = PTR_ERR(inode);
			goto out_di;
		}
	}
	au_di_set(dentry, di);
	au_di_put(pdi);
	return d_splice_alias(inode, dentry);

out_di:
	au_di_put(di);
out_pdi:
	au_di_put(pdi);
	return ERR_PTR(err);
}
