/* HAVE_VFS_MMAP: vfs_mmap() replaces call_mmap() and also serves ->mmap_prepare (6.17) */
#include <linux/fs.h>
#include <linux/mm.h>
int au_probe(struct file *file, struct vm_area_struct *vma);
int au_probe(struct file *file, struct vm_area_struct *vma) { return vfs_mmap(file, vma); }
