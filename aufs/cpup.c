// SPDX-License-Identifier: GPL-2.0
/* Copy-up: data, owner, mode, times, xattrs, under a temporary name renamed into place. */
#include "aufs.h"
#include <linux/splice.h>
#include <linux/xattr.h>
#include "vfsub.h"

/*
 * Locking.  There is no per-mount lock: each object is copied up under its own
 * aufs inode's cpup_lock (as overlayfs' ovl_copy_up_start()), so copy-ups in
 * different directories, or of different names in one directory, run in
 * parallel; the branch's own parent lock serializes the name operations.
 *
 *   caller's VFS locks (aufs parent dir, or the aufs inode itself: setattr)
 *     wbr sb_writers (mnt_want_write, au_cpup)
 *       au_inode.cpup_lock of ONE object (au_cpup_step)
 *         h_dir i_rwsem, I_MUTEX_PARENT (tmp name; rename into place)
 *           h_inode i_rwsem (the new object: au_cp_attr, without h_dir)
 *
 * - A chain of missing ancestors is copied top-down one step at a time; a
 *   step holds only its own object's cpup_lock, never a parent's or a
 *   child's, so the cpup_locks need no order among themselves and nothing
 *   under one of them takes an aufs i_rwsem.
 * - Two tasks copying the same object (a shared ancestor; two names of one
 *   hard-linked inode): the second waits on the lock, then finds the object
 *   on wbr (au_di_fresh under the lock) and does nothing.
 * - An already copied object costs no lock: au_cpup_done() reads the branch
 *   stack under RCU (published with WRITE_ONCE by au_di_set_h()).
 * - rename copies its source up through here (so it waits for a copy-up in
 *   flight), then renames on the branch under lock_rename() of the two
 *   branch parents, outside any cpup_lock.  A copy-up does not hold the aufs
 *   parent: the parent re-read under the lock gives the current branch dir
 *   (-EAGAIN walks the chain again if it moved), and the name is put into
 *   place under that dir's lock only if it is still free and not whited out
 *   (unlink/rmdir meanwhile); unlink in turn finds a copy made meanwhile
 *   (i_op_del.c: au_del_copied()).
 */

#define AU_CPUP_CHUNK	(1 << 20)

/* Sparse-aware data copy of the first len bytes. */
static int au_cp_data(const struct path *src, const struct path *dst, loff_t len)
{
	struct file *in, *out;
	loff_t pos = 0;
	int err = 0;

	in = au_do_open(src, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(in))
		return PTR_ERR(in);
	out = au_do_open(dst, O_WRONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(out)) {
		fput(in);
		return PTR_ERR(out);
	}
	while (pos < len) {
		loff_t data, end;

		data = vfs_llseek(in, pos, SEEK_DATA);
		if (data == -ENXIO)
			break;		/* the rest is a hole */
		if (data < 0)
			data = pos;	/* no SEEK_DATA: copy everything */
		if (data >= len)
			break;
		end = vfs_llseek(in, data, SEEK_HOLE);
		if (end < 0 || end > len)
			end = len;
		pos = data;
		while (pos < end) {
			loff_t ipos = pos, opos = pos;
			long n;

			if (fatal_signal_pending(current)) {
				err = -EINTR;
				goto out;
			}
			n = do_splice_direct(in, &ipos, out, &opos,
					     min_t(loff_t, end - pos, AU_CPUP_CHUNK),
					     SPLICE_F_MOVE);
			if (n <= 0) {
				/* the source shrank under us: the size is fixed below */
				if (n < 0)
					err = n;
				goto out;
			}
			pos += n;
		}
	}
	/* the data is durable before the rename makes it visible */
	if (!err) {
		err = vfs_fsync(out, 0);
		if (err == -EINVAL)
			err = 0;
	}
out:
	fput(out);
	fput(in);
	return err;
}

