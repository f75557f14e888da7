/* HAVE_D_REVALIDATE_NAME: dentry_operations.d_revalidate gets the parent inode and the name (6.14) */
#include <linux/dcache.h>
static int au_rev(struct inode *dir, const struct qstr *name, struct dentry *d,
		  unsigned int flags)
{
	return 1;
}
const struct dentry_operations au_probe = { .d_revalidate = au_rev };
