// SPDX-License-Identifier: GPL-2.0
/* Branch lifecycle: snapshots, validation, busy checks, generation counter. */
#include "aufs.h"
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/kernfs.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/statfs.h>

struct au_mmap {
	struct list_head list;
	struct inode *h_inode;
};

struct au_brs *au_brs_alloc(int nbr)
{
	struct au_brs *brs;

	brs = kzalloc(struct_size(brs, br, nbr), GFP_KERNEL);
	if (brs) {
		kref_init(&brs->kref);
		brs->nbr = nbr;
	}
	return brs;
}

static void au_brs_release(struct kref *kref)
{
	struct au_brs *brs = container_of(kref, struct au_brs, kref);
	int i;

	for (i = 0; i < brs->nbr; i++)
		if (brs->br[i])
			au_br_put(brs->br[i]);
	kfree_rcu(brs, rcu);
}

void au_brs_put(struct au_brs *brs)
{
	if (brs)
		kref_put(&brs->kref, au_brs_release);
}

struct au_brs *au_brs_get(struct super_block *sb)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_brs *brs;

	spin_lock(&sbi->brs_lock);
	brs = sbi->brs;
	if (brs)
		kref_get(&brs->kref);
	spin_unlock(&sbi->brs_lock);
	return brs;
}

/* Caller holds s_umount (mount or remount). */
void au_brs_publish(struct super_block *sb, struct au_brs *brs)
{
	struct au_sbinfo *sbi = AU_SB(sb);
	struct au_brs *old;

	spin_lock(&sbi->brs_lock);
	old = sbi->brs;
	brs->gen = ++sbi->gen;
	sbi->brs = brs;
	spin_unlock(&sbi->brs_lock);
	au_brs_put(old);
}

void au_br_get(struct au_branch *br)
{
	kref_get(&br->kref);
}

static void au_br_release(struct kref *kref)
{
	struct au_branch *br = container_of(kref, struct au_branch, kref);
	struct au_mmap *m, *tmp;

	list_for_each_entry_safe(m, tmp, &br->mmaps, list) {
		iput(m->h_inode);
		kfree(m);
	}
	xa_destroy(&br->xino);
	dput(br->wh_base);
	path_put(&br->path);
	kfree(br->name);
	kfree(br);
}

void au_br_put(struct au_branch *br)
{
	if (br)
		kref_put(&br->kref, au_br_release);
}

struct au_branch *au_br_new(struct super_block *sb, struct path *path, int perm,
			    const char *name)
{
	struct au_branch *br = kzalloc(sizeof(*br), GFP_KERNEL);

	if (!br)
		return NULL;
	br->name = kstrdup(name, GFP_KERNEL);
	if (!br->name) {
		kfree(br);
		return NULL;
	}
	kref_init(&br->kref);
	br->path = *path;
	path_get(&br->path);
	br->perm = perm;
	br->id = AU_SB(sb)->next_br_id++;
	atomic_set(&br->open_count, 0);
	xa_init(&br->xino);
	spin_lock_init(&br->mmap_lock);
	INIT_LIST_HEAD(&br->mmaps);
	return br;
}

int au_br_index(struct au_brs *brs, struct au_branch *br)
{
	int i;

	for (i = 0; i < brs->nbr; i++)
		if (brs->br[i] == br)
			return i;
	return -1;
}

/* Remember a branch inode that was mmapped: a mapping outlives the aufs file. */
void au_br_note_mmap(struct au_branch *br, struct inode *h_inode)
{
	struct au_mmap *m, *new;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	spin_lock(&br->mmap_lock);
	list_for_each_entry(m, &br->mmaps, list)
		if (m->h_inode == h_inode)
			goto out_unlock;
	if (new) {
		new->h_inode = igrab(h_inode);
		if (new->h_inode) {
			list_add(&new->list, &br->mmaps);
			new = NULL;
		}
	}
out_unlock:
	spin_unlock(&br->mmap_lock);
	kfree(new);
}

