#!/bin/bash
# Network boot through the real servers a site runs: dnsmasq (DHCP, proxy-DHCP, TFTP) and
# nginx (the layers), each started by this test inside a network namespace it creates
# (a bridge, one tap per guest, addresses only in there), with the files livestack-mkimage
# pxe writes and only the documented edits (interface, range, the IPv6 router advertisement
# lines). Layouts: full DHCP (our dnsmasq.conf), proxy-DHCP (dnsmasq-proxy.conf beside a
# "site" DHCP server in a second namespace whose leases name another next-server and
# router) and "site" (the site's DHCP server names our server and the boot file, as
# docs/pxe-classroom.md 2c writes for ISC dhcpd/Kea, played by a dnsmasq in the site's
# namespace; ours is dnsmasq-tftp.conf, TFTP only); BIOS (QEMU's iPXE ROM) and UEFI (OVMF's
# own PXE on virtio-net, GRUB); the site layout boots UEFI only. PXE_SITE_EXTRA=1 (make
# check-pxe-extra) adds BIOS iPXE in the site layout, UEFI iPXE (virtio-net's iPXE EFI
# ROM) in the full and site layouts, and a layer download cut by killing nginx, resumed
# with a 206. Each guest must reach the demo root with the layers
# served 200 by nginx. Everything is stopped by PID and the namespaces removed, also on failure.
# usage: tests/vm/pxe_site.sh BUILD KVER KCACHE
#   (env VM_ONLY=substring, PXE_SITE_SERIAL=1, PXE_SITE_EXTRA=1)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/pxe_site
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
# shellcheck source=../lib/pxenet.sh
source "$top/tests/lib/pxenet.sh"

KERNEL=$KCACHE/vmlinuz
MK=$BUILD/bin/livestack-mkimage
LAYER=$BUILD/demo/10-demo.squashfs
INITRD=$OUT/initrd-pxe.img
# no_timer_check: on a loaded host the TCG guest's IO-APIC timer check can fail and
# panic ("IO-APIC + timer doesn't work!") before anything of ours runs
APPEND="console=ttyS0,115200 panic=-1 no_timer_check"
SRV=$PXENET_SRV ROUTER=$PXENET_ROUTER

trap pxenet_down EXIT
trap 'exit 1' INT TERM

bail() { nok "$1" "$2"; echo "$pass passed, $fail failed"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "ok - pxe_site # SKIP needs root (network namespaces, tap)"; echo "1 passed, 0 failed"; exit 0; }
for b in dnsmasq nginx; do
	command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin command -v "$b" >/dev/null ||
		bail "$b installed" "make deps (dnsmasq-base, nginx)"
done
export PATH=$PATH:/usr/sbin
[ -f "$LAYER" ] && [ -x "$MK" ] || bail "demo layer built" "run make all"
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || bail "OVMF installed" "make deps (ovmf)"

rm -rf "$OUT"; mkdir -p "$OUT/logs"
aufs=()
[ -f "$BUILD/aufs/$KVER/aufs.ko" ] && aufs=(--aufs "$BUILD/aufs/$KVER/aufs.ko")
"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	"${aufs[@]}" --profile pxe --out "$INITRD" >"$OUT/initramfs.log" 2>&1 ||
	bail "initramfs --profile pxe builds" "$(tail -n3 "$OUT/initramfs.log")"

# the trees with the default --url (/livestack/: the server the loader came from); the
# proxy layout's UEFI core.efi needs this server's address (--server)
tree=$OUT/srv
if "$MK" pxe --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --outdir "$tree" \
	--cmdline "$APPEND" --timeout 1 --tftp-root "$tree/tftp" --http-root "$tree/http" \
	--server "$SRV" >"$OUT/mkpxe.log" 2>&1; then
	ok "livestack-mkimage pxe writes the trees (default --url, --server $SRV)"
else
	bail "livestack-mkimage pxe writes the trees" "$(tail -n3 "$OUT/mkpxe.log")"
fi

# --- bad input, and what core.efi carries
if "$MK" pxe --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --outdir "$OUT/bad" \
	--server srv.example >"$OUT/bad.log" 2>&1; then
	nok "--server with a host name is refused" "it succeeded"
else
	host "--server with a host name is refused, naming it" "grep -q 'pxe: --server srv.example: not an IPv4 address' '$OUT/bad.log'"
fi
host "core.efi has its modules and --server $SRV built in" \
	"grep -aq 'set livestack_server=$SRV' '$tree/tftp/grub/x86_64-efi/core.efi' && [ ! -e '$tree/tftp/grub/x86_64-efi/normal.mod' ]"

