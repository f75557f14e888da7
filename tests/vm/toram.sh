#!/bin/bash
# Copy to RAM and verification in QEMU (TCG): live.toram from a CD (progress line, medium
# released and ejected, layers on tmpfs loops), a layer whose bytes were flipped on the
# medium (live.toram: warning and boot from the medium; live.verify: rescue shell naming
# it), too little RAM (-m) for the copy, and live.toram=background with aufs.
# TAP lines, then "N passed, M failed".
# The toram-cd scenario also takes the disc out through QEMU's monitor after the boot.
# usage: tests/vm/toram.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm-toram "$@"

[ -f "$ISO" ] && [ -f "$INITRD" ] && [ -x "$MK" ] || { nok "demo ISO built" "run make all"; done_; }

# The test medium: the demo layer plus 20-data, a layer with 24 MiB of random bytes
# (a copy long enough to show progress; its middle is what the corrupt medium flips).
stage=$OUT/stage
if [ ! -f "$stage/toram.iso" ] || [ "$stage/toram.iso" -ot "$ISO" ]; then
	rm -rf "$stage"; mkdir -p "$stage/data/data"
	head -c $((24 << 20)) /dev/urandom > "$stage/data/data/random.bin"
	sha256sum "$stage/data/data/random.bin" | cut -d' ' -f1 > "$stage/random.sum"
	{ "$MK" squashfs "$stage/data" "$stage/20-data.squashfs" &&
	  "$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" \
		--layer "$BUILD/demo/10-demo.squashfs" "$stage/20-data.squashfs" \
		--label LIVESTACK --timeout 10 --cmdline "console=ttyS0,115200" \
		--out "$stage/toram.iso"; } >"$stage/mkimage.log" 2>&1 ||
		{ nok "build the test ISO" "$(tail -n3 "$stage/mkimage.log")"; done_; }
	# the same ISO with 64 bytes flipped in the middle of 20-data.squashfs: it still
	# mounts (the superblock and tables are intact), only its SHA-256 differs
	python3 - "$stage/toram.iso" "$stage/20-data.squashfs" "$stage/corrupt.iso" <<'PY'
import sys
iso = bytearray(open(sys.argv[1], 'rb').read())
layer = open(sys.argv[2], 'rb').read()
at = iso.find(layer[:65536])
assert at > 0 and iso[at:at + len(layer)] == layer, "layer not found in the ISO"
mid = at + len(layer) // 2
for i in range(mid, mid + 64):
    iso[i] ^= 0xff
open(sys.argv[3], 'wb').write(iso)
PY
	[ -f "$stage/corrupt.iso" ] || { nok "build the corrupt ISO"; done_; }
fi
SUM=$(cat "$stage/random.sum")

