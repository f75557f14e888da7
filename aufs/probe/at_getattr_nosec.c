/* HAVE_AT_GETATTR_NOSEC: ->getattr may be asked to skip the security check, AT_GETATTR_NOSEC (6.7) */
#include <linux/fs.h>
#include <linux/fcntl.h>
int au_probe(const struct path *p, struct kstat *st);
int au_probe(const struct path *p, struct kstat *st)
{
	return vfs_getattr_nosec(p, st, STATX_BASIC_STATS, AT_GETATTR_NOSEC);
}
