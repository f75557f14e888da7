/* HAVE_LOOKUP_ONE_QSTR: lookup_one()/lookup_one_unlocked() take a struct qstr (6.16) */
#include <linux/namei.h>
struct dentry *au_probe(struct qstr *name, struct dentry *base);
struct dentry *au_probe(struct qstr *name, struct dentry *base)
{
	return lookup_one_unlocked(&nop_mnt_idmap, name, base);
}
