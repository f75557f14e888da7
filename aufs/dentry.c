// SPDX-License-Identifier: GPL-2.0
/* Per-dentry branch stack and its revalidation after branch or UDBA changes. */
#include "aufs.h"
#include "vfsub.h"

struct au_dinfo *au_di_alloc(struct au_brs *brs)
{
	struct au_dinfo *di;

	di = kzalloc(struct_size(di, h, brs->nbr), GFP_KERNEL);
	if (!di)
		return NULL;
	kref_init(&di->kref);
	spin_lock_init(&di->lock);
	kref_get(&brs->kref);
	di->brs = brs;
	di->gen = brs->gen;
	di->bstart = -1;
	di->bbot = brs->nbr - 1;
	di->bwh = -1;
	di->bopq = -1;
	return di;
}

static void au_di_release(struct kref *kref)
{
	struct au_dinfo *di = container_of(kref, struct au_dinfo, kref);
	int i;

	for (i = 0; i < di->brs->nbr; i++)
		dput(di->h[i]);
	au_brs_put(di->brs);
	/* rcu-walk d_revalidate may still be reading it */
	kfree_rcu(di, rcu);
}

void au_di_put(struct au_dinfo *di)
{
	if (di)
		kref_put(&di->kref, au_di_release);
}

struct au_dinfo *au_di_get(struct dentry *dentry)
{
	struct au_dinfo *di;

	spin_lock(&dentry->d_lock);
	di = dentry->d_fsdata;
	if (di)
		kref_get(&di->kref);
	spin_unlock(&dentry->d_lock);
	return di;
}

/* Install di (the caller's reference moves to the dentry). */
void au_di_set(struct dentry *dentry, struct au_dinfo *di)
{
	struct au_dinfo *old;

	spin_lock(&dentry->d_lock);
	old = dentry->d_fsdata;
	dentry->d_fsdata = di;
	spin_unlock(&dentry->d_lock);
	au_di_put(old);
}

struct dentry *au_di_h(struct au_dinfo *di, int bindex)
{
	struct dentry *h;

	if (bindex < 0 || bindex >= di->brs->nbr)
		return NULL;
	spin_lock(&di->lock);
	h = dget(di->h[bindex]);
	spin_unlock(&di->lock);
	return h;
}

/* Takes over the reference of h_dentry (may be NULL to clear). */
void au_di_set_h(struct au_dinfo *di, int bindex, struct dentry *h_dentry)
{
	struct dentry *old;
	int i;

	spin_lock(&di->lock);
	old = di->h[bindex];
	/* read without the lock by au_cpup_done() */
	WRITE_ONCE(di->h[bindex], h_dentry);
	for (i = 0; i < di->brs->nbr; i++)
		if (di->h[i])
			break;
	/* one store: lockless readers (rcu-walk) never see a passing -1 */
	WRITE_ONCE(di->bstart, i < di->brs->nbr ? i : -1);
	if (h_dentry && di->bwh >= 0 && di->bwh <= bindex)
		di->bwh = -1;
	spin_unlock(&di->lock);
	dput(old);
}

void au_di_clear(struct au_dinfo *di, int bwh)
{
	struct dentry *old[AUFS_BRANCH_MAX];
	int i, n = di->brs->nbr;

	spin_lock(&di->lock);
	for (i = 0; i < n; i++) {
		old[i] = di->h[i];
		WRITE_ONCE(di->h[i], NULL);
	}
	WRITE_ONCE(di->bstart, -1);
	di->bopq = -1;
	di->bwh = bwh;
	spin_unlock(&di->lock);
	for (i = 0; i < n; i++)
		dput(old[i]);
}

struct au_dinfo *au_di_root(struct super_block *sb, struct au_brs *brs)
{
	struct au_dinfo *di = au_di_alloc(brs);
	int i;

	if (!di)
		return NULL;
	for (i = 0; i < brs->nbr; i++) {
		di->h[i] = dget(brs->br[i]->path.dentry);
		/* an opaque branch root stops the merge like any opaque dir */
		if (i < di->bbot && au_br_whable(brs->br[i]->perm) &&
		    au_diropq_test(di->h[i]) > 0) {
			di->bopq = i;
			di->bbot = i;
			break;
		}
	}
	di->bstart = 0;
	return di;
}

/*
 * Rebuild the branch stack of dentry for the current branch set.
 * Returns 0 when it still names the same object, -ESTALE when it must be
 * looked up again (the caller invalidates it).
 */
