// SPDX-License-Identifier: GPL-2.0
/* aufs inodes: the top branch object, iget by xino number, attribute copy. */
#include "aufs.h"

void au_cpattr(struct inode *inode, struct inode *h_inode)
{
	inode->i_mode = (inode->i_mode & S_IFMT) | (h_inode->i_mode & ~S_IFMT);
	inode->i_uid = h_inode->i_uid;
	inode->i_gid = h_inode->i_gid;
	au_inode_copy_times(inode, h_inode);
	inode->i_blocks = h_inode->i_blocks;
	inode->i_flags = (inode->i_flags & ~(S_APPEND | S_IMMUTABLE)) |
			 (h_inode->i_flags & (S_APPEND | S_IMMUTABLE));
	i_size_write(inode, i_size_read(h_inode));
	if (!S_ISDIR(inode->i_mode))
		set_nlink(inode, max(h_inode->i_nlink, READ_ONCE(AU_I(inode)->pl_nlink)));
	else
		set_nlink(inode, max_t(unsigned int, h_inode->i_nlink, 2));
}

/* Takes over the reference of h_dentry. */
void au_iinfo_set_top(struct inode *inode, struct au_branch *br,
		      struct dentry *h_dentry)
{
	struct au_inode *ai = AU_I(inode);
	struct au_branch *obr;
	struct dentry *oh;

	au_br_get(br);
	spin_lock(&ai->lock);
	obr = ai->h_br;
	oh = ai->h_dentry;
	ai->h_br = br;
	ai->h_dentry = h_dentry;
	spin_unlock(&ai->lock);
	dput(oh);
	au_br_put(obr);
}

/* The top object of inode, as a path with references. */
int au_h_top(struct inode *inode, struct path *path)
{
	struct au_inode *ai = AU_I(inode);

	spin_lock(&ai->lock);
	if (!ai->h_dentry) {
		spin_unlock(&ai->lock);
		return -ESTALE;
	}
	path->mnt = ai->h_br->path.mnt;
	path->dentry = ai->h_dentry;
	path_get(path);
	spin_unlock(&ai->lock);
	return 0;
}

void au_iinfo_fin(struct inode *inode)
{
	struct au_inode *ai = AU_I(inode);

	if (ai->h_dentry)
		au_xino_evict(inode->i_sb, ai->h_br, ai->h_dentry, inode->i_ino);
	dput(ai->h_dentry);
	au_br_put(ai->h_br);
	ai->h_dentry = NULL;
	ai->h_br = NULL;
}

static void au_set_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &au_dir_iops;
		inode->i_fop = &au_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &au_file_iops;
		inode->i_fop = &au_file_fops;
		break;
	case S_IFLNK:
		inode->i_op = &au_symlink_iops;
		break;
	default:
		inode->i_op = &au_special_iops;
		init_special_inode(inode, inode->i_mode, inode->i_rdev);
		break;
	}
}

struct au_iget_args {
	ino_t ino;
	struct inode *h_inode;
	bool by_ino;
};

static int au_iget_test(struct inode *inode, void *data)
{
	struct au_iget_args *a = data;
	struct au_inode *ai = AU_I(inode);
	bool ret;

	if (a->by_ino)
		return inode->i_ino == a->ino;
	spin_lock(&ai->lock);
	ret = ai->h_dentry && d_inode(ai->h_dentry) == a->h_inode;
	spin_unlock(&ai->lock);
	return ret;
}

static int au_iget_set(struct inode *inode, void *data)
{
	struct au_iget_args *a = data;

	inode->i_ino = a->ino;
	return 0;
}

static void au_inode_init(struct inode *inode, struct au_branch *br,
			  struct dentry *h_dentry, unsigned int gen)
{
	struct inode *h_inode = d_inode(h_dentry);

	inode->i_mode = h_inode->i_mode;
	inode->i_rdev = h_inode->i_rdev;
	au_iinfo_set_top(inode, br, dget(h_dentry));
	AU_I(inode)->gen = gen;
	au_cpattr(inode, h_inode);
	au_set_ops(inode);
}

