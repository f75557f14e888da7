#!/bin/bash
# Network boot in QEMU (TCG, user networking): ip=dhcp + live.fetch= over HTTP from a
# server on 127.0.0.1 (the guest's 10.0.2.2), with checksum, resume and failure paths;
# then the real PXE path: livestack-mkimage pxe's TFTP tree booted by the BIOS PXE ROM
# through QEMU's built-in TFTP/BOOTP. TAP lines, then "N passed, M failed".
# usage: tests/vm/pxe.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/pxe
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"

KERNEL=$KCACHE/vmlinuz
MK=$BUILD/bin/livestack-mkimage
LAYER=$BUILD/demo/10-demo.squashfs
INITRD=$OUT/initrd-pxe.img
# no_timer_check: on a loaded host the TCG guest's IO-APIC timer check can fail and
# panic ("IO-APIC + timer doesn't work!") before anything of ours runs
APPEND="console=ttyS0,115200 panic=-1 no_timer_check"
httpd=

served() { # served SCENARIO NAME REGEX: the HTTP server's log matches
	if grep -qE -- "$3" "$OUT/httpd-$1.log"; then ok "$1: $2"; else nok "$1: $2" "no /$3/ in $OUT/httpd-$1.log"; fi
}

# httpd_start NAME ROOT [ARGS...]: our HTTP server on 127.0.0.1, a free port in $port
httpd_stop() { [ -n "$httpd" ] && kill "$httpd" 2>/dev/null && wait "$httpd" 2>/dev/null; httpd=; }
httpd_start() {
	local name=$1 root=$2 i; shift 2
	httpd_stop
	rm -f "$OUT/port"
	python3 "$top/tests/vm/pxe_httpd.py" "$root" "$OUT/port" "$@" 2>"$OUT/httpd-$name.log" &
	httpd=$!
	for i in $(seq 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
	port=$(cat "$OUT/port" 2>/dev/null)
}
trap httpd_stop EXIT

# checks typed into the booted system (the "T""AP" split keeps the echo from matching)
mkdir -p "$OUT"
cat > "$OUT/live.in" <<'EOF'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
st() { grep "^$1=" /run/live/status | cut -d= -f2-; }
t "root is the union" 'awk "\$2==\"/\"{f=\$3} END{exit !(f==\"aufs\"||f==\"overlay\")}" /proc/mounts'
t "a write lands in /run/live/rw" 'echo probe-$$ > /root/vmtest.txt && grep -q probe-$$ /run/live/rw/upper/root/vmtest.txt'
t "the squashfs layer is untouched" '[ ! -e /run/live/layers/10-demo/root/vmtest.txt ]'
t "the layers are in RAM: tmpfs at /run/live/medium" 'grep -q " /run/live/medium tmpfs " /proc/mounts'
t "layer mounted read-only from RAM" 'grep -q " /run/live/layers/10-demo squashfs ro" /proc/mounts && losetup -a | grep -q /run/live/medium/live/10-demo.squashfs'
t "status: medium is the URL" 'st medium | grep -q "^http://10.0.2.2:"'
t "status: the network interface" '[ -n "$(st net)" ] && [ -d "/sys/class/net/$(st net)" ]'
t "status: net phase timed" '[ -n "$(st time.net)" ]'
t "/run/live/net: address, netmask, gateway" 'grep -q "^address=10.0.2.15$" /run/live/net && grep -q "^netmask=255.255.255.0$" /run/live/net && grep -q "^gateway=10.0.2.2$" /run/live/net'
t "the interface keeps its address after switch_root" 'ip addr show "$(st net)" | grep -q "inet 10.0.2.15/24"'
t "boot messages are in the kernel log" 'dmesg | grep -q "livestack: fetch 10-demo.squashfs: .* bytes in"'
t "the kernel did not warn or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
echo "CHECKS-DONE"
poweroff -f
EOF
echo "poweroff -f" > "$OUT/poweroff.in"

net_boot() { # net_boot NAME DEADLINE READY INPUT APPEND...: -kernel/-initrd, virtio NIC
	local name=$1 deadline=$2 ready=$3 input=$4; shift 4
	vm_session "$name" "$deadline" "$ready" "$input" -kernel "$KERNEL" -initrd "$INITRD" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 -append "$APPEND $*"
}
live_net_boot() { # live_net_boot NAME APPEND...: boots to the demo and runs the checks
	local name=$1; shift
	net_boot "$name" 150 LIVESTACK-DEMO-READY "$OUT/live.in" "$@"
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap "$name"
}

[ -f "$LAYER" ] && [ -x "$MK" ] || { nok "demo layer built" "run make all"; echo "$pass passed, $fail failed"; exit 1; }
if "$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	--profile pxe --out "$INITRD" >"$OUT/initramfs.log" 2>&1; then
	ok "initramfs --profile pxe builds ($(stat -c %s "$INITRD") bytes)"
else
	nok "initramfs --profile pxe builds" "$(tail -n3 "$OUT/initramfs.log")"
	echo "$pass passed, $fail failed"; exit 1
fi

# the plain HTTP tree: the demo layer and its checksum
www=$OUT/www
rm -rf "$www"; mkdir -p "$www"
cp "$LAYER" "$www/"
(cd "$www" && sha256sum 10-demo.squashfs > 10-demo.squashfs.sha256)
size=$(stat -c %s "$LAYER")

if want pxe-fetch; then
	httpd_start pxe-fetch "$www"
	live_net_boot pxe-fetch ip=dhcp live.fetch=http://10.0.2.2:$port/10-demo.squashfs
	expect pxe-fetch "DHCP lease logged" "livestack: net: eth0 10\.0\.2\.15 netmask 255\.255\.255\.0 gateway 10\.0\.2\.2 dns 10\.0\.2\.3 \(dhcp"
	expect pxe-fetch "progress line with percent and MiB/s" "fetch 10-demo\.squashfs: 100% .* MiB/s"
	expect pxe-fetch "checksum from URL.sha256 verified" "fetch 10-demo\.squashfs: $size bytes in .* \(verified\)"
	served pxe-fetch "the .sha256 was asked for" "GET /10-demo\.squashfs\.sha256 - -> 200"
	no_panic pxe-fetch
fi

if want pxe-resume; then
	# the server drops the connection after 300000 bytes once; static ip= this time
	httpd_start pxe-resume "$www" --drop-after 300000 --drop-match 10-demo
	live_net_boot pxe-resume ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off \
		live.fetch=http://10.0.2.2:$port/10-demo.squashfs
	expect pxe-resume "static address from ip=" "livestack: net: eth0 10\.0\.2\.15 .*\(static"
	expect pxe-resume "the drop is noticed" "connection dropped|connection closed at 300000"
	expect pxe-resume "it retries with a resume" "retrying in 1 s \(try 2 of 5\), resuming"
	served pxe-resume "the server dropped the connection" "DROPPED 10-demo\.squashfs after 300000"
	served pxe-resume "the retry asked for the rest with Range" "GET /10-demo\.squashfs bytes=300000- -> 206 $((size - 300000))"
	expect pxe-resume "the resumed file still verifies" "fetch 10-demo\.squashfs: $size bytes in .* \(verified\)"
	no_panic pxe-resume
fi

if want pxe-mirrors; then
	# two mirrors (a/ and b/ of one server) of the same tree; the one this client's MAC
	# picks dies 300000 bytes into the layer (503 from then on): /init goes on with the
	# other, resuming the layer there with Range, and the SHA-256 still matches
	rm -rf "$OUT/www-mirrors"; mkdir -p "$OUT/www-mirrors/a"
	cp "$www/10-demo.squashfs" "$OUT/www-mirrors/a/"
	(cd "$OUT/www-mirrors/a" && sha256sum 10-demo.squashfs > layers.list)
	cp -r "$OUT/www-mirrors/a" "$OUT/www-mirrors/b"
	httpd_start pxe-mirrors "$OUT/www-mirrors" --drop-after 300000 --drop-match 10-demo --mirror-dies
	live_net_boot pxe-mirrors ip=dhcp "\"live.fetch=http://10.0.2.2:$port/a/ http://10.0.2.2:$port/b/\""
	first=$(sed -n 's|^DROPPED \([ab]\)/10-demo\.squashfs after 300000.*|\1|p' "$OUT/httpd-pxe-mirrors.log")
	other=$([ "$first" = a ] && echo b || echo a)
	if [ -n "$first" ]; then ok "pxe-mirrors: the first mirror ($first/) died 300000 bytes into the layer"
	else nok "pxe-mirrors: the first mirror died 300000 bytes into the layer" "no DROPPED in $OUT/httpd-pxe-mirrors.log"; fi
	expect pxe-mirrors "the client names its MAC and its first mirror" "fetch: 2 mirrors; this client \(MAC 52:54:00:12:34:56\) starts with http://10\.0\.2\.2:$port/$first/"
	expect pxe-mirrors "the console names the failed mirror and what was wrong" "fetch: mirror http://10\.0\.2\.2:$port/$first/: HTTP error: http://10\.0\.2\.2:$port/$first/10-demo\.squashfs\?v=[0-9a-f]{16}: HTTP 503"
	expect pxe-mirrors "it resumes on the other mirror" "fetch 10-demo\.squashfs: mirror http://10\.0\.2\.2:$port/$first/ failed; resuming at 300000 bytes from http://10\.0\.2\.2:$port/$other/10-demo\.squashfs"
	served pxe-mirrors "the other mirror sent the rest with 206" "GET /$other/10-demo\.squashfs\?v=[0-9a-f]{16} bytes=300000- -> 206 $((size - 300000))"
	expect pxe-mirrors "the layer made of both mirrors' bytes verifies" "fetch 10-demo\.squashfs: $size bytes in .* \(verified\)"
	no_panic pxe-mirrors
fi

if want pxe-checksum; then
	httpd_start pxe-checksum "$www"
	net_boot pxe-checksum 120 "rescue shell;" "$OUT/poweroff.in" ip=dhcp \
		live.fetch=http://10.0.2.2:$port/10-demo.squashfs \
		live.fetch.sha256=0000000000000000000000000000000000000000000000000000000000000000
	expect pxe-checksum "refuses, naming the stage" "fetch: checksum: 10-demo\.squashfs: SHA-256 mismatch: got [0-9a-f]{64}, expected 0{64} \(from live\.fetch\.sha256=\)"
	expect pxe-checksum "opens the rescue shell in premount" "\(livestack:premount\) #"
	refute pxe-checksum "does not boot" "^LIVESTACK-DEMO-READY"
	no_panic pxe-checksum
fi

if want pxe-404; then
	httpd_start pxe-404 "$www"
	net_boot pxe-404 120 "rescue shell;" "$OUT/poweroff.in" ip=dhcp \
		live.fetch=http://10.0.2.2:$port/nosuch/
	expect pxe-404 "names the HTTP status and the URL" "fetch: HTTP error: http://10\.0\.2\.2:$port/nosuch/layers\.list: HTTP 404"
	expect pxe-404 "opens the rescue shell" "\(livestack:premount\) #"
	no_panic pxe-404
fi

if want pxe-unreachable; then
	httpd_stop
	# nothing listens on ports 9 and 7 of the host: two mirrors, both refused at once,
	# 2 tries each with back-off; one console line per mirror, then the rescue shell
	net_boot pxe-unreachable 150 "rescue shell;" "$OUT/poweroff.in" ip=dhcp \
		"\"live.fetch=http://10.0.2.2:9/10-demo.squashfs http://10.0.2.2:7/10-demo.squashfs\""
	expect pxe-unreachable "names the first mirror and what was wrong" "fetch: mirror 1 of 2, http://10\.0\.2\.2:9/10-demo\.squashfs: server unreachable: connect to 10\.0\.2\.2:9: Connection refused \(2 tries\)"
	expect pxe-unreachable "names the second mirror and what was wrong" "fetch: mirror 2 of 2, http://10\.0\.2\.2:7/10-demo\.squashfs: server unreachable: connect to 10\.0\.2\.2:7: Connection refused \(2 tries\)"
	expect pxe-unreachable "says every mirror failed" "fetch: every mirror failed \(2\)"
	expect pxe-unreachable "backs off between tries" "retrying in 1 s"
	expect pxe-unreachable "gives a hint" "livestack: try: is the HTTP server running"
	expect pxe-unreachable "opens the rescue shell" "\(livestack:premount\) #"
	no_panic pxe-unreachable
fi

if want pxe-nolink; then
	# no NIC at all
	vm_session pxe-nolink 90 "rescue shell;" "$OUT/poweroff.in" -kernel "$KERNEL" \
		-initrd "$INITRD" -append "$APPEND ip=dhcp live.timeout=3 live.fetch=http://10.0.2.2:9/x.squashfs"
	expect pxe-nolink "names the stage" "net: no link: no network interface appeared within 3 s"
	expect pxe-nolink "opens the rescue shell in phase net" "\(livestack:net\) #"
	no_panic pxe-nolink
fi

if want pxe-nolease; then
	# a NIC with link, but nobody answers DHCP: a socket netdev with no peer
	vm_session pxe-nolease 120 "rescue shell;" "$OUT/poweroff.in" -kernel "$KERNEL" \
		-initrd "$INITRD" -netdev socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0 \
		-device virtio-net-pci,netdev=n0 -append "$APPEND ip=dhcp live.fetch=http://10.0.2.2:9/x.squashfs"
	expect pxe-nolease "tries a bounded number of times" "asking for a DHCP lease \(try 5 of 5"
	expect pxe-nolease "names the stage" "net: no lease: no DHCP answer on eth0 after 5 tries"
	expect pxe-nolease "opens the rescue shell in phase net" "\(livestack:net\) #"
	no_panic pxe-nolease
fi

if want pxe-dhcp-bound; then
	# the same silent network, live.helper.timeout=4: ipconfig is killed when the DHCP
	# step's time is up (not after its 5 tries, 31 s), the network source then fails
	vm_session pxe-dhcp-bound 120 "rescue shell;" "$OUT/poweroff.in" -kernel "$KERNEL" \
		-initrd "$INITRD" -netdev socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0 \
		-device virtio-net-pci,netdev=n0 \
		-append "$APPEND ip=dhcp live.fetch=http://10.0.2.2:9/x.squashfs live.helper.timeout=4"
	expect pxe-dhcp-bound "ipconfig killed at live.helper.timeout=" \
		"net: ipconfig on eth0 did not end within 4 s \(live.helper.timeout=\): killed with its process group, the boot goes on"
	expect pxe-dhcp-bound "the network source fails as usual" "net: no lease: no DHCP answer on eth0 after [12] tries"
	refute pxe-dhcp-bound "not all 5 tries" "try 5 of 5"
	expect pxe-dhcp-bound "opens the rescue shell in phase net" "\(livestack:net\) #"
	no_panic pxe-dhcp-bound
fi

if want pxe-nfs; then
	# live.nfs= against a userspace NFS server (nfs-ganesha, NFSv4 on 127.0.0.1): the
	# host kernel has no nfsd, and tests load no modules into it
	if ! command -v ganesha.nfsd >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ] ||
		[ "$(id -u)" != 0 ]; then
		echo "ok - pxe-nfs # SKIP needs root and nfs-ganesha + nfs-ganesha-vfs (apt-get install nfs-ganesha nfs-ganesha-vfs)"
		pass=$((pass + 1))
	else
		nfs=$OUT/nfs
		rm -rf "$nfs"; mkdir -p "$nfs/export/live"
		cp "$LAYER" "$nfs/export/live/"
		nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat > "$nfs/ganesha.conf" <<EOF2
