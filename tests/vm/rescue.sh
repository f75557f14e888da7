#!/bin/bash
# Rescue and graceful degradation in QEMU (TCG): the text menu after a failed medium search
# (bad choices, shell, no network support, retries; a CD hot-plugged through QEMU's monitor
# while nobody types; a device picked from the list under a wrong LABEL=, a non-medium
# refused), a persistence device that cannot be used (tmpfs with a reason), rescue shells
# exited again and again (the phase is retried, never a panic), the fatal message of a bad
# ip= and of a bad live.nfs=, an NFS server name that does not resolve, ip= naming an
# interface without link, a dracut medium whose inner rootfs.img is no filesystem, and a
# network boot chosen in the menu with a typed live.fetch=. TAP lines, then "N passed, M failed".
# usage: tests/vm/rescue.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/rescue "$@"

CHECKS=$top/tests/vm/checks.sh
need_demo

# count SCENARIO REGEX: how many console lines match
count() { grep -cE -- "$2" "$VM_OUT/$1.log"; }
at_least() { # at_least SCENARIO NAME N REGEX
	local n; n=$(count "$1" "$4")
	if [ "$n" -ge "$3" ]; then ok "$1: $2"; else nok "$1: $2" "$n < $3 lines /$4/"; fi
}
# in-guest checks of the booted demo: t NAME CMD (as in tests/vm/checks.sh)
guest_checks() {
	sed -n '/^t() /p; /^st() /p' "$CHECKS"
	printf '%s\n' "$@"
	echo "poweroff -f"
}

if want menu-shell; then
	# no medium, no NIC: bad input, an empty device list, no network support, a retry, the
	# shell; the shell exited: the search is retried and the menu comes back
	printf '%s\n' 9 2 3 1 4 'echo SHELL-ONE-$((6*7))' exit 4 'poweroff -f' > "$OUT/menu-shell.in"
	vm_session menu-shell 150 "(livestack:menu)" "$OUT/menu-shell.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.timeout=3"
	expect menu-shell "the message names the phase" "boot stopped in phase 'premount'"
	expect menu-shell "the message says what was looked for, devices seen: none" \
		"no live medium found within 3 s: looked for any device with /live/\*\.squashfs; devices seen: none"
	expect menu-shell "the message names the parameters to try" "livestack: try: .*live.media=.*live.timeout="
	expect menu-shell "the menu offers a retry" "^  1\) retry the scan"
	expect menu-shell "the menu offers the devices seen" "^  2\) boot from one of the devices seen"
	expect menu-shell "network boot offered only where possible (no support in this image)" \
		"^  3\) boot from the network \(not available: this image has no network support"
	expect menu-shell "the menu offers a shell" "^  4\) shell"
	expect menu-shell "a bad choice is named" "\"9\" is not a choice: type 1, 2, 3 or 4"
	expect menu-shell "2 with no devices says so" "no block devices seen yet"
	expect menu-shell "3 says why there is no network boot" "no network boot: this image has no network support"
	expect menu-shell "1 scans again" "scanning the devices again"
	expect menu-shell "4 opens the shell of phase premount" "\(livestack:premount\) # "
	expect menu-shell "the shell runs commands" "^SHELL-ONE-42"
	at_least menu-shell "exiting the shell retries the search" 1 "retrying phase premount"
	at_least menu-shell "the menu came back after each retry" 3 "^  4\) shell"
	no_panic menu-shell
fi

if want menu-hotplug; then
	# nobody types: after live.timeout the menu keeps waiting; a CD plugged in through the
	# monitor (a scsi-cd on a virtio-scsi controller) is taken and the boot goes on
	rm -f "$OUT/mon.sock"
	(
		for _ in $(seq 900); do
			if grep -q "no choice made: still waiting" "$VM_OUT/menu-hotplug.log" 2>/dev/null &&
				[ -S "$OUT/mon.sock" ]; then
				python3 - "$OUT/mon.sock" "$ISO" <<'PY' >"$VM_OUT/menu-hotplug.monitor" 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.5)
s.sendall(("drive_add 0 if=none,id=hcd,media=cdrom,readonly=on,format=raw,file=%s\n" % sys.argv[2]).encode())
time.sleep(0.5)
s.sendall(b"device_add scsi-cd,drive=hcd,bus=scsi0.0,id=hcd0\ninfo block\n")
time.sleep(1.5)
print(s.recv(65536).decode(errors="replace"))
PY
				exit 0
			fi
			sleep 0.2
		done
	) &
	plugger=$!
	guest_checks 't "the medium is the hot-plugged CD" "[ \"\$(st medium)\" = /dev/sr0 ]"' \
		> "$OUT/hotplug.in"
	vm_session menu-hotplug 200 "LIVESTACK-DEMO-READY" "$OUT/hotplug.in" \
		-device virtio-scsi-pci,id=scsi0 -monitor "unix:$OUT/mon.sock,server=on,wait=off" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.timeout=3"
	kill "$plugger" 2>/dev/null; wait "$plugger" 2>/dev/null
	host "menu-hotplug: QEMU's monitor plugged the CD in" "grep -q 'hcd.*livestack-demo.iso' '$VM_OUT/menu-hotplug.monitor'"
	expect menu-hotplug "the menu was shown" "^  4\) shell"
	expect menu-hotplug "with no input it says it keeps waiting" \
		"no choice made: still waiting for a live medium"
	expect menu-hotplug "the new CD is taken without input" "a live medium appeared: /dev/sr0; booting"
	expect menu-hotplug "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap menu-hotplug
	no_panic menu-hotplug
