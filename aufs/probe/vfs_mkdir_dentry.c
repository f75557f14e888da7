/* HAVE_VFS_MKDIR_DENTRY: vfs_mkdir() returns the new dentry, and dputs it on error (6.15) */
#include <linux/fs.h>
struct delegated_inode;
/* either argument list (with or without the delegation); no match, no build */
int au_probe(void);
int au_probe(void)
{
	return _Generic(&vfs_mkdir,
		struct dentry *(*)(struct mnt_idmap *, struct inode *, struct dentry *,
				   umode_t) : 1,
		struct dentry *(*)(struct mnt_idmap *, struct inode *, struct dentry *,
				   umode_t, struct delegated_inode *) : 1);
}
