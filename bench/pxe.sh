#!/bin/bash
# Network boot benchmark: firmware start -> real init, and kernel start -> real init, for
# each route through the real servers (dnsmasq + nginx in a network namespace, as
# tests/vm/pxe_site.sh), against the same kernel, initramfs and layer booted from a local
# CD in the same run. Routes: full DHCP (dnsmasq.conf) BIOS = iPXE ROM + boot.ipxe over
# HTTP, UEFI = OVMF's PXE + GRUB over TFTP; proxy-DHCP BIOS = pxelinux over TFTP, UEFI =
# GRUB over TFTP; fullra-bios = full-bios with dnsmasq.conf's documented IPv6 router
# advertisement lines on (iPXE's IPv6 configuration ends at once instead of after ~16 s of
# router solicitations); CD BIOS (isolinux) and CD UEFI (GRUB). One boot at a time.
# Firmware start is QEMU's start; real init is bench/stamp's first line on the serial console.
# usage: bench/pxe.sh BUILD KVER KCACHE
#   BENCH_PXE_BOOTS=N      boots per route (default 1; the median is printed)
#   BENCH_PXE_BEFORE=REV   also boot full DHCP BIOS (iPXE) and UEFI (GRUB) with the
#                          templates of git REV (boot.ipxe, dnsmasq.conf, grub.cfg)
#   BENCH_PXE_ONLY=substr  only the routes whose name contains it
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/bench/pxe
: "${BENCH_PXE_BOOTS:=1}" "${BENCH_PXE_BEFORE:=}" "${BENCH_PXE_ONLY:=}"
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
# shellcheck source=../tests/lib/pxenet.sh
source "$top/tests/lib/pxenet.sh"
export PATH=$PATH:/usr/sbin
MK=$BUILD/bin/livestack-mkimage
KERNEL=$KCACHE/vmlinuz
die() { echo "pxe-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, tap)"
command -v dnsmasq >/dev/null && command -v nginx >/dev/null || die "needs dnsmasq and nginx: make deps"
rm -rf "$OUT"; mkdir -p "$OUT/logs"
trap pxenet_down EXIT
trap 'exit 1' INT TERM

# the same image for every route: the full profile (CD and network drivers), the demo
# root with bench/stamp as the real init
musl-gcc -static -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$OUT/stamp" "$top/bench/stamp.c" ||
	die "cannot build bench/stamp.c"
rm -rf "$OUT/root"; cp -a "$BUILD/demo/root" "$OUT/root" || die "no demo root: make all"
cp "$OUT/stamp" "$OUT/root/sbin/stamp"
"$MK" squashfs "$OUT/root" "$OUT/10-demo.squashfs" >/dev/null 2>&1 || die "squashfs"
aufs=()
[ -f "$BUILD/aufs/$KVER/aufs.ko" ] && aufs=(--aufs "$BUILD/aufs/$KVER/aufs.ko")
"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	"${aufs[@]}" --profile full --out "$OUT/initrd.img" >"$OUT/initramfs.log" 2>&1 || die "initramfs"
ARGS="console=ttyS0,115200 panic=-1 no_timer_check init=/sbin/stamp"
"$MK" iso --kernel "$KERNEL" --initramfs "$OUT/initrd.img" --layer "$OUT/10-demo.squashfs" \
	--label LIVESTACK --cmdline "$ARGS" --timeout 1 --out "$OUT/cd.iso" >"$OUT/iso.log" 2>&1 || die "iso"
mktree() { # mktree DIR [DATADIR]
	"$MK" pxe --kernel "$KERNEL" --initramfs "$OUT/initrd.img" --layer "$OUT/10-demo.squashfs" \
		--outdir "$1" --cmdline "$ARGS" --timeout 1 --tftp-root "$1/tftp" --http-root "$1/http" \
		--server "$PXENET_SRV" ${2:+--datadir "$2"} >"$1.log" 2>&1 || die "pxe tree $1: $(tail -n2 "$1.log")"
}
mktree "$OUT/after"
if [ -n "$BENCH_PXE_BEFORE" ]; then
	# the same binaries, the loader and dnsmasq templates of REV
	rm -rf "$OUT/before-data"; mkdir -p "$OUT/before-data/configs/boot"
	cp "$top"/configs/boot/* "$OUT/before-data/configs/boot/"
	for f in $(git -C "$top" ls-tree --name-only "$BENCH_PXE_BEFORE" configs/boot/); do
		git -C "$top" show "$BENCH_PXE_BEFORE:$f" > "$OUT/before-data/$f" || die "git show $BENCH_PXE_BEFORE:$f"
	done
	mktree "$OUT/before" "$OUT/before-data"
fi

pxenet_up "$OUT" 1 || die "network namespace: $PXENET_ERR"
pxenet_nginx "$OUT/after" || die "nginx: $PXENET_ERR"

# timed NAME QEMU-ARGS...: the serial console with the host's ms since QEMU's start per line
timed() {
	local name=$1; shift
	local t0 log=$VM_OUT/$name.log
	: > "$log"
	t0=$(date +%s%N)
	timeout 240 $(vm_qemu_base) -serial stdio "$@" </dev/null 2>"$VM_OUT/$name.qemu" |
		while IFS= read -r line; do
			printf '%d %s\n' $(( ($(date +%s%N) - t0) / 1000000 )) "$line"
		done > "$log"
}
# the first line of the real init: host ms since QEMU's start, and its own CLOCK_BOOTTIME
fw_ms() { awk '/STAMP exec_ms=/ { print $1; exit }' "$VM_OUT/$1.log"; }
k_ms() { sed -n 's/.*STAMP exec_ms=\([0-9]*\).*/\1/p' "$VM_OUT/$1.log" | tr -d '\r' | head -n1; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

uefi_args() { # uefi_args NAME: OVMF with its own variables
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/$1-vars.fd"
	echo -machine q35 -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive "if=pflash,format=raw,file=$OUT/$1-vars.fd"
}
NET="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no"
route() { # route NAME: one boot of that route
	local name=$1 r=${1%-[0-9]*}
	case $r in
	cd-bios) timed "$name" -cdrom "$OUT/cd.iso" ;;
	cd-uefi) timed "$name" $(uefi_args "$name") -cdrom "$OUT/cd.iso" ;;
	*-bios) timed "$name" $NET -device e1000,netdev=n0 -boot n ;;
	*-uefi) timed "$name" $NET $(uefi_args "$name") -device virtio-net-pci,netdev=n0,romfile= ;;
	esac
}
layout() { # layout full|fullra|proxy TREE: start its dnsmasq (and the site's for proxy)
	pxenet_dnsmasq_stop
	if [ "$1" = full ]; then
		pxenet_dnsmasq full "$PXENET_NS" "$(pxenet_full_conf "$2")" || die "dnsmasq: $PXENET_ERR"
	elif [ "$1" = fullra ]; then
		pxenet_dnsmasq full "$PXENET_NS" "$(pxenet_full_conf "$2" ra)" || die "dnsmasq: $PXENET_ERR"
	else
		pxenet_dnsmasq site "$PXENET_SITE" "$(pxenet_site_conf)" || die "dnsmasq site: $PXENET_ERR"
		pxenet_dnsmasq proxy "$PXENET_NS" "$(pxenet_proxy_conf "$2")" || die "dnsmasq proxy: $PXENET_ERR"
	fi
}

