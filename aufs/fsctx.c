// SPDX-License-Identifier: GPL-2.0
/* New mount API: fs_context, option intake, get_tree, reconfigure (remount). */
#include "aufs.h"
#include <linux/fs_parser.h>

const struct fs_parameter_spec au_fs_parameters[] = {
	{}
};

/* Settings being changed, committed to the sbinfo only when all options passed. */
struct au_settings {
	unsigned long flags;
	int udba, create, cpup, coo;
	unsigned int dirwh;
	unsigned long mfs_sec;
	u64 mfsrr_low;
	bool clean_plink;
	const char *xino_path;
};

static int au_find_br(struct au_brs *work, const char *name, struct path *path)
{
	int err, i;

	err = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);
	if (err) {
		pr_err("branch %s: cannot resolve (%d)\n", name, err);
		return err;
	}
	for (i = 0; i < work->nbr; i++)
		if (path_equal(&work->br[i]->path, path))
			return i;
	pr_err("%s is not a branch\n", name);
	path_put(path);
	return -EINVAL;
}

static int au_apply_br(struct super_block *sb, struct au_opt *o,
		       struct au_brs *cur, struct au_brs *work, int *perms,
		       bool warn)
{
	struct au_branch *br = NULL;
	struct path path;
	int i, err, perm;

	switch (o->type) {
	case AU_OP_BRS:
		for (i = 0; i < work->nbr; i++)
			au_br_put(work->br[i]);
		work->nbr = 0;
		return 0;
	case AU_OP_DEL:
		i = au_find_br(work, o->path, &path);
		if (i < 0)
			return i;
		path_put(&path);
		au_br_put(work->br[i]);
		memmove(work->br + i, work->br + i + 1, (work->nbr - i - 1) * sizeof(*work->br));
		memmove(perms + i, perms + i + 1, (work->nbr - i - 1) * sizeof(*perms));
		work->nbr--;
		return 0;
	case AU_OP_MOD:
		i = au_find_br(work, o->path, &path);
		if (i < 0)
			return i;
		err = 0;
		if (au_br_writable(o->perm) &&
		    (__mnt_is_readonly(path.mnt) || sb_rdonly(path.dentry->d_sb))) {
			pr_err("mod:%s=rw: the branch filesystem is read-only\n", o->path);
			err = -EROFS;
		}
		path_put(&path);
		if (!err)
			perms[i] = o->perm;
		return err;
	default:	/* AU_OP_ADD */
		break;
	}
	if (work->nbr >= AUFS_BRANCH_MAX) {
		pr_err("branch %s: too many branches (max %d)\n", o->path, AUFS_BRANCH_MAX);
		return -EINVAL;
	}
	if (o->idx > work->nbr) {
		pr_err("add:%d:%s: index out of range (0..%d)\n", o->idx, o->path, work->nbr);
		return -EINVAL;
	}
	err = kern_path(o->path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &path);
	if (err) {
		pr_err("branch %s: cannot resolve (%d)\n", o->path, err);
		return err;
	}
	perm = au_br_check_new(sb, work, &path, o->perm, o->path, warn);
	err = perm;
	if (perm < 0)
		goto out_path;
	/* a branch that stays (br: at remount) keeps its object and open files */
	for (i = 0; cur && i < cur->nbr; i++)
		if (path_equal(&cur->br[i]->path, &path)) {
			br = cur->br[i];
			au_br_get(br);
			break;
		}
	err = -ENOMEM;
	if (!br)
		br = au_br_new(sb, &path, perm, o->path);
	if (!br)
		goto out_path;
	i = o->idx < 0 ? work->nbr : o->idx;
	memmove(work->br + i + 1, work->br + i, (work->nbr - i) * sizeof(*work->br));
	memmove(perms + i + 1, perms + i, (work->nbr - i) * sizeof(*perms));
	work->br[i] = br;
	perms[i] = perm;
	work->nbr++;
	err = 0;
out_path:
	path_put(&path);
	return err;
}

