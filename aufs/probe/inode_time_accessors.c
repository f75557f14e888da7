/* HAVE_INODE_TIME_ACCESSORS: inode_get_mtime()/inode_set_atime_to_ts() and friends (6.7) */
#include <linux/fs.h>
void au_probe(struct inode *inode);
void au_probe(struct inode *inode)
{
	inode_set_mtime_to_ts(inode, inode_get_mtime(inode));
	inode_set_atime_to_ts(inode, inode_get_atime(inode));
}
