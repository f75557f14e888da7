/* HAVE_UPDATE_TIME_TS: inode_operations.update_time takes a timespec64 (before 6.6) */
#include <linux/fs.h>
static int au_ut(struct inode *inode, struct timespec64 *ts, int flags)
{
	return 0;
}
const struct inode_operations au_probe = { .update_time = au_ut };