routes=(cd-bios cd-uefi full-bios fullra-bios full-uefi proxy-bios proxy-uefi)
# before: the iPXE route with REV's boot.ipxe and dnsmasq.conf (the proxy routes of
# older trees do not boot at all: their /init went to the site's next-server)
[ -n "$BENCH_PXE_BEFORE" ] && routes+=(before-full-bios before-full-uefi)
for i in $(seq 1 "$BENCH_PXE_BOOTS"); do
	for r in "${routes[@]}"; do
		[[ "$r" == *"$BENCH_PXE_ONLY"* ]] || continue
		case $r in
		before-*) pxenet_nginx "$OUT/before" || die "nginx"; t=before; l=${r#before-} ;;
		*) t=after; l=$r ;;
		esac
		case $l in
		full-*) layout full "$OUT/$t" ;;
		fullra-*) layout fullra "$OUT/$t" ;;
		proxy-*) layout proxy "$OUT/$t" ;;
		*) pxenet_dnsmasq_stop ;;
		esac
		route "$r-$i"
		[ "$t" = before ] && { pxenet_nginx "$OUT/after" || die "nginx"; }
		echo "$(fw_ms "$r-$i")" >> "$OUT/$r.fw"
		echo "$(k_ms "$r-$i")" >> "$OUT/$r.k"
	done
done
pxenet_down

cd_fw() { median < "$OUT/cd-$1.fw"; }
echo "pxe: firmware start -> real init and kernel start -> real init, ms (median of $BENCH_PXE_BOOTS, TCG, one guest at a time)"
printf 'pxe:   %-18s %10s %10s %12s\n' route firmware kernel "firmware/CD"
for r in "${routes[@]}"; do
	[ -s "$OUT/$r.fw" ] || continue
	fw=$(grep -v '^$' "$OUT/$r.fw" | median); k=$(grep -v '^$' "$OUT/$r.k" | median)
	fwcd=$(cd_fw "${r##*-}" 2>/dev/null)
	ratio=$(awk -v a="$fw" -v b="$fwcd" 'BEGIN { if (a == "-" || b == "-" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }')
	printf 'pxe:   %-18s %10s %10s %12s\n' "$r" "$fw" "$k" "$ratio"
done
