/* HAVE_INODE_JUST_DROP: inode_just_drop() is generic_delete_inode() renamed (6.18) */
#include <linux/fs.h>
const struct super_operations au_probe = { .drop_inode = inode_just_drop };
