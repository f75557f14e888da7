# shellcheck shell=bash
# A site network for network boot tests and benchmarks (tests/vm/pxe_site.sh, bench/pxe.sh):
# namespace PXENET_NS with a bridge holding our server's address ($PXENET_SRV) and one tap
# per guest, namespace PXENET_SITE (the site's router and DHCP server, $PXENET_ROUTER) joined
# to the bridge by a veth; real dnsmasq and nginx started inside with the files livestack-mkimage
# pxe wrote, edited only as documented (interface, range). QEMU runs in PXENET_NS (it opens
# the tap there). Everything is stopped by PID and the namespaces removed by pxenet_down.
# Sourced after tests/lib/vm.sh. Errors: the functions return 1 with $PXENET_ERR set.
PXENET_NS=lsp$$ PXENET_SITE=lss$$
PXENET_SRV=10.77.0.2 PXENET_ROUTER=10.77.0.1 PXENET_SRV6=fd77::2
PXENET_OUT= PXENET_ERR= PXENET_NGINX= PXENET_DNSMASQ=()

# pxenet_up OUT NTAPS: the namespaces, bridge br0, veth to the site, tap0..tapN-1
pxenet_up() {
	local t i
	PXENET_OUT=$1
	mkdir -p "$PXENET_OUT"
	ip netns add "$PXENET_NS" && ip netns add "$PXENET_SITE" &&
		ip -n "$PXENET_NS" link set lo up &&
		ip -n "$PXENET_NS" link add br0 type bridge &&
		ip -n "$PXENET_NS" addr add "$PXENET_SRV/24" dev br0 &&
		ip -n "$PXENET_NS" addr add "$PXENET_SRV6/64" dev br0 nodad &&
		ip -n "$PXENET_NS" link set br0 up &&
		ip -n "$PXENET_NS" link add site0 type veth peer name eth0 netns "$PXENET_SITE" &&
		ip -n "$PXENET_NS" link set site0 master br0 && ip -n "$PXENET_NS" link set site0 up &&
		ip -n "$PXENET_SITE" addr add "$PXENET_ROUTER/24" dev eth0 &&
		ip -n "$PXENET_SITE" link set eth0 up || { PXENET_ERR="ip netns/link failed"; return 1; }
	for ((i = 0; i < $2; i++)); do
		t=tap$i
		ip -n "$PXENET_NS" tuntap add "$t" mode tap && ip -n "$PXENET_NS" link set "$t" master br0 &&
			ip -n "$PXENET_NS" link set "$t" up || { PXENET_ERR="tap $t failed"; return 1; }
	done
}

# QEMU inside the namespace: the harness's command line behind ip netns exec
vm_qemu_base() {
	echo ip netns exec "$PXENET_NS" qemu-system-x86_64 -accel tcg -m "$VM_MEM" -smp "$VM_SMP" \
		-nographic -display none -monitor none -no-reboot -nodefaults -vga none
}

# pxenet_nginx TREE [RATE]: nginx (re)started with its own prefix, TREE/nginx.conf's
# location as it is; RATE (e.g. 64k): the layers (*.squashfs) are sent at that rate, set
# in the server block around the location (a transfer long enough to be cut)
pxenet_nginx() {
	local d=$PXENET_OUT/nginx tree=$1 rate=${2:-} throttle= _
	[ -n "$rate" ] && throttle="if (\$uri ~ \"\\.squashfs\$\") { set \$limit_rate $rate; }"
	pxenet_nginx_stop
	mkdir -p "$d"
	cat > "$d/nginx.conf" <<EOF2
daemon off;
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	server {
		listen $PXENET_SRV:80;
		$throttle
		include $tree/nginx.conf;
	}
}
EOF2
	rm -f "$d/nginx.pid"
	ip netns exec "$PXENET_NS" nginx -p "$d" -c "$d/nginx.conf" >"$d/out" 2>&1 &
	PXENET_NGINX=$!
	for _ in $(seq 50); do [ -s "$d/nginx.pid" ] && return 0; sleep 0.1; done
	PXENET_ERR="nginx did not start: $(tail -n3 "$d/out" "$d/error.log" 2>/dev/null)"
	return 1
}
pxenet_nginx_stop() {
	[ -n "$PXENET_NGINX" ] || return 0
	kill "$PXENET_NGINX" 2>/dev/null; wait "$PXENET_NGINX" 2>/dev/null; PXENET_NGINX=
}

