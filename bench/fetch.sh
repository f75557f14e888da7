#!/bin/bash
# HTTP fetch into RAM: /init's live.fetch= vs busybox wget of the same file, in one guest.
# One boot fetches the same layer N times under N names (live.fetch=URL1,...,URLN),
# /init logging "N bytes in M ms" for each; then the booted system runs
# `busybox wget -O /tmp/...` (a tmpfs) of the same file N times. Medians, ratio.
# A second boot does the same with the .sha256 files present (fetch verifies, wget does not).
# usage: bench/fetch.sh BUILD KVER KCACHE   (env FETCH_MIB=48 FETCH_RUNS=3)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/bench/fetch
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
: "${FETCH_MIB:=48}" "${FETCH_RUNS:=3}"
VM_MEM=$((FETCH_MIB * (FETCH_RUNS + 2) + 640))
MK=$BUILD/bin/livestack-mkimage
KERNEL=$KCACHE/vmlinuz
httpd=
die() { echo "fetch bench: $*" >&2; [ -n "$httpd" ] && kill "$httpd" 2>/dev/null; exit 1; }
mkdir -p "$OUT"

"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	--profile pxe --out "$OUT/initrd.img" >"$OUT/initramfs.log" 2>&1 ||
	die "initramfs: $(tail -n2 "$OUT/initramfs.log")"
# a layer of incompressible data, served under FETCH_RUNS names
www=$OUT/www data=$OUT/data
rm -rf "$www" "$data"; mkdir -p "$www" "$data"
head -c $((FETCH_MIB << 20)) /dev/urandom > "$data/blob"
"$MK" squashfs "$data" "$www/50-bench1.squashfs" >/dev/null 2>&1 || die "squashfs failed"
rm -rf "$data"

for i in $(seq 2 "$FETCH_RUNS"); do ln -f "$www/50-bench1.squashfs" "$www/5$((i - 1))-bench$i.squashfs"; done
bytes=$(stat -c %s "$www/50-bench1.squashfs")
cp "$BUILD/demo/10-demo.squashfs" "$www/" || die "no demo layer: run make all"

rm -f "$OUT/port"
python3 "$top/tests/vm/pxe_httpd.py" "$www" "$OUT/port" 2>"$OUT/httpd.log" &
httpd=$!
for _ in $(seq 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
port=$(cat "$OUT/port") || die "no HTTP server"
urls=http://10.0.2.2:$port/10-demo.squashfs
for i in $(seq "$FETCH_RUNS"); do
	urls="$urls${urls:+,}http://10.0.2.2:$port/5$((i - 1))-bench$i.squashfs"
done
{
	for i in $(seq "$FETCH_RUNS"); do
		echo "a=\$(cut -d' ' -f1 /proc/uptime); busybox wget -q -O /tmp/w http://10.0.2.2:$port/50-bench1.squashfs; b=\$(cut -d' ' -f1 /proc/uptime); echo WGET-$i \$a \$b \$(stat -c %s /tmp/w); rm -f /tmp/w"
		echo "a=\$(cut -d' ' -f1 /proc/uptime); busybox wget -q -O - http://10.0.2.2:$port/50-bench1.squashfs | tee /tmp/w | busybox sha256sum >/dev/null; b=\$(cut -d' ' -f1 /proc/uptime); echo WGETSHA-$i \$a \$b \$(stat -c %s /tmp/w); rm -f /tmp/w"
	done
	echo "echo BENCH-DONE; poweroff -f"
} > "$OUT/bench.in"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run() { # run NAME: one boot, prints "fetch-median wget-median"
	local name=$1 log=$VM_OUT/$1.log ours wg ws
	vm_session "$name" 900 LIVESTACK-DEMO-READY "$OUT/bench.in" -kernel "$KERNEL" \
		-initrd "$OUT/initrd.img" -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
		-append "console=ttyS0,115200 panic=-1 ip=dhcp live.fetch=$urls"
	grep -q "^BENCH-DONE" "$log" || die "the guest did not finish: see $log"
	ours=$(tr -d '\r' < "$log" | grep -aoE "fetch 5[0-9]-bench[0-9]+\.squashfs: [0-9]+ bytes in [0-9]+ ms" |
		sort -u | awk '{ printf "%.1f\n", $3 / 1048576 / ($6 / 1000) }')
	wg=$(tr -d '\r' < "$log" | grep -aE "^WGET-[0-9]+ [0-9.]+ [0-9.]+ $bytes$" |
		awk '{ printf "%.1f\n", $4 / 1048576 / ($3 - $2) }')
	ws=$(tr -d '\r' < "$log" | grep -aE "^WGETSHA-[0-9]+ [0-9.]+ [0-9.]+ $bytes$" |
		awk '{ printf "%.1f\n", $4 / 1048576 / ($3 - $2) }')
	[ "$(echo "$ours" | grep -c .)" = "$FETCH_RUNS" ] && [ "$(echo "$wg" | grep -c .)" = "$FETCH_RUNS" ] &&
		[ "$(echo "$ws" | grep -c .)" = "$FETCH_RUNS" ] || die "expected $FETCH_RUNS runs of each in $log"
	echo "$(echo $ours)|$(echo "$ours" | median)|$(echo $wg)|$(echo "$wg" | median)|$(echo $ws)|$(echo "$ws" | median)"
}
plain=$(run fetch-bench) || exit 1
for f in "$www"/*.squashfs; do (cd "$www" && sha256sum "$(basename "$f")" > "$(basename "$f").sha256"); done
verified=$(run fetch-bench-sha) || exit 1
kill "$httpd" 2>/dev/null; wait "$httpd" 2>/dev/null

echo "fetch bench: $((bytes >> 20)) MiB layer over HTTP from 127.0.0.1 (QEMU user net, virtio-net), $FETCH_RUNS runs, QEMU TCG"
report() {
	IFS='|' read -r o om w wm s sm <<< "$2"
	echo "  $1"
	echo "    /init live.fetch= into tmpfs:            $o MiB/s, median $om"
	echo "    busybox wget -O /tmp (tmpfs):            $w MiB/s, median $wm"
	echo "    busybox wget | tee /tmp | sha256sum:     $s MiB/s, median $sm"
	# the like-for-like pair: no hashing vs wget, hashing vs wget + sha256sum
	if [ "$3" = plain ]; then
		awk -v a="$om" -v b="$wm" 'BEGIN { printf "    ratio fetch/wget: %.2f (target >= 0.90)\n", a / b }'
	else
		awk -v a="$om" -v b="$wm" -v c="$sm" 'BEGIN { printf "    ratio fetch/(wget + sha256sum): %.2f (target >= 0.90); fetch+verify/bare wget: %.2f\n", a / c, a / b }'
	fi
}
report "no checksum file (fetch does not hash):" "$plain" plain
report "with .sha256 (fetch verifies every byte):" "$verified" verified
