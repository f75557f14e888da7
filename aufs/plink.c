// SPDX-License-Identifier: GPL-2.0
/* Pseudo-links: a copied-up hard-linked file stays one inode for all its names. */
#include "aufs.h"

struct au_plink {
	struct list_head list;
	ino_t ino;
	struct au_branch *br;
	struct dentry *h_dentry;	/* pinned: survives drop_caches */
};

/* Remember the upper object of the aufs inode ino, once. */
void au_plink_add(struct super_block *sb, ino_t ino, struct au_branch *br,
		  struct dentry *h_dentry)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_plink *p, *new;

	if (!(sbi->flags & AU_OPT_PLINK) || !(sbi->flags & AU_OPT_XINO))
		return;
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return;
	spin_lock(&sbi->plink_lock);
	list_for_each_entry(p, &sbi->plinks, list)
		if (p->ino == ino) {
			spin_unlock(&sbi->plink_lock);
			kfree(new);
			return;
		}
	new->ino = ino;
	au_br_get(br);
	new->br = br;
	new->h_dentry = dget(h_dentry);
	list_add(&new->list, &sbi->plinks);
	spin_unlock(&sbi->plink_lock);
}

struct dentry *au_plink_find(struct super_block *sb, ino_t ino,
			     struct au_branch **brp)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct dentry *h = NULL;
	struct au_plink *p;

	if (!(sbi->flags & AU_OPT_PLINK))
		return NULL;
	spin_lock(&sbi->plink_lock);
	list_for_each_entry(p, &sbi->plinks, list)
		if (p->ino == ino) {
			h = dget(p->h_dentry);
			au_br_get(p->br);
			*brp = p->br;
			break;
		}
	spin_unlock(&sbi->plink_lock);
	return h;
}

/* Forget the pseudo-links on br, or all of them when br is NULL. */
void au_plink_clean(struct super_block *sb, struct au_branch *br)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_plink *p, *tmp;
	LIST_HEAD(dead);

	spin_lock(&sbi->plink_lock);
	list_for_each_entry_safe(p, tmp, &sbi->plinks, list)
		if (!br || p->br == br)
			list_move(&p->list, &dead);
	spin_unlock(&sbi->plink_lock);
	list_for_each_entry_safe(p, tmp, &dead, list) {
		dput(p->h_dentry);
		au_br_put(p->br);
		kfree(p);
	}
}
