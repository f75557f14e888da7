/* HAVE_UPDATE_TIME_TYPE: inode_operations.update_time takes an enum fs_update_time (7.0) */
#include <linux/fs.h>
static int au_ut(struct inode *inode, enum fs_update_time type, unsigned int flags)
{
	return 0;
}
const struct inode_operations au_probe = { .update_time = au_ut };
