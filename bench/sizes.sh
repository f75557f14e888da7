#!/bin/sh
# Image sizes: the demo initramfs compressed and uncompressed, /init, the ISO.
# usage: bench/sizes.sh BUILD
set -eu
b=$1
img=$b/demo/initrd.img
comp=$(stat -c %s "$img")
raw=$(zstd -dc "$img" | wc -c)
echo "sizes: initramfs $comp bytes compressed ($(awk -v c="$comp" 'BEGIN { printf "%.2f", c / 1048576 }') MiB, target <= 3 MiB), $raw bytes uncompressed"
echo "sizes: /init $(stat -c %s "$b/bin/init") bytes (static, musl)"
for f in busybox e2fsck; do
	[ -f "$b/initramfs/$f" ] && echo "sizes: $f in the initramfs $(stat -c %s "$b/initramfs/$f") bytes (static, musl; scripts/$f.sh)"
done
echo "sizes: biggest files in the initramfs (bytes uncompressed):"
zstd -dc "$img" | cpio -itv --quiet 2>/dev/null | awk '{ print $5, $9 }' | sort -rn | head -n 8 | sed 's/^/sizes:   /'
echo "sizes: demo ISO $(stat -c %s "$b/demo/livestack-demo.iso") bytes, layer $(stat -c %s "$b/demo/10-demo.squashfs") bytes"