static int au_cp_xattrs(struct dentry *h_src, struct dentry *h_dst)
{
	ssize_t list_size, size;
	char *list, *name, *value = NULL;
	int err = 0;

	list_size = au_do_listxattr(h_src, NULL, 0);
	if (list_size <= 0)
		return list_size == -EOPNOTSUPP ? 0 : list_size;
	list = kvzalloc(list_size, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	list_size = au_do_listxattr(h_src, list, list_size);
	if (list_size < 0) {
		err = list_size;
		goto out;
	}
	for (name = list; name < list + list_size; name += strlen(name) + 1) {
		size = au_do_getxattr(h_src, name, NULL, 0);
		if (size < 0)
			continue;
		kvfree(value);
		value = kvmalloc(size ? size : 1, GFP_KERNEL);
		if (!value) {
			err = -ENOMEM;
			break;
		}
		size = au_do_getxattr(h_src, name, value, size);
		if (size < 0)
			continue;
		err = au_do_setxattr(h_dst, name, value, size, 0);
		/* what the upper fs cannot hold (security labels, unsupported) is skipped */
		if (err == -EOPNOTSUPP || err == -EPERM ||
		    !strncmp(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN))
			err = 0;
		if (err)
			break;
	}
out:
	kvfree(value);
	kvfree(list);
	return err;
}

/* Owner, mode and times of h_src onto h_dst, and the size for files. */
static int au_cp_attr(struct dentry *h_dst, struct inode *h_src, loff_t size)
{
	struct inode *h_inode = d_inode(h_dst);
	struct iattr attr = {};
	int err = 0;

	inode_lock(h_inode);
	if (S_ISREG(h_src->i_mode) && i_size_read(h_inode) != size) {
		attr.ia_valid = ATTR_SIZE;
		attr.ia_size = size;
		err = au_do_notify_change(h_dst, &attr);
	}
	if (!err) {
		attr.ia_valid = ATTR_UID | ATTR_GID;
		attr.ia_vfsuid = VFSUIDT_INIT(h_src->i_uid);
		attr.ia_vfsgid = VFSGIDT_INIT(h_src->i_gid);
		err = au_do_notify_change(h_dst, &attr);
	}
	if (!err && !S_ISLNK(h_src->i_mode)) {
		attr.ia_valid = ATTR_MODE;
		attr.ia_mode = h_src->i_mode;
		err = au_do_notify_change(h_dst, &attr);
	}
	if (!err) {
		attr.ia_valid = ATTR_ATIME | ATTR_MTIME | ATTR_ATIME_SET | ATTR_MTIME_SET;
		attr.ia_atime = au_inode_atime(h_src);
		attr.ia_mtime = au_inode_mtime(h_src);
		err = au_do_notify_change(h_dst, &attr);
	}
	inode_unlock(h_inode);
	return err;
}

static void au_tmp_remove(struct inode *h_dir, struct dentry *tmp)
{
	au_lock_parent(h_dir);
	if (tmp->d_parent && d_inode(tmp->d_parent) == h_dir && d_is_positive(tmp)) {
		if (d_is_dir(tmp))
			au_do_rmdir(h_dir, tmp);
		else
			au_do_unlink(h_dir, tmp);
	}
	inode_unlock(h_dir);
}

/*
 * Copy dentry (whose parent already has a dir on wbr at index wb) up to wbr.
 * Caller holds the cpup_lock of dentry's inode, a write reference on wbr's
 * mount and runs with the mounter's credentials.
 */
static int au_cpup_one(struct dentry *dentry, struct au_dinfo *pdi,
		       struct au_dinfo *di, int wb, loff_t len)
{
	struct au_branch *wbr = pdi->brs->br[wb];
	struct inode *inode = d_inode(dentry);
	struct dentry *h_parent, *tmp, *h_new;
	struct path src = {}, dst;
	struct inode *h_dir, *h_src;
	bool link = false;
	int err;

	if (d_is_dir(dentry)) {
		src.dentry = au_di_h(di, di->bstart);
		src.mnt = di->brs->br[di->bstart]->path.mnt;
		mntget(src.mnt);
	} else {
		err = au_h_top(inode, &src);
		if (err)
			return err;
		link = AU_I(inode)->h_br == wbr;
	}
	err = -ESTALE;
	h_parent = au_di_h(pdi, wb);
	if (!src.dentry || !h_parent)
		goto out_src;
	h_src = d_inode(src.dentry);
	h_dir = d_inode(h_parent);
	if (len < 0 || len > i_size_read(h_src))
		len = i_size_read(h_src);

	au_lock_parent(h_dir);
	tmp = au_tmp_lookup(h_parent);
	err = PTR_ERR(tmp);
	if (IS_ERR(tmp))
		goto out_unlock;
	if (link)
		err = au_do_link(src.dentry, h_dir, tmp);
	else if (S_ISDIR(h_src->i_mode))
		err = au_do_mkdir(h_dir, tmp, 0700);
	else if (S_ISREG(h_src->i_mode))
		err = au_do_create(h_dir, tmp, S_IFREG | 0600);
	else if (S_ISLNK(h_src->i_mode)) {
		DEFINE_DELAYED_CALL(done);
		const char *target = vfs_get_link(src.dentry, &done);

		err = PTR_ERR_OR_ZERO(target);
		if (!err)
			err = au_do_symlink(h_dir, tmp, target);
		do_delayed_call(&done);
	} else {
		err = au_do_mknod(h_dir, tmp, h_src->i_mode, h_src->i_rdev);
	}
	inode_unlock(h_dir);
	if (!err && d_is_negative(tmp))
		err = -EIO;	/* a fs that did not instantiate */
	if (err)
		goto out_tmp;

	if (!link) {
		dst.mnt = wbr->path.mnt;
		dst.dentry = tmp;
		if (S_ISREG(h_src->i_mode) && len)
			err = au_cp_data(&src, &dst, len);
		if (!err)
			err = au_cp_xattrs(src.dentry, tmp);
		if (!err)
			err = au_cp_attr(tmp, h_src, len);
		if (err)
			goto out_rm;
	}

	au_lock_parent(h_dir);
	/*
	 * An unlink/rmdir of the name that ran meanwhile (copy-up does not hold
	 * the aufs parent) left a whiteout here: the name is gone, and a copy
	 * next to its whiteout would show in readdir but not in lookup.
	 */
	h_new = au_wh_lookup(h_parent, &dentry->d_name);
	err = PTR_ERR(h_new);
	if (!IS_ERR(h_new)) {
		err = d_is_positive(h_new) ? -ENOENT : 0;
		dput(h_new);
	}
	h_new = err ? ERR_PTR(err) :
		au_do_lookup(h_parent, dentry->d_name.name, dentry->d_name.len);
	err = PTR_ERR(h_new);
	if (!IS_ERR(h_new)) {
		err = -EEXIST;
		if (d_is_negative(h_new))
			err = au_do_rename(h_dir, tmp, h_dir, h_new, 0);
		dput(h_new);
	}
	inode_unlock(h_dir);
	if (err)
		goto out_rm;

	/*
	 * tmp now carries the real name.  The inode's top first: whoever sees
	 * the dentry on wbr (au_cpup_done(), without a lock) finds the inode
	 * there too, and does not write through a lower object.
	 */
	au_iinfo_set_top(inode, wbr, dget(tmp));
	au_di_set_h(di, wb, dget(tmp));
	au_xino_set(wbr, d_inode(tmp)->i_ino, inode->i_ino);
	if (!S_ISDIR(h_src->i_mode) && h_src->i_nlink > 1 && !link &&
	    (AU_SB(dentry->d_sb)->flags & AU_OPT_PLINK)) {
		/* the other names still count: they reach this copy (pseudo-link) */
		AU_I(inode)->pl_nlink = h_src->i_nlink;
		au_plink_add(dentry->d_sb, inode->i_ino, wbr, tmp);
	}
	au_cpattr(inode, d_inode(tmp));
	goto out_tmp;

out_rm:
	au_tmp_remove(h_dir, tmp);
out_tmp:
	dput(tmp);
	goto out_src;
out_unlock:
	inode_unlock(h_dir);
out_src:
	dput(h_parent);
	path_put(&src);
	return err;
}

/*
 * Lock-free: does dentry's (current) branch stack hold an object on wbr?
 * The dinfo and its snapshot are freed after an RCU grace period.
 */
static bool au_cpup_done(struct dentry *dentry, struct au_branch *wbr)
{
	struct au_dinfo *di;
	bool ret = false;
	int wb;

	rcu_read_lock();
	di = READ_ONCE(dentry->d_fsdata);
	if (di && di->gen == READ_ONCE(AU_SB(dentry->d_sb)->gen)) {
		wb = au_br_index(di->brs, wbr);
		ret = wb >= 0 && READ_ONCE(di->h[wb]);
	}
	rcu_read_unlock();
	return ret;
}

/* Copy one dentry whose parent is on wbr already; 0 if it is there already. */
static int au_cpup_step(struct dentry *dentry, struct au_branch *wbr, loff_t len)
{
	struct au_dinfo *di = NULL, *pdi = NULL;
	struct inode *inode = d_inode(dentry);
	struct dentry *parent;
	int err, wb;

	/* copied meanwhile by a task that shares this ancestor */
	if (au_cpup_done(dentry, wbr))
		return 0;
	if (!inode)
		return -ENOENT;
	err = mutex_lock_killable(&AU_I(inode)->cpup_lock);
	if (err)
		return err;
	/* from here on, what another copy-up of this object did is visible */
	parent = dget_parent(dentry);
	pdi = au_di_fresh(parent);
	di = au_di_fresh(dentry);
	err = -ESTALE;
	if (IS_ERR(pdi) || IS_ERR(di) || pdi->brs != di->brs)
		goto out;
	wb = au_br_index(di->brs, wbr);
	if (wb < 0)
		goto out;
	err = -ENOENT;		/* removed by another task meanwhile */
	if (di->bstart < 0)
		goto out;
	err = 0;
	if (di->h[wb])
		goto out;
	err = -EAGAIN;		/* the parent moved (rename): walk again */
	if (!pdi->h[wb])
		goto out;
	err = au_cpup_one(dentry, pdi, di, wb, len);
out:
	if (!IS_ERR_OR_NULL(di))
		au_di_put(di);
	if (!IS_ERR_OR_NULL(pdi))
		au_di_put(pdi);
	dput(parent);
	mutex_unlock(&AU_I(inode)->cpup_lock);
	return err;
}

#define AU_CPUP_RETRY	8

/*
 * Make dentry and its missing ancestors exist on wbr, top-down and without
 * recursion: the chain from dentry up to (not including) the first ancestor
 * already on wbr is collected, then copied from its top.  A chain of any depth
 * costs one array of dentry pointers, not kernel stack.
 */
static int au_cpup_chain(struct dentry *dentry, struct au_branch *wbr, loff_t len)
{
	struct dentry **chain = NULL, **p, *d;
	int n, max = 0, err = 0, retry = AU_CPUP_RETRY;

again:
	n = 0;
	for (d = dget(dentry); !IS_ROOT(d) && !au_cpup_done(d, wbr);
	     d = dget_parent(chain[n - 1])) {
		if (n == max) {
			max = max ? max * 2 : 16;
			p = kvmalloc_array(max, sizeof(*p), GFP_KERNEL);
			if (!p) {
				dput(d);
				err = -ENOMEM;
				goto out;
			}
			if (n)
				memcpy(p, chain, n * sizeof(*p));
			kvfree(chain);
			chain = p;
		}
		chain[n++] = d;
	}
	dput(d);
	while (n > 0 && !err) {
		d = chain[--n];
		err = au_cpup_step(d, wbr, d == dentry ? len : -1);
		dput(d);
		cond_resched();
	}
out:
	while (n > 0)
		dput(chain[--n]);
	if (err == -EAGAIN && --retry > 0) {
		err = 0;
		goto again;
	}
	if (err == -EAGAIN)
		err = -ESTALE;
	kvfree(chain);
	return err;
}

/* Make dentry (and its missing parents) exist on wbr. */
int au_cpup(struct dentry *dentry, struct au_branch *wbr, loff_t len)
{
	const struct cred *old;
	int err;

	/* an object already on wbr (the common case) costs no lock at all */
	if (au_cpup_done(dentry, wbr))
		return 0;
	err = mnt_want_write(wbr->path.mnt);
	if (err)
		return err;
	old = au_cred_override(dentry->d_sb);
	err = au_cpup_chain(dentry, wbr, len);
	au_revert_creds(old);
	mnt_drop_write(wbr->path.mnt);
	if (err)
		pr_debug("copy-up of %pd2 failed: %d\n", dentry, err);
	return err;
}

int au_cpup_dirs(struct dentry *dir, struct au_branch *wbr)
{
	return au_cpup(dir, wbr, -1);
}

/* Before changing the object of dentry: copy it up unless it is writable already. */
int au_cpup_for_write(struct dentry *dentry, loff_t len)
{
	struct inode *inode = d_inode(dentry);
	struct au_dinfo *pdi, *di;
	struct au_branch *wbr;
	struct dentry *parent;
	int err, b;

	if (sb_rdonly(dentry->d_sb))
		return -EROFS;
	if (S_ISDIR(inode->i_mode)) {
		di = au_di_fresh(dentry);
		if (IS_ERR(di))
			return PTR_ERR(di);
		b = di->bstart;
		err = b >= 0 && au_br_writable(READ_ONCE(di->brs->br[b]->perm));
		au_di_put(di);
	} else {
		spin_lock(&AU_I(inode)->lock);
		err = AU_I(inode)->h_br && au_br_writable(READ_ONCE(AU_I(inode)->h_br->perm));
		spin_unlock(&AU_I(inode)->lock);
	}
	if (err)
		return 0;
	if (IS_ROOT(dentry))
		return -EROFS;

	parent = dget_parent(dentry);
	pdi = au_di_fresh(parent);
	di = au_di_fresh(dentry);
	err = -ESTALE;
	if (IS_ERR(pdi) || IS_ERR(di))
		goto out;
	b = di->bstart;
	err = -ENOENT;		/* removed by another task meanwhile */
	if (b < 0)
		goto out;
	if (au_br_writable(READ_ONCE(di->brs->br[b]->perm)))
		wbr = di->brs->br[b];	/* copied up by another task meanwhile */
	else
		wbr = au_wbr_copyup(dentry, pdi, b);
	err = PTR_ERR(wbr);
	if (!IS_ERR(wbr)) {
		au_br_get(wbr);
		au_di_put(di);
		au_di_put(pdi);
		dput(parent);
		err = au_cpup(dentry, wbr, len);
		au_br_put(wbr);
		return err;
	}
out:
	if (!IS_ERR(di))
		au_di_put(di);
	if (!IS_ERR(pdi))
		au_di_put(pdi);
	dput(parent);
	return err;
}
