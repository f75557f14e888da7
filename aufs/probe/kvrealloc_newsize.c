/* HAVE_KVREALLOC_NEWSIZE: kvrealloc() takes no old size (6.12) */
#include <linux/slab.h>
void *au_probe(void *p);
void *au_probe(void *p) { return kvrealloc(p, 64, GFP_KERNEL); }
