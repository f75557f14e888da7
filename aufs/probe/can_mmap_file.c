/* HAVE_CAN_MMAP_FILE: a file maps through ->mmap or ->mmap_prepare, can_mmap_file() says (6.17) */
#include <linux/fs.h>
bool au_probe(struct file *file);
bool au_probe(struct file *file) { return can_mmap_file(file); }