NFS_CORE_PARAM { Protocols = 4; NFS_Port = $nport; Bind_addr = 127.0.0.1; Enable_RQUOTA = false; Enable_NLM = false; }
NFSV4 { Graceless = true; Lease_Lifetime = 10; }
EXPORT { Export_Id = 1; Path = $nfs/export; Pseudo = /live-nfs; Access_Type = RO;
	Squash = No_Root_Squash; Protocols = 4; Transports = TCP; SecType = sys; FSAL { Name = VFS; } }
EOF2
		ganesha.nfsd -F -L "$nfs/ganesha.log" -f "$nfs/ganesha.conf" -p "$nfs/ganesha.pid" >"$nfs/out" 2>&1 &
		gpid=$!
		for _ in $(seq 50); do grep -q "NFS SERVER INITIALIZED" "$nfs/ganesha.log" 2>/dev/null && break; sleep 0.2; done
		cat > "$OUT/nfs.in" <<'EOF2'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
t "root is the union" 'awk "\$2==\"/\"{f=\$3} END{exit !(f==\"aufs\"||f==\"overlay\")}" /proc/mounts'
t "a write lands in /run/live/rw" 'echo probe-$$ > /root/vmtest.txt && grep -q probe-$$ /run/live/rw/upper/root/vmtest.txt'
t "the export is mounted read-only on /run/live/medium" 'grep -qE "^10.0.2.2:/live-nfs /run/live/medium nfs4? ro," /proc/mounts'
t "the layer is read over NFS (loop on the export)" 'losetup -a | grep -q /run/live/medium/live/10-demo.squashfs'
t "status: medium is the export" 'grep -q "^medium=nfs://10.0.2.2/live-nfs$" /run/live/status'
echo "CHECKS-DONE"
poweroff -f
EOF2
		net_boot pxe-nfs 150 LIVESTACK-DEMO-READY "$OUT/nfs.in" ip=dhcp \
			"live.nfs=10.0.2.2:/live-nfs,vers=4.1,port=$nport"
		kill "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null
		expect pxe-nfs "the medium is the NFS export" "livestack: medium: 10\.0\.2\.2:/live-nfs over NFS with 1 layer"
		expect pxe-nfs "the demo system came up" "^LIVESTACK-DEMO-READY"
		guest_tap pxe-nfs
		no_panic pxe-nfs
	fi
