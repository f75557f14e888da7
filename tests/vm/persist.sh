#!/bin/bash
# Persistence in QEMU (TCG): a USB stick made by `livestack-mkimage usb` (BIOS boot from the
# stick, a file survives a reboot and a hard kill of QEMU after sync, e2fsck ran), a full
# persistence partition (ENOSPC to the writer, the next boot is fine), an image file on the
# medium's partition, and one created by live.persist.size=. TAP lines, "N passed, M failed".
# usage: tests/vm/persist.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/vm/persist
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"

KERNEL=$KCACHE/vmlinuz
MK=$BUILD/bin/livestack-mkimage
LAYER=$BUILD/demo/10-demo.squashfs
E2FSCK=/sbin/e2fsck.static
APPEND="console=ttyS0,115200 panic=-1"


# guest input: helpers, then the scenario's lines (one command per line)
guest_in() { # guest_in FILE LINES...
	local f=$1; shift
	{
		echo 't() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }'
		echo 'st() { grep "^$1=" /run/live/status | cut -d= -f2-; }'
		printf '%s\n' "$@"
	} > "$f"
}
STICK_ARGS() { echo -device qemu-xhci -drive "if=none,id=stick,format=raw,file=$1" \
	-device "usb-storage,drive=stick,removable=on${2:+,bootindex=$2}"; }

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
	refute "$name" "no kernel oops or panic" "Kernel panic|Oops|BUG:|WARNING:"
	guest_tap "$name"
}

# hard_session NAME DEADLINE MARK INPUT-LINES... -- QEMU-ARGS: like session, but QEMU is
# killed with SIGKILL as soon as MARK is on the console: a power cut, no shutdown
hard_session() {
	local name=$1 deadline=$2 mark=$3; shift 3
	local lines=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do lines+=("$1"); shift; done
	shift
	guest_in "$OUT/$name.in" "${lines[@]}"
	# (stderr: the shell's "Killed" job notice is expected here)
	vm_session "$name" "$deadline" "LIVESTACK-DEMO-READY" "$OUT/$name.in" "$@" 2>/dev/null &
	local bg=$! left=$((deadline * 10)) killed=0 p
	while kill -0 "$bg" 2>/dev/null && [ "$left" -gt 0 ]; do
		if grep -q "^$mark" "$VM_OUT/$name.log" 2>/dev/null; then
			# the QEMU that vm_session started in our background job
			for p in $(pgrep -P "$bg") $(for c in $(pgrep -P "$bg"); do pgrep -P "$c"; done); do
				if cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ' | grep -q "^qemu-system"; then
					kill -9 "$p" && killed=1
				fi
			done
			[ "$killed" = 1 ] && break
		fi
		sleep 0.1; left=$((left - 1))
	done
	wait "$bg" 2>/dev/null
	if [ "$killed" = 1 ]; then ok "$name: QEMU killed with SIGKILL after '$mark'"; else nok "$name: QEMU killed after '$mark'" "mark not seen"; fi
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap "$name"
}

mkdir -p "$OUT" "$VM_OUT"
[ -x "$MK" ] && [ -f "$LAYER" ] || { nok "demo built" "run make all"; done_; }
if [ ! -x "$E2FSCK" ]; then
	nok "e2fsck-static installed ($E2FSCK)" "apt-get install e2fsck-static (make deps)"
	done_
fi

# the image under test: the demo's, plus a static e2fsck (too big for the demo's 3 MiB)
INITRD=$OUT/initrd-e2fsck.img
aufs=()
[ -f "$BUILD/aufs/$KVER/aufs.ko" ] && aufs=(--aufs "$BUILD/aufs/$KVER/aufs.ko")
if ! "$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	"${aufs[@]}" --profile demo --e2fsck "$E2FSCK" --out "$INITRD" >"$OUT/mk.log" 2>&1 ||
	! "$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" --layer "$LAYER" --label LIVESTACK \
		--timeout 10 --cmdline "console=ttyS0,115200 live.persist=auto" \
		--out "$OUT/persist.iso" >>"$OUT/mk.log" 2>&1; then
	nok "build the persistence test images" "$(tail -n3 "$OUT/mk.log")"
	done_
fi
ok "initramfs with --e2fsck and its ISO built ($(stat -c %s "$INITRD") bytes)"

