#!/bin/bash
# Discovery never misses a device: the demo ISO booted DISCOVERY_BOOTS times (default
# 200) as a USB stick (qemu-xhci + usb-storage) and as many times as an AHCI CD, direct
# kernel boot, two guests at a time. A boot counts as a miss when the live system did not
# come up on that device (e.g. "no live medium found": a device the kernel created whose
# driver /init never loaded); a guest whose kernel died before /init started is counted
# apart. Not in `make check` (hours on 2 cores): `make check-discovery`.
# usage: tests/long/discovery.sh BUILD KVER KCACHE  (env DISCOVERY_BOOTS=N, DISCOVERY_JOBS=2)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KCACHE=$(abs "$3")   # $2, KVER, is in the kernel cache path
OUT=$BUILD/tests/discovery
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
: "${DISCOVERY_BOOTS:=200}" "${DISCOVERY_JOBS:=2}"
ISO=$BUILD/demo/livestack-demo.iso
INITRD=$BUILD/demo/initrd.img
[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo ISO built" "run make all"; done_; }
mkdir -p "$OUT" "$VM_OUT"
printf '%s\n' 'echo "MEDIUM""IS $(sed -n "s,^medium=,,p" /run/live/status)"' 'poweroff -f' > "$OUT/in"
RAW="format=raw,snapshot=on,if=none,id=medium,file=$ISO"

one() { # one KIND I: a boot; prints "KIND I ok|miss SECONDS"
	local kind=$1 i=$2 name="$1-$2" t0=$SECONDS dev args
	case $kind in
	usb) dev=sda args=(-device qemu-xhci,id=xhci -drive "$RAW" -device usb-storage,bus=xhci.0,drive=medium) ;;
	cd) dev=sr0 args=(-machine q35 -drive "$RAW,media=cdrom,readonly=on" -device ide-cd,drive=medium,bus=ide.0) ;;
	esac
	vm_session "$name" 240 "LIVESTACK-DEMO-READY" "$OUT/in" -kernel "$KCACHE/vmlinuz" \
		-initrd "$INITRD" -append "console=ttyS0,115200 panic=-1 no_timer_check" "${args[@]}" >/dev/null 2>&1
	if vm_grep "$name" "^MEDIUMIS /dev/$dev"; then
		echo "$kind $i ok $((SECONDS - t0))"; rm -f "$VM_OUT/$name.log" "$VM_OUT/$name.qemu"
	elif ! vm_grep "$name" "livestack: starting"; then
		echo "$kind $i nokernel $((SECONDS - t0))"	# died before /init (TCG timer check, ...)
	else echo "$kind $i miss $((SECONDS - t0))"; fi
}

t0=$SECONDS
: > "$OUT/results"
for kind in usb cd; do
	for ((i = 1; i <= DISCOVERY_BOOTS; i++)); do
		one "$kind" "$i" >> "$OUT/results" &
		while [ "$(jobs -rp | wc -l)" -ge "$DISCOVERY_JOBS" ]; do sleep 0.5; done
	done
done > /dev/null
wait
for kind in usb cd; do
	n=$(grep -c "^$kind " "$OUT/results") m=$(grep -c "^$kind .* miss " "$OUT/results")
	k=$(grep -c "^$kind .* nokernel " "$OUT/results")
	if [ "$n" = "$DISCOVERY_BOOTS" ] && [ "$m" = 0 ]; then ok "$kind: $((n - k)) boots reached /init, no device missed"
	else nok "$kind: $((n - k)) boots reached /init, $m missed" "logs of the misses in $VM_OUT"; fi
	[ "$k" = 0 ] || echo "# $kind: $k guests died before /init (kernel, not discovery: logs in $VM_OUT)"
	echo "# $kind: mean boot $(awk -v k="$kind" '$1 == k { s += $4; n++ } END { if (n) printf "%.1f", s / n }' "$OUT/results") s"
done
echo "# $((DISCOVERY_BOOTS * 2)) boots in $((SECONDS - t0)) s, $DISCOVERY_JOBS at a time"
done_