fi

if want pxe-bios; then
	# the real thing: livestack-mkimage pxe's trees, BIOS PXE ROM (iPXE in QEMU),
	# pxelinux from TFTP, two layers listed in layers.list
	tree=$OUT/tree extra=$OUT/extra
	rm -rf "$tree" "$extra"; mkdir -p "$extra/etc"
	echo "second layer" > "$extra/etc/pxe-extra-layer"
	"$MK" squashfs "$extra" "$OUT/20-extra.squashfs" >"$OUT/extra.log" 2>&1
	httpd_start pxe-bios "$tree/http"
	if "$MK" pxe --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" "$OUT/20-extra.squashfs" \
		--outdir "$tree" --url "http://10.0.2.2:$port/" --cmdline "$APPEND" --timeout 1 \
		>"$OUT/mkpxe.log" 2>&1; then
		ok "pxe-bios: livestack-mkimage pxe writes the trees"
	else
		nok "pxe-bios: livestack-mkimage pxe writes the trees" "$(tail -n3 "$OUT/mkpxe.log")"
	fi
	for f in tftp/pxelinux.0 tftp/ldlinux.c32 tftp/pxelinux.cfg/default tftp/vmlinuz tftp/initrd.img \
		tftp/boot.ipxe tftp/grub/grub.cfg http/layers.list http/10-demo.squashfs \
		http/10-demo.squashfs.sha256 http/20-extra.squashfs http/20-extra.squashfs.sha256 \
		http/boot.ipxe dnsmasq.conf dnsmasq-proxy.conf nginx.conf; do
		[ -s "$tree/$f" ] || nok "pxe-bios: $f written"
	done
	if grep -q "APPEND ip=dhcp live.fetch=http://10.0.2.2:$port/ $APPEND" "$tree/tftp/pxelinux.cfg/default" &&
		grep -q "^dhcp-range=.*,proxy" "$tree/dnsmasq-proxy.conf" &&
		grep -q "kernel http://10.0.2.2:$port/vmlinuz ip=dhcp" "$tree/tftp/boot.ipxe" &&
		(cd "$tree/http" && sha256sum -c --quiet layers.list); then
		ok "pxe-bios: boot line filled in, proxy-DHCP snippet, layers.list checks out"
	else
		nok "pxe-bios: boot line filled in, proxy-DHCP snippet, layers.list checks out"
	fi
	{ sed '/^echo "CHECKS-DONE"/,$d' "$OUT/live.in"
	  echo "t \"the second layer from layers.list is in the union\" 'grep -q \"second layer\" /etc/pxe-extra-layer && [ \"\$(st layers)\" = \"10-demo 20-extra\" ]'"
	  echo "t \"BOOTIF= from pxelinux names the NIC\" 'grep -q BOOTIF=01-52-54-00-12-34-56 /proc/cmdline && grep -q \"^mac=52:54:00:12:34:56\" /run/live/net'"
	  echo "t \"the lease has the next-server and boot file\" 'grep -q \"^next-server=10.0.2.2\$\" /run/live/net && grep -q \"^boot-file=pxelinux.0\$\" /run/live/net'"
	  echo 'echo "CHECKS-DONE"'; echo "poweroff -f"; } | sed 's|st medium \| grep -q "^http://10.0.2.2:"|st medium \| grep -q "^http://10.0.2.2:.*/$"|' > "$OUT/bios.in"
	vm_session pxe-bios 300 LIVESTACK-DEMO-READY "$OUT/bios.in" \
		-netdev "user,id=n0,tftp=$tree/tftp,bootfile=pxelinux.0" -device e1000,netdev=n0 -boot n
	expect pxe-bios "the PXE ROM loaded pxelinux.0 by TFTP" "pxelinux\.0 : [0-9]+ bytes \[PXE-NBP\]"
	expect pxe-bios "pxelinux loaded the kernel and initramfs" "PXELINUX 6"
	expect pxe-bios "the demo system came up" "^LIVESTACK-DEMO-READY"
	served pxe-bios "layers.list then both layers over HTTP, with ?v= (their SHA-256) for caches" "GET /20-extra\.squashfs\?v=[0-9a-f]{16} - -> 200"
	guest_tap pxe-bios
	no_panic pxe-bios
