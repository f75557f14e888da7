// SPDX-License-Identifier: GPL-2.0
/* aufs module init/exit: inode cache and filesystem registration. */
#include "aufs.h"
#include <linux/file.h>
#include <linux/module.h>
#include <linux/workqueue.h>

struct kmem_cache *au_inode_cachep;
struct workqueue_struct *au_wq;	/* dirwh: removal of large whited-out dirs */

static void au_inode_init_once(void *p)
{
	struct au_inode *ai = p;

	inode_init_once(&ai->vfs_inode);
	mutex_init(&ai->cpup_lock);	/* objects are freed unlocked */
}

static void au_kill_sb(struct super_block *sb)
{
	struct au_sbinfo *sbi = AU_SB(sb);

	kill_anon_super(sb);
	flush_workqueue(au_wq);
	/*
	 * The dirwh worker's fput() of a branch directory is deferred (it runs
	 * in a kworker): finish those closes, or the branch's mount stays busy
	 * after umount returns (umount of the branch then fails with EBUSY).
	 */
	flush_delayed_fput();
	if (sbi)
		au_free_sbinfo(sbi);
}

struct file_system_type au_fs_type = {
	.owner			= THIS_MODULE,
	.name			= AUFS_NAME,
	.init_fs_context	= au_init_fs_context,
	.parameters		= au_fs_parameters,
	.kill_sb		= au_kill_sb,
};
MODULE_ALIAS_FS(AUFS_NAME);

static int __init au_init(void)
{
	int err;

	au_inode_cachep = kmem_cache_create("aufs_inode", sizeof(struct au_inode),
					    0, SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					    au_inode_init_once);
	if (!au_inode_cachep)
		return -ENOMEM;
	err = -ENOMEM;
	au_wq = alloc_workqueue("aufs_rmdir", WQ_UNBOUND, 0);
	if (!au_wq)
		goto out_cache;
	err = register_filesystem(&au_fs_type);
	if (err)
		goto out_wq;
	pr_info("registered (union of branches, see aufs(5))\n");
	return 0;

out_wq:
	destroy_workqueue(au_wq);
out_cache:
	kmem_cache_destroy(au_inode_cachep);
	return err;
}

static void __exit au_exit(void)
{
	unregister_filesystem(&au_fs_type);
	destroy_workqueue(au_wq);
	/* Make sure all delayed rcu free inodes are flushed before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(au_inode_cachep);
}

module_init(au_init);
module_exit(au_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("aufs: another union filesystem (livestack)");
MODULE_AUTHOR("livestack");
