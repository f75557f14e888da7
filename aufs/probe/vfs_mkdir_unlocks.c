/* HAVE_VFS_MKDIR_UNLOCKS: vfs_mkdir() unlocks the parent on error (came with end_creating_keep) */
#include <linux/fs.h>
#include <linux/namei.h>
/* "VFS: change vfs_mkdir() to unlock on failure" and end_creating_keep() are one series */
struct dentry *au_probe(struct dentry *d);
struct dentry *au_probe(struct dentry *d)
{
	return end_creating_keep(d);
}
