/* HAVE_VFS_DELEGATED_INODE: vfs_mkdir/mknod/symlink/rmdir take a struct delegated_inode * too (6.19) */
#include <linux/fs.h>
int au_probe(struct mnt_idmap *m, struct inode *dir, struct dentry *d);
int au_probe(struct mnt_idmap *m, struct inode *dir, struct dentry *d)
{
	struct delegated_inode *di = NULL;

	return vfs_rmdir(m, dir, d, di) + vfs_mknod(m, dir, d, 0, 0, di) +
	       vfs_symlink(m, dir, d, "x", di) + !vfs_mkdir(m, dir, d, 0, di);
}
