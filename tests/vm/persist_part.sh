#!/bin/bash
# live.persist.create=partition in QEMU (TCG): the demo ISO written to the start of a
# 256 MiB raw disk (as dd does to a bigger USB stick), attached as a USB stick. Boot 1 with
# the parameter: partition 3 is added after the ISO (1 MiB aligned, up to the disk's end),
# formatted with label persistence, and is the rw branch at once; a file written there. Host:
# busybox fdisk -l lists it, e2fsck -fn finds it clean, blkid reads the label, only the 16
# bytes of MBR slot 3 changed in the ISO region. Boot 2 with live.persist=auto only: the
# file is there, nothing is created. Refusals (tmpfs, a clear reason, the disk byte for
# byte unchanged): an ISO-sized disk (no free space), a disk whose free space is taken by
# a partition of somebody's data, a read-only disk, the ISO as a CD, a partition labelled
# persistence that cannot be used (exFAT) on another disk.
# TAP lines, "N passed, M failed".
# usage: tests/vm/persist_part.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm-persist-part "$@"

MIB=1048576

need_demo
command -v busybox >/dev/null || { nok "busybox on the host (fdisk -l)"; done_; }
mkdir -p "$OUT" "$VM_OUT"
ISO_SIZE=$(stat -c %s "$ISO")
# the ISO's end in MiB, rounded up (where a new partition starts: 1 MiB aligned)
IMIB=$(( (ISO_SIZE + MIB - 1) / MIB ))
LAYER_SUM=$(sha256sum < "$BUILD/demo/10-demo.squashfs" | cut -d' ' -f1)

STICK_ARGS() { echo -device qemu-xhci -drive "if=none,id=stick,format=raw,file=$1${2:+,$2}" \
	-device usb-storage,drive=stick,removable=on; }

# boot NAME DEADLINE INPUT-LINES... -- QEMU-ARGS: boot the demo, type the lines; QEMU's
# end (0, or 124 at the deadline) in $OUT/NAME.rc. check NAME: the TAP lines of a boot.
boot() {
	local name=$1 deadline=$2; shift 2
	local lines=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do lines+=("$1"); shift; done
	shift
	guest_in "$OUT/$name.in" "${lines[@]}"
	vm_session "$name" "$deadline" "LIVESTACK-DEMO-READY" "$OUT/$name.in" "$@"
	echo $? > "$OUT/$name.rc"
}
check() {
	local name=$1 rc
	rc=$(cat "$OUT/$name.rc" 2>/dev/null)
	[ "$rc" = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	refute "$name" "no kernel oops or panic" "Kernel panic|Oops|BUG:|WARNING:"
	guest_tap "$name"
}
session() { boot "$@"; check "$1"; }

# mbr_field IMG SLOT(1-4) FIELD(type|start|count): one entry of the MBR, decimal
mbr_field() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read(512)
e = d[446 + 16 * (int(sys.argv[2]) - 1):][:16]
print({'type': e[4], 'start': struct.unpack('<I', e[8:12])[0],
       'count': struct.unpack('<I', e[12:16])[0]}[sys.argv[3]])
PY
}
# only_slot_changed BEFORE AFTER LEN SLOT: the first LEN bytes differ only in MBR slot SLOT
only_slot_changed() {
	python3 - "$@" <<'PY'
import sys
a = open(sys.argv[1], 'rb').read(int(sys.argv[3]))
b = open(sys.argv[2], 'rb').read(int(sys.argv[3]))
lo = 446 + 16 * (int(sys.argv[4]) - 1)
diff = [i for i in range(len(a)) if a[i] != b[i]] if len(a) == len(b) else [-1]
sys.exit(0 if diff and all(lo <= i < lo + 16 for i in diff) else 1)
PY
}
# The refusals boot one after the other in the background while the creation boots run
# (two guests at a time; the first queued one after them): refusal NAME DISK-IMAGE QEMU-DRIVE-ARGS... queues one (the
# disk's checksum taken now), refusals_start starts them, refused NAME checks one: a tmpfs,
# nothing added, the disk byte for byte unchanged.
rnames=() rargs=()
refusal() {
	local name=$1 disk=$2; shift 2
	sha256sum < "$disk" > "$OUT/$name.before"
	echo "$disk" > "$OUT/$name.disk"
	rm -f "$OUT/$name.rc"
	rnames+=("$name"); rargs+=("$(printf '%q ' "$@")")
}
refusal_boot() { # refusal_boot I: boot the queued refusal I
	local name=${rnames[$1]}
	eval "set -- ${rargs[$1]}"
	boot "$name" 150 \
		't "the rw branch is a tmpfs" "[ \"\$(st rw.type)\" = tmpfs ] && [ \"\$(st persist)\" = none ]"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist.create=partition" "$@"
}
refusals_start() { # all but the first, which runs after the creation boots
	local i
	(
		for i in "${!rnames[@]}"; do
			[ "$i" = 0 ] || refusal_boot "$i"
		done
	) &
	refusals_pid=$!
}
refused() {
	local name=$1 disk
	disk=$(cat "$OUT/$name.disk")
	check "$name"
	refute "$name" "nothing was added" "adding partition"
	host "$name: the disk is byte for byte unchanged" "[ \"\$(sha256sum < '$disk')\" = '$(cat "$OUT/$name.before")' ]"
}

