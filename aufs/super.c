// SPDX-License-Identifier: GPL-2.0
/* Superblock: fill_super, statfs of the first branch, show_options, teardown. */
#include "aufs.h"
#include <linux/seq_file.h>
#include <linux/statfs.h>
#include "vfsub.h"

const struct cred *au_cred_override(struct super_block *sb)
{
	return au_override_creds(AU_SB(sb)->cred);
}

/*
 * The mounter's capabilities with the caller's fsuid/fsgid, for new objects.
 * Returns the caller's credentials to revert to, or ERR_PTR(-ENOMEM) with
 * nothing overridden: never create as the mounter.
 */
const struct cred *au_cred_create(struct super_block *sb, struct cred **newp)
{
	kuid_t fsuid = current_fsuid();
	kgid_t fsgid = current_fsgid();
	const struct cred *old = au_cred_override(sb);
	struct cred *new = prepare_creds();

	*newp = new;
	if (!new) {
		au_revert_creds(old);
		return ERR_PTR(-ENOMEM);
	}
	new->fsuid = fsuid;
	new->fsgid = fsgid;
	put_cred(au_override_creds(new));
	return old;
}

static struct inode *au_alloc_inode(struct super_block *sb)
{
	struct au_inode *ai = alloc_inode_sb(sb, au_inode_cachep, GFP_KERNEL);

	if (!ai)
		return NULL;
	spin_lock_init(&ai->lock);
	ai->h_br = NULL;
	ai->h_dentry = NULL;
	ai->gen = 0;
	ai->pl_nlink = 0;
	return &ai->vfs_inode;
}

static void au_free_inode(struct inode *inode)
{
	kmem_cache_free(au_inode_cachep, AU_I(inode));
}

static void au_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	au_iinfo_fin(inode);
}

static int au_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct au_brs *brs = au_brs_get(dentry->d_sb);
	const struct cred *old;
	int err;

	old = au_cred_override(dentry->d_sb);
	err = au_do_statfs(&brs->br[0]->path, buf);
	au_revert_creds(old);
	au_brs_put(brs);
	if (!err) {
		buf->f_type = AUFS_SUPER_MAGIC;
		/* room for the whiteout prefix */
		buf->f_namelen -= AUFS_WH_PFX_LEN;
	}
	return err;
}

void au_free_sbinfo(struct au_sbinfo *sbi)
{
	if (sbi->sb)
		au_plink_clean(sbi->sb, NULL);
	au_brs_put(sbi->brs);
	if (sbi->cred)
		put_cred(sbi->cred);
	kfree(sbi->xino_path);
	kfree(sbi);
}

const struct super_operations au_sops = {
	.alloc_inode	= au_alloc_inode,
	.free_inode	= au_free_inode,
	.evict_inode	= au_evict_inode,
	.drop_inode	= au_drop_inode_now,
	.statfs		= au_statfs,
	.show_options	= au_show_options,
};

static const char *au_perm_str(int perm)
{
	switch (perm) {
	case AU_BR_RW:			return "rw";
	case AU_BR_RW | AU_BR_NOLWH:	return "rw+nolwh";
	case AU_BR_RO:			return "ro";
	case AU_BR_RO | AU_BR_WH:	return "ro+wh";
	case AU_BR_RR:			return "rr";
	case AU_BR_RR | AU_BR_WH:	return "rr+wh";
	}
	return "ro";
}

static const char * const au_create_str[] = {
	[AU_WBR_CREATE_TDP] = "tdp", [AU_WBR_CREATE_RR] = "rr",
	[AU_WBR_CREATE_MFS] = "mfs", [AU_WBR_CREATE_MFSRR] = "mfsrr",
	[AU_WBR_CREATE_PMFS] = "pmfs",
};