fi

if want menu-pick; then
	# the CD holds the medium but live.media= names a wrong label; a blank disk beside it.
	# Picking the disk says why not and comes back; picking the CD boots. The blank disk is
	# also the persistence device asked for: unusable, so a tmpfs with the reason on screen.
	truncate -s 16M "$OUT/blank.img"
	guest_checks 't "the medium is the CD picked in the menu" "[ \"\$(st medium)\" = /dev/sr0 ]"' \
		't "the rw branch fell back to a tmpfs" "[ \"\$(st rw.type)\" = tmpfs ] && [ \"\$(st persist)\" = none ]"' \
		> "$OUT/pick.in"
	{ printf '%s\n' 2 vda 2 1; cat "$OUT/pick.in"; } > "$OUT/menu-pick.in"
	vm_session menu-pick 200 "(livestack:menu)" "$OUT/menu-pick.in" \
		-drive "file=$OUT/blank.img,format=raw,if=virtio" -cdrom "$ISO" \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "$APPEND live.media=LABEL=wrong live.timeout=3 live.persist=/dev/vda"
	expect menu-pick "the message says which label was looked for" "looked for LABEL=wrong"
	expect menu-pick "the list numbers the CD first: name, size, fs, label, why" \
		"^  1\) sr0 +[0-9]+ MiB  iso9660 +LIVESTACK +label \"LIVESTACK\" is not \"wrong\""
	expect menu-pick "the list shows the blank disk" "^  2\) vda +16 MiB  - "
	expect menu-pick "a device that is not a medium is refused with the reason" \
		"/dev/vda is not a live medium: no known filesystem"
	at_least menu-pick "and the menu comes back" 2 "^  4\) shell"
	expect menu-pick "the CD picked from the list is the medium" "medium: /dev/sr0 chosen in the menu"
	expect menu-pick "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect menu-pick "the unusable persistence device is named with the reason" \
		"persistence \(live.persist=/dev/vda\) not used: .*tmpfs"
	guest_tap menu-pick
	no_panic menu-pick
fi

if want menu-net || want nfs-bad || want nfs-dns || want net-nolink-dev; then
	# an image with network support, a NIC, no medium: 3 asks DHCP (QEMU's user network
	# gives no root-path), says which parameter is needed, takes a live.fetch= typed in
	MK=$BUILD/bin/livestack-mkimage
	mkdir -p "$OUT/www"
	cp "$BUILD/demo/10-demo.squashfs" "$OUT/www/"
	if "$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
		--profile pxe --compress none --out "$OUT/initrd-pxe.img" >"$OUT/initramfs.log" 2>&1; then
	  if want menu-net; then
		rm -f "$OUT/port"
		python3 "$top/tests/vm/pxe_httpd.py" "$OUT/www" "$OUT/port" 2>"$OUT/httpd.log" &
		httpd=$!
		for _ in $(seq 50); do [ -s "$OUT/port" ] && break; sleep 0.1; done
		{ printf '%s\n' 3 "live.fetch=http://10.0.2.2:$(cat "$OUT/port")/10-demo.squashfs"
		  guest_checks 't "the layer came over HTTP" "st medium | grep -q ^http://10.0.2.2:"'
		} > "$OUT/menu-net.in"
		vm_session menu-net 200 "(livestack:menu)" "$OUT/menu-net.in" \
			-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
			-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" -append "$APPEND live.timeout=3"
		kill "$httpd" 2>/dev/null; wait "$httpd" 2>/dev/null
		expect menu-net "the network item is offered" "^  3\) boot from the network[^ (]*$"
		expect menu-net "3 sets live.net=dhcp" "network boot: live.net=dhcp"
		expect menu-net "with no source it names the parameters needed" \
			"the network is up on eth0, but nothing says where the layers are: live.fetch=URL .* or live.nfs=SERVER:/PATH is needed"
		expect menu-net "the typed live.fetch= is downloaded" "fetch 10-demo.squashfs: .* bytes in"
		expect menu-net "the demo system came up" "^LIVESTACK-DEMO-READY"
		guest_tap menu-net
		no_panic menu-net
	  fi
		# the same image: an NFS export that is not SERVER:/PATH, after a DHCP lease without
		# a next-server: the message names it, the network state, and the form to use
		if want nfs-bad; then
			echo "poweroff -f" > "$OUT/poweroff.in"
			vm_session nfs-bad 150 "rescue shell;" "$OUT/poweroff.in" \
				-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
				-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" -append "$APPEND live.nfs=nocolon"
			expect nfs-bad "the network came up first (lease on eth0)" "livestack: net: eth0 10\.0\.2\.15"
			expect nfs-bad "names the phase" "boot stopped in phase 'premount'"
			expect nfs-bad "names the bad export" \
				"nfs: bad export \"nocolon\": no server \(and no DHCP next-server\) or no /PATH"
			expect nfs-bad "names the form to use" "try: give live.nfs=SERVER:/PATH"
			expect nfs-bad "opens the shell of phase premount" "\(livestack:premount\) # "
			no_panic nfs-bad
		fi
		# a server name that does not resolve (QEMU's DNS answers NXDOMAIN for .invalid)
		if want nfs-dns; then
			echo "poweroff -f" > "$OUT/poweroff.in"
			vm_session nfs-dns 150 "rescue shell;" "$OUT/poweroff.in" \
				-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
				-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
				-append "$APPEND live.nfs=nosuch.invalid:/live"
			expect nfs-dns "names the server that does not resolve" \
				"nfs: server unreachable: cannot resolve nosuch.invalid"
			expect nfs-dns "names what to try" "try: use the server's IP address, or check DNS"
			expect nfs-dns "opens a rescue shell" "\(livestack:[a-z]+\) # "
			no_panic nfs-dns
		fi
		# ip= naming an interface that never gets a link: the interfaces there are named
		if want net-nolink-dev; then
			echo "poweroff -f" > "$OUT/poweroff.in"
			vm_session net-nolink-dev 150 "rescue shell;" "$OUT/poweroff.in" \
				-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
				-kernel "$KERNEL" -initrd "$OUT/initrd-pxe.img" \
				-append "$APPEND ip=:::::eth7:dhcp live.fetch=http://10.0.2.2/x live.timeout=3"
			expect net-nolink-dev "names the interface asked for and those seen" \
				"net: no link on eth7 within 3 s \(interfaces: eth0\)"
			expect net-nolink-dev "names what to try" "try: check the cable and the switch port"
			expect net-nolink-dev "opens the shell of phase net" "\(livestack:net\) # "
			no_panic net-nolink-dev
		fi
	else
		nok "menu-net: initramfs --profile pxe builds" "$(tail -n3 "$OUT/initramfs.log")"
	fi