# in-guest checks, typed one line per prompt; "T""AP" keeps the echo from matching
common() {
	cat <<'SH'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
st() { grep "^$1=" /run/live/status | cut -d= -f2-; }
backing() { l=$(awk -v m="$1" '$2 == m { d = $1 } END { print d }' /proc/mounts); cat /sys/block/${l#/dev/}/loop/backing_file; }
SH
}
{ common; cat <<SH
echo "EJECT-""NOW"; sleep 5
t "status: toram=done" '[ "\$(st toram)" = done ]'
t "status: both layers verified" '[ "\$(st verify.10-demo)" = ok ] && [ "\$(st verify.20-data)" = ok ]'
t "status: throughput recorded" '[ -n "\$(st toram.mib_s)" ] && [ "\$(st toram.bytes)" -gt 25000000 ]'
t "status: time.toram" '[ "\$(st time.toram)" -ge 0 ]'
t "the medium is not mounted" '! grep -q " /run/live/medium " /proc/mounts && [ ! -e /run/live/medium ]'
t "the layers' copies are on a tmpfs" 'grep -q " /run/live/toram tmpfs " /proc/mounts'
t "layer 10-demo is read from a loop on the tmpfs" 'backing /run/live/layers/10-demo | grep -q "^/run/live/toram/10-demo.squashfs"'
t "layer 20-data is read from a loop on the tmpfs" 'backing /run/live/layers/20-data | grep -q "^/run/live/toram/20-data.squashfs"'
t "the CD was ejected (tray open: no medium in sr0)" 'echo 0 > /proc/sys/dev/cdrom/autoclose; ! dd if=/dev/sr0 of=/dev/null bs=2048 count=1'
t "every file of the root reads back (medium gone)" 'find / -xdev -type f -exec cat {} + > /dev/null'
t "the data file is intact" '[ "\$(sha256sum /data/random.bin | cut -d" " -f1)" = $SUM ]'
t "a write goes through the union" 'echo ram-\$\$ > /root/t.txt && grep -q ram-\$\$ /run/live/rw/upper/root/t.txt'
t "the copy is in the kernel log" 'dmesg | grep -q "livestack: toram: ejected /dev/sr0"'
poweroff -f
SH
} > "$OUT/cd.in"

# monitor_eject NAME SOCKET: once the guest prints EJECT-NOW, take the disc out of the
# drive from QEMU's monitor, as a user would after the copy
monitor_eject() {
	local _
	for _ in $(seq 600); do
		if grep -qa "^EJECT-NOW" "$VM_OUT/$1.log" 2>/dev/null && [ -S "$2" ]; then
			python3 - "$2" <<'PY' >"$VM_OUT/$1.monitor" 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.5)
s.sendall(b"eject -f ide1-cd0\ninfo block\n")
time.sleep(1.5)
print(s.recv(65536).decode(errors="replace"))
PY
			return
		fi
		sleep 0.2
	done
}

if want toram-cd; then
	rm -f "$OUT/mon.sock"
	monitor_eject toram-cd "$OUT/mon.sock" &
	ejector=$!
	vm_session toram-cd 240 "LIVESTACK-DEMO-READY" "$OUT/cd.in" \
		-monitor "unix:$OUT/mon.sock,server=on,wait=off" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/toram.iso" -append "$APPEND live.toram"
	kill "$ejector" 2>/dev/null; wait "$ejector" 2>/dev/null
	if grep -qa "ide1-cd0.*not inserted\|ide1-cd0: \[not inserted\]" "$VM_OUT/toram-cd.monitor" 2>/dev/null; then
		ok "toram-cd: QEMU's monitor took the disc out after the boot"
	else
		nok "toram-cd: QEMU's monitor took the disc out after the boot" "see $VM_OUT/toram-cd.monitor"
	fi
	expect toram-cd "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect toram-cd "progress line: percent, MiB/s, ETA" "livestack: toram: .* [0-9]+%  .* MiB/s  ETA [0-9]+:[0-9]{2}"
	expect toram-cd "a final line with the size and rate" "livestack: toram: 2 layers, [0-9.]+ MiB in [0-9.]+ s \([0-9.]+ MiB/s\)"
	guest_tap toram-cd
fi

if want toram-quiet; then
	printf 'poweroff -f\n' > "$OUT/poweroff.in"
	vm_session toram-quiet 240 "LIVESTACK-DEMO-READY" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.toram quiet"
	expect toram-quiet "quiet: the final line only" "livestack: toram: 1 layer, [0-9.]+ MiB in"
	refute toram-quiet "quiet: no progress line" "ETA [0-9]+:"
fi

{ common; cat <<SH
t "status: toram=fallback naming the layer" 'st toram | grep -q "^fallback: layer 20-data does not match"'
t "status: verify.20-data=mismatch" '[ "\$(st verify.20-data)" = mismatch ]'
t "status: verify.10-demo=ok" '[ "\$(st verify.10-demo)" = ok ]'
t "booted from the medium" 'grep -q " /run/live/medium " /proc/mounts && backing /run/live/layers/20-data | grep -q "^/run/live/medium/"'
t "no copy left in RAM" '! grep -q " /run/live/toram " /proc/mounts'
poweroff -f
SH
} > "$OUT/corrupt.in"

if want toram-corrupt; then
	vm_session toram-corrupt 240 "LIVESTACK-DEMO-READY" "$OUT/corrupt.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/corrupt.iso" -append "$APPEND live.toram"
	expect toram-corrupt "warns, naming the layer, and boots from the medium" \
		"toram: layer 20-data does not match its recorded SHA-256: .*booting from the medium"
	expect toram-corrupt "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap toram-corrupt
fi

if want verify-corrupt; then
	printf 'poweroff -f\n' > "$OUT/poweroff.in"
	vm_session verify-corrupt 240 "rescue shell" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/corrupt.iso" -append "$APPEND live.verify"
	expect verify-corrupt "the progress line of the check" "livestack: verify: .* [0-9]+%  .* MiB/s"
	expect verify-corrupt "names the layer and both sums" \
		"live.verify: layer 20-data does not match its recorded SHA-256 \([0-9a-f]{64}, expected [0-9a-f]{64}\)"
	expect verify-corrupt "stops in a rescue shell (phase toram)" "\(livestack:toram\) #"
	refute verify-corrupt "did not boot" "^LIVESTACK-DEMO-READY"
fi

{ common; cat <<SH
t "status: toram=fallback: not enough RAM" 'st toram | grep -q "^fallback: not enough RAM"'
t "booted from the medium" 'grep -q " /run/live/medium " /proc/mounts'
poweroff -f
SH
} > "$OUT/lowmem.in"

if want toram-lowmem; then
	# 128 MiB: the 25 MiB of layers and the 64 MiB margin do not fit beside the kernel
	# and the unpacked initramfs
	VM_MEM=128 vm_session toram-lowmem 240 "LIVESTACK-DEMO-READY" "$OUT/lowmem.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/toram.iso" -append "$APPEND live.toram"
	expect toram-lowmem "says so, with the numbers" \
		"toram: not enough RAM: the layers need [0-9]+ MiB and [0-9]+ MiB to spare, [0-9]+ MiB available: booting from the medium"
	expect toram-lowmem "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap toram-lowmem
fi

{ common; cat <<SH
i=0; while [ \$i -lt 120 ] && ! st toram | grep -qE "^background: (done|fallback|failed)"; do sleep 1; i=\$((i + 1)); done; st toram
t "status: toram=background: done" 'st toram | grep -q "^background: done"'
t "the root is aufs with the RAM copies as branches" 'grep " / aufs " /proc/mounts | grep "br:.*/run/live/toram/10-demo=rr" | grep -q "br:.*/run/live/toram/20-data=rr"'
t "no branch reads the medium (gone from br:, or its loop moved to RAM)" 'for b in 10-demo 20-data; do if grep " / aufs " /proc/mounts | grep -q "/run/live/layers/\$b="; then backing /run/live/layers/\$b | grep -q "^/run/live/toram/" || exit 1; fi; done'
t "the medium is not mounted" '! grep -q " /run/live/medium " /proc/mounts'
t "the CD was ejected" 'echo 0 > /proc/sys/dev/cdrom/autoclose; ! dd if=/dev/sr0 of=/dev/null bs=2048 count=1'
t "the data file is intact" '[ "\$(sha256sum /data/random.bin | cut -d" " -f1)" = $SUM ]'
t "every file of the root reads back (medium gone)" 'find / -xdev -type f -exec cat {} + > /dev/null'
t "a write goes through the union" 'echo bg-\$\$ > /root/t.txt && grep -q bg-\$\$ /run/live/rw/upper/root/t.txt'
grep -E "^(toram|verify)" /run/live/status; grep " / aufs " /proc/mounts
poweroff -f
SH
} > "$OUT/bg.in"

if want toram-background; then
	vm_session toram-background 300 "LIVESTACK-DEMO-READY" "$OUT/bg.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/toram.iso" \
		-append "$APPEND live.toram=background"
	expect toram-background "the helper started before switch_root" "toram: booting from the medium; pid [0-9]+ copies"
	guest_tap toram-background
fi

{ common; cat <<SH
t "status: toram=done (blocking copy)" '[ "\$(st toram)" = done ]'
t "the root is overlayfs" 'grep -q "^overlay / overlay " /proc/mounts'
poweroff -f
SH
} > "$OUT/bgov.in"

if want toram-bg-overlay; then
	vm_session toram-bg-overlay 240 "LIVESTACK-DEMO-READY" "$OUT/bgov.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND live.toram=background live.union=overlay"
	expect toram-bg-overlay "says it copies before the boot" \
		"live.toram=background needs aufs: copying now, before the boot"
	guest_tap toram-bg-overlay
fi

{ common; cat <<SH
t "status: toram=todisk naming the disk" 'st toram | grep -q "^todisk /dev/vda:/live"'
t "both layers verified while copied" '[ "\$(st verify.10-demo)" = ok ] && [ "\$(st verify.20-data)" = ok ]'
t "the disk stays mounted at /run/live/todisk" 'grep -q " /run/live/todisk ext4 rw" /proc/mounts'
t "layer 20-data is read from the disk" 'backing /run/live/layers/20-data | grep -q "^/run/live/todisk/live/20-data.squashfs"'
t "the medium is not mounted" '! grep -q " /run/live/medium " /proc/mounts'
t "the data file is intact" '[ "\$(sha256sum /data/random.bin | cut -d" " -f1)" = $SUM ]'
t "no partial copy left" '! ls /run/live/todisk/live | grep -q part'
t "the build ID and the sums came along" '[ -s /run/live/todisk/live/livestack.id ] && [ -s /run/live/todisk/live/SHA256SUMS ]'
poweroff -f
SH
} > "$OUT/todisk.in"
{ common; cat <<SH
t "booted from the disk copy (fromhd=)" '[ "\$(st medium)" = /dev/vda ]'
t "the copy passed the build-ID check" '[ -n "\$(st medium.id)" ]'
t "layer 20-data is there" '[ "\$(sha256sum /data/random.bin | cut -d" " -f1)" = $SUM ]'
poweroff -f
SH
} > "$OUT/fromhd.in"

if want todisk; then
	# Knoppix's tohd=: the layers copied to an ext4 disk (which already holds a file of
	# its own), the CD released; the next boot, disk only, with fromhd=
	rm -rf "$OUT/todisk"; mkdir -p "$OUT/todisk/keep"
	echo mine > "$OUT/todisk/keep/notes.txt"
	mkfs.ext4 -q -F -L HD -d "$OUT/todisk/keep" "$OUT/todisk/disk.img" 96M >/dev/null 2>&1
	vm_session todisk 240 "LIVESTACK-DEMO-READY" "$OUT/todisk.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/toram.iso" \
		-drive "file=$OUT/todisk/disk.img,format=raw,if=virtio" -append "$APPEND tohd=/dev/vda"
	expect todisk "the progress line of the copy" "livestack: todisk: .* [0-9]+%  .* MiB/s"
	expect todisk "says how to boot from the copy" "boot from there next time with live.media=/dev/vda \(Knoppix: fromhd=/dev/vda\)"
	expect todisk "the CD was ejected" "toram: ejected /dev/sr0"
	guest_tap todisk
	host "todisk: the disk is clean after the boot" "e2fsck -fn '$OUT/todisk/disk.img'"
	host "todisk: the disk's own file is untouched" \
		"debugfs -R 'cat /notes.txt' '$OUT/todisk/disk.img' 2>/dev/null | grep -qx mine"
	vm_session fromhd 240 "LIVESTACK-DEMO-READY" "$OUT/fromhd.in" \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-drive "file=$OUT/todisk/disk.img,format=raw,if=virtio" -append "$APPEND fromhd=/dev/vda"
	expect fromhd "the demo system came up without the CD" "^LIVESTACK-DEMO-READY"
	guest_tap fromhd
	printf 'poweroff -f\n' > "$OUT/poweroff.in"
	vm_session todisk-nodev 240 "LIVESTACK-DEMO-READY" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.todisk=/dev/vdz"
	expect todisk-nodev "a missing disk: said, and the boot goes on from the medium" \
		"todisk: live.todisk=/dev/vdz: no such device: booting from the medium"
	expect todisk-nodev "the demo system came up" "^LIVESTACK-DEMO-READY"
fi

done_