int au_refresh_dentry(struct dentry *dentry)
{
	struct super_block *sb = dentry->d_sb;
	struct au_brs *brs = au_brs_get(sb);
	struct au_dinfo *di, *pdi = NULL, *old;
	struct inode *inode = d_inode(dentry);
	struct dentry *parent = NULL;
	int err = -ENOMEM;

	if (IS_ROOT(dentry)) {
		di = au_di_root(sb, brs);
		if (!di)
			goto out;
		goto out_set;
	}
	parent = dget_parent(dentry);
	pdi = au_di_fresh(parent);
	if (IS_ERR(pdi)) {
		err = PTR_ERR(pdi);
		pdi = NULL;
		goto out;
	}
	di = au_di_alloc(pdi->brs);
	if (!di)
		goto out;
	err = au_lookup_name(pdi, &dentry->d_name, di, 0);
	if (err)
		goto out_free;
	err = -ESTALE;
	if (!inode != (di->bstart < 0))
		goto out_free;
	if (inode) {
		struct dentry *top = di->h[di->bstart];
		struct au_inode *ai = AU_I(inode);
		bool same;

		if ((inode->i_mode ^ d_inode(top)->i_mode) & S_IFMT)
			goto out_free;
		spin_lock(&ai->lock);
		same = ai->h_dentry && d_inode(ai->h_dentry) == d_inode(top);
		if (!same && !d_is_dir(top) && ai->h_br) {
			int b = au_br_index(di->brs, ai->h_br);

			/* a copied-up (or pseudo-linked) upper object still wins */
			same = b >= 0 && b <= di->bstart;
		}
		spin_unlock(&ai->lock);
		if (!same && !d_is_dir(top))
			goto out_free;
		if (d_is_dir(top))
			au_iinfo_set_top(inode, di->brs->br[di->bstart], dget(top));
		ai->gen = di->gen;
	}
out_set:
	err = 0;
	spin_lock(&dentry->d_lock);
	old = dentry->d_fsdata;
	dentry->d_fsdata = di;
	spin_unlock(&dentry->d_lock);
	au_di_put(old);
	if (IS_ROOT(dentry) && inode) {
		au_iinfo_set_top(inode, brs->br[0], dget(brs->br[0]->path.dentry));
		AU_I(inode)->gen = brs->gen;
	}
	goto out;

out_free:
	au_di_put(di);
out:
	au_di_put(pdi);
	dput(parent);
	au_brs_put(brs);
	return err;
}

static bool au_di_is_fresh(struct dentry *dentry)
{
	struct au_dinfo *di;
	bool ret;

	rcu_read_lock();
	di = READ_ONCE(dentry->d_fsdata);
	ret = di && di->gen == READ_ONCE(AU_SB(dentry->d_sb)->gen);
	rcu_read_unlock();
	return ret;
}

/*
 * The dentry's branch stack, rebuilt first if a remount changed the branches.
 * Stale ancestors are rebuilt from the topmost one down, in a loop: a deep
 * current directory after a remount costs no kernel stack per level (the
 * parent of the one rebuilt is always fresh, au_refresh_dentry() recurses
 * once at most).
 */
struct au_dinfo *au_di_fresh(struct dentry *dentry)
{
	struct au_dinfo *di = au_di_get(dentry);
	struct dentry *top, *parent;
	int err = 0;

	if (!di)
		return ERR_PTR(-ESTALE);
	if (di->gen == READ_ONCE(AU_SB(dentry->d_sb)->gen))
		return di;
	au_di_put(di);
	/* each round makes one more ancestor fresh (or fails) */
	while (!err && !au_di_is_fresh(dentry)) {
		top = dget(dentry);
		while (!IS_ROOT(top)) {
			parent = dget_parent(top);
			if (au_di_is_fresh(parent)) {
				dput(parent);
				break;
			}
			dput(top);
			top = parent;
			cond_resched();
		}
		err = au_refresh_dentry(top);
		dput(top);
	}
	if (err)
		return ERR_PTR(err);
	di = au_di_get(dentry);
	return di ? di : ERR_PTR(-ESTALE);
}

/* udba=notify: look the name up again and compare every branch. */
static int au_d_strict(struct dentry *dentry, struct au_dinfo *di)
{
	struct dentry *parent = dget_parent(dentry);
	struct au_dinfo *pdi = au_di_get(parent), *ndi = NULL;
	int i, ret = 0;

	if (!pdi || pdi->brs != di->brs || pdi->gen != di->gen)
		goto out;
	ndi = au_di_alloc(di->brs);
	if (!ndi || au_lookup_name(pdi, &dentry->d_name, ndi, 0))
		goto out;
	spin_lock(&di->lock);
	for (i = 0; i <= min(di->bbot, ndi->bbot); i++) {
		struct inode *a = di->h[i] ? d_inode(di->h[i]) : NULL;
		struct inode *b = ndi->h[i] ? d_inode(ndi->h[i]) : NULL;

		if (a != b)
			break;
	}
	ret = i > min(di->bbot, ndi->bbot) && di->bbot == ndi->bbot &&
	      di->bstart == ndi->bstart;
	spin_unlock(&di->lock);
out:
	au_di_put(ndi);
	au_di_put(pdi);
	dput(parent);
	return ret;
}