# --- the generated files say what they change, and change no more than that
for f in dnsmasq.conf dnsmasq-proxy.conf dnsmasq-tftp.conf nginx.conf; do
	if head -n8 "$tree/$f" | grep -q "What it changes on the network"; then
		ok "$f says at its top what it changes on the network"
	else
		nok "$f says at its top what it changes on the network" "$(head -n3 "$tree/$f")"
	fi
done
host "dnsmasq.conf serves no DNS (port=0), no router or DNS option unless asked" \
	"grep -qx port=0 '$tree/dnsmasq.conf' && grep -qx dhcp-option=option:router '$tree/dnsmasq.conf' &&
	 grep -qx dhcp-option=option:dns-server '$tree/dnsmasq.conf'"
host "boot.ipxe asks for no second lease when iPXE has one" "grep -q '^isset \${ip} || dhcp' '$tree/tftp/boot.ipxe'"
host "dnsmasq-tftp.conf serves TFTP only (no dhcp-range, port=0)" \
	"grep -qx port=0 '$tree/dnsmasq-tftp.conf' && grep -qx enable-tftp '$tree/dnsmasq-tftp.conf' && ! grep -q '^dhcp-range' '$tree/dnsmasq-tftp.conf'"
host "grub.cfg loads the kernel by HTTP from the tree, TFTP as the fallback" \
	"grep -qF 'set lhttp=\"(http,\$livestack_server)/livestack\"' '$tree/tftp/grub/grub.cfg' && grep -q '^		linux /vmlinuz' '$tree/tftp/grub/grub.cfg'"

# --- the network (tests/lib/pxenet.sh): our server $SRV on a bridge with tap0 and tap1,
# the site's router and DHCP server $ROUTER in a second namespace
pxenet_up "$OUT" 2 || bail "network namespaces, bridge, veth and taps" "$PXENET_ERR"
ok "network namespaces $PXENET_NS and $PXENET_SITE: bridge, veth, tap0 and tap1"
pxenet_nginx "$tree" || bail "nginx starts with the generated location" "$PXENET_ERR"
if ip netns exec "$PXENET_NS" wget -q -O "$OUT/layers.list" "http://$SRV/livestack/layers.list" &&
	cmp -s "$OUT/layers.list" "$tree/http/layers.list"; then
	ok "nginx serves the generated location /livestack/"
else
	bail "nginx serves the generated location /livestack/" "$(tail -n3 "$OUT/nginx/error.log" 2>/dev/null)"
fi

# checks typed into the booted system ("T""AP" keeps the echo from matching)
cat > "$OUT/live.in" <<EOF
t() { if eval "\$2" >/dev/null 2>&1; then echo "T""AP ok - \$1"; else echo "T""AP not ok - \$1"; fi; }
t "root is the union" 'awk "\\\$2==\"/\"{f=\\\$3} END{exit !(f==\"aufs\"||f==\"overlay\")}" /proc/mounts'
t "the layer is in RAM, fetched from /livestack/" 'grep -q "^medium=/livestack/\$" /run/live/status && grep -q " /run/live/layers/10-demo squashfs ro" /proc/mounts'
t "server=$SRV in /run/live/net" 'grep -q "^server=$SRV\$" /run/live/net'
cat /run/live/net
echo "CHECKS-DONE"
poweroff -f
EOF

