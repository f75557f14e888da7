// SPDX-License-Identifier: GPL-2.0
/* xino: translation of branch inode numbers to stable aufs inode numbers. */
#include "aufs.h"

/*
 * The table lives in memory, one xarray per branch indexed by the branch inode
 * number.  An object keeps its number for as long as it exists on its branch,
 * also when the dentry and inode caches are dropped; the entry is freed when
 * the aufs inode of a removed object is evicted (au_xino_evict).  Numbers come
 * from a 64-bit counter and are not recycled.
 */
ino_t au_xino(struct super_block *sb, struct au_branch *br, ino_t h_ino,
	      bool alloc)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	void *v, *old;
	ino_t ino;

	if (!(sbi->flags & AU_OPT_XINO))
		return alloc ? get_next_ino() : 0;
	v = xa_load(&br->xino, h_ino);
	if (v)
		return xa_to_value(v);
	if (!alloc)
		return 0;
	ino = atomic64_inc_return(&sbi->next_ino);
	old = xa_cmpxchg(&br->xino, h_ino, NULL, xa_mk_value(ino), GFP_KERNEL);
	if (xa_is_err(old))
		pr_warn_once("xino: no memory, inode numbers may change\n");
	else if (old)
		ino = xa_to_value(old);
	return ino;
}

/* Record that h_ino on br is the aufs inode ino (after copy-up or create). */
void au_xino_set(struct au_branch *br, ino_t h_ino, ino_t ino)
{
	void *old = xa_store(&br->xino, h_ino, xa_mk_value(ino), GFP_KERNEL);

	if (xa_is_err(old))
		pr_warn_once("xino: no memory, inode numbers may change\n");
}

/*
 * The aufs inode ino is evicted; h_dentry is its object on br.  When that
 * object is gone (its last name removed), free its entry unless it already
 * names another object (a branch inode number reused by the branch fs).
 * Entries of objects that still exist stay: they keep their number.
 */
void au_xino_evict(struct super_block *sb, struct au_branch *br,
		   struct dentry *h_dentry, ino_t ino)
{
	struct inode *h_inode = d_inode(h_dentry);

	if (!(AU_SB(sb)->flags & AU_OPT_XINO) || !h_inode ||
	    READ_ONCE(h_inode->i_nlink))
		return;
	xa_cmpxchg(&br->xino, h_inode->i_ino, xa_mk_value(ino), NULL, 0);
}