/* Only what differs from the defaults, then the branches (aufs(5) order). */
int au_show_options(struct seq_file *m, struct dentry *root)
{
	struct au_sbinfo *sbi = AU_SB(root->d_sb);
	unsigned long fl = sbi->flags;
	struct au_brs *brs;
	int i;

	if (!(fl & AU_OPT_XINO))
		seq_puts(m, ",noxino");
	else if (sbi->xino_path)
		seq_show_option(m, "xino", sbi->xino_path);
	if (!(fl & AU_OPT_PLINK))
		seq_puts(m, ",noplink");
	if (!(fl & AU_OPT_WARN_PERM))
		seq_puts(m, ",nowarn_perm");
	if (fl & AU_OPT_SHWH)
		seq_puts(m, ",shwh");
	if (fl & AU_OPT_VERBOSE)
		seq_puts(m, ",verbose");
	if (fl & AU_OPT_DIROPQ_A)
		seq_puts(m, ",diropq=a");
	if (sbi->udba != AU_UDBA_REVAL)
		seq_printf(m, ",udba=%s", sbi->udba == AU_UDBA_NONE ? "none" : "notify");
	if (sbi->create != AU_WBR_CREATE_TDP) {
		seq_printf(m, ",create=%s", au_create_str[sbi->create]);
		if (sbi->create == AU_WBR_CREATE_MFSRR)
			seq_printf(m, ":%llu", sbi->mfsrr_low);
		if (sbi->create >= AU_WBR_CREATE_MFS && sbi->mfs_sec != AUFS_MFS_DEF_SEC)
			seq_printf(m, ":%lu", sbi->mfs_sec);
	}
	if (sbi->cpup != AU_WBR_COPYUP_TDP)
		seq_printf(m, ",cpup=%s", sbi->cpup == AU_WBR_COPYUP_BUP ? "bup" : "bu");
	if (sbi->coo != AU_COO_NONE)
		seq_printf(m, ",coo=%s", sbi->coo == AU_COO_LEAF ? "leaf" : "all");
	if (sbi->dirwh != 3)
		seq_printf(m, ",dirwh=%u", sbi->dirwh);
	brs = au_brs_get(root->d_sb);
	seq_puts(m, ",br:");
	for (i = 0; brs && i < brs->nbr; i++) {
		if (i)
			seq_putc(m, ':');
		seq_path(m, &brs->br[i]->path, ":,=\\ \t\n");
		seq_printf(m, "=%s", au_perm_str(READ_ONCE(brs->br[i]->perm)));
	}
	au_brs_put(brs);
	return 0;
}

int au_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_brs *brs;
	struct au_dinfo *di;
	struct inode *root;
	int err, i;

	sbi->sb = sb;
	sb->s_magic = AUFS_SUPER_MAGIC;
	sb->s_op = &au_sops;
	au_set_d_op(sb, &au_dops);
	sb->s_xattr = au_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	sb->s_flags |= SB_POSIXACL;
	sb->s_stack_depth = 0;

	err = au_opts_apply(sb, fc->fs_private, false);
	if (err)
		return err;
	brs = sbi->brs;
	for (i = 0; i < brs->nbr; i++) {
		struct super_block *h_sb = brs->br[i]->path.dentry->d_sb;

		sb->s_stack_depth = max(sb->s_stack_depth, h_sb->s_stack_depth + 1);
		sb->s_time_gran = max(sb->s_time_gran, h_sb->s_time_gran);
	}
	if (sb->s_stack_depth > FILESYSTEM_MAX_STACK_DEPTH) {
		pr_err("maximum fs stacking depth exceeded\n");
		return -EINVAL;
	}

	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = AUFS_ROOT_INO;
	root->i_mode = S_IFDIR;
	au_iinfo_set_top(root, brs->br[0], dget(brs->br[0]->path.dentry));
	AU_I(root)->gen = brs->gen;
	au_cpattr(root, d_inode(brs->br[0]->path.dentry));
	root->i_op = &au_dir_iops;
	root->i_fop = &au_dir_fops;
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	di = au_di_root(sb, brs);
	if (!di)
		return -ENOMEM;
	au_di_set(sb->s_root, di);
	return 0;
}
