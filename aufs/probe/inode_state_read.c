/* HAVE_INODE_STATE_READ: inode->i_state is read through inode_state_read_once() (6.19) */
#include <linux/fs.h>
int au_probe(struct inode *inode);
int au_probe(struct inode *inode) { return !!(inode_state_read_once(inode) & I_NEW); }
