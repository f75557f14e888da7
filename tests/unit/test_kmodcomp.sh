#!/bin/sh
# livestack-mkimage initramfs with compressed kernel modules (Debian 13's .ko.xz, and
# .ko.zst, .ko.gz): a crafted tree under usr/lib/modules. --compressed-modules auto (the
# default) keeps what the kernel's config says it decompresses and makes the rest plain
# .ko (modules.dep without the suffix); decompress and keep do that for all.
# usage: sh tests/unit/test_kmodcomp.sh [BUILD]
set -u
BUILD=${1:-build}
MK=$(pwd)/$BUILD/bin/livestack-mkimage
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
. tests/lib/hosttap.sh test_kmodcomp

need_mkimage xz zstd gzip cpio

# the tree: module contents are distinct, with a fake signature trailer as Debian's
KVER=6.12.99+deb13-amd64
M=$T/root/usr/lib/modules/$KVER
mkdir -p "$M/kernel/drivers/scsi" "$M/kernel/drivers/cdrom" "$M/kernel/fs/isofs" "$M/kernel/fs/nls"
mod() { # PATH-WITHOUT-SUFFIX TOOL
	printf '\177ELF%s\0name=%s\0~Module signature appended~\n' "$1" "$(basename "$1" .ko)" >"$M/$1"
	cp "$M/$1" "$T/plain-$(basename "$1")"
	case $2 in
	xz) xz --check=crc32 -q "$M/$1" ;;	# what Debian's kbuild does
	zstd) zstd -q --rm "$M/$1" ;;
	gzip) gzip -n -q "$M/$1" ;;
	esac
}
mod kernel/drivers/scsi/sr_mod.ko xz
mod kernel/drivers/cdrom/cdrom.ko xz
mod kernel/fs/isofs/isofs.ko zstd
mod kernel/fs/nls/nls_utf8.ko gzip
cat >"$M/modules.dep" <<'EOF'
kernel/drivers/scsi/sr_mod.ko.xz: kernel/drivers/cdrom/cdrom.ko.xz
kernel/drivers/cdrom/cdrom.ko.xz:
kernel/fs/isofs/isofs.ko.zst: kernel/drivers/cdrom/cdrom.ko.xz
kernel/fs/nls/nls_utf8.ko.gz:
EOF
printf 'alias scsi:t-0x05* sr_mod\nalias fs-iso9660 isofs\n' >"$M/modules.alias"
: >"$M/modules.builtin"
D=$T/datadir
mkdir -p "$D/configs/profiles" "$D/modules"
printf 'sr-mod\nkernel/fs/isofs/*.ko\nnls_*\n' >"$D/modules/cd.list"
printf 'lists = cd\nload = cd\ncompress = none\n' >"$D/configs/profiles/cd.conf"

mk() { # OUT [args]
	out=$1; shift
	"$MK" initramfs --kver "$KVER" --moddir "$M" --init /bin/busybox --busybox /bin/busybox \
		--shutdown none --datadir "$D" --profile cd --out "$out" "$@"
}
unpack() { mkdir -p "$2" && (cd "$2" && cpio -idm --quiet --nonmatching 'dev/*' <"$1"); }
L=lib/modules/$KVER

if mk "$T/plain.img" >"$T/log" 2>&1 && unpack "$T/plain.img" "$T/p"; then
	ok initramfs_compressed_tree_builds
else
	not_ok initramfs_compressed_tree_builds; sed 's/^/#   /' "$T/log"
fi
check auto_without_kernel_config_decompresses_all sh -c "! find '$T/p/$L' -name '*.ko.*' | grep -q . &&
	cmp '$T/p/$L/kernel/drivers/scsi/sr_mod.ko' '$T/plain-sr_mod.ko' &&
	cmp '$T/p/$L/kernel/drivers/cdrom/cdrom.ko' '$T/plain-cdrom.ko' &&
	cmp '$T/p/$L/kernel/fs/isofs/isofs.ko' '$T/plain-isofs.ko' &&
	cmp '$T/p/$L/kernel/fs/nls/nls_utf8.ko' '$T/plain-nls_utf8.ko'"
check decompressed_modules_dep sh -c "printf '%s\n' 'kernel/drivers/scsi/sr_mod.ko: kernel/drivers/cdrom/cdrom.ko' 'kernel/drivers/cdrom/cdrom.ko:' 'kernel/fs/isofs/isofs.ko: kernel/drivers/cdrom/cdrom.ko' 'kernel/fs/nls/nls_utf8.ko:' | cmp - '$T/p/$L/modules.dep'"
check decompressed_load_list sh -c "printf 'cdrom\nsr_mod\nisofs\nnls_utf8\n' | cmp - '$T/p/etc/livestack/modules.load'"
check aliases_kept sh -c "grep -q '^alias scsi:t-0x05\* sr_mod\$' '$T/p/$L/modules.alias'"
check no_temp_left sh -c "! ls -A '$T/tmp' | grep -q ."

