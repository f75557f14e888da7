/* HAVE_INODE_CTIME_ACCESSORS: inode_get_ctime()/inode_set_ctime_to_ts() (6.6) */
#include <linux/fs.h>
void au_probe(struct inode *inode);
void au_probe(struct inode *inode) { inode_set_ctime_to_ts(inode, inode_get_ctime(inode)); }
