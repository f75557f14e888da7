#!/bin/bash
# Persistence in QEMU (TCG): a USB stick made by `livestack-mkimage usb` (BIOS boot from the
# stick, a file survives a reboot and a hard kill of QEMU after sync, e2fsck ran), a full
# persistence partition (ENOSPC to the writer, the next boot is fine), an image file on the
# medium's partition, and one created by live.persist.size=; live.persist.ro with
# live.ramdev=zram on the stick (files and whiteouts seen, the stick byte for byte unchanged);
# `usb --layout fat` (FAT32 + persistence.img) booted by BIOS then UEFI (OVMF);
# live.persist.create on an exFAT disk (default size, reused), NTFS named as unusable.
# TAP lines, "N passed, M failed".
# usage: tests/vm/persist.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/persist "$@"

E2FSCK=/sbin/e2fsck.static

# guest input: helpers, then the scenario's lines (one command per line)
# img_has EXT-IMAGE PATH TEXT: the branch (upper/, rw/ or the root, by format) in the
# image holds PATH with TEXT
img_has() {
	local d
	for d in /upper /rw ""; do
		debugfs -R "cat $d$2" "$1" 2>/dev/null | grep -q "$3" && return 0
	done
	return 1
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
if ! "$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
	--profile demo --e2fsck "$E2FSCK" --out "$INITRD" >"$OUT/mk.log" 2>&1 ||
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
		't "the branch dir and work/ on the partition" "[ -d \"\$(st rw)\" ] && [ -d /run/live/rw/work ]"' \
		'echo boot-one > /root/persist-1.txt; sync' \
		't "the write is on the persistence branch" "grep -q boot-one \"\$(st rw)/root/persist-1.txt\""' \
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
		'rm /etc/motd; sync' \
		't "removing a file of the layer left a whiteout on the stick" "[ -f \"\$(st rw)/etc/.wh.motd\" ] || [ -c \"\$(st rw)/etc/motd\" ]"' \
		'echo u > /proc/sysrq-trigger; sleep 2' \
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

	# boot 4: live.persist.ro (dracut's rd.live.overlay.readonly=1) with live.ramdev=zram:
	# the stick's files and whiteouts are seen, writes go to a compressed RAM disk
	# the kernel's default zram compression: lzo-rle on 6.1, lz4 on Debian 13's 6.12
	zcomp=$(sed -n 's/^CONFIG_ZRAM_DEF_COMP="\(.*\)"$/\1/p' "$KCACHE/config" 2>/dev/null)
	zcomp=${zcomp:-lzo-rle}
	session usb-persist-ro 150 \
		't "persist-ro: the rw branch is zram" "[ \"\$(st rw.type)\" = zram ] && [ \"\$(st rw.dev)\" = /dev/zram0 ]"' \
		't "persist-ro: status says persist.ro=1 and names the partition" "[ \"\$(st persist.ro)\" = 1 ] && [ -b \"\$(st persist)\" ]"' \
		't "persist-ro: the persistence is mounted read-only" "grep -q \" /run/live/persist-ro ext4 ro,\" /proc/mounts"' \
		't "persist-ro: e2fsck -n checked it (no repair)" "st persist.check | grep -q \"e2fsck -n exit\""' \
		't "persist-ro: /run/live/rw is on /dev/zram0 (ext, discard)" "grep -q \"^/dev/zram0 /run/live/rw ext[24] .*discard\" /proc/mounts"' \
		"t \"persist-ro: zram compression is $zcomp (the kernel default)\" \"[ \\\"\\\$(st rw.comp)\\\" = $zcomp ]\"" \
		't "persist-ro: files stored on the stick are seen" "grep -q boot-one /root/persist-1.txt && grep -q boot-two /root/persist-2.txt"' \
		't "persist-ro: a whiteout on the stick still hides the layer file" "[ ! -e /etc/motd ]"' \
		't "persist-ro: livectl status lists the read-only persistence branch" "livectl status | grep -q \"persistence .*/run/live/persist-ro.* read-only\""' \
		'dd if=/dev/urandom of=/root/ro-write.bin bs=1k count=2048 2>/dev/null; echo ro-write > /root/ro.txt; sync' \
		't "persist-ro: a write works and lands in RAM" "[ \"\$(st rw)\" = /run/live/rw/upper ] && grep -q ro-write /run/live/rw/upper/root/ro.txt"' \
		't "persist-ro: zram mm_stat shows the data" "[ \$(cut -d\" \" -f1 /sys/block/zram0/mm_stat) -gt 2000000 ]"' \
		't "persist-ro: writing over a stored file copies it up to RAM" "echo changed >> /root/persist-1.txt && [ -f /run/live/rw/upper/root/persist-1.txt ] && [ -d \"\$(st persist.lower)/root\" ]"' \
		'poweroff -f' \
		-- -kernel "$KERNEL" -initrd "$INITRD" \
		-append "$APPEND live.persist=auto rd.live.overlay.readonly=1 live.ramdev=zram" \
		$(STICK_ARGS "$STICK")
	expect usb-persist-ro "the console says the persistence is read-only" \
		"persistence: /dev/sd[a-z][0-9].* read-only \(live.persist.ro\)"
	expect usb-persist-ro "the console names the zram branch and its compression" \
		"rw branch: zram /dev/zram0 .*$zcomp"
	# the write of the read-only boot is not on the stick; what was there still is
	python3 - "$STICK" <<'PY'
import sys,struct
d=open(sys.argv[1],'rb').read(512)
for i in range(4):
    e=d[446+16*i:462+16*i]
    if e[4]==0x83:
        s,n=struct.unpack('<II',e[8:16])
        with open(sys.argv[1],'rb') as f:
            f.seek(s*512); open(sys.argv[1]+'.p','wb').write(f.read(n*512))
PY
	host "persist-ro: the write of the read-only boot is not on the stick" \
		"! img_has '$STICK.p' /root/ro.txt ro-write && img_has '$STICK.p' /root/persist-2.txt boot-two"
	host "persist-ro: the stick's filesystem is clean" "e2fsck -fn '$STICK.p'"
	rm -f "$STICK.p"
fi

if want fat; then
	# --layout fat: the hybrid ISO, then a FAT32 partition LIVEDATA holding persistence.img;
	# boot 1 by BIOS from the stick, boot 2 by UEFI (OVMF) from the same stick
	FSTICK=$OUT/fat-stick.img
	if "$MK" usb --layout fat --iso "$OUT/persist.iso" --out "$FSTICK" --persist-size 48M \
		>"$OUT/usb-fat.log" 2>&1; then
		ok "mkimage usb --layout fat made the stick image"
	else
		nok "mkimage usb --layout fat made the stick image" "$(tail -n3 "$OUT/usb-fat.log")"
	fi
	foff=$(python3 -c "import struct,sys;d=open(sys.argv[1],'rb').read(512)
print([struct.unpack('<I',d[446+16*i+8:450+16*i+8])[0]*512 for i in range(4) if d[446+16*i+4]==0x0c][0])" "$FSTICK" 2>/dev/null)
	host "fat: the MBR lists a FAT32 (0x0c) partition holding persistence.img" \
		"[ -n '$foff' ] && mdir -i '$FSTICK@@$foff' ::/persistence.img | grep -q '50331648'"
	host "fat: its FAT label is LIVEDATA" "minfo -i '$FSTICK@@$foff' :: | grep -q 'label=\"LIVEDATA'"
	host "fat: --layout takes only ext4 or fat" \
		"'$MK' usb --layout vfat --iso '$OUT/persist.iso' --out '$OUT/bad.img' 2>&1 | grep -q 'ext4 or fat'"
	host "fat: an image file of 4 GiB or more is refused (FAT32)" \
		"'$MK' usb --layout fat --persist-size 4G --iso '$OUT/persist.iso' --out '$OUT/bad.img' 2>&1 | grep -q 'at most 4095M' && [ ! -e '$OUT/bad.img' ]"
	session fat-bios 200 \
		't "fat: persistence from persistence.img on the FAT partition" "st persist | grep -q \"^/dev/sd[a-z][0-9]:/persistence.img\$\""' \
		't "fat: the image is loop-mounted ext4 on /run/live/rw" "grep -q \"^/dev/loop[0-9]* /run/live/rw ext4 \" /proc/mounts"' \
		't "fat: the FAT partition is mounted vfat" "grep -q \" /run/live/persist-host vfat rw\" /proc/mounts"' \
		'echo fat-one > /root/fat.txt; sync' \
		'poweroff -f' \
		-- $(STICK_ARGS "$FSTICK" 0)
	expect fat-bios "fat: BIOS booted from the stick" "ISOLINUX|SYSLINUX"
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/ovmf-vars.fd"
	session fat-uefi 300 \
		't "fat (UEFI): the file written under BIOS survived" "grep -q fat-one /root/fat.txt"' \
		't "fat (UEFI): the rw branch is the image file" "[ \"\$(st rw.type)\" = persistence ]"' \
		't "fat (UEFI): the kernel booted through EFI" "[ -d /sys/firmware/efi ]"' \
		'poweroff -f' \
		-- -machine q35 \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file="$OUT/ovmf-vars.fd" $(STICK_ARGS "$FSTICK" 0)
	mcopy -n -i "$FSTICK@@$foff" ::/persistence.img "$OUT/fat-p.img" 2>/dev/null
	host "fat: the write is in persistence.img and the image is clean" \
		"img_has '$OUT/fat-p.img' /root/fat.txt fat-one && e2fsck -fn '$OUT/fat-p.img'"
	rm -f "$OUT/fat-p.img"
fi

if want exfat; then
	# live.persist.create on an exFAT data disk (the live system on a CD), an NTFS disk
	# beside it: the file is made with the default size and reused on the next boot
	EXF=$OUT/exfat.img NTF=$OUT/ntfs.img
	rm -f "$EXF" "$NTF"
	truncate -s 160M "$EXF" && mkfs.exfat -L DATA "$EXF" >/dev/null 2>&1 &&
		truncate -s 16M "$NTF" && mkntfs -F -q -L WINDATA "$NTF" >/dev/null 2>&1 ||
		nok "exfat: make the exFAT and NTFS disks"
	for n in 1 2; do
		session "exfat-$n" 200 \
			't "exfat: the image file on the exFAT disk is the rw branch" "[ \"\$(st persist)\" = /dev/vda:/persistence.img ] && [ \"\$(st rw.type)\" = persistence ]"' \
			't "exfat: the host is mounted exfat" "grep -q \" /run/live/persist-host exfat rw\" /proc/mounts"' \
			'echo "EXFAT-SIZE=$(stat -c %s /run/live/persist-host/persistence.img)"' \
			't "exfat: the file of the first boot is there (2nd boot)" "[ '"$n"' = 1 ] || grep -q exfat-one /root/exfat.txt"' \
			'echo exfat-one > /root/exfat.txt; sync' \
			'poweroff -f' \
			-- -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.persist.create" \
			-cdrom "$OUT/persist.iso" -drive "file=$EXF,format=raw,if=virtio" \
			-drive "file=$NTF,format=raw,if=virtio"
	done
	expect exfat-1 "exfat: the console says it creates the file" \
		"persistence: creating /dev/vda:/persistence.img \([0-9]+ MiB\)"
	if grep -qE '^CONFIG_NTFS3_FS=[ym]$' "$KCACHE/config" 2>/dev/null; then
		# Debian 13's 6.12 has ntfs3 (in the image): the NTFS disk mounts and is
		# looked at like the others, so nothing is said about it
		refute exfat-1 "exfat: NTFS not named as unusable on a kernel with ntfs3" \
			"is NTFS, which this kernel cannot mount"
	else	# Debian 12's 6.1 has no NTFS driver
		expect exfat-1 "exfat: NTFS named as not usable by this kernel" \
			"persistence: /dev/vdb is NTFS, which this kernel cannot mount"
	fi
	# 160 MiB exFAT: half of the free space less 1 MiB, in whole MiB
	size1=$(grep -aoE "^EXFAT-SIZE=[0-9]+" "$VM_OUT/exfat-1.log" | tail -n1 | cut -d= -f2)
	free_mib=$(( (160 - 1) ))
	if [ -n "$size1" ] && [ $((size1 % 1048576)) = 0 ] && [ $((size1 >> 20)) -ge 70 ] &&
		[ $((size1 >> 20)) -le $((free_mib / 2)) ]; then
		ok "exfat: the default size is half the free space ($((size1 >> 20)) MiB)"
	else
		nok "exfat: the default size is half the free space" "size=$size1"
	fi
	refute exfat-2 "exfat: an existing image is not created again" "persistence: creat"
	expect exfat-2 "exfat: same size on the 2nd boot" "^EXFAT-SIZE=$size1"
	host "exfat: the exFAT disk is consistent after the writes" "fsck.exfat -n '$EXF'"
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