if want full; then
	# the ISO alone on a disk of its size: no free space
	FULL=$OUT/full.img
	cp "$ISO" "$FULL"
	refusal refuse-full "$FULL" $(STICK_ARGS "$FULL")
fi
if want data; then
	# the space after the ISO already holds a partition with somebody's data (no known
	# filesystem: random bytes): no room, the data untouched
	DATA=$OUT/data.img
	cp "$ISO" "$DATA" && truncate -s $((128 * MIB)) "$DATA"
	# 2 MiB after the ISO's end, to the disk's end
	head -c $(((126 - IMIB) * MIB)) /dev/urandom |
		dd of="$DATA" bs=1M seek=$((IMIB + 2)) conv=notrunc status=none
	python3 - "$DATA" "$IMIB" <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b'); d = bytearray(f.read(512)); start = int(sys.argv[2]) + 2
e = 446 + 16 * 2
d[e + 4] = 0xda                      # "non-fs data"
d[e + 8:e + 16] = struct.pack('<II', start * 2048, (128 - start) * 2048)
f.seek(0); f.write(d)
PY
	refusal refuse-data "$DATA" $(STICK_ARGS "$DATA")
fi
if want ro; then
	# a write-protected stick (the drive read-only in QEMU)
	RO=$OUT/ro.img
	cp "$ISO" "$RO" && truncate -s $((128 * MIB)) "$RO"
	refusal refuse-ro "$RO" $(STICK_ARGS "$RO" readonly=on)
fi
if want cd; then
	# the ISO as a CD: no partition table to extend; a spare disk is not touched
	SPARE=$OUT/spare.img
	rm -f "$SPARE"; truncate -s $((64 * MIB)) "$SPARE"
	refusal refuse-cd "$SPARE" -cdrom "$ISO" -drive "file=$SPARE,format=raw,if=virtio"
fi
if want label; then
	# a disk with free space, and beside it an exFAT disk labelled persistence (not
	# usable: not ext): the label exists, so no second persistence is made
	LSTICK=$OUT/label-stick.img LDISK=$OUT/label-exfat.img
	cp "$ISO" "$LSTICK" && truncate -s $((128 * MIB)) "$LSTICK"
	rm -f "$LDISK"; truncate -s $((16 * MIB)) "$LDISK"
	mkfs.exfat -L persistence "$LDISK" >/dev/null 2>&1 || nok "label: mkfs.exfat"
	refusal refuse-label "$LSTICK" $(STICK_ARGS "$LSTICK") -drive "file=$LDISK,format=raw,if=virtio"
