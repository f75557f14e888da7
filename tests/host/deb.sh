#!/bin/bash
# make check-deb: livestack's two .debs installed into a fresh Debian 12 root (mmdebstrap,
# cached as a tarball, unpacked anew each run) that has the kernel, its headers and dkms
# (DEB_SUITE=trixie, make check-deb-trixie: a Debian 13 root with linux-image-amd64);
# DKMS builds aufs for the root's kernel when the package is installed; then, in the
# root and with the installed tools only (no build tree), a squashfs layer, an initramfs
# that must take aufs from updates/dkms, and an ISO; QEMU boots the ISO to an aufs root.
# The chroot runs in a private mount namespace (/proc, /sys, /dev go with it); the trap
# removes the work tree. TAP lines, then "N passed, M failed". Not in make check.
# usage: tests/host/deb.sh BUILD DEBDIR   (as root; env DEB_SUITE=bookworm|trixie, DEBIAN_MIRROR)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
DEBDIR=$(cd "${2:-$BUILD/debpkg}" && pwd)
suite=${DEB_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
sources=("deb $mirror $suite main" "deb ${mirror%/debian}/debian-security $suite-security main")
case $suite in
bookworm) # the kernel the rest of the project tests; merged /usr by mmdebstrap's hook
	debian=12 KVER=6.1.0-57-amd64 kpkgs=linux-image-$KVER,linux-headers-$KVER
	sources+=("deb $mirror bookworm-updates main")
	hook=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr) ;;
trixie) # whatever kernel trixie's metapackages name today; the root says which
	debian=13 KVER='' kpkgs=linux-image-amd64,linux-headers-amd64 hook=() ;;