fi

if want pxe-ipxe; then
	# the iPXE script of the same tree: the ROM runs boot.ipxe from TFTP, which loads
	# the kernel and initramfs over HTTP (the trees of pxe-bios)
	tree=$OUT/tree
	if [ -z "$httpd" ]; then	# alone (VM_ONLY=pxe-ipxe): the trees with one layer
		httpd_start pxe-bios "$tree/http"
		rm -rf "$tree"
		"$MK" pxe --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --outdir "$tree" \
			--url "http://10.0.2.2:$port/" --cmdline "$APPEND" --timeout 1 >"$OUT/mkpxe.log" 2>&1
	fi
	if [ -s "$tree/tftp/boot.ipxe" ] && [ -n "$httpd" ]; then
		vm_session pxe-ipxe 240 LIVESTACK-DEMO-READY "$OUT/poweroff.in" \
			-netdev "user,id=n0,tftp=$tree/tftp,bootfile=boot.ipxe" -device e1000,netdev=n0 -boot n
		expect pxe-ipxe "iPXE loaded the kernel over HTTP" "http://10\.0\.2\.2:$port/vmlinuz\.\.\.[ 0-9%[:cntrl:]]*ok"
		expect pxe-ipxe "the demo system came up" "^LIVESTACK-DEMO-READY"
		if grep -qE "GET /initrd\.img - -> 200" "$OUT/httpd-pxe-bios.log"; then
			ok "pxe-ipxe: kernel and initramfs over HTTP"
		else
			nok "pxe-ipxe: kernel and initramfs over HTTP" "no GET /initrd.img in $OUT/httpd-pxe-bios.log"
		fi
		no_panic pxe-ipxe
	else
		nok "pxe-ipxe: livestack-mkimage pxe wrote tftp/boot.ipxe" "$(tail -n3 "$OUT/mkpxe.log")"
	fi
