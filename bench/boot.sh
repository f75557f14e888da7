#!/bin/bash
# Boot benchmark: kernel start -> exec of the real init, livestack's /init vs a minimal
# hand-written init doing only the same mounts with the device known (the floor).
# Same kernel, same initramfs contents (only /init differs), same ISO; N boots each,
# interleaved; medians and the ratio. usage: bench/boot.sh BUILD KVER KCACHE  (BENCH_BOOTS=5)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/bench/boot
: "${BENCH_BOOTS:=5}"
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
MK=$BUILD/bin/livestack-mkimage
die() { echo "boot-bench: $*" >&2; exit 1; }
mkdir -p "$OUT"

# the root: the demo root plus the stamp init
musl-gcc -static -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$OUT/stamp" "$top/bench/stamp.c" ||
	die "cannot build bench/stamp.c"
rm -rf "$OUT/root"; cp -a "$BUILD/demo/root" "$OUT/root" || die "no demo root: make all"
cp "$OUT/stamp" "$OUT/root/sbin/stamp"
"$MK" squashfs "$OUT/root" "$OUT/10-demo.squashfs" >/dev/null || die "squashfs"
"$MK" iso --kernel "$KCACHE/vmlinuz" --initramfs "$BUILD/demo/initrd.img" \
	--layer "$OUT/10-demo.squashfs" --label LIVESTACK --out "$OUT/bench.iso" >/dev/null || die "iso"

# the floor initramfs: livestack's initramfs with /init replaced
rm -rf "$OUT/floor"; mkdir -p "$OUT/floor"
zstd -dc "$BUILD/demo/initrd.img" | (cd "$OUT/floor" && cpio -id --quiet) || die "unpack initrd"
union=$(sed -n 's/^union=//p' "$OUT/floor/etc/livestack/image")
mkdir -p "$OUT/floor/etc/floor"
echo "$union" > "$OUT/floor/etc/floor/union"
moddir=lib/modules/$KVER
# load order: the image's base set, then the CD's drivers, each closed over modules.dep
for m in $(cat "$OUT/floor/etc/livestack/modules.load") ata_piix sr_mod; do
	/sbin/modprobe -d "$KCACHE" -S "$KVER" --show-depends "$m" 2>/dev/null
done | awk '$1 == "insmod" { sub(".*/lib/modules/[^/]*/", "/'"$moddir"'/", $2); if (!seen[$2]++) print $2 }' \
	> "$OUT/floor/etc/floor/modules"
[ -s "$OUT/floor/etc/floor/modules" ] || die "no module list for the floor"
if [ "$union" = aufs ]; then echo "/$moddir/extra/aufs.ko" >> "$OUT/floor/etc/floor/modules"; fi
cp "$top/bench/floor-init.sh" "$OUT/floor/init"; chmod 755 "$OUT/floor/init"
(cd "$OUT/floor" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	zstd -q -19 > "$OUT/floor.img"

stamp() { sed -n 's/.*STAMP exec_ms=\([0-9]*\).*/\1/p' "$VM_OUT/$1.log" | tr -d '\r' | head -n1; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: > "$OUT/livestack.ms"; : > "$OUT/floor.ms"; : > "$OUT/initphase.ms"
args="console=ttyS0,115200 quiet init=/sbin/stamp"
for i in $(seq 1 "$BENCH_BOOTS"); do
	for who in livestack floor; do
		img=$BUILD/demo/initrd.img; [ "$who" = floor ] && img=$OUT/floor.img
		vm_boot "$who-$i" 90 -kernel "$KCACHE/vmlinuz" -initrd "$img" -cdrom "$OUT/bench.iso" \
			-append "$args"
		ms=$(stamp "$who-$i")
		[ -n "$ms" ] || die "$who boot $i: no STAMP line (see $VM_OUT/$who-$i.log)"
		echo "$ms" >> "$OUT/$who.ms"
		if [ "$who" = livestack ]; then
			sed -n 's/.*STAMP time.total=\([0-9]*\).*/\1/p' "$VM_OUT/$who-$i.log" | tr -d '\r' | head -n1 >> "$OUT/initphase.ms"
		fi
	done
done
ls_med=$(median < "$OUT/livestack.ms"); fl_med=$(median < "$OUT/floor.ms")
in_med=$(median < "$OUT/initphase.ms")
echo "boot: kernel start -> exec of the real init, median of $BENCH_BOOTS boots each (TCG)"
echo "boot:   livestack $ls_med ms (of which /init $in_med ms), floor $fl_med ms"
echo "boot:   livestack/floor = $(awk -v a="$ls_med" -v b="$fl_med" 'BEGIN { printf "%.3f", a / b }') (target <= 1.3)"
echo "boot:   runs: livestack $(tr '\n' ' ' < "$OUT/livestack.ms")| floor $(tr '\n' ' ' < "$OUT/floor.ms")"
