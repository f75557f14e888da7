/* SPDX-License-Identifier: GPL-2.0 */
/* AUFS_DEBUG switches: lock assertions that lockdep would do on a debug kernel. */
#ifndef __AUFS_DEBUG_H__
#define __AUFS_DEBUG_H__

#include <linux/bug.h>

#ifdef AUFS_DEBUG
#define AU_DEBUG_ON(cond)	WARN_ON_ONCE(cond)
#define AU_MUST_LOCK(inode)	WARN_ON_ONCE(!inode_is_locked(inode))
#define AU_MUST_MUTEX(m)	WARN_ON_ONCE(!mutex_is_locked(m))
#else
#define AU_DEBUG_ON(cond)	do { } while (0)
#define AU_MUST_LOCK(inode)	do { } while (0)
#define AU_MUST_MUTEX(m)	do { } while (0)
#endif

#endif /* __AUFS_DEBUG_H__ */
