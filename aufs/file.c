// SPDX-License-Identifier: GPL-2.0
/* Regular files: open with copy-up on write, I/O through the branch's file. */
#include "aufs.h"
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/splice.h>
#include <linux/falloc.h>
#include "vfsub.h"

struct au_finfo {
	struct file *h_file;
	struct au_branch *br;
};

static struct file *au_h_file(struct file *file)
{
	return ((struct au_finfo *)file->private_data)->h_file;
}

static int au_open(struct inode *inode, struct file *file)
{
	struct au_sbinfo *sbi = AU_SB(inode->i_sb);
	struct dentry *dentry = file->f_path.dentry;
	const struct cred *old;
	struct au_finfo *fi;
	struct path h_path;
	bool wr;
	int err;

	wr = (file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC);
	if (!wr && sbi->coo != AU_COO_NONE && !sb_rdonly(inode->i_sb) &&
	    au_cpup_for_write(dentry, -1))
		pr_debug("coo: copy-up of %pd2 failed, opening below\n", dentry);
	if (wr) {
		/* O_TRUNC: the data would be thrown away right after the copy */
		err = au_cpup_for_write(dentry, (file->f_flags & O_TRUNC) ? 0 : -1);
		if (err)
			return err;
	}
	fi = kzalloc(sizeof(*fi), GFP_KERNEL);
	if (!fi)
		return -ENOMEM;
	err = au_h_top(inode, &h_path);
	if (err)
		goto out_free;
	spin_lock(&AU_I(inode)->lock);
	fi->br = AU_I(inode)->h_br;
	au_br_get(fi->br);
	spin_unlock(&AU_I(inode)->lock);
	old = au_cred_override(inode->i_sb);
	fi->h_file = au_do_open(&h_path, file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC),
				current_cred());
	au_revert_creds(old);
	path_put(&h_path);
	if (IS_ERR(fi->h_file)) {
		err = PTR_ERR(fi->h_file);
		goto out_br;
	}
	atomic_inc(&fi->br->open_count);
	file->private_data = fi;
	return 0;

out_br:
	au_br_put(fi->br);
out_free:
	kfree(fi);
	return err;
}

static int au_release(struct inode *inode, struct file *file)
{
	struct au_finfo *fi = file->private_data;

	fput(fi->h_file);
	atomic_dec(&fi->br->open_count);
	au_br_put(fi->br);
	kfree(fi);
	return 0;
}

static rwf_t au_iocb_to_rwf(int ifl)
{
	rwf_t flags = 0;

	if (ifl & IOCB_HIPRI)
		flags |= RWF_HIPRI;
	if (ifl & IOCB_DSYNC)
		flags |= RWF_DSYNC;
	if (ifl & IOCB_SYNC)
		flags |= RWF_SYNC;
	return flags;
}

static ssize_t au_read_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct file *h_file = au_h_file(iocb->ki_filp);

	if (!iov_iter_count(iter))
		return 0;
	return vfs_iter_read(h_file, iter, &iocb->ki_pos,
			     au_iocb_to_rwf(iocb->ki_flags));
}

static ssize_t au_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct file *h_file = au_h_file(file);
	ssize_t ret;

	if (!iov_iter_count(iter))
		return 0;
	inode_lock(inode);
	file_start_write(h_file);
	ret = vfs_iter_write(h_file, iter, &iocb->ki_pos,
			     au_iocb_to_rwf(iocb->ki_flags));
	file_end_write(h_file);
	au_cpattr(inode, file_inode(h_file));
	inode_unlock(inode);
	return ret;
}

/* As in overlayfs: the aufs inode lock before the pipe lock, like write_iter. */
static ssize_t au_splice_write(struct pipe_inode_info *pipe, struct file *out,
			       loff_t *ppos, size_t len, unsigned int flags)
{
	struct inode *inode = file_inode(out);
	struct file *h_file = au_h_file(out);
	ssize_t ret;

	inode_lock(inode);
	file_start_write(h_file);
	ret = iter_file_splice_write(pipe, h_file, ppos, len, flags);
	file_end_write(h_file);
	au_cpattr(inode, file_inode(h_file));
	inode_unlock(inode);
	return ret;
}

static int au_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct au_finfo *fi = file->private_data;
	struct file *h_file = fi->h_file;
	int err;

	if (!au_can_mmap(h_file))
		return -ENODEV;
	/* the mapping belongs to the branch file from now on */
	vma_set_file(vma, h_file);
	err = au_call_mmap(vma->vm_file, vma);
	if (!err)
		au_br_note_mmap(fi->br, file_inode(h_file));
	file_accessed(file);
	return err;
}

static int au_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct file *h_file = au_h_file(file);

	/* aufs(5): success even when the file is not open for writing */
	if (!h_file->f_op->fsync || !(file->f_mode & FMODE_WRITE))
		return 0;
	return vfs_fsync_range(h_file, start, end, datasync);
}

static loff_t au_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file_inode(file);
	struct file *h_file = au_h_file(file);
	loff_t ret;

	/* plain moves of the position need no lock and no branch call */
	if (whence == SEEK_CUR && !offset)
		return file->f_pos;
	inode_lock(inode);
	h_file->f_pos = file->f_pos;
	ret = vfs_llseek(h_file, offset, whence);
	file->f_pos = h_file->f_pos;
	inode_unlock(inode);
	return ret;
}

static long au_fallocate(struct file *file, int mode, loff_t off, loff_t len)
{
	struct inode *inode = file_inode(file);
	struct file *h_file = au_h_file(file);
	long ret;

	inode_lock(inode);
	ret = vfs_fallocate(h_file, mode, off, len);
	au_cpattr(inode, file_inode(h_file));
	inode_unlock(inode);
	return ret;
}

static int au_flush(struct file *file, fl_owner_t id)
{
	struct file *h_file = au_h_file(file);

	if (h_file->f_op->flush)
		return h_file->f_op->flush(h_file, id);
	return 0;
}

static int au_fadvise(struct file *file, loff_t offset, loff_t len, int advice)
{
	return vfs_fadvise(au_h_file(file), offset, len, advice);
}

const struct file_operations au_file_fops = {
	.open		= au_open,
	.release	= au_release,
	.llseek		= au_llseek,
	.read_iter	= au_read_iter,
	.write_iter	= au_write_iter,
	.splice_read	= au_splice_read_iter,
	.splice_write	= au_splice_write,
	.mmap		= au_mmap,
	.fsync		= au_fsync,
	.fallocate	= au_fallocate,
	.flush		= au_flush,
	.fadvise	= au_fadvise,
};
