#!/bin/bash
# The fatal paths of a network boot in QEMU (TCG), each checked as a user meets it: the one
# message (phase, what was looked for, the network state, what to try), the rescue shell
# running a command, and 'exit' retrying the phase (the message again). Scenarios:
#   net-noipconfig  an image with NIC drivers but no ipconfig (a user's profile without the
#                   net list): the link comes up, nothing can configure it
#   net-static-bad  a static ip= that ipconfig cannot apply (a gateway outside the subnet)
#   net-static-typo a static ip= whose address is not one (checked before ipconfig)
#   nfs-noexport    live.nfs= naming a path the NFS server does not export
#   nfs-nolayers    an NFS export that mounts but holds no layers
#   fetch-tmpfs     the tmpfs for the download cannot be mounted on /run/live/medium; no
#                   boot parameter or server reaches this, only a change made in a shell
#                   (here live.break=premount's), which is how it is reached here
# The DHCP timeout (no lease) is tested by tests/vm/pxe.sh pxe-nolease; the other network
# messages by tests/vm/rescue.sh (nfs-bad, nfs-dns, net-nolink-dev, net-badip).
# NFS: nfs-ganesha (userspace, NFSv4 on 127.0.0.1) as tests/vm/pxe.sh; skipped without it.
# usage: tests/vm/rescue_net.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/rescue_net "$@"

NIC=(-netdev "user,id=n0" -device "virtio-net-pci,netdev=n0")
if [ ! -x "$MK" ] || [ ! -x "$BUILD/bin/init" ]; then
	nok "livestack-mkimage and init built" "run make all"; done_
fi

count() { grep -cE -- "$2" "$VM_OUT/$1.log"; }
at_least() { # at_least SCENARIO NAME N REGEX: N or more console lines match
	local n; n=$(count "$1" "$4")
	if [ "$n" -ge "$3" ]; then ok "$1: $2"; else nok "$1: $2" "$n < $3 lines /$4/"; fi
}
# shell_input FILE CMD...: the commands typed into the first rescue shell, then 'exit' (the
# phase is retried and fails again), then poweroff from the second shell
shell_input() {
	local f=$1; shift
	printf '%s\n' "$@" exit 'poweroff -f' > "$f"
}
# fatal SCENARIO PHASE REGEX: the shell of PHASE opened, and 'exit' retried the phase,
# which stopped again with the same message (REGEX) and a second shell
fatal() {
	local s=$1 phase=$2 msg=$3
	expect "$s" "names the phase" "livestack: (error: )?boot stopped in phase '$phase'"
	expect "$s" "opens the rescue shell of phase $phase" "\(livestack:$phase\) # "
	at_least "$s" "exiting the shell retries the phase" 1 "retrying phase $phase"
	# each message is on the console once (the kernel's copy, with its timestamp, or
	# /init's when the console log level hides it)
	at_least "$s" "the retry stops again with the same message" 2 "^(\\[[ 0-9.]+\\] )?livestack: error: .*$msg"
	at_least "$s" "and opens the shell again" 2 "rescue shell; type 'exit' to retry phase '$phase'"
	refute "$s" "no boot past the failure" "^LIVESTACK-DEMO-READY"
	no_panic "$s"
}
mkinitrd() { # mkinitrd OUT ARGS...: livestack-mkimage initramfs, uncompressed (quick)
	local out=$1; shift
	"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
		--compress none --out "$out" "$@" >"$out.log" 2>&1
}

if want net-noipconfig; then
	# a user's data directory with a profile of their own: the NIC drivers in a list named
	# "nic" instead of the net list, so livestack-mkimage adds no ipconfig (it does for net)
	dd=$OUT/datadir; rm -rf "$dd"; mkdir -p "$dd/configs/profiles"
	cp -r "$top/modules" "$dd/modules"
	printf 'virtio_pci\nvirtio_net\n' > "$dd/modules/nic.list"
	printf 'lists = base nic\nload = base\nexclude = btrfs\n' > "$dd/configs/profiles/nic.conf"
	if mkinitrd "$OUT/initrd-nic.img" --datadir "$dd" --profile nic &&
		! cpio -it < "$OUT/initrd-nic.img" 2>/dev/null | grep -q 'klibc/bin/ipconfig$' &&
		cpio -it < "$OUT/initrd-nic.img" 2>/dev/null | grep -q '/virtio_net\.ko'; then
		ok "net-noipconfig: the user's profile builds an image with virtio_net and no ipconfig"
		shell_input "$OUT/net-noipconfig.in" \
			'[ -e /usr/lib/klibc/bin/ipconfig ] || echo IPCONFIG-ABSENT-$((6*7))' \
			'echo CARRIER-$(cat /sys/class/net/eth0/carrier)'
		vm_session net-noipconfig 150 "rescue shell;" "$OUT/net-noipconfig.in" "${NIC[@]}" \
			-kernel "$KERNEL" -initrd "$OUT/initrd-nic.img" \
			-append "$APPEND ip=dhcp live.fetch=http://10.0.2.2:9/10-demo.squashfs"
		expect net-noipconfig "the link came up first" "livestack: net: link up on eth0"
		expect net-noipconfig "names the interface, its state and the missing program" \
			"net: cannot configure eth0 \(link up, no address\): /usr/lib/klibc/bin/ipconfig \(klibc-utils\) is not in the image"
		expect net-noipconfig "names what to do" \
			"try: rebuild the initramfs with a profile whose lists= has net \(e\.g\. --profile pxe\)"
		expect net-noipconfig "the shell runs commands (ipconfig is absent)" "^IPCONFIG-ABSENT-42"
		expect net-noipconfig "the shell sees the link up" "^CARRIER-1"
		fatal net-noipconfig net "net: cannot configure eth0 "
	else
		nok "net-noipconfig: the user's profile builds an image with virtio_net and no ipconfig" \
			"$(tail -n3 "$OUT/initrd-nic.img.log")"
	fi
