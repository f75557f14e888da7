/* HAVE_VFS_MKDIR_DENTRY: vfs_mkdir() returns the new dentry, and dputs it on error (6.15) */
#include <linux/fs.h>
struct dentry *au_probe(struct mnt_idmap *m, struct inode *dir, struct dentry *d);
struct dentry *au_probe(struct mnt_idmap *m, struct inode *dir, struct dentry *d)
{
	struct dentry *ret = vfs_mkdir(m, dir, d, 0755);

	return ret;
}
