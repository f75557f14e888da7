#!/bin/bash
# aufs vs overlayfs in one guest: same two squashfs layers (virtio disks), fresh rw tmpfs per
# run; prints one line per workload with both medians and the ratio (target <= 1.3).
#
# usage: bench/union.sh BUILD KVER KCACHE    env: BENCH_RUNS=5 (>= 5 for a real measurement)
set -u
if [ $# -ne 3 ]; then echo "usage: $0 BUILD KVER KCACHE" >&2; exit 2; fi
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/bench/union
AUFS_KO=$BUILD/aufs/$KVER/aufs.ko
: "${BENCH_RUNS:=5}"
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs VM_MEM=1536
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
die() { echo "union-bench: $*" >&2; exit 1; }

[ -f "$KCACHE/vmlinuz" ] || die "no kernel in $KCACHE (make deps)"
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock -n 9 || { echo "# union-bench: waiting for another run ($OUT/.lock)"; flock 9; }
musl-gcc -static -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$OUT/union" \
	"$top/bench/union.c" || die "bench/union.c does not build"

# the two layers (rebuilt only when the program changed)
if [ ! -f "$OUT/l2.sqfs" ] || [ "$OUT/union" -nt "$OUT/l2.sqfs" ]; then
	rm -rf "$OUT/tree"; mkdir -p "$OUT/tree"
	"$OUT/union" mkfixture "$OUT/tree/l1" "$OUT/tree/l2" || die "fixture"
	mksquashfs "$OUT/tree/l1" "$OUT/l1.sqfs" -noappend -quiet -no-progress >/dev/null || die mksquashfs
	mksquashfs "$OUT/tree/l2" "$OUT/l2.sqfs" -noappend -quiet -no-progress >/dev/null || die mksquashfs
	rm -rf "$OUT/tree"
fi

root=$OUT/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox" || die "busybox-static missing"
cp "$OUT/union" "$root/union"
guest_modules "$KCACHE/lib/modules/$KVER" "$root" squashfs overlay virtio_pci virtio_blk \
	> "$root/lib/modules/order"
if [ -f "$AUFS_KO" ]; then
	cp "$AUFS_KO" "$root/lib/modules/aufs.ko"
else
	echo "# union-bench: $AUFS_KO missing: overlayfs numbers only"
fi
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin BENCH_RUNS=$BENCH_RUNS
for m in \$(cat /lib/modules/order); do insmod /lib/modules/\$m 2>/dev/null; done
[ -f /lib/modules/aufs.ko ] && { insmod /lib/modules/aufs.ko || echo "# aufs.ko does not load"; }
/union run
poweroff -f
EOF
chmod 755 "$root/init"
guest_initramfs "$root" "$OUT/initrd.gz" || die "initramfs"

vm_boot union-bench 1200 -kernel "$KCACHE/vmlinuz" -initrd "$OUT/initrd.gz" \
	-append "console=ttyS0 loglevel=4 panic_on_warn=1 oops=panic panic=-1" \
	-drive "file=$OUT/l1.sqfs,if=virtio,format=raw,readonly=on" \
	-drive "file=$OUT/l2.sqfs,if=virtio,format=raw,readonly=on"
rc=$?
log=$VM_OUT/union-bench.log
tr -d '\r' < "$log" | grep -E '^(#|union-bench|[A-Za-z0-9+-]+ +aufs )'
if ! tr -d '\r' < "$log" | grep -q '^BENCH-DONE'; then
	[ "$rc" = 124 ] && echo "union-bench: timeout" || echo "union-bench: the guest died (see $log)"
	tr -d '\r' < "$log" | grep -E 'Kernel panic|BUG|WARNING|RIP:' | head -n 5
	exit 1
fi