static int au_apply_flag(struct au_opt *o, struct au_settings *s)
{
	switch (o->type) {
	case AU_OP_FLAG_SET:
		s->flags |= o->val;
		break;
	case AU_OP_FLAG_CLR:
		s->flags &= ~o->val;
		if (o->val == AU_OPT_PLINK)
			s->clean_plink = true;
		break;
	case AU_OP_XINO_PATH:
		s->flags |= AU_OPT_XINO;
		s->xino_path = o->path;
		break;
	case AU_OP_TRUNC_XIB:
		/* in memory and never recycled: there is no bitmap file to truncate */
		break;
	case AU_OP_CLEAN_PLINK:
		s->clean_plink = true;
		break;
	case AU_OP_UDBA:
		s->udba = o->val;
		break;
	case AU_OP_CREATE:
		s->create = o->val;
		s->mfs_sec = o->val2;
		s->mfsrr_low = o->low;
		break;
	case AU_OP_CPUP:
		s->cpup = o->val;
		break;
	case AU_OP_COO:
		s->coo = o->val;
		break;
	case AU_OP_DIRWH:
		s->dirwh = o->val;
		break;
	default:
		break;
	}
	return 0;
}

static bool au_opt_is_br(struct au_opt *o)
{
	return o->type <= AU_OP_MOD;
}

/*
 * At mount the flags go first, then the branches; at remount everything is
 * interpreted left to right (aufs(5)).  Nothing changes unless all succeed.
 */
int au_opts_apply(struct super_block *sb, struct au_opts *opts, bool remount)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_settings s = {
		.flags = sbi->flags, .udba = sbi->udba, .create = sbi->create,
		.cpup = sbi->cpup, .coo = sbi->coo, .dirwh = sbi->dirwh,
		.mfs_sec = sbi->mfs_sec, .mfsrr_low = sbi->mfsrr_low,
	};
	struct au_brs *cur = NULL, *work, *brs;
	bool brchange = false;
	int *perms, err = -ENOMEM, i, pass;

	work = au_brs_alloc(AUFS_BRANCH_MAX);
	perms = kcalloc(AUFS_BRANCH_MAX, sizeof(*perms), GFP_KERNEL);
	if (!work || !perms)
		goto out;
	work->nbr = 0;
	if (remount) {
		cur = au_brs_get(sb);
		for (i = 0; i < cur->nbr; i++) {
			au_br_get(cur->br[i]);
			work->br[i] = cur->br[i];
			perms[i] = READ_ONCE(cur->br[i]->perm);
		}
		work->nbr = cur->nbr;
	}
	for (pass = remount ? 1 : 0; pass < 2; pass++) {
		for (i = 0; i < opts->n; i++) {
			struct au_opt *o = opts->opt + i;

			err = 0;
			if (au_opt_is_br(o) && (remount || pass == 1)) {
				err = au_apply_br(sb, o, cur, work, perms,
						  s.flags & AU_OPT_WARN_PERM);
				brchange = true;
			} else if (!au_opt_is_br(o) && (remount || pass == 0)) {
				err = au_apply_flag(o, &s);
			}
			if (err)
				goto out;
		}
	}
	err = -EINVAL;
	if (!work->nbr) {
		pr_err("no branch specified (br:DIR[=PERM]:...)\n");
		goto out;
	}
	/* a branch leaving must not be in use */
	for (i = 0; cur && i < cur->nbr; i++)
		if (au_br_index(work, cur->br[i]) < 0 && au_br_busy(sb, cur->br[i])) {
			pr_err("del:%s: branch is busy\n", cur->br[i]->name);
			err = -EBUSY;
			goto out;
		}

	/* the last allocation before the commit: nothing after it can fail */
	brs = NULL;
	if (brchange || !remount) {
		err = -ENOMEM;
		brs = au_brs_alloc(work->nbr);
		if (!brs)
			goto out;
	}

	/* commit */
	sbi->flags = s.flags;
	sbi->udba = s.udba;
	sbi->create = s.create;
	sbi->cpup = s.cpup;
	sbi->coo = s.coo;
	sbi->dirwh = s.dirwh;
	sbi->mfs_sec = s.mfs_sec;
	sbi->mfsrr_low = s.mfsrr_low;
	if (s.clean_plink)
		au_plink_clean(sb, NULL);
	if (!(s.flags & AU_OPT_XINO)) {
		kfree(sbi->xino_path);
		sbi->xino_path = NULL;
	} else if (s.xino_path) {
		char *p = kstrdup(s.xino_path, GFP_KERNEL);

		if (p) {
			kfree(sbi->xino_path);
			sbi->xino_path = p;
			pr_info("xino=%s: the table is kept in memory, no file is written\n", p);
		}
	}
	err = 0;
	if (brs) {
		for (i = 0; i < work->nbr; i++)
			WRITE_ONCE(work->br[i]->perm, perms[i]);
		for (i = 0; cur && i < cur->nbr; i++)
			if (au_br_index(work, cur->br[i]) < 0)
				au_plink_clean(sb, cur->br[i]);
		memcpy(brs->br, work->br, work->nbr * sizeof(*brs->br));
		work->nbr = 0;
		au_brs_publish(sb, brs);
		for (i = 0; i < brs->nbr; i++)
			au_wh_base_init(sb, brs->br[i]);
		if (remount) {
			/*
			 * Done: the new branches are in place.  A root that
			 * cannot be refreshed now (ENOMEM) stays stale and is
			 * refreshed by its next use (au_di_fresh), so the
			 * remount reports success, as it did its work.
			 */
			au_refresh_dentry(sb->s_root);
			au_brs_rebase_sb(sb, brs);
		}
		for (i = 0; i < brs->nbr; i++)
			if (au_br_writable(brs->br[i]->perm))
				break;
		if (i == brs->nbr && !sb_rdonly(sb) && !(remount ? 0 : 0))
			pr_warn("no writable branch: the first branch should be writable\n");
	}