fi

if want rw-retry; then
	# a rescue shell of another phase (rw: bad live.ramsize=), exited three times: the
	# phase is retried each time, with the same message, and the kernel never panics
	printf '%s\n' exit exit exit 'poweroff -f' > "$OUT/rw-retry.in"
	vm_session rw-retry 150 "rescue shell;" "$OUT/rw-retry.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.ramsize=lots"
	at_least rw-retry "the message each time: phase" 4 "boot stopped in phase 'rw'"
	at_least rw-retry "the message each time: the bad value" 4 "live.ramsize=lots is not a size"
	at_least rw-retry "the message each time: what to try" 4 "try: use e.g. live.ramsize=50%"
	at_least rw-retry "each exit retries the phase" 3 "retrying phase rw"
	at_least rw-retry "the shell opens again each time" 4 "\(livestack:rw\) # "
	refute rw-retry "no menu for other phases" "\(livestack:menu\)"
	no_panic rw-retry
fi

if want layers-badrootfs; then
	# a dracut medium whose LiveOS/rootfs.img inside the squashfs is not a filesystem
	stage=$OUT/badrootfs; rm -rf "$stage"; mkdir -p "$stage/sq/LiveOS" "$stage/tree/LiveOS"
	head -c 1M /dev/zero > "$stage/sq/LiveOS/rootfs.img"
	mksquashfs "$stage/sq" "$stage/tree/LiveOS/squashfs.img" -quiet -noappend >/dev/null
	xorriso -as mkisofs -quiet -V BADROOT -R -J -o "$stage/bad.iso" "$stage/tree" >/dev/null 2>&1
	echo "poweroff -f" > "$OUT/poweroff.in"
	vm_session layers-badrootfs 150 "rescue shell;" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/bad.iso" \
		-append "$APPEND live.id=any root=live:CDLABEL=BADROOT rd.live.image"
	expect layers-badrootfs "names the layer and the inner image" \
		"layer squashfs: .*/LiveOS/rootfs.img is not an ext2/3/4 image"
	expect layers-badrootfs "names what to do" "try: rebuild the medium"
	expect layers-badrootfs "opens the shell of phase layers" "\(livestack:layers\) # "
	no_panic layers-badrootfs
fi

if want net-badip; then
	echo "poweroff -f" > "$OUT/poweroff.in"
	vm_session net-badip 120 "rescue shell;" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.net=bogus"
	expect net-badip "names the bad value" "net: ip=bogus is neither dhcp nor the static form"
	expect net-badip "names the forms to use" "try: use live.net=dhcp, ip=dhcp or ip=CLIENT:SERVER"
	expect net-badip "opens the shell of phase net" "\(livestack:net\) # "
	no_panic net-badip
fi

done_
