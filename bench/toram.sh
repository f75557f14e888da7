#!/bin/bash
# Benchmark: live.toram's copy (read once, SHA-256, write to tmpfs: /init's own
# toram_pass, as bench/toram_bench.c) against a raw sequential read of the same layer
# file (dd, 4 MiB blocks, to /dev/null) in the same guest, page cache dropped before
# every run. N runs each (TORAM_RUNS, default 3), medians, ratio (target >= 0.9).
# usage: bench/toram.sh BUILD KVER KCACHE   (env TORAM_MIB=64 sets the layer size)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/bench/toram
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
: "${TORAM_RUNS:=3}" "${TORAM_MIB:=64}"
MK=$BUILD/bin/livestack-mkimage
INITRD=$BUILD/demo/initrd.img
KERNEL=$KCACHE/vmlinuz
mkdir -p "$OUT/root/bin" "$OUT/data/data"
die() { echo "bench toram: $*" >&2; exit 1; }

# the /init copy code, linked outside PID 1
objs=$(ls "$BUILD"/musl/init/*.o | grep -v '/main\.o$')
# shellcheck disable=SC2086
musl-gcc -Os -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -I"$top/lib" -I"$top/init" -static \
	-ffunction-sections -fdata-sections "$top/bench/toram_bench.c" $objs \
	"$BUILD/musl/liblivestack.a" -Wl,--gc-sections -s -o "$OUT/root/bin/toram-bench" ||
	die "cannot build toram-bench (run make all first)"
# the demo initramfs with toram-bench appended (the kernel unpacks concatenated archives)
guest_initramfs "$OUT/root" "$OUT/extra.cpio.gz"
cat "$INITRD" "$OUT/extra.cpio.gz" > "$OUT/initrd.img"
if [ ! -f "$OUT/bench.iso" ] || [ "$(cat "$OUT/mib" 2>/dev/null)" != "$TORAM_MIB" ]; then
	head -c $((TORAM_MIB << 20)) /dev/urandom > "$OUT/data/data/random.bin"
	"$MK" squashfs "$OUT/data" "$OUT/20-data.squashfs" >"$OUT/mkimage.log" 2>&1 &&
	"$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" \
		--layer "$BUILD/demo/10-demo.squashfs" "$OUT/20-data.squashfs" --label LIVESTACK \
		--timeout 10 --cmdline "console=ttyS0,115200" --out "$OUT/bench.iso" \
		>>"$OUT/mkimage.log" 2>&1 || die "$(tail -n3 "$OUT/mkimage.log")"
	echo "$TORAM_MIB" > "$OUT/mib"
fi

# typed into the initramfs shell of live.break=toram (medium mounted, /init's tools there)
f=/run/live/medium/live/20-data.squashfs
{
	echo "mkdir -p /tb && mount -t tmpfs -o size=$((TORAM_MIB * 2 + 64))m tmpfs /tb"
	for i in $(seq "$TORAM_RUNS"); do
		# busybox dd prints no rate: /proc/uptime (10 ms) around it
		echo "sync; echo 3 > /proc/sys/vm/drop_caches; a=\$(cut -d' ' -f1 /proc/uptime); dd if=$f of=/dev/null bs=4M 2>/dev/null; b=\$(cut -d' ' -f1 /proc/uptime); echo RAW-$i \$a \$b"
		echo "sync; echo 3 > /proc/sys/vm/drop_caches; echo COPY-$i; /bin/toram-bench /tb $f; rm -f /tb/*"
		echo "sync; echo 3 > /proc/sys/vm/drop_caches; echo HASH-$i; /bin/toram-bench -n /tb $f"
	done
	echo "echo BENCH-DONE; poweroff -f"
} > "$OUT/bench.in"
vm_session toram-bench 900 "(livestack:toram)" "$OUT/bench.in" \
	-kernel "$KERNEL" -initrd "$OUT/initrd.img" -cdrom "$OUT/bench.iso" \
	-append "console=ttyS0,115200 panic=-1 live.break=toram"
log=$VM_OUT/toram-bench.log
grep -q "^BENCH-DONE" "$log" || die "the guest did not finish: see $log"
bytes=$(stat -c %s "$OUT/20-data.squashfs")
# MiB/s of each run: dd says "copied, S seconds"; toram-bench says "in MS ms"
raw=$(tr -d '\r' < "$log" | grep -aE '^RAW-[0-9]+ [0-9.]+ [0-9.]+$' | awk -v b="$bytes" '{ printf "%.1f\n", b / 1048576 / ($3 - $2) }')
rate() { tr -d '\r' < "$log" | grep -aoE "toram-bench: $1 [0-9]+ bytes in [0-9]+ ms" | awk '{ printf "%.1f\n", $3 / 1048576 / ($6 / 1000) }'; }
copy=$(rate toram) hash=$(rate hash)
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
[ "$(echo "$raw" | grep -c .)" = "$TORAM_RUNS" ] && [ "$(echo "$copy" | grep -c .)" = "$TORAM_RUNS" ] ||
	die "expected $TORAM_RUNS runs of each in $log"
rm=$(echo "$raw" | median) cm=$(echo "$copy" | median) hm=$(echo "$hash" | median)
echo "toram bench: layer $((bytes >> 20)) MiB from the CD, $TORAM_RUNS runs, QEMU TCG, $VM_SMP vCPU"
echo "  raw read (dd bs=4M):            $(echo $raw) MiB/s, median $rm"
echo "  toram copy + SHA-256 to tmpfs:  $(echo $copy) MiB/s, median $cm"
echo "  (read + SHA-256 only, no copy:  $(echo $hash) MiB/s, median $hm)"
awk -v c="$cm" -v r="$rm" 'BEGIN { printf "  ratio copy/raw: %.2f (target >= 0.90)\n", c / r }'