fi

if want pxe-uefi; then
	# UEFI: OVMF's PXE (iPXE EFI ROM) loads GRUB's core.efi by TFTP, GRUB its grub.cfg,
	# the kernel and the initramfs
	tree=$OUT/tree-uefi
	httpd_start pxe-uefi "$tree/http"
	rm -rf "$tree"
	if "$MK" pxe --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --outdir "$tree" \
		--url "http://10.0.2.2:$port/" --cmdline "$APPEND" --timeout 1 >"$OUT/mkpxe-uefi.log" 2>&1 &&
		[ -s "$tree/tftp/grub/x86_64-efi/core.efi" ]; then
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/ovmf-vars.fd"
		vm_session pxe-uefi 300 LIVESTACK-DEMO-READY "$OUT/poweroff.in" -machine q35 \
			-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
			-drive if=pflash,format=raw,file="$OUT/ovmf-vars.fd" \
			-netdev "user,id=n0,tftp=$tree/tftp,bootfile=grub/x86_64-efi/core.efi" -device e1000,netdev=n0
		expect pxe-uefi "the EFI PXE ROM loaded GRUB by TFTP" "grub/x86_64-efi/core\.efi\.\.\. ok"
		expect pxe-uefi "GRUB ran grub.cfg's entry" "livestack: starting"
		expect pxe-uefi "the demo system came up" "^LIVESTACK-DEMO-READY"
		no_panic pxe-uefi
	else
		echo "ok - pxe-uefi # SKIP no GRUB EFI loader (grub-efi-amd64-bin): $(tail -n1 "$OUT/mkpxe-uefi.log")"
		pass=$((pass + 1))
	fi
fi

httpd_stop
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
