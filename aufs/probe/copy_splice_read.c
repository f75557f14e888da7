/* HAVE_COPY_SPLICE_READ: copy_splice_read() replaces generic_file_splice_read() for read_iter files (6.5) */
#include <linux/fs.h>
const struct file_operations au_probe = { .splice_read = copy_splice_read };