static bool au_by_ino(struct au_sbinfo *sbi)
{
	return (sbi->flags & (AU_OPT_XINO | AU_OPT_PLINK)) ==
	       (AU_OPT_XINO | AU_OPT_PLINK);
}

static ino_t au_fresh_ino(struct super_block *sb, struct au_branch *br,
			  ino_t h_ino)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	ino_t ino;

	if (!(sbi->flags & AU_OPT_XINO))
		return get_next_ino();
	ino = atomic64_inc_return(&sbi->next_ino);
	au_xino_set(br, h_ino, ino);
	return ino;
}

/* Is the cached inode (found by number) really the object at di->bstart? */
static bool au_iget_same(struct inode *inode, struct au_dinfo *di,
			 struct inode *h_inode)
{
	struct au_inode *ai = AU_I(inode);
	bool same;
	int b;

	spin_lock(&ai->lock);
	same = ai->h_dentry && d_inode(ai->h_dentry) == h_inode;
	if (!same && ai->h_br && !S_ISDIR(inode->i_mode)) {
		/* pseudo-link: the copied-up object above stands for all names */
		b = au_br_index(di->brs, ai->h_br);
		same = b >= 0 && b < di->bstart;
	}
	spin_unlock(&ai->lock);
	return same && !((inode->i_mode ^ h_inode->i_mode) & S_IFMT);
}

/* The aufs inode of the object di found (di->bstart >= 0). */
struct inode *au_iget(struct super_block *sb, struct au_dinfo *di)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_branch *br = di->brs->br[di->bstart];
	struct dentry *top = di->h[di->bstart];
	struct au_iget_args a = {
		.h_inode = d_inode(top),
		.by_ino	= au_by_ino(sbi),
	};
	struct inode *inode;
	bool retried = false;

	a.ino = au_xino(sb, br, a.h_inode->i_ino, true);
again:
	inode = iget5_locked(sb, a.by_ino ? a.ino : (unsigned long)a.h_inode,
			     au_iget_test, au_iget_set, &a);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (au_inode_state(inode) & I_NEW) {
		struct au_branch *pbr = NULL;
		struct dentry *ph = NULL;
		int b;

		if (!d_is_dir(top))
			ph = au_plink_find(sb, a.ino, &pbr);
		b = ph ? au_br_index(di->brs, pbr) : -1;
		if (ph && b >= 0 && b <= di->bstart && d_is_positive(ph) &&
		    !d_unhashed(ph)) {
			AU_I(inode)->pl_nlink = d_inode(top)->i_nlink;
			au_inode_init(inode, pbr, ph, di->brs->gen);
		} else {
			au_inode_init(inode, br, top, di->brs->gen);
		}
		dput(ph);
		au_br_put(pbr);
		unlock_new_inode(inode);
		return inode;
	}
	if (!au_iget_same(inode, di, a.h_inode)) {
		/* the number belonged to a removed object: give this one a new one */
		iput(inode);
		if (retried || !a.by_ino)
			return ERR_PTR(-ESTALE);
		retried = true;
		a.ino = au_fresh_ino(sb, br, a.h_inode->i_ino);
		goto again;
	}
	if (S_ISDIR(inode->i_mode)) {
		au_iinfo_set_top(inode, br, dget(top));
		AU_I(inode)->gen = di->brs->gen;
	}
	return inode;
}

/* A new aufs inode for an object just created (or linked) on br. */
struct inode *au_new_inode(struct super_block *sb, struct au_branch *br,
			   struct dentry *h_dentry)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_iget_args a = {
		.h_inode = d_inode(h_dentry),
		.by_ino	= au_by_ino(sbi),
	};
	struct inode *inode;

	a.ino = au_fresh_ino(sb, br, a.h_inode->i_ino);
	inode = iget5_locked(sb, a.by_ino ? a.ino : (unsigned long)a.h_inode,
			     au_iget_test, au_iget_set, &a);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (au_inode_state(inode) & I_NEW) {
		au_inode_init(inode, br, h_dentry, READ_ONCE(sbi->gen));
		unlock_new_inode(inode);
	}
	return inode;
}