fi
refusals_pid=
[ ${#rnames[@]} = 0 ] || refusals_start

if want create; then
	STICK=$OUT/stick.img
	rm -f "$STICK"
	cp "$ISO" "$STICK" && truncate -s $((256 * MIB)) "$STICK"
	cp "$ISO" "$OUT/iso-before.img"
	session create-1 200 \
		't "the rw branch is the new partition" "[ \"\$(st rw.type)\" = persistence ] && [ \"\$(st persist)\" = /dev/sda3 ]"' \
		"t \"the kernel knows sda3 (256 MiB disk, $IMIB MiB ISO: $((256 - IMIB)) MiB)\" \"grep -q \\\" $(((256 - IMIB) * 1024)) sda3\\\$\\\" /proc/partitions\"" \
		't "its label is persistence, its format livestack" "dd if=/dev/sda3 bs=1 skip=1144 count=16 2>/dev/null | grep -q ^persistence && [ \"\$(st persist.format)\" = livestack ]"' \
		't "mounted read-write on /run/live/rw" "grep -q \"^/dev/sda3 /run/live/rw ext4 rw\" /proc/mounts"' \
		't "the native layout: upper/ work/ persistence.conf" "[ \"\$(st rw)\" = /run/live/rw/upper ] && [ -d /run/live/rw/work ] && grep -qx \"/ union\" /run/live/rw/persistence.conf"' \
		't "e2fsck checked it before use" "st persist.check | grep -q \"^e2fsck exit 0\""' \
		'sync; echo 3 > /proc/sys/vm/drop_caches' \
		"t \"the medium reads back as on the host\" \"sha256sum /run/live/medium/live/10-demo.squashfs | grep -q ^$LAYER_SUM\"" \
		'echo made-on-first-boot > /root/part.txt; sync' \
		't "the write is on the partition" "grep -q made-on-first-boot /run/live/rw/upper/root/part.txt"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist.create=partition" \
		$(STICK_ARGS "$STICK")
	expect create-1 "the console says which partition it adds and where" \
		"persistence: live.persist.create=partition: adding partition /dev/sda3 \($((256 - IMIB)) MiB at $IMIB MiB, type 83\) in the free space of /dev/sda"
	expect create-1 "the console says it was created" "persistence: created partition /dev/sda3 \($((256 - IMIB)) MiB, .*label persistence\)"
	# the host reads the table with busybox fdisk: sda3, 83, the ISO's end to the disk's end
	fd=$(busybox fdisk -l "$STICK" 2>/dev/null | grep "^$STICK""3 ")
	s3=$((IMIB * 2048))
	host "host: fdisk -l lists partition 3 (type 83, sectors $s3..524287)" \
		"echo '$fd' | grep -qE ' $s3 +524287 +$((524288 - s3)) .* 83 '"
	host "host: MBR slot 3 is type 0x83 at $IMIB MiB, 1 MiB aligned" \
		"[ \$(mbr_field '$STICK' 3 type) = 131 ] && [ \$(mbr_field '$STICK' 3 start) = $s3 ] && [ \$((\$(mbr_field '$STICK' 3 start) % 2048)) = 0 ]"
	host "host: the ISO's region differs only in the 16 bytes of MBR slot 3" \
		"only_slot_changed '$OUT/iso-before.img' '$STICK' $ISO_SIZE 3"
	host "host: the ISO's two entries are unchanged" \
		"[ \$(mbr_field '$STICK' 1 count) = \$(mbr_field '$ISO' 1 count) ] && [ \$(mbr_field '$STICK' 2 type) = 239 ]"
	dd if="$STICK" of="$OUT/p3.img" bs=1M skip="$IMIB" status=none
	host "host: e2fsck -fn finds the new filesystem clean" "e2fsck -fn '$OUT/p3.img'"
	host "host: blkid reads the label persistence" \
		"[ \"\$(blkid -p -o value -s LABEL '$OUT/p3.img')\" = persistence ]"
	host "host: the file of the first boot is in upper/" \
		"debugfs -R 'cat /upper/root/part.txt' '$OUT/p3.img' 2>/dev/null | grep -q made-on-first-boot"
	rm -f "$OUT/p3.img"
	mbr1=$(head -c 512 "$STICK" | sha256sum)

	# boot 2: no create parameter; the partition is found by its label
	session create-2 150 \
		't "boot 2: the partition is the rw branch" "[ \"\$(st persist)\" = /dev/sda3 ] && [ \"\$(st rw.type)\" = persistence ]"' \
		't "boot 2: the file of the first boot is there" "grep -q made-on-first-boot /root/part.txt"' \
		't "boot 2: still three partitions of sda" "[ \$(grep -c \" sda[0-9]\$\" /proc/partitions) = 3 ]"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto" \
		$(STICK_ARGS "$STICK")
	refute create-2 "boot 2: nothing is created" "adding partition|created partition"
	host "boot 2: slot 4 is still empty" "[ \$(mbr_field '$STICK' 4 count) = 0 ] && [ \$(mbr_field '$STICK' 4 type) = 0 ]"
	# boot 3: the parameter left in the boot menu makes no second partition
	session create-3 150 \
		't "boot 3: the same partition is used" "[ \"\$(st persist)\" = /dev/sda3 ] && grep -q made-on-first-boot /root/part.txt"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist.create=partition" \
		$(STICK_ARGS "$STICK")
	refute create-3 "boot 3: nothing is created" "adding partition|created partition"
	host "boots 2 and 3: sector 0 is as boot 1 left it" "[ \"\$(head -c 512 '$STICK' | sha256sum)\" = '$mbr1' ]"
	rm -f "$OUT/iso-before.img"
fi

[ ${#rnames[@]} = 0 ] || refusal_boot 0
[ -z "$refusals_pid" ] || wait "$refusals_pid"
if want full; then
	refused refuse-full
	expect refuse-full "the console says there is no room" \
		"persistence \(live.persist=auto\) not used: /dev/sda: no free space of 32 MiB or more after the partitions \(the largest is 0 MiB\).*tmpfs"
fi
if want data; then
	refused refuse-data
	expect refuse-data "the console says the largest free space is too small" \
		"not used: /dev/sda: no free space of 32 MiB or more after the partitions \(the largest is 2 MiB\)"
fi
if want ro; then
	refused refuse-ro
	expect refuse-ro "the console says the disk is read-only" \
		"not used: the medium's disk /dev/sda is read-only"
fi
if want label; then
	refused refuse-label
	expect refuse-label "the console says a labelled one is there and nothing is made" \
		"not used: /dev/vda \(label persistence\) is there but not usable \(/dev/vda holds exfat, not an ext2/3/4 filesystem\): no new partition is made"
fi
if want cd; then
	refused refuse-cd
	expect refuse-cd "the console says the medium is a CD" "not used: the medium /dev/sr0 is a CD/DVD"
fi

done_
