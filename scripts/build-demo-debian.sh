#!/bin/sh
# `make demo ROOT=debian`: the Debian 12 root (scripts/debian-root.sh, cached) -> layer
# -> initramfs (with the shutdown program) -> hybrid ISO in BUILD/demo-debian.
# usage: scripts/build-demo-debian.sh BUILD KVER KCACHE
set -eu
build=$1 kver=$2 kcache=$3
mk=$build/bin/livestack-mkimage
out=$build/demo-debian
mkdir -p "$out"
layer=$(sh scripts/debian-root.sh "$build" | tail -n1)
aufs=""
[ -f "$build/aufs/$kver/aufs.ko" ] && aufs="--aufs $build/aufs/$kver/aufs.ko"
# shellcheck disable=SC2086
"$mk" initramfs --kver "$kver" --moddir "$kcache/lib/modules/$kver" \
	--init "$build/bin/init" $aufs --profile demo --out "$out/initrd.img"
"$mk" iso --kernel "$kcache/vmlinuz" --initramfs "$out/initrd.img" \
	--layer "$layer" --label LIVESTACK --timeout 20 \
	--cmdline "console=tty0 console=ttyS0,115200" --out "$out/livestack-debian.iso"
echo "demo: $out/livestack-debian.iso ($(du -k "$out/livestack-debian.iso" | cut -f1) KiB," \
	"initramfs $(du -k "$out/initrd.img" | cut -f1) KiB)"