static bool au_test_fs_bad(struct super_block *h_sb)
{
	unsigned long magic = h_sb->s_magic;

	return magic == AUFS_SUPER_MAGIC || magic == PROC_SUPER_MAGIC ||
	       magic == SYSFS_MAGIC || !strcmp(h_sb->s_type->name, "unionfs");
}

static bool au_test_fs_rr(struct super_block *h_sb)
{
	static const char * const rr[] = { "squashfs", "iso9660", "cramfs",
					   "romfs", NULL };
	int i;

	for (i = 0; rr[i]; i++)
		if (!strcmp(h_sb->s_type->name, rr[i]))
			return true;
	return false;
}

/*
 * The backing file of the loop device h_sb lies on, as a path resolved in the
 * caller's root: the loop driver's own attribute loop/backing_file (struct
 * loop_device is private to the driver).  The mounted filesystem keeps the
 * loop device open, so it stays bound while we read it.  -ENOENT when h_sb is
 * not on a loop device (or its backing file has no name any more).
 */
static int au_loop_backing(struct super_block *h_sb, struct path *path)
{
	struct block_device *bdev = h_sb->s_bdev;
	struct device_attribute *attr;
	struct kernfs_node *grp, *kn;
	struct device *dev;
	ssize_t n;
	char *buf;
	int err;

	if (!bdev || !bdev->bd_disk || bdev->bd_disk->major != LOOP_MAJOR)
		return -ENOENT;
	dev = disk_to_dev(bdev->bd_disk);
	grp = kernfs_find_and_get(dev->kobj.sd, "loop");
	if (!grp)
		return -ENOENT;
	kn = kernfs_find_and_get(grp, "backing_file");
	kernfs_put(grp);
	if (!kn)
		return -ENOENT;
	err = -ENOMEM;
	buf = (char *)__get_free_page(GFP_KERNEL);
	if (buf) {
		attr = container_of((struct attribute *)kn->priv,
				    struct device_attribute, attr);
		n = attr->show ? attr->show(dev, attr, buf) : -ENOENT;
		err = -ENOENT;
		if (n > 0 && n < PAGE_SIZE) {
			buf[n] = 0;
			if (buf[n - 1] == '\n')
				buf[n - 1] = 0;
			if (buf[0] == '/')
				err = kern_path(buf, LOOKUP_FOLLOW, path);
		}
		free_page((unsigned long)buf);
	}
	kernfs_put(kn);
	return err == -ENOMEM ? err : (err ? -ENOENT : 0);
}

static bool au_path_under(struct path *path, struct path *dir)
{
	if (path->dentry->d_sb == dir->dentry->d_sb &&
	    is_subdir(path->dentry, dir->dentry))
		return true;
	return path_is_under(path, dir);
}

/*
 * Does the filesystem of path lie, through a chain of loop devices, on an
 * image file inside dir?  The backing file found in dir goes to *found
 * (with a reference) for the message.
 */
static int au_loop_in(struct path *path, struct path *dir, struct path *found)
{
	struct super_block *h_sb = path->dentry->d_sb;
	struct path b;
	int depth, err;

	for (depth = 0; depth < 8; depth++) {
		err = au_loop_backing(h_sb, &b);
		if (err)
			return err == -ENOENT ? 0 : err;
		if (au_path_under(&b, dir)) {
			*found = b;
			return 1;
		}
		h_sb = b.dentry->d_sb;
		path_put(&b);
	}
	return 0;
}

/*
 * aufs(5): a branch on a loop device whose image file is a descendant of
 * another branch is rejected, in either order of the two.
 */
static int au_br_check_loop(struct path *path, const char *name,
			    struct au_branch *br, int i)
{
	struct path found;
	char *buf, *p;
	int err, which;

