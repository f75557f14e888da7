/* HAVE_DENTRY_D_ALIAS: a dentry's alias list node is d_alias, no longer d_u.d_alias (6.19) */
#include <linux/dcache.h>
struct hlist_node *au_probe(struct dentry *d);
struct hlist_node *au_probe(struct dentry *d) { return &d->d_alias; }
