#!/bin/sh
# `make demo ROOT=debian`: the Debian 12 root (scripts/debian-root.sh, cached) -> layer,
# with the demo's initramfs (it has the shutdown program) -> hybrid ISO in BUILD/demo-debian.
# usage: scripts/build-demo-debian.sh BUILD KVER KCACHE
set -eu
build=$1 kcache=$3   # $2, KVER, is in the kernel cache path already
mk=$build/bin/livestack-mkimage
out=$build/demo-debian
mkdir -p "$out"
layer=$(sh scripts/debian-root.sh "$build" | tail -n1)
# the busybox demo's initramfs (scripts/build-demo.sh, `make all`) boots it as well
initrd=$build/demo/initrd.img
[ -f "$initrd" ] || { echo "demo: $initrd missing: run 'make all'" >&2; exit 1; }
"$mk" iso --kernel "$kcache/vmlinuz" --initramfs "$initrd" \
	--layer "$layer" --label LIVESTACK --timeout 20 \
	--cmdline "console=tty0 console=ttyS0,115200" --out "$out/livestack-debian.iso"
echo "demo: $out/livestack-debian.iso ($(du -k "$out/livestack-debian.iso" | cut -f1) KiB," \
	"initramfs $(du -k "$initrd" | cut -f1) KiB)"