	which = 0;
	err = au_loop_in(path, &br->path, &found);
	if (!err) {
		which = 1;
		err = au_loop_in(&br->path, path, &found);
	}
	if (err <= 0)
		return err;
	buf = (char *)__get_free_page(GFP_KERNEL);
	p = buf ? d_path(&found, buf, PAGE_SIZE) : ERR_PTR(-ENOMEM);
	if (IS_ERR(p))
		p = "?";
	if (!which)
		pr_err("branch %s is on a loop device whose image %s lies in branch %d (%s)\n",
		       name, p, i, br->name);
	else
		pr_err("branch %s holds the image %s that branch %d (%s) is mounted from\n",
		       name, p, i, br->name);
	free_page((unsigned long)buf);
	path_put(&found);
	return -EINVAL;
}

/*
 * Default and validate a new branch's permission against the branches in
 * brs (the working set).  Returns the permission or -errno with a message.
 */
int au_br_check_new(struct super_block *sb, struct au_brs *brs,
		    struct path *path, int perm, const char *name, bool warn)
{
	struct super_block *h_sb = path->dentry->d_sb;
	bool h_ro = __mnt_is_readonly(path->mnt) || sb_rdonly(h_sb);
	int i, err;

	if (!d_is_dir(path->dentry)) {
		pr_err("branch %s is not a directory\n", name);
		return -ENOTDIR;
	}
	if (au_test_fs_bad(h_sb)) {
		pr_err("branch %s: %s is not supported as a branch\n", name,
		       h_sb->s_type->name);
		return -EINVAL;
	}
	for (i = 0; i < brs->nbr; i++) {
		struct au_branch *br = brs->br[i];

		if (!br)
			continue;
		if (path_equal(&br->path, path)) {
			pr_err("branch %s is already a branch\n", name);
			return -EINVAL;
		}
		if (path_is_under(&br->path, path) || path_is_under(path, &br->path)) {
			pr_err("branch %s overlaps branch %d (%s): one is an ancestor of the other\n",
			       name, i, br->name);
			return -EINVAL;
		}
		err = au_br_check_loop(path, name, br, i);
		if (err)
			return err;
	}
	if (perm < 0) {
		/* The first branch is rw by default, the others ro; rr for natively ro fs. */
		if (au_test_fs_rr(h_sb))
			perm = AU_BR_RR;
		else if (!brs->nbr && !h_ro)
			perm = AU_BR_RW;
		else
			perm = AU_BR_RO;
	}
	if (au_br_writable(perm) && h_ro) {
		pr_err("branch %s=rw: the branch filesystem is read-only\n", name);
		return -EROFS;
	}
	if (brs->nbr && brs->br[0] && warn) {
		struct inode *a = d_inode(brs->br[0]->path.dentry);
		struct inode *b = d_inode(path->dentry);

		if (!uid_eq(a->i_uid, b->i_uid) || !gid_eq(a->i_gid, b->i_gid) ||
		    (a->i_mode & 07777) != (b->i_mode & 07777))
			pr_warn("uid/gid/perm %s %u/%u/0%o, %u/%u/0%o\n", name,
				from_kuid(&init_user_ns, a->i_uid),
				from_kgid(&init_user_ns, a->i_gid), a->i_mode & 07777,
				from_kuid(&init_user_ns, b->i_uid),
				from_kgid(&init_user_ns, b->i_gid), b->i_mode & 07777);
	}
	return perm;
}

static bool au_inode_on_br(struct inode *inode, struct au_branch *br)
{
	struct au_inode *ai = AU_I(inode);
	bool ret;

	spin_lock(&ai->lock);
	ret = ai->h_br == br;
	spin_unlock(&ai->lock);
	return ret;
}

/*
 * Called under inode->i_lock and s_inode_list_lock: no reference is taken, so
 * no final one (dput of the branch dentries, the snapshot) is dropped under
 * them.  A dinfo is freed after an RCU grace period.
 */