if want usb; then
	STICK=$OUT/stick.img
	if "$MK" usb --iso "$OUT/persist.iso" --out "$STICK" --persist-size 64M >"$OUT/usb.log" 2>&1; then
		ok "mkimage usb made the stick image"
	else
		nok "mkimage usb made the stick image" "$(tail -n3 "$OUT/usb.log")"; done_
	fi
	host "the stick's MBR lists an ext4 (0x83) partition after the ISO" \
		"python3 -c 'import sys;d=open(\"$STICK\",\"rb\").read(512);sys.exit(0 if any(d[446+16*i+4]==0x83 for i in range(4)) else 1)'"
	host "mkimage usb refuses a non-hybrid input" "! '$MK' usb --iso '$LAYER' --out '$OUT/bad.img'"

	# boot 1: BIOS boots the stick (isolinux on the hybrid ISO); write, sync, power off
	session usb-persist-1 200 \
		't "rw branch is the persistence partition" "[ \"\$(st rw.type)\" = persistence ] && grep -q \" /run/live/rw ext4 \" /proc/mounts"' \
		't "status: persist= names the partition" "[ -b \"\$(st persist)\" ]"' \
		't "status: persist.fs=ext4" "[ \"\$(st persist.fs)\" = ext4 ]"' \
		't "status: persist.check from e2fsck" "st persist.check | grep -q \"^e2fsck exit [01]\""' \
		't "upper/ and work/ on the partition" "[ -d /run/live/rw/upper ] && [ -d /run/live/rw/work ]"' \
		'echo boot-one > /root/persist-1.txt; sync' \
		't "the write is on the persistence branch" "grep -q boot-one /run/live/rw/upper/root/persist-1.txt"' \
		'poweroff -f' \
		-- $(STICK_ARGS "$STICK" 0)
	expect usb-persist-1 "BIOS booted from the USB stick" "ISOLINUX|SYSLINUX"
	expect usb-persist-1 "the console says which persistence is used" \
		"livestack: rw branch: persistence /dev/sd[a-z][0-9]"

	# boot 2: the file is there; write another, sync, then QEMU is killed (power cut)
	hard_session usb-persist-2 150 SYNCED-BEFORE-CUT \
		't "the file of boot 1 survived the reboot" "grep -q boot-one /root/persist-1.txt"' \
		'echo boot-two > /root/persist-2.txt; sync; echo SYNCED-BEFORE-CUT' \
		'sleep 30' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto" \
		$(STICK_ARGS "$STICK")

	# boot 4 (after the cut): the synced file is there, e2fsck looked first
	session usb-persist-3 150 \
		't "the file synced before the power cut is there" "grep -q boot-two /root/persist-2.txt"' \
		't "the older file too" "grep -q boot-one /root/persist-1.txt"' \
		't "e2fsck checked the branch before use" "st persist.check | grep -q \"^e2fsck exit [01]\""' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto" \
		$(STICK_ARGS "$STICK")
	expect usb-persist-3 "e2fsck ran on the console after the cut" "livestack: persistence: .*e2fsck exit [01]"
	host "the persistence partition is clean on the host after the tests" \
		"python3 - '$STICK' <<'PY'
import sys,struct
d=open(sys.argv[1],'rb').read(512)
for i in range(4):
    e=d[446+16*i:462+16*i]
    if e[4]==0x83:
        s,n=struct.unpack('<II',e[8:16])
        open(sys.argv[1]+'.p','wb').write(open(sys.argv[1],'rb').read()[s*512:(s+n)*512])
PY
e2fsck -fn '$STICK.p'"
	rm -f "$STICK.p"
fi

if want full; then
	# a 16 MiB persistence partition: a writer gets ENOSPC, what was stored stays
	SMALL=$OUT/small-stick.img
	"$MK" usb --iso "$OUT/persist.iso" --out "$SMALL" --persist-size 16M >"$OUT/usb-small.log" 2>&1 ||
		nok "mkimage usb --persist-size 16M" "$(tail -n3 "$OUT/usb-small.log")"
	session full-1 150 \
		'echo kept > /root/kept.txt; sync' \
		'dd if=/dev/zero of=/root/big bs=1M count=64; echo "DD-EXIT=$?"' \
		't "the system keeps running after ENOSPC" "echo still-here > /tmp/x && [ -s /tmp/x ]"' \
		't "the file written before is intact" "grep -q kept /root/kept.txt"' \
		'rm -f /root/big; sync' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto" \
		$(STICK_ARGS "$SMALL")
	expect full-1 "the writer got ENOSPC" "No space left on device"
	session full-2 150 \
		't "after the full branch the next boot uses the persistence again" "[ \"\$(st rw.type)\" = persistence ]"' \
		't "the file stored before is there" "grep -q kept /root/kept.txt"' \
		't "e2fsck found it clean or repaired" "st persist.check | grep -q \"^e2fsck exit [01]\""' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto" \
		$(STICK_ARGS "$SMALL")
