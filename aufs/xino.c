// SPDX-License-Identifier: GPL-2.0
/* xino: translation of branch inode numbers to stable aufs inode numbers. */
#include "aufs.h"

/*
 * The table lives in memory, one xarray per branch indexed by the branch inode
 * number, for the life of the mount: an inode keeps its number when the
 * dentry and inode caches are dropped.  Numbers are never recycled.
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
