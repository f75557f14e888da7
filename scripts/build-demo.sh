#!/bin/sh
# Build the demo live system: root dir -> squashfs layer -> initramfs -> hybrid ISO.
# usage: scripts/build-demo.sh BUILD KVER KCACHE [UNION]
# UNION: aufs (default: BUILD/aufs/KVER/aufs.ko must exist) or overlay (asked for, for a
# kernel aufs does not build for yet: the image has no aufs.ko and boots overlayfs)
set -eu
build=$1 kver=$2 kcache=$3 union=${4:-aufs}
mk=$build/bin/livestack-mkimage
case $union in
aufs)
	if [ ! -f "$build/aufs/$kver/aufs.ko" ]; then
		echo "demo: no aufs.ko for $kver in $build/aufs/$kver (tried: make aufs KVER=$kver);" \
			"build it, or ask for an overlayfs demo with UNION=overlay" >&2
		exit 1
	fi
	union_opt=aufs ;;
overlay)
	echo "demo: UNION=overlay: the image for $kver has no aufs.ko; its root is overlayfs" >&2
	union_opt=overlay ;;
*) echo "demo: UNION=$union: use aufs or overlay" >&2; exit 2 ;;
esac
out=$build/demo
mkdir -p "$out"

# the root: configs/demo-root plus busybox and its applet links
root=$out/root
rm -rf "$root"
mkdir -p "$root"
cp -a configs/demo-root/. "$root/"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" \
	"$root/mnt" "$root/usr/bin" "$root/usr/sbin"
cp /bin/busybox "$root/bin/busybox"
for app in $(/bin/busybox --list-full); do
	[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
done
rm -f "$root/.keep" "$root/root/.keep"
# the runtime tool of the live system
[ -x "$build/bin/livectl" ] && cp "$build/bin/livectl" "$root/usr/sbin/livectl"

"$mk" squashfs "$root" "$out/10-demo.squashfs.new"
mv "$out/10-demo.squashfs.new" "$out/10-demo.squashfs"

# the initramfs's own busybox (only the applets it needs) and e2fsck, both musl: with
# Debian's glibc builds the image would be 3.7 MiB instead of under 3 MiB
sh scripts/busybox.sh "$build/cache" "$build/initramfs/busybox" configs/busybox/applets.list
sh scripts/e2fsck.sh "$build/cache" "$build/initramfs/e2fsck"
# aufs.ko: taken by default from $build/aufs/$kver (the build tree beside the program)
"$mk" initramfs --kver "$kver" --moddir "$kcache/lib/modules/$kver" --union "$union_opt" \
	--init "$build/bin/init" --profile demo --busybox "$build/initramfs/busybox" \
	--e2fsck "$build/initramfs/e2fsck" --out "$out/initrd.img"

"$mk" iso --kernel "$kcache/vmlinuz" --initramfs "$out/initrd.img" \
	--layer "$out/10-demo.squashfs" --label LIVESTACK --timeout 20 \
	--cmdline "console=tty0 console=ttyS0,115200" --out "$out/livestack-demo.iso"
echo "demo: $out/livestack-demo.iso ($(du -k "$out/livestack-demo.iso" | cut -f1) KiB," \
	"initramfs $(du -k "$out/initrd.img" | cut -f1) KiB)"
