# shellcheck shell=bash
# Host checks of a guest's ext2/3/4 disk image, for the VM suites.

# fs_clean IMG: e2fsck -fn finds nothing, and nothing was left to find: e2fsck -n skips
# a journal that needs recovery and still exits 0, so the superblock must say clean
# with no needs_recovery (dumpe2fs -h)
fs_clean() {
	local out sb
	out=$(e2fsck -fn "$1" 2>&1) || return 1
	! grep -q "journal recovery" <<< "$out" || return 1
	sb=$(dumpe2fs -h "$1" 2>/dev/null) || return 1
	grep -q '^Filesystem state: *clean$' <<< "$sb" && ! grep -q '^Filesystem features:.*needs_recovery' <<< "$sb"
}
