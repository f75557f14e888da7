/* HAVE_SET_DEFAULT_D_OP: set_default_d_op() sets a superblock's dentry operations (6.17) */
#include <linux/dcache.h>
#include <linux/fs.h>
void au_probe(struct super_block *sb, const struct dentry_operations *op);
void au_probe(struct super_block *sb, const struct dentry_operations *op) { set_default_d_op(sb, op); }