*) echo "DEB_SUITE=$suite: bookworm or trixie" >&2; exit 2 ;;
esac
cache=$BUILD/cache/deb-root-$suite
work=$BUILD/deb-root-$suite
root=$work/root
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
nok() { echo "not ok - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
[ "$(id -u)" = 0 ] || { nok "run as root (mmdebstrap, chroot, mounts)"; finish; }
t0=$(date +%s)

# the root, once per build cache: the kernel and headers of KVER, dkms, and what the
# livestack package depends on (so the test installs the two .debs with dpkg alone)
pkgs=dkms,$kpkgs,busybox-static,squashfs-tools,xorriso,isolinux
pkgs=$pkgs,syslinux-common,grub-pc-bin,grub-efi-amd64-bin,grub-common,mtools,dosfstools,shim-signed
pkgs=$pkgs,grub-efi-amd64-signed,shim-helpers-amd64-signed,openssl,zstd,xz-utils,binutils,kmod,cpio
recipe="mmdebstrap $suite+security minbase $(echo "$pkgs" | tr , ' ')${hook:+ merged-usr-hook}"
mkdir -p "$cache"
if [ "$(cat "$cache/root.done" 2>/dev/null)" != "$recipe" ]; then
	rm -f "$cache/root.tar"
	echo "# mmdebstrap $suite with ${kpkgs//,/, } and dkms into $cache (once per cache)"
	if mmdebstrap --variant=minbase --include="$pkgs" "${hook[@]}" "$suite" "$cache/root.new.tar" \
		"${sources[@]}" >"$cache/mmdebstrap.log" 2>&1; then
		mv "$cache/root.new.tar" "$cache/root.tar"
		echo "$recipe" >"$cache/root.done"
	else
		nok "mmdebstrap a Debian $debian root" "$(tail -n 5 "$cache/mmdebstrap.log")"
		finish
	fi
fi

cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$root"
tar -xf "$cache/root.tar" -C "$root" || { nok "unpack the root"; finish; }
[ -n "$KVER" ] || KVER=$(ls "$root/usr/lib/modules" | head -n1)
ok "a Debian $debian root with linux-image/headers-$KVER and dkms ($cache/root.tar)"
[ -d "$root/usr/src/linux-headers-$KVER" ] && [ ! -e "$root/usr/bin/livestack-mkimage" ] &&
	[ ! -d "$root/usr/src/aufs-livestack-"* ] && ok "the root has the headers and no livestack" ||
	nok "the root has the headers and no livestack"
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/debian/changelog")
debs="$DEBDIR/livestack_${VERSION}_amd64.deb $DEBDIR/aufs-livestack-dkms_${VERSION}_all.deb"
for d in $debs; do [ -f "$d" ] || { nok "$(basename "$d") built (make deb)"; finish; }; done
mkdir -p "$root/tmp/debs" && cp $debs "$root/tmp/debs/"
set -- $debs
dpkg-deb -c "$1" | grep -q ' ./usr/lib/livestack/init$' && ! dpkg-deb -c "$1" | grep -q ' ./usr/src/' &&
	! dpkg-deb -f "$1" Depends | grep -q dkms &&
	ok "livestack.deb: the tools and /init, no DKMS source, no dkms dependency" ||
	nok "livestack.deb: the tools and /init, no DKMS source, no dkms dependency"
dpkg-deb -c "$2" | grep -q " ./usr/src/aufs-livestack-$VERSION/dkms.conf\$" &&
	dpkg-deb -f "$2" Depends | grep -q dkms && ok "aufs-livestack-dkms.deb: the source, dkms.conf, Depends dkms" ||
	nok "aufs-livestack-dkms.deb: the source, dkms.conf, Depends dkms"
if [ -f "$DEBDIR/lintian.log" ]; then
	grep -qE '^[EW]: ' "$DEBDIR/lintian.log" && nok "lintian: no error or warning" "$(grep -E '^[EW]: ' "$DEBDIR/lintian.log")" ||
		ok "lintian: no error or warning (overrides explained in debian/README.source)"
fi

# in_root LOG SCRIPT: run SCRIPT with sh in the root, /proc /sys /dev mounted privately
in_root() {
	local log=$1; shift
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" &&
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			SOURCE_DATE_EPOCH=1700000000 sh -ec "$1"
	' sh "$root" "$1" >"$work/$log.log" 2>&1
}

# 1. dpkg -i both: DKMS (the package's postinst) builds and installs aufs for KVER
t1=$(date +%s)
if in_root dpkg "dpkg -i /tmp/debs/*.deb"; then
	ok "dpkg -i livestack and aufs-livestack-dkms ($(( $(date +%s) - t1 )) s)"
else
	nok "dpkg -i livestack and aufs-livestack-dkms" "$(tail -n 30 "$work/dpkg.log")"
fi
ko=$(ls "$root/lib/modules/$KVER/updates/dkms/"aufs.ko* 2>/dev/null | head -n1)
if [ -n "$ko" ]; then
	ok "DKMS built aufs for $KVER: ${ko#"$root"}"
else
	nok "DKMS built aufs for $KVER (updates/dkms/aufs.ko)" "$(grep -i -A3 'dkms\|error' "$work/dpkg.log" | tail -n 30)"
fi
in_root dkms "dkms status" && grep -q "aufs-livestack/$VERSION, $KVER, x86_64: installed" "$work/dkms.log" &&
	ok "dkms status: aufs-livestack/$VERSION installed for $KVER" ||
	nok "dkms status: aufs-livestack/$VERSION installed for $KVER" "$(cat "$work/dkms.log")"
in_root modinfo "modinfo -k $KVER -F vermagic aufs; modinfo -k $KVER -n aufs" &&
	grep -q "^$KVER " "$work/modinfo.log" && grep -q "updates/dkms/aufs.ko" "$work/modinfo.log" &&
	ok "depmod knows it: modinfo -k $KVER aufs (vermagic $KVER)" ||
	nok "depmod knows it: modinfo -k $KVER aufs" "$(cat "$work/modinfo.log")"
# dkms removes its build tree after the build; its make.log stays
[ ! -e "$root/usr/src/aufs-livestack-$VERSION/compat_probe.h" ] &&
	grep -q "PROBE   /lib/modules/$KVER/build" "$root/var/lib/dkms/aufs-livestack/$VERSION/$KVER/x86_64/log/make.log" &&
	ok "the header probes ran in DKMS's build tree, /usr/src left clean" ||
	nok "the header probes ran in DKMS's build tree, /usr/src left clean"

# 2. the installed tools only: a layer, the initramfs (aufs from updates/dkms), the ISO
cat >"$work/mk.sh" <<EOF
mkdir -p /tmp/lay/bin /tmp/lay/sbin /tmp/lay/proc /tmp/lay/sys /tmp/lay/dev /tmp/lay/tmp
cp /bin/busybox /tmp/lay/bin/busybox
ln -s busybox /tmp/lay/bin/sh
printf '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\necho DEBROOT-UP\n/bin/busybox cat /proc/mounts\n/bin/busybox poweroff -f\n' >/tmp/lay/sbin/init
chmod 755 /tmp/lay/sbin/init
livestack-mkimage squashfs /tmp/lay /tmp/10-base.squashfs
livestack-mkimage initramfs --kver $KVER --out /tmp/initrd.img
livestack-mkimage iso --kernel /boot/vmlinuz-$KVER --initramfs /tmp/initrd.img \
	--layer /tmp/10-base.squashfs --timeout 1 --cmdline "console=ttyS0,115200 panic=-1" --out /tmp/deb.iso
EOF
cp "$work/mk.sh" "$root/tmp/mk.sh"
t1=$(date +%s)
if in_root mkimage "sh -e /tmp/mk.sh" && [ -f "$root/tmp/deb.iso" ]; then
	ok "layer, initramfs and ISO made in the root with the installed tools ($(( $(date +%s) - t1 )) s)"
else
	nok "layer, initramfs and ISO made in the root with the installed tools" "$(tail -n 20 "$work/mkimage.log")"
fi
grep -q "initramfs: aufs: /.*lib/modules/$KVER/updates/dkms/aufs.ko.* (the module tree (DKMS))" "$work/mkimage.log" &&
	ok "initramfs took aufs from updates/dkms (the DKMS build)" ||
	nok "initramfs took aufs from updates/dkms (the DKMS build)" "$(grep -i aufs "$work/mkimage.log")"
grep -q "union aufs" "$work/mkimage.log" && ok "initramfs union aufs" || nok "initramfs union aufs"
if grep -q "$top\|/build/" "$work/mkimage.log"; then nok "no build tree named in the log"; else ok "no build tree named in the log"; fi

# 3. QEMU boots the ISO (BIOS, CD) to the union root: aufs
export VM_OUT=$work/vm
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
t1=$(date +%s)
vm_boot deb-iso 300 -cdrom "$root/tmp/deb.iso" -boot d
rc=$?
log=$VM_OUT/deb-iso.log
[ "$rc" = 0 ] && ok "the guest powered off by itself ($(( $(date +%s) - t1 )) s)" || nok "the guest powered off by itself" "rc=$rc"
grep -q "DEBROOT-UP" "$log" && ok "the layer's /sbin/init ran" || nok "the layer's /sbin/init ran" "$(tail -n 20 "$log")"
grep -qE "^none / aufs " "$log" && ok "the root union is aufs (the DKMS-built module)" ||
	nok "the root union is aufs (the DKMS-built module)" "$(grep -E ' / |aufs|livestack:' "$log" | tail -n 15)"
grep -qE "Kernel panic|BUG:|Oops" "$log" && nok "no kernel panic or oops" || ok "no kernel panic or oops"
# the logs outlive the work tree: BUILD/tests/check-deb
logs=$BUILD/tests/check-deb${DEB_SUITE:+-$suite}
rm -rf "$logs" && mkdir -p "$logs" && cp "$work/"*.log "$VM_OUT/"*.log "$logs/" 2>/dev/null
echo "# check-deb ($suite, $KVER): $(( $(date +%s) - t0 )) s"
finish
