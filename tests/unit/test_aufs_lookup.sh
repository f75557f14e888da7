#!/bin/sh
# livestack-mkimage initramfs finds aufs in the module tree as make install, depmod and DKMS
# leave it: extra/ before updates/dkms/, plain or compressed (.ko.xz, .ko.zst, .ko.gz as
# Debian 13's dkms writes them); a compressed one goes into the image plain, signature kept.
# usage: sh tests/unit/test_aufs_lookup.sh [BUILD]
set -u
BUILD=${1:-build}
MK=$(pwd)/$BUILD/bin/livestack-mkimage
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
. tests/lib/hosttap.sh test_aufs_lookup

need_mkimage xz zstd gzip cpio

# a module tree with one module and no aufs; aufs.ko as DKMS signs it (trailer kept)
KVER=6.12.99+deb13-amd64
M=$T/root/usr/lib/modules/$KVER
mkdir -p "$M/kernel/fs/isofs"
printf '\177ELFisofs\0name=isofs\0' >"$M/kernel/fs/isofs/isofs.ko"
printf 'kernel/fs/isofs/isofs.ko:\n' >"$M/modules.dep"
: >"$M/modules.alias"
: >"$M/modules.builtin"
printf '\177ELFaufs\0vermagic=%s SMP preempt mod_unload modversions \0depends=\0alias=fs-aufs\0name=aufs\0~Module signature appended~\n' \
	"$KVER" >"$T/aufs.ko"
D=$T/datadir
mkdir -p "$D/configs/profiles" "$D/modules"
printf 'isofs\n' >"$D/modules/cd.list"
printf 'lists = cd\nload = cd\ncompress = none\n' >"$D/configs/profiles/cd.conf"

mk() { # OUT [args]
	out=$1; shift
	"$MK" initramfs --kver "$KVER" --moddir "$M" --init /bin/busybox --busybox /bin/busybox \
		--shutdown none --datadir "$D" --profile cd --out "$out" "$@"
}
unpack() { rm -rf "$2"; mkdir -p "$2" && (cd "$2" && cpio -idm --quiet --nonmatching 'dev/*' <"$1"); }
L=lib/modules/$KVER
place() { # DIR TOOL: aufs.ko into M/DIR, compressed with TOOL (none: plain)
	rm -rf "$M/extra" "$M/updates"
	mkdir -p "$M/$1"
	cp "$T/aufs.ko" "$M/$1/aufs.ko"
	case $2 in
	xz) xz --check=crc32 -q "$M/$1/aufs.ko" ;;
	zstd) zstd -q --rm "$M/$1/aufs.ko" ;;
	gzip) gzip -n -q "$M/$1/aufs.ko" ;;
	esac
}
# CASE DIR TOOL SUFFIX: the image holds extra/aufs.ko, plain, loaded last, union aufs
found() {
	place "$2" "$3"
	if mk "$T/$1.img" >"$T/log" 2>&1 && unpack "$T/$1.img" "$T/u"; then
		ok "$1: image builds"
	else
		not_ok "$1: image builds"; sed 's/^/#   /' "$T/log"; return
	fi
	check "$1: the log names $2/aufs.ko$4" grep -q "initramfs: aufs: .*/$2/aufs.ko$4 (the module tree" "$T/log"
	check "$1: aufs.ko plain in the image, signature kept" cmp "$T/u/$L/extra/aufs.ko" "$T/aufs.ko"
	check "$1: no compressed aufs in the image" sh -c "! find '$T/u' -name 'aufs.ko.*' | grep -q ."
	check "$1: aufs loaded after isofs" sh -c "printf 'isofs\naufs\n' | cmp - '$T/u/etc/livestack/modules.load'"
	check "$1: union aufs" grep -q "union aufs\$" "$T/log"
}
found dkms-xz updates/dkms xz .xz
found dkms-zst updates/dkms zstd .zst
found dkms-gz updates/dkms gzip .gz
found dkms-plain updates/dkms none ""
found extra-xz extra xz .xz

# extra/ (make install's place) before updates/dkms/, whatever their suffixes
place updates/dkms xz
mkdir -p "$M/extra" && cp "$T/aufs.ko" "$M/extra/aufs.ko" && zstd -q --rm "$M/extra/aufs.ko"
check "extra/ taken before updates/dkms/" sh -c "'$MK' initramfs --kver '$KVER' --moddir '$M' \
	--init /bin/busybox --busybox /bin/busybox --shutdown none --datadir '$D' --profile cd \
	--out '$T/order.img' >'$T/log' 2>&1 && grep -q 'aufs: .*/extra/aufs.ko.zst' '$T/log'"
check "no temp left" sh -c "! ls -A '$T/tmp' | grep -q ."

# --union overlay: a DKMS aufs is left out
place updates/dkms xz
check "--union overlay leaves the DKMS aufs out" sh -c "'$MK' initramfs --kver '$KVER' --moddir '$M' \
	--init /bin/busybox --busybox /bin/busybox --shutdown none --datadir '$D' --profile cd \
	--union overlay --out '$T/ov.img' >'$T/log' 2>&1 && grep -q 'union overlay\$' '$T/log'"

# a damaged .ko.xz: named, no image, no temp left
place updates/dkms none
printf 'not xz' >"$M/updates/dkms/aufs.ko.xz"
rm -f "$M/updates/dkms/aufs.ko"
if mk "$T/dmg.img" >"$T/log" 2>&1; then
	not_ok "damaged aufs.ko.xz refused (succeeded)"; sed 's/^/#   /' "$T/log"
elif grep -q "updates/dkms/aufs.ko.xz: cannot decompress it with xz" "$T/log" &&
	[ ! -e "$T/dmg.img" ] && ! ls -A "$T/tmp" | grep -q .; then
	ok "damaged aufs.ko.xz refused, named, no image or temp left"
else
	not_ok "damaged aufs.ko.xz refused, named, no image or temp left"; sed 's/^/#   /' "$T/log"
fi
# none anywhere: --union aufs names every place and the package
rm -rf "$M/extra" "$M/updates"
if mk "$T/none.img" --union aufs >"$T/log" 2>&1; then
	not_ok "--union aufs without aufs refused (succeeded)"
elif grep -q "no aufs.ko for $KVER in $M/extra, $M/updates/dkms (nor .ko.xz, .ko.zst, .ko.gz).*aufs-livestack-dkms" "$T/log"; then
	ok "--union aufs without aufs: the places and the DKMS package named"
else
	not_ok "--union aufs without aufs: the places and the DKMS package named"; sed 's/^/#   /' "$T/log"
fi
finish
