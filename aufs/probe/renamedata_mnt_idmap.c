/* HAVE_RENAMEDATA_MNT_IDMAP: struct renamedata has one mnt_idmap for both sides (6.17) */
#include <linux/fs.h>
int au_probe(struct renamedata *rd);
int au_probe(struct renamedata *rd) { return rd->mnt_idmap != NULL; }
