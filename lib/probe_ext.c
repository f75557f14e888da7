// SPDX-License-Identifier: GPL-2.0
/* ext2/ext3/ext4: superblock at 1 KiB; the type told apart by feature flags exactly as blkid does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_int.h"

#define EXT_SB_OFF		1024
#define EXT_SB_READ		0x200
#define EXT_MAGIC_OFF		0x38	/* u16 le 0xef53 */
#define EXT_MAGIC		0xef53
#define EXT_FLAGS_OFF		0x160	/* s_flags */
#define EXT_COMPAT_OFF		0x5c
#define EXT_INCOMPAT_OFF	0x60
#define EXT_RO_COMPAT_OFF	0x64
#define EXT_UUID_OFF		0x68
#define EXT_LABEL_OFF		0x78
#define EXT_LABEL_LEN		16

#define COMPAT_HAS_JOURNAL	0x0004
#define INCOMPAT_FILETYPE	0x0002
#define INCOMPAT_RECOVER	0x0004
#define INCOMPAT_JOURNAL_DEV	0x0008
#define INCOMPAT_META_BG	0x0010
#define RO_COMPAT_SPARSE_SUPER	0x0001
#define RO_COMPAT_LARGE_FILE	0x0002
#define RO_COMPAT_BTREE_DIR	0x0004
#define FLAGS_TEST_FILESYS	0x0004

/* What the ext2 and ext3 drivers of old understood; anything else makes it ext4. */
#define EXT2_RO_COMPAT_SUPP	(RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR)
#define EXT2_INCOMPAT_SUPP	(INCOMPAT_FILETYPE | INCOMPAT_META_BG)
#define EXT3_RO_COMPAT_SUPP	EXT2_RO_COMPAT_SUPP
#define EXT3_INCOMPAT_SUPP	(INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG)

/* blkid's ext4dev, ext4, ext3, ext2 probes in its order; NULL for none (jbd, or odd flags). */
static const char *ext_type(uint32_t compat, uint32_t incompat, uint32_t ro_compat, uint32_t flags)
{
	if (incompat & INCOMPAT_JOURNAL_DEV)
		return NULL;	/* an external journal, no filesystem */
	if (flags & FLAGS_TEST_FILESYS)
		return "ext4dev";
	if ((ro_compat & ~EXT3_RO_COMPAT_SUPP) || (incompat & ~EXT3_INCOMPAT_SUPP))
		return "ext4";
	if (compat & COMPAT_HAS_JOURNAL)
		return "ext3";
	if (!(ro_compat & ~EXT2_RO_COMPAT_SUPP) && !(incompat & ~EXT2_INCOMPAT_SUPP))
		return "ext2";
	return NULL;	/* needs recovery but has no journal: blkid names nothing either */
}

int probe_ext_identify(struct probe_dev *dev, struct probe_result *res)
{
	uint8_t sb[EXT_SB_READ];
	const char *type;
	int err;

	err = probe_read(dev, EXT_SB_OFF, sb, sizeof(sb));
	if (err)
		return err;
	if (probe_le16(sb + EXT_MAGIC_OFF) != EXT_MAGIC)
		return -ENOENT;
	type = ext_type(probe_le32(sb + EXT_COMPAT_OFF), probe_le32(sb + EXT_INCOMPAT_OFF),
			probe_le32(sb + EXT_RO_COMPAT_OFF), probe_le32(sb + EXT_FLAGS_OFF));
	if (!type)
		return -ENOENT;

	snprintf(res->type, sizeof(res->type), "%s", type);
	probe_set_label(res, sb + EXT_LABEL_OFF, EXT_LABEL_LEN);
	probe_set_uuid_dce(res, sb + EXT_UUID_OFF);
	return 0;
}