# pxenet_full_conf TREE [ra] / pxenet_proxy_conf TREE / pxenet_site_conf: the config
# files, their path. "ra": also the documented edit that answers IPv6 router
# solicitations (the three commented lines, with the server's ULA $PXENET_SRV6 on br0)
pxenet_full_conf() {
	local ra=()
	[ "${2:-}" = ra ] && ra=(-e "s/^#enable-ra$/enable-ra/"
		-e "s/^#dhcp-range=::,constructor:eth0,/dhcp-range=::,constructor:br0,/"
		-e "s/^#ra-param=eth0,/ra-param=br0,/")
	sed -e "s/^interface=eth0$/interface=br0/" \
		-e "s/^dhcp-range=.*/dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h/" \
		"${ra[@]}" "$1/dnsmasq.conf" > "$PXENET_OUT/full${2:+-$2}-edited.conf"
	echo "$PXENET_OUT/full${2:+-$2}-edited.conf"
}
pxenet_proxy_conf() {
	sed -e "s/^interface=eth0$/interface=br0/" \
		-e "s/^dhcp-range=.*/dhcp-range=10.77.0.0,proxy,255.255.255.0/" \
		"$1/dnsmasq-proxy.conf" > "$PXENET_OUT/proxy-edited.conf"
	echo "$PXENET_OUT/proxy-edited.conf"
}
pxenet_tftp_conf() {
	sed -e "s/^interface=eth0$/interface=br0/" "$1/dnsmasq-tftp.conf" > "$PXENET_OUT/tftp-edited.conf"
	echo "$PXENET_OUT/tftp-edited.conf"
}
# the site: addresses, a router and a next-server of its own (it serves no TFTP);
# "points": instead the next-server is our server and the boot file is chosen per client
# type, as docs/pxe-classroom.md 2c writes for ISC dhcpd and Kea (here in dnsmasq's words)
pxenet_site_conf() {
	cat > "$PXENET_OUT/site.conf" <<EOF2
port=0
interface=eth0
bind-interfaces
dhcp-range=10.77.0.160,10.77.0.199,255.255.255.0,1h
dhcp-option=option:router,$PXENET_ROUTER
EOF2
	if [ "${1:-}" = points ]; then
		cat >> "$PXENET_OUT/site.conf" <<EOF2
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
dhcp-userclass=set:ipxe,iPXE
dhcp-option-force=tag:ipxe,encap:175,176,1
dhcp-boot=tag:ipxe,http://$PXENET_SRV/livestack/boot.ipxe,,$PXENET_SRV
dhcp-boot=tag:!ipxe,tag:efi64,grub/x86_64-efi/core.efi,,$PXENET_SRV
dhcp-boot=tag:!ipxe,tag:!efi64,pxelinux.0,,$PXENET_SRV
EOF2
	else
		echo "dhcp-boot=,,$PXENET_ROUTER" >> "$PXENET_OUT/site.conf"
	fi
	echo "$PXENET_OUT/site.conf"
}

# pxenet_dnsmasq NAME NETNS CONF: dnsmasq in the foreground of a background job; the
# test's additions: its log, leases, PID and user
pxenet_dnsmasq() {
	local name=$1 ns=$2 conf=$3 pid
	{ cat "$conf"
	  echo "log-facility=$PXENET_OUT/dnsmasq-$name.log"
	  echo "dhcp-leasefile=$PXENET_OUT/dnsmasq-$name.leases"
	  echo "log-dhcp"
	  echo "user=root"
	} > "$PXENET_OUT/dnsmasq-$name.conf"
	ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file="$PXENET_OUT/dnsmasq-$name.conf" \
		--pid-file= >"$PXENET_OUT/dnsmasq-$name.out" 2>&1 &
	pid=$!
	PXENET_DNSMASQ+=("$pid")
	sleep 0.5
	kill -0 "$pid" 2>/dev/null && return 0
	PXENET_ERR="dnsmasq $name: $(cat "$PXENET_OUT/dnsmasq-$name.out")"
	return 1
}
pxenet_dnsmasq_stop() {
	local p
	for p in "${PXENET_DNSMASQ[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PXENET_DNSMASQ=()
}

# pxenet_down: the servers, any guest left in the namespaces (by PID), the namespaces
pxenet_down() {
	local p
	pxenet_dnsmasq_stop
	pxenet_nginx_stop
	for p in $(ip netns pids "$PXENET_NS" 2>/dev/null) $(ip netns pids "$PXENET_SITE" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	ip netns del "$PXENET_NS" 2>/dev/null
	ip netns del "$PXENET_SITE" 2>/dev/null
	return 0
}
