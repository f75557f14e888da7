// SPDX-License-Identifier: GPL-2.0
/* Merged readdir: all branches, no duplicates, whiteouts and what they hide left out. */
#include "aufs.h"
#include <linux/hash.h>
#include <linux/stringhash.h>
#include "vfsub.h"

#define AU_RD_HBITS	10

struct au_rdent {
	struct hlist_node hnode;
	u64 ino;
	unsigned int type;
	unsigned int hash;
	bool wh;		/* a whiteout seen on a branch above */
	int len;
	char name[];
};

struct au_rdcache {
	struct hlist_head hash[1 << AU_RD_HBITS];
	struct au_rdent **ents;		/* what readdir shows, in order */
	int n;
	int max;
	struct au_rdent **whs;		/* whiteouts of the current branch */
	int nwh;
	int maxwh;
};

/* The private data of an open aufs directory. */
struct au_dfile {
	struct mutex lock;
	struct au_rdcache *rd;
};

struct au_fill {
	struct dir_context ctx;
	struct au_rdcache *rd;
	struct super_block *sb;
	struct au_branch *br;
	bool whable;
	bool shwh;
	bool only_wh;		/* collect names of whiteouts only (au_remove_whs) */
	bool stop_nonempty;	/* au_test_empty: stop at the first visible name */
	bool found;
	int err;
};