fi

pxe_built=
need_pxe() { # the pxe profile's image (ipconfig, NIC drivers, nfs), built once per run
	[ -n "$pxe_built" ] && return "$pxe_built"
	rm -f "$OUT/initrd-pxe.img"
	if mkinitrd "$OUT/initrd-pxe.img" --profile pxe; then pxe_built=0; else
		pxe_built=1
		nok "initramfs --profile pxe builds" "$(tail -n3 "$OUT/initrd-pxe.img.log")"
	fi
	return "$pxe_built"
}

if want net-static-bad && need_pxe; then
	# a gateway outside the client's subnet: ipconfig sets the address, the kernel refuses
	# the route (ipconfig says so but exits 0): the message quotes ipconfig
	shell_input "$OUT/net-static-bad.in" 'echo CARRIER-$(cat /sys/class/net/eth0/carrier)'
	vm_session net-static-bad 150 "rescue shell;" "$OUT/net-static-bad.in" "${NIC[@]}" \
		-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
		-append "$APPEND ip=10.0.2.15::10.0.9.9:255.255.255.0::eth0:off live.fetch=http://10.0.2.2:9/x.squashfs"
	expect net-static-bad "says a static address was tried on the interface" \
		"net: eth0: static address \(try 1 of 5"
	expect net-static-bad "names ip=, the interface, its state and ipconfig's complaint" \
		"net: static address from ip=10\.0\.2\.15::10\.0\.9\.9:255\.255\.255\.0::eth0:off on eth0 \(link up\) failed: ipconfig: SIOCADDRT: Network is unreachable; IP-Config: failed to set routes on eth0"
	expect net-static-bad "names the form to use" \
		"try: check ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off \(is GW in CLIENT's subnet\?\)"
	refute net-static-bad "a static address is tried once per attempt" "static address \(try 2 of 5"
	refute net-static-bad "no lease is claimed" "livestack: net: eth0 10\.0\.2\.15 netmask"
	expect net-static-bad "the shell runs commands (the link is there)" "^CARRIER-1"
	fatal net-static-bad net "net: static address from ip="
fi

if want net-static-typo && need_pxe; then
	# a typo in the client address (ipconfig itself would take 10.0.2.315 as 10.0.2.59)
	shell_input "$OUT/net-static-typo.in" 'echo ADDRS-$(ip -4 addr show dev eth0 | grep -c inet)'
	vm_session net-static-typo 150 "rescue shell;" "$OUT/net-static-typo.in" "${NIC[@]}" \
		-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
		-append "$APPEND ip=10.0.2.315::10.0.2.2:255.255.255.0::eth0:off live.fetch=http://10.0.2.2:9/x.squashfs"
	expect net-static-typo "names ip=, the field and the bad value" \
		"net: ip=10\.0\.2\.315::10\.0\.2\.2:255\.255\.255\.0::eth0:off: CLIENT \"10\.0\.2\.315\" is not an IPv4 address"
	expect net-static-typo "names the form with an example" \
		"try: check ip=CLIENT:SERVER:GW:NETMASK:HOST:DEV:off \(dotted IPv4 addresses, e\.g\. ip=192"
	refute net-static-typo "no address was set from the typo" "static address \(try 1 of 5|10\.0\.2\.59"
	expect net-static-typo "the shell runs commands (no address on eth0)" "^ADDRS-0"
	fatal net-static-typo net "CLIENT \"10\.0\.2\.315\" is not an IPv4 address"
fi

# nfs-ganesha: one server, two exports: /live-nfs (no layers: a README only) and nothing
# at /nosuch
gpid=
ganesha_stop() { [ -n "$gpid" ] && kill "$gpid" 2>/dev/null && wait "$gpid" 2>/dev/null; gpid=; }
trap ganesha_stop EXIT
if (want nfs-noexport || want nfs-nolayers) && need_pxe; then
	if ! command -v ganesha.nfsd >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ] ||
		[ "$(id -u)" != 0 ]; then
		echo "ok - nfs-noexport, nfs-nolayers # SKIP needs root and nfs-ganesha + nfs-ganesha-vfs (apt-get install nfs-ganesha nfs-ganesha-vfs)"
		pass=$((pass + 1))
	else
		nfs=$OUT/nfs
		rm -rf "$nfs"; mkdir -p "$nfs/export/docs" "$nfs/recovery"
		echo "the layers are elsewhere" > "$nfs/export/README"
		nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat > "$nfs/ganesha.conf" <<EOF