fi

# a FAT disk with live/ on it (the "copy the files to a stick" layout)
fat_medium() { # fat_medium IMG SIZE_KIB
	rm -f "$1"
	mkfs.vfat -C -n LIVEFAT "$1" "$2" >/dev/null && mmd -i "$1" ::/live &&
		mcopy -i "$1" "$LAYER" ::/live/10-demo.squashfs
}

if want file; then
	FAT=$OUT/fat-file.img
	if fat_medium "$FAT" 65536 && rm -f "$OUT/p.img" && truncate -s 32M "$OUT/p.img" &&
		mke2fs -q -F -t ext4 -L persistence "$OUT/p.img" >/dev/null &&
		mcopy -i "$FAT" "$OUT/p.img" ::/persistence.img; then
		session file-1 150 \
			't "persistence from the image file on the medium partition" "[ \"\$(st persist)\" = /dev/vda:/persistence.img ]"' \
			't "the image is loop-mounted ext4 on /run/live/rw" "grep -q \"^/dev/loop[0-9]* /run/live/rw ext4 \" /proc/mounts"' \
			't "the medium itself stays read-only" "grep -q \" /run/live/medium vfat ro\" /proc/mounts"' \
			'echo in-file > /root/in-file.txt; sync' \
			'poweroff -f' \
			-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=/persistence.img" \
			-drive "file=$FAT,format=raw,if=virtio"
		rm -f "$OUT/p-out.img"
		host "file-1: the write is inside the image file on the FAT partition" \
			"mcopy -i '$FAT' ::/persistence.img '$OUT/p-out.img' && debugfs -R 'cat /upper/root/in-file.txt' '$OUT/p-out.img' 2>/dev/null | grep -q in-file"
	else
		nok "file: build the FAT medium with persistence.img"
	fi
fi

if want create; then
	FAT=$OUT/fat-create.img
	if fat_medium "$FAT" 98304; then
		session create-1 180 \
			't "live.persist.size= created the image file" "[ \"\$(st persist)\" = /dev/vda:/live-rw.img ]"' \
			't "the rw branch is on it" "[ \"\$(st rw.type)\" = persistence ]"' \
			'echo created > /root/created.txt; sync' \
			'poweroff -f' \
			-- -kernel "$KERNEL" -initrd "$INITRD" \
			-append "$APPEND live.persist=/live-rw.img live.persist.size=32M" \
			-drive "file=$FAT,format=raw,if=virtio"
		expect create-1 "the console says it created the file" "livestack: persistence: created /dev/vda:/live-rw.img"
		session create-2 150 \
			't "the created image is used on the next boot" "grep -q created /root/created.txt"' \
			'poweroff -f' \
			-- -kernel "$KERNEL" -initrd "$INITRD" \
			-append "$APPEND live.persist=/live-rw.img live.persist.size=32M" \
			-drive "file=$FAT,format=raw,if=virtio"
		refute create-2 "an existing image is never created again" "persistence: created"
	else
		nok "create: build the FAT medium"
	fi
fi

if want overlay; then
	# the same layout serves overlayfs: upperdir=upper/, workdir=work/ on the partition
	OSTICK=$OUT/overlay-stick.img
	"$MK" usb --iso "$OUT/persist.iso" --out "$OSTICK" --persist-size 32M >"$OUT/usb-overlay.log" 2>&1 ||
		nok "mkimage usb for overlay" "$(tail -n3 "$OUT/usb-overlay.log")"
	for n in 1 2; do
		session "overlay-$n" 150 \
			't "the root is overlayfs with the persistence upper dir" "grep -q \"^overlay / overlay .*upperdir=/run/live/rw/upper\" /proc/mounts"' \
			't "the file of the first boot is there (2nd boot)" "[ '"$n"' = 1 ] || grep -q ov-one /root/ov.txt"' \
			'echo ov-one > /root/ov.txt; sync' \
			'poweroff -f' \
			-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=auto live.union=overlay" \
			$(STICK_ARGS "$OSTICK")
	done
fi

if want missing; then
	# asked for and absent: a tmpfs, with one clear line
	session missing-1 120 \
		't "no persistence: the rw branch is a tmpfs" "[ \"\$(st rw.type)\" = tmpfs ] && [ \"\$(st persist)\" = none ]"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist=LABEL=nosuch" \
		-cdrom "$OUT/persist.iso"
	expect missing-1 "the console says why and what that means" \
		"persistence \(live.persist=LABEL=nosuch\) not used: no device LABEL=nosuch.*tmpfs"
fi

done_
