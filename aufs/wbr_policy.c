// SPDX-License-Identifier: GPL-2.0
/* Policies choosing a writable branch: create=tdp|rr|mfs|mfsrr|pmfs, cpup=tdp|bup|bu. */
#include "aufs.h"
#include <linux/jiffies.h>
#include <linux/statfs.h>
#include "vfsub.h"

static bool au_wbr_ok(struct au_dinfo *pdi, int b)
{
	return au_br_writable(READ_ONCE(pdi->brs->br[b]->perm));
}

static bool au_parent_has(struct au_dinfo *pdi, int b)
{
	bool ret;

	spin_lock(&pdi->lock);
	ret = pdi->h[b] != NULL;
	spin_unlock(&pdi->lock);
	return ret;
}

static u64 au_br_free(struct au_branch *br)
{
	struct kstatfs st;

	if (au_do_statfs(&br->path, &st))
		return 0;
	return (u64)st.f_bavail * st.f_bsize;
}

/* Most free space among writable branches 0..bmax, cached for mfs_sec seconds. */
static int au_wbr_mfs(struct au_sbinfo *sbi, struct au_dinfo *pdi, int bmax,
		      bool need_parent, u64 *freep)
{
	u64 best = 0, f;
	int b, found = -1;

	spin_lock(&sbi->wbr_lock);
	b = sbi->mfs_bindex;
	if (!need_parent && b >= 0 && b <= bmax && b < pdi->brs->nbr &&
	    au_wbr_ok(pdi, b) &&
	    time_before(jiffies, sbi->mfs_jiffies + sbi->mfs_sec * HZ)) {
		spin_unlock(&sbi->wbr_lock);
		if (freep)
			*freep = au_br_free(pdi->brs->br[b]);
		return b;
	}
	spin_unlock(&sbi->wbr_lock);
	for (b = 0; b <= bmax; b++) {
		if (!au_wbr_ok(pdi, b) || (need_parent && !au_parent_has(pdi, b)))
			continue;
		f = au_br_free(pdi->brs->br[b]);
		if (found < 0 || f > best) {
			best = f;
			found = b;
		}
	}
	if (found >= 0 && !need_parent) {
		spin_lock(&sbi->wbr_lock);
		sbi->mfs_bindex = found;
		sbi->mfs_jiffies = jiffies;
		spin_unlock(&sbi->wbr_lock);
	}
	if (freep)
		*freep = best;
	return found;
}

static int au_wbr_rr(struct au_sbinfo *sbi, struct au_dinfo *pdi, int bmax,
		     bool isdir)
{
	int i, b;

	spin_lock(&sbi->wbr_lock);
	for (i = 0; i <= bmax; i++) {
		b = (sbi->rr_next + i) % (bmax + 1);
		if (au_wbr_ok(pdi, b)) {
			/* mkdir does not advance: aufs(5) keeps new dirs together */
			if (!isdir)
				sbi->rr_next = b + 1;
			spin_unlock(&sbi->wbr_lock);
			return b;
		}
	}
	spin_unlock(&sbi->wbr_lock);
	return -1;
}

/* Nearest writable branch above b (smaller index), or -1. */
static int au_wbr_above(struct au_dinfo *pdi, int b)
{
	for (b--; b >= 0; b--)
		if (au_wbr_ok(pdi, b))
			return b;
	return -1;
}

static int au_wbr_tdp(struct au_dinfo *pdi)
{
	int b;

	for (b = max(pdi->bstart, 0); b <= pdi->bbot; b++)
		if (au_wbr_ok(pdi, b) && au_parent_has(pdi, b))
			return b;
	return au_wbr_above(pdi, max(pdi->bstart, 0));
}

/* Branch to create dentry on (its parent's dinfo pdi, its own di). */
struct au_branch *au_wbr_create(struct dentry *dentry, struct au_dinfo *pdi,
				struct au_dinfo *di, bool isdir)
{
	struct au_sbinfo *sbi = AU_SB(dentry->d_sb);
	int bmax = pdi->bbot, b;
	u64 f;

	switch (READ_ONCE(sbi->create)) {
	case AU_WBR_CREATE_RR:
		b = au_wbr_rr(sbi, pdi, bmax, isdir);
		break;
	case AU_WBR_CREATE_MFS:
		b = au_wbr_mfs(sbi, pdi, bmax, false, NULL);
		break;
	case AU_WBR_CREATE_MFSRR:
		b = au_wbr_mfs(sbi, pdi, bmax, false, &f);
		if (b < 0 || f < sbi->mfsrr_low)
			b = au_wbr_rr(sbi, pdi, bmax, isdir);
		break;
	case AU_WBR_CREATE_PMFS:
		b = au_wbr_mfs(sbi, pdi, bmax, true, NULL);
		if (b < 0)
			b = au_wbr_tdp(pdi);
		break;
	default:
		b = au_wbr_tdp(pdi);
		break;
	}
	/* a whiteout of the name must stay below what we create */
	if (b >= 0 && di && di->bwh >= 0 && b > di->bwh)
		b = au_wbr_ok(pdi, di->bwh) ? di->bwh : au_wbr_above(pdi, di->bwh);
	if (b < 0)
		return ERR_PTR(-EROFS);
	return pdi->brs->br[b];
}

/* Branch to copy dentry up to, from its branch bsrc. */
struct au_branch *au_wbr_copyup(struct dentry *dentry, struct au_dinfo *pdi,
				int bsrc)
{
	struct au_sbinfo *sbi = AU_SB(dentry->d_sb);
	int b = -1, i;

	switch (READ_ONCE(sbi->cpup)) {
	case AU_WBR_COPYUP_TDP:
		for (i = 0; i < bsrc; i++)
			if (au_wbr_ok(pdi, i) && au_parent_has(pdi, i)) {
				b = i;
				break;
			}
		break;
	case AU_WBR_COPYUP_BUP:
		for (i = bsrc - 1; i >= 0; i--)
			if (au_wbr_ok(pdi, i) && au_parent_has(pdi, i)) {
				b = i;
				break;
			}
		break;
	}
	if (b < 0)
		b = au_wbr_above(pdi, bsrc);
	if (b < 0)
		return ERR_PTR(-EROFS);
	return pdi->brs->br[b];
}