static int au_d_revalidate(AU_D_REVALIDATE_ARGS)
{
	struct au_sbinfo *sbi = AU_SB(dentry->d_sb);
	int udba = READ_ONCE(sbi->udba);
	struct au_dinfo *di;
	struct dentry *h;
	int ret, b;

	if (flags & LOOKUP_RCU) {
		di = READ_ONCE(dentry->d_fsdata);
		if (!di || di->gen != READ_ONCE(sbi->gen))
			return -ECHILD;
		if (udba == AU_UDBA_NONE)
			return 1;
		/* read once: au_di_set_h() and au_di_clear() change it meanwhile */
		b = READ_ONCE(di->bstart);
		if (udba == AU_UDBA_NOTIFY || b < 0)
			return -ECHILD;
		h = READ_ONCE(di->h[b]);
		if (!h || d_unhashed(h) || d_is_negative(h))
			return -ECHILD;
		return 1;
	}

	di = au_di_fresh(dentry);
	if (IS_ERR(di))
		return 0;
	ret = 1;
	if (udba == AU_UDBA_NONE)
		goto out;
	if (di->bstart < 0) {
		/* a name created directly on a branch shows at the next lookup */
		ret = 0;
		goto out;
	}
	if (udba == AU_UDBA_NOTIFY) {
		ret = au_d_strict(dentry, di);
		goto out;
	}
	h = au_di_h(di, di->bstart);
	if (!h || d_unhashed(h) || d_is_negative(h))
		ret = 0;
	dput(h);
out:
	au_di_put(di);
	return ret;
}

/*
 * Move the branch dentries of dentry's stack to the snapshot brs (the same
 * branch objects at their new indices; the entries of branches brs lacks are
 * dropped), so that the dentry no longer holds its older snapshot and with it
 * removed branches.  The new stack keeps its generation: it is stale and is
 * looked up again at its next use.  Returns -EAGAIN when the stack changed
 * meanwhile.
 */
int au_di_rebase(struct dentry *dentry, struct au_brs *brs)
{
	struct au_dinfo *di = au_di_get(dentry), *ndi, *put;
	int i, b, last = -1, err;

	if (!di || di->brs == brs) {
		au_di_put(di);
		return 0;
	}
	ndi = au_di_alloc(brs);
	if (!ndi) {
		au_di_put(di);
		return -ENOMEM;
	}
	ndi->gen = di->gen;
	spin_lock(&di->lock);
	for (i = 0; i < di->brs->nbr; i++) {
		b = au_br_index(brs, di->brs->br[i]);
		if (b < 0)
			continue;
		ndi->h[b] = dget(di->h[i]);
		if (i == di->bwh)
			ndi->bwh = b;
		if (i == di->bopq)
			ndi->bopq = b;
		if (i <= di->bbot)
			last = max(last, b);
	}
	spin_unlock(&di->lock);
	for (b = 0; b < brs->nbr; b++)
		if (ndi->h[b]) {
			ndi->bstart = b;
			break;
		}
	if (last >= 0 && last >= ndi->bstart)
		ndi->bbot = last;

	put = ndi;
	err = -EAGAIN;
	spin_lock(&dentry->d_lock);
	if (dentry->d_fsdata == di) {
		dentry->d_fsdata = ndi;
		put = di;	/* the dentry's reference */
		err = 0;
	}
	spin_unlock(&dentry->d_lock);
	au_di_put(put);
	au_di_put(di);
	return err;
}

/* A dentry of an older generation is not kept once unused. */
static int au_d_delete(const struct dentry *dentry)
{
	struct au_dinfo *di = dentry->d_fsdata;

	return !di || di->gen != READ_ONCE(AU_SB(dentry->d_sb)->gen);
}

static void au_d_release(struct dentry *dentry)
{
	au_di_put(dentry->d_fsdata);
	dentry->d_fsdata = NULL;
}

const struct dentry_operations au_dops = {
	.d_revalidate	= au_d_revalidate,
	.d_delete	= au_d_delete,
	.d_release	= au_d_release,
};