out:
	au_brs_put(work);
	au_brs_put(cur);
	kfree(perms);
	return err;
}

static int au_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct au_opts *opts = fc->fs_private;
	char *s;
	int err;

	if (!strcmp(param->key, "source"))
		return -ENOPARAM;
	if (param->type == fs_value_is_string && param->string)
		s = kasprintf(GFP_KERNEL, "%s=%s", param->key, param->string);
	else if (param->type == fs_value_is_flag)
		s = kstrdup(param->key, GFP_KERNEL);
	else
		return invalf(fc, "aufs: %s: unsupported value type", param->key);
	if (!s)
		return -ENOMEM;
	err = au_opts_parse(opts, s, fc->purpose == FS_CONTEXT_FOR_RECONFIGURE);
	kfree(s);
	return err;
}

static int au_parse_monolithic(struct fs_context *fc, void *data)
{
	struct au_opts *opts = fc->fs_private;
	char *s;
	int err;

	if (!data)
		return 0;
	s = kstrdup(data, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	err = au_opts_parse(opts, s, fc->purpose == FS_CONTEXT_FOR_RECONFIGURE);
	kfree(s);
	return err;
}

static int au_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, au_fill_super);
}

static int au_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;

	return au_opts_apply(sb, fc->fs_private, true);
}

static void au_fc_free(struct fs_context *fc)
{
	struct au_opts *opts = fc->fs_private;

	if (opts) {
		au_opts_free(opts);
		kfree(opts);
	}
	if (fc->s_fs_info)
		au_free_sbinfo(fc->s_fs_info);
}

static const struct fs_context_operations au_context_ops = {
	.parse_param		= au_parse_param,
	.parse_monolithic	= au_parse_monolithic,
	.get_tree		= au_get_tree,
	.reconfigure		= au_reconfigure,
	.free			= au_fc_free,
};

int au_init_fs_context(struct fs_context *fc)
{
	struct au_sbinfo *sbi;
	struct au_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	fc->fs_private = opts;
	fc->ops = &au_context_ops;
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
		return 0;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	spin_lock_init(&sbi->brs_lock);
	spin_lock_init(&sbi->wbr_lock);
	spin_lock_init(&sbi->plink_lock);
	INIT_LIST_HEAD(&sbi->plinks);
	sbi->flags = AU_OPT_XINO | AU_OPT_PLINK | AU_OPT_WARN_PERM | AU_OPT_TRUNC_XIB;
	sbi->udba = AU_UDBA_REVAL;
	sbi->create = AU_WBR_CREATE_TDP;
	sbi->cpup = AU_WBR_COPYUP_TDP;
	sbi->coo = AU_COO_NONE;
	sbi->dirwh = 3;
	sbi->mfs_sec = AUFS_MFS_DEF_SEC;
	sbi->mfs_bindex = -1;
	atomic64_set(&sbi->next_ino, AUFS_FIRST_INO);
	sbi->cred = prepare_creds();
	if (!sbi->cred) {
		kfree(sbi);
		return -ENOMEM;
	}
	fc->s_fs_info = sbi;
	return 0;
}
