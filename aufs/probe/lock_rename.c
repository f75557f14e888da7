/* HAVE_LOCK_RENAME: lock_rename()/unlock_rename() are declared (gone from namei.h in 6.19) */
#include <linux/namei.h>
struct dentry *au_probe(struct dentry *a, struct dentry *b);
struct dentry *au_probe(struct dentry *a, struct dentry *b)
{
	struct dentry *trap = lock_rename(a, b);

	unlock_rename(a, b);
	return trap;
}
