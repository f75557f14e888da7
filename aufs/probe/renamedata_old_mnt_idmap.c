/* HAVE_RENAMEDATA_OLD_MNT_IDMAP: struct renamedata has old_mnt_idmap and new_mnt_idmap (6.3) */
#include <linux/fs.h>
int au_probe(struct renamedata *rd);
int au_probe(struct renamedata *rd) { return rd->old_mnt_idmap != rd->new_mnt_idmap; }
