/* HAVE_RENAMEDATA_PARENT: struct renamedata names the parents as dentries, old_parent/new_parent (6.17) */
#include <linux/fs.h>
int au_probe(struct renamedata *rd);
int au_probe(struct renamedata *rd) { return rd->old_parent != rd->new_parent; }