NFS_CORE_PARAM { Protocols = 4; NFS_Port = $nport; Bind_addr = 127.0.0.1; Enable_RQUOTA = false; Enable_NLM = false; }
NFSV4 { Graceless = true; Lease_Lifetime = 10; RecoveryRoot = "$nfs/recovery"; }
EXPORT { Export_Id = 1; Path = $nfs/export; Pseudo = /live-nfs; Access_Type = RO;
	Squash = No_Root_Squash; Protocols = 4; Transports = TCP; SecType = sys; FSAL { Name = VFS; } }
EOF
		ganesha.nfsd -F -L "$nfs/ganesha.log" -f "$nfs/ganesha.conf" -p "$nfs/ganesha.pid" >"$nfs/out" 2>&1 &
		gpid=$!
		for _ in $(seq 50); do grep -q "NFS SERVER INITIALIZED" "$nfs/ganesha.log" 2>/dev/null && break; sleep 0.2; done
		if ! grep -q "NFS SERVER INITIALIZED" "$nfs/ganesha.log" 2>/dev/null; then
			nok "nfs: ganesha started" "$(tail -n3 "$nfs/ganesha.log" 2>/dev/null)"
		fi
		if want nfs-noexport; then
			shell_input "$OUT/nfs-noexport.in" 'echo LEASE-$(grep ^address= /run/live/net)'
			vm_session nfs-noexport 150 "rescue shell;" "$OUT/nfs-noexport.in" "${NIC[@]}" \
				-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
				-append "$APPEND ip=dhcp live.nfs=10.0.2.2:/nosuch,vers=4.1,port=$nport"
			expect nfs-noexport "the lease came first" "livestack: net: eth0 10\.0\.2\.15 "
			expect nfs-noexport "names the export, the server's answer and this machine" \
				"nfs: 10\.0\.2\.2:/nosuch: the server has no such export \(No such file or directory; this machine: 10\.0\.2\.15 on eth0\)"
			expect nfs-noexport "names what to check" \
				"try: check the PATH in live.nfs=SERVER:/PATH against the server's exports"
			expect nfs-noexport "the shell runs commands (the lease is there)" "^LEASE-address=10\.0\.2\.15"
			fatal nfs-noexport premount "nfs: 10\\.0\\.2\\.2:/nosuch: "
		fi
		if want nfs-nolayers; then
			shell_input "$OUT/nfs-nolayers.in" 'echo MOUNTED-$(grep -c " /run/live/medium " /proc/mounts)'
			vm_session nfs-nolayers 150 "rescue shell;" "$OUT/nfs-nolayers.in" "${NIC[@]}" \
				-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
				-append "$APPEND ip=dhcp live.nfs=10.0.2.2:/live-nfs,vers=4.1,port=$nport"
			expect nfs-nolayers "names the pattern, the export and what the export holds" \
				"nfs: no /live/\*\.squashfs on 10\.0\.2\.2:/live-nfs \(no /live there; the export has: (README docs|docs README)\)"
			expect nfs-nolayers "names the parameter to try" "try: check live\.dir= "
			expect nfs-nolayers "the export was unmounted before the shell" "^MOUNTED-0"
			fatal nfs-nolayers premount "nfs: no /live/"
		fi
		ganesha_stop
	fi
fi

if want fetch-tmpfs && need_pxe; then
	# live.break=premount's shell puts a file where the download's tmpfs goes: the mount
	# fails with ENOTDIR; the shell of the failure shows it; exit: the same message again
	shell_input "$OUT/fetch-tmpfs.in" 'mkdir -p /run/live && : > /run/live/medium' exit \
		'[ -f /run/live/medium ] && echo NOT-A-DIR-$((6*7))'
	vm_session fetch-tmpfs 150 "(livestack:premount)" "$OUT/fetch-tmpfs.in" "${NIC[@]}" \
		-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
		-append "$APPEND ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off live.break=premount live.fetch=http://10.0.2.2:9/10-demo.squashfs"
	expect fetch-tmpfs "the break shell came first" "live.break=premount asked for a shell"
	expect fetch-tmpfs "names the mount point and the error" \
		"fetch: local error: cannot mount the download's tmpfs on /run/live/medium: Not a directory"
	expect fetch-tmpfs "names what to check" "try: /run/live/medium must be a directory"
	expect fetch-tmpfs "the shell runs commands" "^NOT-A-DIR-42"
	fatal fetch-tmpfs premount "fetch: local error: cannot mount"
fi

done_
