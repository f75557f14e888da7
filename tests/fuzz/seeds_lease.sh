#!/bin/bash
# Seeds of fuzz_lease: the lease files klibc's ipconfig (the one /init runs) writes from real
# dnsmasq replies, in two network namespaces joined by a veth pair (made here, removed on exit),
# and from the static ip= form.  usage: tests/fuzz/seeds_lease.sh OUTDIR   (root; dnsmasq)
set -eu
out=$1 ipc=/usr/lib/klibc/bin/ipconfig
s=fzsrv$$ c=fzcli$$ pid=
mkdir -p "$out"
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; ip netns del $s 2>/dev/null; ip netns del $c 2>/dev/null; true' EXIT
ip netns add $s; ip netns add $c
ip link add v0 netns $s type veth peer name v1 netns $c
ip -n $s addr add 10.99.0.1/24 dev v0
ip -n $s link set v0 up; ip -n $c link set v1 up; ip -n $c link set lo up

lease() { # NAME IPCONFIG-ARGS...: ipconfig in the client namespace, its /run a tmpfs of its own
	local n=$1; shift
	ip netns exec $c unshare -m sh -c 'mount -t tmpfs none /run && "$@" >/dev/null 2>&1; cat /run/net-v1.conf' \
		sh "$ipc" "$@" > "$out/$n" || true
	[ -s "$out/$n" ] || { echo "seeds_lease: $n: no lease" >&2; rm -f "$out/$n"; }
}
dhcp() { # NAME DNSMASQ-OPTIONS...
	local n=$1; shift
	ip netns exec $s dnsmasq --no-daemon --port=0 --interface=v0 --bind-interfaces \
		--dhcp-range=10.99.0.50,10.99.0.60,255.255.255.0,1h --dhcp-leasefile=/dev/null "$@" \
		2>/dev/null &
	pid=$!; sleep 0.5
	lease "$n" -t 5 -c dhcp -d v1
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
dhcp plain
dhcp pxe --dhcp-option=option:router,10.99.0.1 --dhcp-option=option:dns-server,10.99.0.1,10.99.0.2 \
	--domain=lab.example --dhcp-option=option:domain-name,lab.example \
	--dhcp-option=option:root-path,/srv/nfs/live --dhcp-boot=pxelinux.0,bootsrv,10.99.0.1 \
	--dhcp-host=*:*:*:*:*:*,client7
dhcp long --dhcp-option=option:root-path,"10.99.0.1:/$(printf 'r%.0s' $(seq 200))" \
	--dhcp-option=option:domain-name,"$(printf 'd%.0s' $(seq 60)).example" \
	--dhcp-boot="$(printf 'f%.0s' $(seq 120)),srv,10.99.0.1"
lease static -t 2 -d "10.99.0.7:10.99.0.1:10.99.0.1:255.255.255.0:host7:v1:none"
