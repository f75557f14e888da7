/* HAVE_IOP_MKDIR_DENTRY: inode_operations.mkdir returns a dentry (6.15) */
#include <linux/fs.h>
static struct dentry *au_mkdir(struct mnt_idmap *m, struct inode *dir,
			       struct dentry *d, umode_t mode)
{
	return NULL;
}
const struct inode_operations au_probe = { .mkdir = au_mkdir };