# auto with the kernel's config beside the tree (as in the build cache: KVER/config):
# it decompresses xz itself, so .ko.xz stays; .ko.zst and .ko.gz are made plain
printf 'CONFIG_MODULE_COMPRESS_XZ=y\nCONFIG_MODULE_DECOMPRESS=y\n' >"$T/root/usr/config"
if mk "$T/auto.img" >"$T/log" 2>&1 && unpack "$T/auto.img" "$T/a"; then
	ok initramfs_auto_builds
else
	not_ok initramfs_auto_builds; sed 's/^/#   /' "$T/log"
fi
check auto_keeps_what_the_kernel_decompresses sh -c "
	cmp '$T/a/$L/kernel/drivers/scsi/sr_mod.ko.xz' '$M/kernel/drivers/scsi/sr_mod.ko.xz' &&
	cmp '$T/a/$L/kernel/fs/isofs/isofs.ko' '$T/plain-isofs.ko' &&
	cmp '$T/a/$L/kernel/fs/nls/nls_utf8.ko' '$T/plain-nls_utf8.ko' &&
	grep -q '^kernel/fs/isofs/isofs.ko: kernel/drivers/cdrom/cdrom.ko.xz\$' '$T/a/$L/modules.dep' &&
	grep -q '2 decompressed, 2 kept compressed' '$T/log'"
# CONFIG_MODULE_DECOMPRESS off: the kernel decompresses nothing, all made plain
printf 'CONFIG_MODULE_COMPRESS_XZ=y\n# CONFIG_MODULE_DECOMPRESS is not set\n' >"$T/root/usr/config"
check auto_without_kernel_decompress sh -c "'$MK' initramfs --kver '$KVER' --moddir '$M' --init /bin/busybox \
	--busybox /bin/busybox --shutdown none --datadir '$D' --profile cd --out '$T/auto2.img' 2>&1 |
	grep -q '4 decompressed, 0 kept compressed'"
rm -f "$T/root/usr/config"

if mk "$T/keep.img" --compressed-modules keep >"$T/log" 2>&1 && unpack "$T/keep.img" "$T/k"; then
	ok initramfs_keep_builds
else
	not_ok initramfs_keep_builds; sed 's/^/#   /' "$T/log"
fi
check kept_as_they_are sh -c "cmp '$T/k/$L/kernel/drivers/scsi/sr_mod.ko.xz' '$M/kernel/drivers/scsi/sr_mod.ko.xz' &&
	cmp '$T/k/$L/kernel/fs/isofs/isofs.ko.zst' '$M/kernel/fs/isofs/isofs.ko.zst' &&
	cmp '$T/k/$L/kernel/fs/nls/nls_utf8.ko.gz' '$M/kernel/fs/nls/nls_utf8.ko.gz'"
check kept_modules_dep_names_suffix sh -c "grep -q '^kernel/fs/isofs/isofs.ko.zst: kernel/drivers/cdrom/cdrom.ko.xz\$' '$T/k/$L/modules.dep'"
mk "$T/plain2.img" >/dev/null 2>&1
check decompressed_reproducible cmp "$T/plain.img" "$T/plain2.img"

if mk "$T/bad.img" --compressed-modules maybe >"$T/log" 2>&1; then
	not_ok "bad --compressed-modules refused (succeeded)"
elif grep -q "compressed-modules maybe: use auto, decompress or keep" "$T/log"; then
	ok "bad --compressed-modules refused with a message"
else
	not_ok "bad --compressed-modules refused with a message"; sed 's/^/#   /' "$T/log"
fi
# a damaged compressed module: named, and no image left behind
printf 'not xz' >"$M/kernel/drivers/cdrom/cdrom.ko.xz"
if mk "$T/dmg.img" >"$T/log" 2>&1; then
	not_ok "damaged .ko.xz refused (succeeded)"; sed "s/^/#   /" "$T/log"
elif grep -q "cdrom.ko.xz: cannot decompress it with xz" "$T/log" && [ ! -e "$T/dmg.img" ]; then
	ok "damaged .ko.xz refused, named, no image left"
else
	not_ok "damaged .ko.xz refused, named, no image left"; sed 's/^/#   /' "$T/log"
fi
finish