static struct au_rdent *au_rd_find(struct au_rdcache *rd, const char *name,
				   int len, unsigned int hash)
{
	struct au_rdent *e;

	hlist_for_each_entry(e, &rd->hash[hash_32(hash, AU_RD_HBITS)], hnode)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static struct au_rdent *au_rd_new(const char *name, int len, unsigned int hash)
{
	struct au_rdent *e = kmalloc(struct_size(e, name, len + 1), GFP_KERNEL);

	if (!e)
		return NULL;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	e->hash = hash;
	e->wh = false;
	e->type = DT_UNKNOWN;
	e->ino = 0;
	INIT_HLIST_NODE(&e->hnode);
	return e;
}

static int au_rd_push(struct au_rdent ***arr, int *n, int *maxp,
		      struct au_rdent *e)
{
	if (*n == *maxp) {
		int max = *maxp ? *maxp * 2 : 64;
		struct au_rdent **p = au_kvrealloc(*arr, *maxp * sizeof(*p),
						   max * sizeof(*p), GFP_KERNEL);

		if (!p) {
			kfree(e);
			return -ENOMEM;
		}
		*arr = p;
		*maxp = max;
	}
	(*arr)[(*n)++] = e;
	return 0;
}

/* On failure e is freed: hash it only after this succeeded. */
static int au_rd_show(struct au_rdcache *rd, struct au_rdent *e)
{
	return au_rd_push(&rd->ents, &rd->n, &rd->max, e);
}

static bool au_fill_actor(struct dir_context *ctx, const char *name, int len,
			  loff_t pos, u64 ino, unsigned int type)
{
	struct au_fill *f = container_of(ctx, struct au_fill, ctx);
	struct au_rdcache *rd = f->rd;
	struct au_rdent *e;
	unsigned int hash;
	bool is_wh;

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	is_wh = au_test_wh_name(name, len);
	if (f->only_wh) {
		if (!is_wh)
			return true;
		e = au_rd_new(name, len, 0);
		if (!e)
			goto out_nomem;
		e->type = type;
		if (au_rd_show(rd, e))
			goto out_nomem;
		return true;
	}
	if (is_wh) {
		const char *hidden = name + AUFS_WH_PFX_LEN;
		int hlen = len - AUFS_WH_PFX_LEN;

		/* internal names (.wh..wh.*) are never shown nor hide anything */
		if (au_test_wh_name(hidden, hlen))
			return true;
		if (f->shwh && !f->stop_nonempty) {
			hash = full_name_hash(NULL, name, len);
			if (!au_rd_find(rd, name, len, hash)) {
				e = au_rd_new(name, len, hash);
				if (!e)
					goto out_nomem;
				e->type = type;
				e->ino = au_xino(f->sb, f->br, ino, true);
				if (au_rd_show(rd, e))
					goto out_nomem;
				hlist_add_head(&e->hnode, &rd->hash[hash_32(hash, AU_RD_HBITS)]);
			}
		}
		if (!f->whable)
			return true;
		/* takes effect for the branches below this one only */
		e = au_rd_new(hidden, hlen, full_name_hash(NULL, hidden, hlen));
		if (!e)
			goto out_nomem;
		e->wh = true;
		if (au_rd_push(&rd->whs, &rd->nwh, &rd->maxwh, e))
			goto out_nomem;
		return true;
	}
	hash = full_name_hash(NULL, name, len);
	if (au_rd_find(rd, name, len, hash))
		return true;		/* shown from above, or whited out above */
	if (f->stop_nonempty) {
		f->found = true;
		return false;
	}
	e = au_rd_new(name, len, hash);
	if (!e)
		goto out_nomem;
	e->type = type;
	e->ino = au_xino(f->sb, f->br, ino, true);
	if (au_rd_show(rd, e))
		goto out_nomem;
	hlist_add_head(&e->hnode, &rd->hash[hash_32(hash, AU_RD_HBITS)]);
	return true;

out_nomem:
	f->err = -ENOMEM;
	return false;
}

static void au_rd_free(struct au_rdcache *rd)
{
	int i;

	if (!rd)
		return;
	for (i = 0; i < rd->n; i++)
		kfree(rd->ents[i]);
	for (i = 0; i < rd->nwh; i++)
		kfree(rd->whs[i]);
	kvfree(rd->ents);
	kvfree(rd->whs);
	kfree(rd);
}

static struct au_rdcache *au_rd_alloc(void)
{
	struct au_rdcache *rd = kzalloc(sizeof(*rd), GFP_KERNEL);
	int i;

	if (rd)
		for (i = 0; i < ARRAY_SIZE(rd->hash); i++)
			INIT_HLIST_HEAD(&rd->hash[i]);
	return rd;
}

/* Read one branch directory through f; caller runs with the mounter's creds. */
static int au_rd_branch(struct au_fill *f, struct au_branch *br, struct dentry *h)
{
	struct path path = { .mnt = br->path.mnt, .dentry = h };
	struct au_rdcache *rd = f->rd;
	struct file *file;
	int err, i;

	file = au_do_open(&path, O_RDONLY | O_DIRECTORY | O_LARGEFILE, current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	f->br = br;
	f->whable = au_br_whable(READ_ONCE(br->perm));
	do {
		loff_t pos = file->f_pos;

		f->ctx.pos = pos;
		err = iterate_dir(file, &f->ctx);
		if (err || f->err || f->found || file->f_pos == pos)
			break;
	} while (1);
	fput(file);
	if (!err)
		err = f->err;
	/* the whiteouts of this branch hide names of the branches below */
	for (i = 0; i < rd->nwh; i++) {
		struct au_rdent *e = rd->whs[i];

		if (!err && !au_rd_find(rd, e->name, e->len, e->hash)) {
			hlist_add_head(&e->hnode, &rd->hash[hash_32(e->hash, AU_RD_HBITS)]);
			rd->whs[i] = NULL;
		}
		kfree(rd->whs[i]);
	}
	rd->nwh = 0;
	return err;
}

/* Merge the branches of dir into a new cache (or just test for a visible name). */
static struct au_rdcache *au_rd_build(struct dentry *dentry, bool test_empty,
				      bool *nonempty, int bfrom)
{
	struct au_fill f = {
		.ctx.actor	= au_fill_actor,
		.sb		= dentry->d_sb,
		.shwh		= !!(AU_SB(dentry->d_sb)->flags & AU_OPT_SHWH),
		.stop_nonempty	= test_empty,
	};
	struct au_dinfo *di;
	const struct cred *old;
	int b, err = 0;

	di = au_di_fresh(dentry);
	if (IS_ERR(di))
		return ERR_CAST(di);
	f.rd = au_rd_alloc();
	if (!f.rd) {
		au_di_put(di);
		return ERR_PTR(-ENOMEM);
	}
	old = au_cred_override(dentry->d_sb);
	for (b = max(di->bstart, bfrom); b <= di->bbot && !err && !f.found; b++) {
		struct dentry *h = au_di_h(di, b);

		if (h)
			err = au_rd_branch(&f, di->brs->br[b], h);
		dput(h);
	}
	au_revert_creds(old);
	au_di_put(di);
	/* hashed-only entries (whiteouts) are not in ents: free them with the table */
	if (!err && nonempty)
		*nonempty = f.found;
	if (err || test_empty) {
		int i;
		struct hlist_node *tmp;
		struct au_rdent *e;

		for (i = 0; i < ARRAY_SIZE(f.rd->hash); i++)
			hlist_for_each_entry_safe(e, tmp, &f.rd->hash[i], hnode)
				if (e->wh)
					kfree(e);
		au_rd_free(f.rd);
		return err ? ERR_PTR(err) : NULL;
	}
	return f.rd;
}

static void au_rd_drop(struct au_rdcache *rd)
{
	struct hlist_node *tmp;
	struct au_rdent *e;
	int i;

	if (!rd)
		return;
	for (i = 0; i < ARRAY_SIZE(rd->hash); i++)
		hlist_for_each_entry_safe(e, tmp, &rd->hash[i], hnode)
			if (e->wh)
				kfree(e);
	au_rd_free(rd);
}

/* 0 when dir holds nothing but whiteouts (from branch bfrom down), else -ENOTEMPTY. */
int au_test_empty_from(struct dentry *dentry, int bfrom)
{
	struct au_rdcache *rd;
	bool nonempty = false;

	rd = au_rd_build(dentry, true, &nonempty, bfrom);
	if (IS_ERR(rd))
		return PTR_ERR(rd);
	return nonempty ? -ENOTEMPTY : 0;
}

static int au_dir_open(struct inode *inode, struct file *file)
{
	struct au_dfile *df = kzalloc(sizeof(*df), GFP_KERNEL);

	if (!df)
		return -ENOMEM;
	mutex_init(&df->lock);
	file->private_data = df;
	if (AU_SB(inode->i_sb)->coo == AU_COO_ALL && (file->f_mode & FMODE_READ) &&
	    !sb_rdonly(inode->i_sb))
		au_cpup_for_write(file->f_path.dentry, -1);
	return 0;
}

static int au_dir_release(struct inode *inode, struct file *file)
{
	struct au_dfile *df = file->private_data;

	au_rd_drop(df->rd);
	kfree(df);
	return 0;
}

static int au_iterate_shared(struct file *file, struct dir_context *ctx)
{
	struct au_dfile *df = file->private_data;
	struct au_rdcache *rd;
	int err = 0;
	loff_t i;

	mutex_lock(&df->lock);
	/* position 0 (open, rewinddir) reads the branches again */
	if (!ctx->pos || !df->rd) {
		rd = au_rd_build(file->f_path.dentry, false, NULL, 0);
		if (IS_ERR(rd)) {
			err = PTR_ERR(rd);
			goto out;
		}
		au_rd_drop(df->rd);
		df->rd = rd;
	}
	if (!dir_emit_dots(file, ctx))
		goto out;
	rd = df->rd;
	for (i = ctx->pos - 2; i >= 0 && i < rd->n; i++) {
		struct au_rdent *e = rd->ents[i];

		if (!dir_emit(ctx, e->name, e->len, e->ino, e->type))
			break;
		ctx->pos++;
	}
out:
	mutex_unlock(&df->lock);
	return err;
}

static int au_dir_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return 0;
}

const struct file_operations au_dir_fops = {
	.open		= au_dir_open,
	.release	= au_dir_release,
	.read		= generic_read_dir,
	.iterate_shared	= au_iterate_shared,
	.llseek		= generic_file_llseek,
	.fsync		= au_dir_fsync,
};

/*
 * Unlink the whiteout-prefixed files of h_dir, locked here as I_MUTEX_CHILD
 * (the caller may hold its parent).  A whiteout-prefixed directory (the
 * temporary name of a dirwh removal still pending) is left in place and
 * returned in *subp, with a reference, for au_whtree_rm().
 */
static int au_whs_unlink(struct au_branch *br, struct dentry *h_dir,
			 struct dentry **subp)
{
	struct au_fill f = {
		.ctx.actor	= au_fill_actor,
		.only_wh	= true,
	};
	struct inode *h_inode = d_inode(h_dir);
	int err, i;

	*subp = NULL;
	f.rd = au_rd_alloc();
	if (!f.rd)
		return -ENOMEM;
	err = au_rd_branch(&f, br, h_dir);
	if (err)
		goto out;
	inode_lock_nested(h_inode, I_MUTEX_CHILD);
	for (i = 0; i < f.rd->n && !err; i++) {
		struct au_rdent *e = f.rd->ents[i];
		struct dentry *h = au_do_lookup(h_dir, e->name, e->len);

		if (IS_ERR(h)) {
			err = PTR_ERR(h);
			break;
		}
		if (d_is_dir(h)) {
			if (!*subp)
				*subp = dget(h);
		} else if (d_is_positive(h)) {
			err = au_do_unlink(h_inode, h);
		}
		dput(h);
	}
	inode_unlock(h_inode);
	if (err && *subp) {
		dput(*subp);
		*subp = NULL;
	}
out:
	au_rd_free(f.rd);
	return err;
}

/* Is h_dir still the directory of that name in h_parent (not removed)? */
static bool au_whdir_alive(struct dentry *h_parent, struct dentry *h_dir)
{
	return h_dir->d_parent == h_parent && !d_unhashed(h_dir) &&
	       d_is_dir(h_dir) && !IS_DEADDIR(d_inode(h_dir));
}

/*
 * Remove h_dir, a directory in h_parent holding whiteout-prefixed names only,
 * with everything below it.  Nested temporary directories are walked with an
 * array, not recursion.  h_parent is locked with subclass lsc for the rmdir.
 * Another remover (the work queue, or the removal of h_parent's own aufs
 * directory) may be first at any step: what is gone already is skipped, and
 * a directory is removed only while it is still there, so never twice.
 */
int au_whtree_rm(struct au_branch *br, struct dentry *h_parent,
		 struct dentry *h_dir, int lsc)
{
	struct dentry **stack, **p, *d, *up, *sub;
	int n = 0, max = 16, err = 0;

	stack = kvmalloc_array(max, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	stack[n++] = dget(h_dir);
	while (n > 0 && !err) {
		d = stack[n - 1];
		up = n > 1 ? stack[n - 2] : h_parent;
		if (!au_whdir_alive(up, d)) {
			dput(stack[--n]);
			continue;
		}
		err = au_whs_unlink(br, d, &sub);
		if (err == -ENOENT && !au_whdir_alive(up, d)) {
			err = 0;
			dput(stack[--n]);
			continue;
		}
		if (err)
			break;
		if (sub) {
			if (n == max) {
				p = kvmalloc_array(max * 2, sizeof(*p), GFP_KERNEL);
				if (!p) {
					dput(sub);
					err = -ENOMEM;
					break;
				}
				memcpy(p, stack, n * sizeof(*p));
				kvfree(stack);
				stack = p;
				max *= 2;
			}
			stack[n++] = sub;
			continue;
		}
		inode_lock_nested(d_inode(up), n > 1 ? I_MUTEX_CHILD : lsc);
		if (au_whdir_alive(up, d))
			err = au_do_rmdir(d_inode(up), d);
		inode_unlock(d_inode(up));
		dput(stack[--n]);
		cond_resched();
	}
	while (n > 0)
		dput(stack[--n]);
	kvfree(stack);
	return err;
}

/*
 * Remove every whiteout-prefixed name in h_dir (not h_dir itself), pending
 * temporary directories included; the caller may hold h_dir's parent.
 */
int au_remove_whs(struct au_branch *br, struct dentry *h_dir)
{
	struct dentry *sub;
	int err;

	do {
		err = au_whs_unlink(br, h_dir, &sub);
		if (!err && sub) {
			err = au_whtree_rm(br, h_dir, sub, I_MUTEX_CHILD);
			dput(sub);
		}
	} while (!err && sub);
	return err;
}

/* How many whiteouts (internal names included) h_dir holds. */
int au_whs_count(struct au_branch *br, struct dentry *h_dir)
{
	struct au_fill f = {
		.ctx.actor	= au_fill_actor,
		.only_wh	= true,
	};
	int err;

	f.rd = au_rd_alloc();
	if (!f.rd)
		return -ENOMEM;
	err = au_rd_branch(&f, br, h_dir);
	if (!err)
		err = f.rd->n;
	au_rd_free(f.rd);
	return err;
}