static bool au_dentry_on_br(struct dentry *dentry, struct au_branch *br)
{
	struct au_dinfo *di;
	bool ret = false;
	int i;

	rcu_read_lock();
	di = READ_ONCE(dentry->d_fsdata);
	if (di) {
		spin_lock(&di->lock);
		for (i = 0; i < di->brs->nbr; i++)
			if (di->brs->br[i] == br && di->h[i])
				ret = true;
		spin_unlock(&di->lock);
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Is something of this aufs still using br: an open file, an mmap, or an in-use
 * dentry (cwd, open file) with an object on it?  Unused dentries are dropped
 * first, so only what users hold remains; the root is rebuilt, not checked.
 */
int au_br_busy(struct super_block *sb, struct au_branch *br)
{
	struct inode *inode, *found = NULL;
	struct au_mmap *m;
	int busy = 0;

	if (atomic_read(&br->open_count)) {
		pr_warn("branch %s has %d open file(s)\n", br->name,
			atomic_read(&br->open_count));
		return 1;
	}
	spin_lock(&br->mmap_lock);
	list_for_each_entry(m, &br->mmaps, list)
		if (mapping_mapped(m->h_inode->i_mapping)) {
			busy = 1;
			break;
		}
	spin_unlock(&br->mmap_lock);
	if (busy) {
		pr_warn("branch %s has a mapped file\n", br->name);
		return 1;
	}

	shrink_dcache_sb(sb);
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		struct dentry *alias;

		if (inode == d_inode(sb->s_root))
			continue;
		spin_lock(&inode->i_lock);
		if (au_inode_state(inode) & (I_FREEING | I_WILL_FREE | I_NEW) ||
		    !atomic_read(&inode->i_count)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		if (au_inode_on_br(inode, br))
			busy = 1;
		hlist_for_each_entry(alias, &inode->i_dentry, AU_D_ALIAS)
			if (!busy && au_dentry_on_br(alias, br))
				busy = 1;
		if (busy) {
			__iget(inode);
			found = inode;
		}
		spin_unlock(&inode->i_lock);
		if (busy)
			break;
	}
	spin_unlock(&sb->s_inode_list_lock);
	if (found) {
		if (AU_SB(sb)->flags & AU_OPT_VERBOSE)
			pr_info("branch %s is busy: inode %llu (0%o) in use\n",
				br->name, (unsigned long long)found->i_ino, found->i_mode);
		iput(found);
	}
	return busy;
}

/* Rebase every alias of inode on brs; gives up on an alias that keeps changing. */
static void au_rebase_aliases(struct inode *inode, struct au_brs *brs)
{
	struct dentry *alias, *found;
	int tries = 16;

	while (tries > 0) {
		found = NULL;
		spin_lock(&inode->i_lock);
		hlist_for_each_entry(alias, &inode->i_dentry, AU_D_ALIAS) {
			struct au_dinfo *di;

			spin_lock(&alias->d_lock);
			di = alias->d_fsdata;
			if (di && di->brs != brs)
				found = dget_dlock(alias);
			spin_unlock(&alias->d_lock);
			if (found)
				break;
		}
		spin_unlock(&inode->i_lock);
		if (!found)
			break;
		switch (au_di_rebase(found, brs)) {
		case 0:
			break;
		case -EAGAIN:
			tries--;
			break;
		default:
			tries = 0;
			break;
		}
		dput(found);
	}
}

/*
 * After a branch change (caller holds s_umount, brs is published): no dentry
 * may keep an older snapshot, which holds every branch it had, removed ones
 * included (their mounts could not be unmounted).  Unused dentries are dropped,
 * stale ones are not kept once unused (d_delete), and the stacks of those in
 * use (open files, cwd's, their parents) are moved to brs.  A removed branch
 * has no object in them: au_br_busy() refused the del: otherwise.  Negative
 * dentries in use belong to operations in flight and go at their dput.
 */
void au_brs_rebase_sb(struct super_block *sb, struct au_brs *brs)
{
	struct inode *inode, *toput = NULL;

	shrink_dcache_sb(sb);
	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		if (au_inode_state(inode) & (I_FREEING | I_WILL_FREE | I_NEW) ||
		    !atomic_read(&inode->i_count)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		au_rebase_aliases(inode, brs);
		iput(toput);
		toput = inode;
		cond_resched();

		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(toput);
}
