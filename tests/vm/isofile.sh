#!/bin/bash
# ISO-in-file and identity by content in QEMU (TCG): the demo ISO as a file on an ext4 and
# on a vfat disk (live.iso=, findiso=), a wrong path (rescue naming the path and the
# partitions), a relabelled medium still booting by its build ID, a medium with another
# ID refused, two media (one console line naming the other). TAP, "N passed, M failed".
# usage: tests/vm/isofile.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/isofile "$@"

# every guest's input ends with a power-off
# shellcheck disable=SC2034 # read by guest_in (tests/lib/vmsuite.sh)
GUEST_IN_TAIL='poweroff -f'
# session NAME DEADLINE INPUT-LINES... -- QEMU-ARGS: boot to the demo, type the lines
session() {
	local name=$1 deadline=$2; shift 2
	local lines=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do lines+=("$1"); shift; done
	shift
	guest_in "$OUT/$name.in" "${lines[@]}"
	vm_session "$name" "$deadline" "LIVESTACK-DEMO-READY" "$OUT/$name.in" "$@"
	local rc=$?
	[ $rc = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	refute "$name" "no kernel oops or panic" "Kernel panic|Oops|BUG:"
	guest_tap "$name"
}
rescue() { # rescue NAME DEADLINE QEMU-ARGS...: a boot that must stop in the rescue shell
	local name=$1 deadline=$2; shift 2
	# the menu after the failed search (tests/vm/rescue.sh): 4 is the shell
	printf '4\npoweroff -f\n' > "$OUT/poweroff.in"
	vm_session "$name" "$deadline" "(livestack:menu)" "$OUT/poweroff.in" "$@"
	expect "$name" "opens the rescue shell" "\(livestack:premount\) #"
	refute "$name" "no kernel panic" "Kernel panic"
}

mkdir -p "$OUT" "$VM_OUT"
[ -f "$ISO" ] && [ -f "$INITRD" ] && [ -x "$MK" ] || { nok "demo ISO built" "run make all"; done_; }

ISO_CHECKS=(
	't "the medium is the loop-mounted ISO" "grep -q \"^/dev/loop[0-9]* /run/live/medium iso9660 \" /proc/mounts"'
	't "the partition holding it is mounted on /run/live/isohost" "grep -q \" /run/live/isohost \" /proc/mounts && [ -f /run/live/isohost/boot/live.iso ]"'
	't "status: medium.iso names the file" "[ \"\$(st medium.iso)\" = /boot/live.iso ]"'
	't "status: isohost names the partition" "st isohost | grep -q \"^/dev/vda1 /run/live/isohost\""'
)

if want ext4; then
	# an ext4 partition (MBR, one partition) holding boot/live.iso
	d=$OUT/ext4; rm -rf "$d"; mkdir -p "$d/root/boot"; cp "$ISO" "$d/root/boot/live.iso"
	truncate -s 40M "$d/disk.img" && truncate -s 39M "$d/part.img" &&
		mke2fs -q -F -t ext4 -L DATA -d "$d/root" "$d/part.img"
	# the MBR by hand (no sfdisk on the build host): one Linux partition at 1 MiB
	python3 - "$d/disk.img" "$d/part.img" <<'PY'
import struct,sys
disk,part=sys.argv[1],sys.argv[2]
p=open(part,'rb').read()
with open(disk,'r+b') as f:
    mbr=bytearray(512)
    mbr[446:462]=bytes([0,0xfe,0xff,0xff,0x83,0xfe,0xff,0xff])+struct.pack('<II',2048,len(p)//512)
    mbr[510:512]=b'\x55\xaa'
    f.write(mbr); f.seek(2048*512); f.write(p)
PY
	session iso-ext4 150 "${ISO_CHECKS[@]}" -- -kernel "$KERNEL" -initrd "$INITRD" \
		-append "$APPEND live.iso=/boot/live.iso" -drive "file=$d/disk.img,format=raw,if=virtio"
	expect iso-ext4 "the console names the ISO file and its partition" \
		"livestack: medium: /boot/live.iso on /dev/vda1 \(ext4\)"
fi

if want vfat; then
	# a vfat disk (no partition table: vda itself), with findiso= (live-boot's name)
	d=$OUT/vfat; rm -rf "$d"; mkdir -p "$d"
	mkfs.vfat -C -n STICK "$d/disk.img" 40960 >/dev/null && mmd -i "$d/disk.img" ::/boot &&
		mcopy -i "$d/disk.img" "$ISO" ::/boot/live.iso
	session iso-vfat 150 \
		't "the medium is the loop-mounted ISO" "grep -q \"^/dev/loop[0-9]* /run/live/medium iso9660 \" /proc/mounts"' \
		't "the vfat partition is mounted on /run/live/isohost" "grep -q \" /run/live/isohost vfat \" /proc/mounts"' \
		-- -kernel "$KERNEL" -initrd "$INITRD" \
		-append "$APPEND findiso=/boot/live.iso" -drive "file=$d/disk.img,format=raw,if=virtio"
fi

if want wrongpath; then
	d=$OUT/vfat
	[ -f "$d/disk.img" ] || { mkdir -p "$d"; mkfs.vfat -C -n STICK "$d/disk.img" 40960 >/dev/null; }
	rescue iso-wrongpath 90 -kernel "$KERNEL" -initrd "$INITRD" \
		-append "$APPEND live.iso=/boot/nosuch.iso live.timeout=3" \
		-drive "file=$d/disk.img,format=raw,if=virtio"
	expect iso-wrongpath "names the path on each partition searched" "vda .*no /boot/nosuch.iso here"
fi

# identity by content: the same inputs with another label make the same build ID
if want id; then
	d=$OUT/id; rm -rf "$d"; mkdir -p "$d"
	if "$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --label RELABELED \
		--timeout 10 --cmdline "console=ttyS0,115200" --out "$d/relabeled.iso" >"$d/mk.log" 2>&1 &&
		"$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --label LIVESTACK \
			--id 0123456789abcdef --timeout 10 --cmdline "console=ttyS0,115200" \
			--out "$d/other.iso" >>"$d/mk.log" 2>&1 &&
		xorriso -osirrox on -indev "$d/relabeled.iso" -extract /boot/initrd.img "$d/initrd-id.img" \
			>>"$d/mk.log" 2>&1; then
		id=$(xorriso -osirrox on -indev "$d/relabeled.iso" -extract /live/livestack.id "$d/id" >/dev/null 2>&1; cat "$d/id")
		demo_id=$(xorriso -osirrox on -indev "$ISO" -extract /live/livestack.id "$d/demo-id" >/dev/null 2>&1; cat "$d/demo-id")
		if [ -n "$id" ] && [ "$id" = "$demo_id" ]; then ok "the relabelled ISO keeps the demo's build ID ($id)"; else nok "the relabelled ISO keeps the demo's build ID" "'$id' vs '$demo_id'"; fi
		# the ISO's own initramfs knows the ID; asked for the old label, it boots the
		# relabelled medium because the ID matches
		session id-relabeled 150 \
			't "status: medium.id is the built-in ID" "[ \"\$(st medium.id)\" = '"$id"' ]"' \
			't "status: the medium label is the new one" "[ \"\$(st medium.label)\" = RELABELED ]"' \
			-- -kernel "$KERNEL" -initrd "$d/initrd-id.img" \
			-append "$APPEND live.media=LABEL=LIVESTACK" -cdrom "$d/relabeled.iso"
		rescue id-other 90 -kernel "$KERNEL" -initrd "$d/initrd-id.img" \
			-append "$APPEND live.timeout=3" -cdrom "$d/other.iso"
		expect id-other "the candidates list gives the reason" "sr0 .*build id 0123456789abcdef is not $id"
		session id-any 150 \
			't "live.id=any accepts another ID" "[ \"\$(st medium.id)\" = 0123456789abcdef ]"' \
			-- -kernel "$KERNEL" -initrd "$d/initrd-id.img" \
			-append "$APPEND live.id=any" -cdrom "$d/other.iso"
	else
		nok "id: build the relabelled and other-ID ISOs" "$(tail -n3 "$d/mk.log")"
	fi
fi

if want several; then
	# the demo ISO as a CD and as a disk: the CD is chosen, one line names the disk
	session several 150 \
		't "status names the other medium" "[ \"\$(st medium.others)\" = /dev/vda ]"' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" -cdrom "$ISO" \
		-drive "file=$ISO,format=raw,if=virtio,snapshot=on"
	expect several "one console line names the others" \
		"several live media: using /dev/sr0 .*not /dev/vda"
fi

done_