# guest NAME FIRMWARE TAP MAC: boots in the namespace (QEMU opens the tap there)
guest() {
	local name=$1 fw=$2 tap=$3 mac=$4 args
	args=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no")
	if [ "$fw" = bios ]; then
		args+=(-device "e1000,netdev=n0,mac=$mac" -boot n)
	elif [ "$fw" = uefi-ipxe ]; then
		# virtio-net's default ROM: iPXE for EFI, instead of OVMF's own PXE
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/$name-vars.fd"
		args+=(-machine q35 -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
			-drive "if=pflash,format=raw,file=$OUT/$name-vars.fd"
			-device "virtio-net-pci,netdev=n0,mac=$mac")
	else
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/$name-vars.fd"
		args+=(-machine q35 -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
			-drive "if=pflash,format=raw,file=$OUT/$name-vars.fd"
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=")
	fi
	date +%s.%N > "$OUT/$name.t0"
	vm_session "$name" 240 LIVESTACK-DEMO-READY "$OUT/live.in" "${args[@]}"
	date +%s.%N > "$OUT/$name.t1"
}
# served NAME MAC-IP: nginx logged the layer with 200 for that client
served() {
	local name=$1 ip
	ip=$(grep -oE "^address=[0-9.]+" "$VM_OUT/$name.log" | tail -n1 | cut -d= -f2)
	if [ -n "$ip" ] && grep -qE "^$ip .*\"GET /livestack/10-demo\.squashfs\?v=[0-9a-f]{16} HTTP/1\.1\" 200 $(stat -c %s "$LAYER") " \
		"$OUT/nginx/access.log"; then
		ok "$name: nginx served the layer to $ip (200, whole)"
	else
		nok "$name: nginx served the layer (200)" "client ${ip:-?}; see $OUT/nginx/access.log"
	fi
}

# kernel_http NAME: GRUB loaded vmlinuz and initrd.img from nginx (200), not by TFTP
kernel_http() {
	local name=$1 ip
	ip=$(grep -oE "^address=[0-9.]+" "$VM_OUT/$name.log" | tail -n1 | cut -d= -f2)
	expect "$name" "GRUB loaded kernel and initramfs by HTTP" "livestack: kernel and initramfs by HTTP from \(http,$SRV\)/livestack/"
	if [ -n "$ip" ] && grep -qE "^$ip .*\"GET /livestack/vmlinuz HTTP/1\.1\" 200 " "$OUT/nginx/access.log" &&
		grep -qE "^$ip .*\"GET /livestack/initrd\.img HTTP/1\.1\" 200 " "$OUT/nginx/access.log"; then
		ok "$name: nginx served vmlinuz and initrd.img to $ip (200)"
	else
		nok "$name: nginx served vmlinuz and initrd.img (200)" "client ${ip:-?}; see $OUT/nginx/access.log"
	fi
}

# extra NAME FW TAP MAC: one more guest, with PXE_SITE_EXTRA=1
extra() { [ "${PXE_SITE_EXTRA:-0}" = 1 ] && want "$1" && guest "$@"; }

# two guests of a layout at once (two taps on the bridge), unless PXE_SITE_SERIAL=1
pair() { # pair "GUEST-ARGS..." "GUEST-ARGS..."
	local p
	if [ "${PXE_SITE_SERIAL:-0}" = 1 ]; then
		eval "guest $1"; eval "guest $2"
	else
		eval "guest $1" & p=$!
		eval "guest $2"
		wait "$p"
	fi
}

common() { # common NAME: what every route must show
	local name=$1
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap "$name"
	served "$name"
	no_panic "$name"
}

if want full; then
	# with the documented IPv6 lines (the server's ULA $PXENET_SRV6 on br0): iPXE's IPv6
	# configuration ends at the first router advertisement
	pxenet_dnsmasq full "$PXENET_NS" "$(pxenet_full_conf "$tree" ra)" || bail "dnsmasq.conf starts" "$PXENET_ERR"
	pair "full-bios bios tap0 52:54:00:77:00:11" "full-uefi uefi tap1 52:54:00:77:00:12"
	extra full-ipxe-uefi uefi-ipxe tap0 52:54:00:77:00:13
	pxenet_dnsmasq_stop
	expect full-bios "iPXE took an address from dnsmasq's router advertisement" "net0: fd77::5054:ff:fe77:11/64"
	grep -q "RTR-ADVERT(br0)" "$OUT/dnsmasq-full.log" &&
		ok "full: dnsmasq answered the router solicitations (documented IPv6 lines)" ||
		nok "full: dnsmasq answered the router solicitations (documented IPv6 lines)" "$OUT/dnsmasq-full.log"
	kernel_http full-uefi
	# BIOS: the ROM is iPXE (option 175): boot.ipxe over HTTP, no second dhcp, no proxy wait
	expect full-bios "iPXE ran boot.ipxe from nginx" "http://$SRV/livestack/boot\.ipxe\.\.\. ok"
	expect full-bios "iPXE loaded the kernel over HTTP" "http://$SRV/livestack/vmlinuz\.\.\..* ok"
	n=$(grep -cE "^(Configuring|DHCP) \(net0" "$VM_OUT/full-bios.log")
	[ "$n" = 1 ] && ok "full-bios: one DHCP in iPXE (the ROM's), none in boot.ipxe" ||
		nok "full-bios: one DHCP in iPXE (the ROM's), none in boot.ipxe" "$n lines 'Configuring/DHCP (net0' in $VM_OUT/full-bios.log"
	expect full-bios "the loader's ip= named the server" "livestack: net: server $SRV, named by the boot loader's ip="
	common full-bios
	# UEFI: OVMF's PXE gets GRUB's core.efi by TFTP; GRUB reads grub.cfg, kernel, initrd
	expect full-uefi "GRUB's core.efi ran (built-in modules, grub.cfg from $SRV)" "livestack: starting"
	grep -q "sent $tree/tftp/grub/x86_64-efi/core.efi to 10.77.0" "$OUT/dnsmasq-full.log" &&
		ok "full-uefi: dnsmasq sent core.efi by TFTP" || nok "full-uefi: dnsmasq sent core.efi by TFTP" "$OUT/dnsmasq-full.log"
	refute full-uefi "no GRUB module read over the network" "normal\.mod|grub rescue>"
	expect full-uefi "the loader's ip= named the server" "livestack: net: server $SRV, named by the boot loader's ip="
	common full-uefi
	for n in full-bios full-uefi; do
		expect "$n" "no router or DNS server from our dnsmasq" "livestack: net: eth0 10\.77\.0\.1[0-9][0-9] netmask 255\.255\.255\.0 gateway - dns - "
	done
fi

if want proxy; then
	pxenet_dnsmasq site "$PXENET_SITE" "$(pxenet_site_conf)" || bail "the site's dnsmasq starts" "$PXENET_ERR"
	pxenet_dnsmasq proxy "$PXENET_NS" "$(pxenet_proxy_conf "$tree")" || bail "dnsmasq-proxy.conf starts" "$PXENET_ERR"
	pair "proxy-bios bios tap0 52:54:00:77:00:21" "proxy-uefi uefi tap1 52:54:00:77:00:22"
	pxenet_dnsmasq_stop
	for n in proxy-bios proxy-uefi; do
		expect "$n" "the lease is the site's (router $ROUTER)" "livestack: net: eth0 10\.77\.0\.1[6-9][0-9] netmask 255\.255\.255\.0 gateway $ROUTER "
		expect "$n" "the lease's next-server is the site's, the server the loader's" \
			"livestack: net: server $SRV, named by the boot loader's ip= \(the lease's next-server is $ROUTER\)"
		common "$n"
	done
	expect proxy-bios "pxelinux from the proxy (PXE menu entry)" "PXELINUX 6"
	expect proxy-uefi "GRUB's core.efi ran (grub.cfg from --server $SRV)" "livestack: starting"
	refute proxy-uefi "no GRUB module asked of the site" "normal\.mod|grub rescue>"
	kernel_http proxy-uefi
fi

# the site's DHCP server names our server and the boot file (docs 2c); ours serves TFTP only
if want site; then
	pxenet_dnsmasq site "$PXENET_SITE" "$(pxenet_site_conf points)" || bail "the site's dnsmasq (next-server, boot files) starts" "$PXENET_ERR"
	pxenet_dnsmasq tftp "$PXENET_NS" "$(pxenet_tftp_conf "$tree")" || bail "dnsmasq-tftp.conf starts" "$PXENET_ERR"
	# in make check UEFI GRUB (TFTP only from us); BIOS iPXE too with PXE_SITE_EXTRA=1
	if [ "${PXE_SITE_EXTRA:-0}" = 1 ]; then
		pair "site-bios bios tap0 52:54:00:77:00:31" "site-uefi uefi tap1 52:54:00:77:00:32"
	else
		guest site-uefi uefi tap1 52:54:00:77:00:32
	fi
	extra site-ipxe-uefi uefi-ipxe tap0 52:54:00:77:00:33
	pxenet_dnsmasq_stop
	for n in site-bios site-uefi; do
		[ -f "$VM_OUT/$n.log" ] || continue
		expect "$n" "the lease is the site's (router $ROUTER)" "livestack: net: eth0 10\.77\.0\.1[6-9][0-9] netmask 255\.255\.255\.0 gateway $ROUTER "
		expect "$n" "the lease's next-server is ours, and the loader named it" \
			"livestack: net: server $SRV, named by the boot loader's ip=\s*$"
		common "$n"
	done
	[ -f "$VM_OUT/site-bios.log" ] &&
		expect site-bios "iPXE ran boot.ipxe, named by the site's DHCP" "http://$SRV/livestack/boot\.ipxe\.\.\. ok"
	grep -q "sent $tree/tftp/grub/x86_64-efi/core.efi to 10.77.0" "$OUT/dnsmasq-tftp.log" &&
		ok "site-uefi: our TFTP-only dnsmasq sent core.efi" || nok "site-uefi: our TFTP-only dnsmasq sent core.efi" "$OUT/dnsmasq-tftp.log"
	kernel_http site-uefi
	if grep -qE "DHCP(OFFER|ACK)|PXE\(" "$OUT/dnsmasq-tftp.log"; then
		nok "site: our dnsmasq answered no DHCP" "$(grep -m1 -E "DHCP(OFFER|ACK)|PXE\(" "$OUT/dnsmasq-tftp.log")"
	elif grep -qE "DHCP(OFFER|ACK)" "$OUT/dnsmasq-site.log"; then ok "site: our dnsmasq answered no DHCP, the site's did"
	else nok "site: our dnsmasq answered no DHCP, the site's did" "no DHCPACK in $OUT/dnsmasq-site.log"; fi
fi

# resume (PXE_SITE_EXTRA=1): nginx sends the layer at 64 KiB/s and is killed (by PID) 3 s into it, then
# started again: /init resumes with a range request (206 in nginx's log), SHA-256 verified
if [ "${PXE_SITE_EXTRA:-0}" = 1 ] && want resume; then
	pxenet_dnsmasq full "$PXENET_NS" "$(pxenet_full_conf "$tree" ra)" || bail "dnsmasq.conf starts" "$PXENET_ERR"
	pxenet_nginx "$tree" 64k || bail "nginx starts (layers at 64k/s)" "$PXENET_ERR"
	n0=$(cat "$OUT/nginx/access.log" 2>/dev/null | wc -l)
	guest resume-bios bios tap0 52:54:00:77:00:41 & gp=$!
	cut=
	for _ in $(seq 2400); do
		tail -n +$((n0 + 1)) "$OUT/nginx/access.log" 2>/dev/null |
			grep -q '"GET /livestack/layers\.list HTTP/1\.1" 200' && { cut=1; break; }
		kill -0 "$gp" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$cut" ]; then
		sleep 3
		pxenet_nginx_stop
		sleep 1
		pxenet_nginx "$tree" || nok "nginx starts again" "$PXENET_ERR"
	fi
	wait "$gp"
	pxenet_dnsmasq_stop
	[ -n "$cut" ] && ok "resume: nginx killed 3 s into the layer" || nok "resume: nginx killed 3 s into the layer" "no layers.list request seen"
	expect resume-bios "/init saw the cut and resumed" "fetch 10-demo\.squashfs: .*retrying in [0-9]+ s \(try 2 of 5\), resuming"
	if tail -n +$((n0 + 1)) "$OUT/nginx/access.log" | grep -qE '"GET /livestack/10-demo\.squashfs\?v=[0-9a-f]{16} HTTP/1\.1" 206 '; then
		ok "resume: nginx answered the range request with 206"
	else
		nok "resume: nginx answered the range request with 206" "$(grep squashfs "$OUT/nginx/access.log")"
	fi
	expect resume-bios "the resumed layer's SHA-256 matched" "fetch 10-demo\.squashfs: $(stat -c %s "$LAYER") bytes in [0-9]+ ms, sha256 [0-9a-f]{64} \(verified\)"
	expect resume-bios "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap resume-bios
	no_panic resume-bios
fi

# UEFI iPXE (PXE_SITE_EXTRA=1): iPXE for EFI chains boot.ipxe over HTTP, boots the EFI stub
for n in full-ipxe-uefi site-ipxe-uefi; do
	[ -f "$VM_OUT/$n.log" ] || continue
	expect "$n" "iPXE (EFI) ran boot.ipxe from nginx" "http://$SRV/livestack/boot\.ipxe\.\.\. ok"
	expect "$n" "the loader's ip= named the server" "livestack: net: server $SRV, named by the boot loader's ip="
	common "$n"
done

pxenet_down
if ip netns list | grep -qE "^($PXENET_NS|$PXENET_SITE)( |$)"; then nok "namespaces removed"; else ok "namespaces removed"; fi
for n in full-bios full-uefi full-ipxe-uefi proxy-bios proxy-uefi site-bios site-uefi site-ipxe-uefi resume-bios; do
	[ -f "$OUT/$n.t0" ] && [ -f "$OUT/$n.t1" ] &&
		echo "# $n: $(awk -v a="$(cat "$OUT/$n.t0")" -v b="$(cat "$OUT/$n.t1")" 'BEGIN { printf "%.1f", b - a }') s from QEMU's start to its power-off"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
