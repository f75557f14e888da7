#!/bin/bash
# Secure Boot in QEMU (TCG) under OVMF with Microsoft's keys enrolled and SMM-protected
# variables: the unsigned GRUB of --no-secureboot is refused ("Access Denied"); the
# default medium (Debian's signed shim + GRUB + kernel) boots as a CD and as a USB stick
# whose El Torito record is hidden (the ESP partition only, persistence partition beside);
# the guest sees Secure Boot on (SecureBoot variable, kernel log, lockdown=integrity);
# without the MOK the signed aufs.ko is rejected and /init says why and falls back to
# overlayfs; with the certificate pre-enrolled (MokList in a copy of the VARS file,
# tests/vm/ovmf_mok.c) aufs.ko loads and the root union is aufs; the GRUB menu entry
# "MokManager: ..." starts MokManager, driven over the serial console (console_keys.py):
# Enroll key from disk -> EFI/livestack/mok.der on the medium -> Yes -> Reboot, MokList in
# the VARS file; VM_ONLY=mokmenu boots once more from it: aufs, as a user would get it.
# usage: tests/vm/secureboot.sh BUILD KVER KCACHE   (env VM_ONLY=substring)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" secureboot "$@"
CODE=/usr/share/OVMF/OVMF_CODE_4M.ms.fd
VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
rm -rf "$OUT"; mkdir -p "$OUT/logs"

[ -x "$MK" ] && [ -f "$LAYER" ] || { nok "demo built" "run make all"; done_; }
[ -f "$CODE" ] && [ -f "$VARS" ] || { nok "OVMF with Microsoft's keys ($CODE)" "apt-get install ovmf"; done_; }
if [ ! -f "$BUILD/aufs/$KVER/aufs.ko" ]; then
	nok "aufs.ko built for $KVER" "make aufs KVER=$KVER"; done_
fi

# --- the media --------------------------------------------------------------------
t0=$(date +%s)
bb=() e2=()
[ -x "$BUILD/initramfs/busybox" ] && bb=(--busybox "$BUILD/initramfs/busybox")
[ -x "$BUILD/initramfs/e2fsck" ] && e2=(--e2fsck "$BUILD/initramfs/e2fsck")
# a second layer with Debian's (signed) efivarfs.ko: the guest reads SecureBoot with it
mkdir -p "$OUT/sbroot/lib/modules/$KVER"
cp "$KCACHE/lib/modules/$KVER/kernel/fs/efivarfs/efivarfs.ko" "$OUT/sbroot/lib/modules/$KVER/"
cc -O2 -Wall -Wextra -Werror -std=c11 -o "$OUT/ovmf_mok" "$top/tests/vm/ovmf_mok.c" >"$OUT/mk.log" 2>&1 &&
	"$MK" keygen --out "$OUT" >>"$OUT/mk.log" 2>&1 &&
	"$MK" squashfs "$OUT/sbroot" "$OUT/20-sbtest.squashfs" >>"$OUT/mk.log" 2>&1 &&
	"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
		"${bb[@]}" "${e2[@]}" --profile demo --sign-key "$OUT/mok.key" \
		--sign-cert "$OUT/mok.crt" --out "$OUT/initrd.img" >>"$OUT/mk.log" 2>&1
mk_rc=$?
iso() { # iso OUT EXTRA-ARGS...
	local out=$1; shift
	"$MK" iso --kernel "$KCACHE/vmlinuz" --initramfs "$OUT/initrd.img" --layer "$LAYER" \
		"$OUT/20-sbtest.squashfs" --label LIVESTACK --timeout 10 \
		--cmdline "console=ttyS0,115200 live.persist=auto" --out "$out" "$@" >>"$OUT/mk.log" 2>&1
}
if [ $mk_rc = 0 ] && iso "$OUT/old.iso" --no-secureboot && iso "$OUT/sb.iso" --sign-cert "$OUT/mok.der" &&
	"$MK" usb --iso "$OUT/sb.iso" --out "$OUT/stick.img" --persist-size 32M >>"$OUT/mk.log" 2>&1; then
	ok "keygen, signed initramfs, both ISOs and the stick built in $(($(date +%s) - t0)) s" \
		"(ISO $(stat -c %s "$OUT/old.iso") -> $(stat -c %s "$OUT/sb.iso") bytes)"
else
	nok "build the Secure Boot test media" "$(tail -n3 "$OUT/mk.log")"; done_
fi
grep -q 'aufs.ko signed with' "$OUT/mk.log" && ok "initramfs: aufs.ko from the build tree, signed" ||
	nok "initramfs: aufs.ko from the build tree, signed" "$(grep aufs "$OUT/mk.log")"
host "the medium has the DER certificate and no private key" \
	"xorriso -osirrox on -indev '$OUT/sb.iso' -extract /EFI/livestack/mok.der '$OUT/got.der' &&
	 cmp '$OUT/got.der' '$OUT/mok.der' && ! grep -qa 'PRIVATE KEY' '$OUT/sb.iso'"

# the stick without its El Torito boot record: firmware must take the ESP partition
hide_eltorito() {
	local s
	for s in $(seq 16 32); do
		if [ "$(dd if="$1" bs=1 skip=$((s * 2048 + 7)) count=23 2>/dev/null | tr -d "\\0")" = "EL TORITO SPECIFICATION" ]; then
			printf 'NO' | dd of="$1" bs=1 seek=$((s * 2048 + 7)) conv=notrunc 2>/dev/null
			return 0
		fi
	done
	return 1
}
host "the stick's El Torito record is hidden" "hide_eltorito '$OUT/stick.img'"

sb_args() { # sb_args VARSFILE: the Secure Boot firmware (SMM, locked flash)
	echo -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$1"
}
STICK_ARGS="-device qemu-xhci -drive if=none,id=stick,format=raw,file=$OUT/stick.img -device usb-storage,drive=stick,removable=on"

guest_in() { # guest_in FILE LINES...
	local f=$1; shift
	{
		echo 't() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }'
		echo 'insmod /lib/modules/$(uname -r)/efivarfs.ko; mount -t efivarfs none /sys/firmware/efi/efivars; mount -t securityfs none /sys/kernel/security'
		echo 't "SecureBoot EFI variable is 1" "[ \"\$(od -An -tx1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c | tr -d \" \n\")\" = 0600000001 ]"'
		echo 't "lockdown is integrity" "grep -q \"\\[integrity\\]\" /sys/kernel/security/lockdown"'
		echo 't "the kernel says Secure boot enabled" "dmesg | grep -q \"Secure boot enabled\""'
		printf '%s\n' "$@"
		echo 'poweroff -f'
	} > "$f"
}
session() { # session NAME DEADLINE VARS INPUT-LINES... -- QEMU-ARGS
	local name=$1 deadline=$2 vars=$3; shift 3
	local lines=() t1
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do lines+=("$1"); shift; done
	shift
	guest_in "$OUT/$name.in" "${lines[@]}"
	t1=$(date +%s)
	# shellcheck disable=SC2046
	vm_session "$name" "$deadline" "LIVESTACK-DEMO-READY" "$OUT/$name.in" $(sb_args "$vars") "$@"
	local rc=$?
	[ $rc = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the demo system came up ($(($(date +%s) - t1)) s)" "^LIVESTACK-DEMO-READY"
	expect "$name" "shim started Debian's signed GRUB, which loaded the kernel" "EFI stub: |Linux version"
	refute "$name" "no kernel oops or panic" "Kernel panic|Oops|BUG:|WARNING:"
	guest_tap "$name"
}

if want old; then
	# today's image under the same firmware: the unsigned GRUB is refused
	cp "$VARS" "$OUT/vars-old.fd"
	: > "$VM_OUT/old.log"
	# shellcheck disable=SC2046
	$(vm_qemu_base) -serial "file:$VM_OUT/old.log" $(sb_args "$OUT/vars-old.fd") \
		-cdrom "$OUT/old.iso" </dev/null >"$VM_OUT/old.qemu" 2>&1 &
	pid=$! left=1800 t1=$(date +%s)
	while kill -0 $pid 2>/dev/null && [ $left -gt 0 ] && ! grep -q 'Access Denied' "$VM_OUT/old.log"; do
		sleep 0.1; left=$((left - 1))
	done
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	expect old "--no-secureboot's unsigned GRUB: Access Denied under Secure Boot ($(($(date +%s) - t1)) s)" \
		'failed to load Boot.*DVD-ROM.*Access Denied'
fi

if want cd; then
	cp "$VARS" "$OUT/vars-cd.fd"
	session cd 420 "$OUT/vars-cd.fd" \
		't "cd: no MOK: the root union is overlayfs" "awk \"\\\$2==\\\"/\\\"{f=\\\$3} END{exit f!=\\\"overlay\\\"}\" /proc/mounts"' \
		-- -cdrom "$OUT/sb.iso"
	expect cd "the firmware booted the CD's shim (El Torito)" "BdsDxe: starting Boot.*DVD-ROM"
	expect cd "lockdown rejected the aufs.ko signed by an unenrolled key" \
		"Loading of module with unavailable key is rejected|Key was rejected by service"
	expect cd "the fallback line names the reason and the fix" \
		"aufs not used \(Key was rejected by service: aufs.ko is not signed by a key this machine trusts: enrol /run/live/medium/EFI/livestack/mok.der with mokutil --import"
fi

if want stick; then
	# MokList pre-enrolled as MokManager would: shim passes it on, the kernel trusts it
	cp "$VARS" "$OUT/vars-mok.fd"
	if "$OUT/ovmf_mok" "$OUT/vars-mok.fd" "$OUT/mok.der" >"$OUT/ovmf_mok.log" 2>&1; then
		ok "MokList written into a copy of the VARS file"
	else
		nok "MokList written into a copy of the VARS file" "$(cat "$OUT/ovmf_mok.log")"
	fi
	session stick 420 "$OUT/vars-mok.fd" \
		't "stick: MOK enrolled: the root union is aufs" "awk \"\\\$2==\\\"/\\\"{f=\\\$3} END{exit f!=\\\"aufs\\\"}\" /proc/mounts"' \
		't "stick: the certificate is in the .machine keyring" "grep -q \"livestack module signing\" /proc/keys"' \
		't "stick: the persistence partition is the rw branch" "grep -q \" /run/live/rw ext4 \" /proc/mounts"' \
		-- $STICK_ARGS
	expect stick "the firmware booted the stick's ESP (no El Torito)" "BdsDxe: starting Boot.*(USB|Usb)"
	expect stick "the kernel loaded the MOK from shim" "Loaded X.509 cert 'livestack module signing"
	refute stick "no fallback to overlayfs" "falling back to overlayfs"
fi

if want mokmenu; then
	# the user's path without mokutil: the GRUB entry -> MokManager -> Enroll key from disk.
	# MokManager's file browser on a CD: one volume (the El Torito ESP, label EFIBOOT) with
	# EFI/ and boot/; EFI/ holds ../ BOOT/ livestack/; livestack/ holds ../ mok.der.
	# A 5 s menu (not the suite's 1 s) so that the first key lands before the timeout.
	t1=$(date +%s)
	if iso "$OUT/mok.iso" --sign-cert "$OUT/mok.der" --timeout 50 &&
		xorriso -osirrox on -indev "$OUT/mok.iso" -extract /boot/grub/grub.cfg "$OUT/mok.cfg" >/dev/null 2>&1; then
		ok "mokmenu: ISO with a 5 s menu built"
	else
		nok "mokmenu: ISO with a 5 s menu built" "$(tail -n2 "$OUT/mk.log")"
	fi
	# the keys below select the last entry
	host "mokmenu: the MokManager entry is the menu's last" \
		"grep '^[[:space:]]*menuentry' '$OUT/mok.cfg' | tail -n1 | grep -q '\"MokManager: '"
	cat > "$OUT/mokmenu.keys" <<'KEYS'
expect 300 automatically in
# GRUB and the firmware's console both read the serial port: a key can get lost
press 10 3 <down> \*MokManager:
send <enter>
expect 120 Shim UEFI key management
expect 30 Booting in [0-9]+ second
send <space>
expect 30 Perform MOK management
expect 30 Enroll key from disk
sleep 2
send <down>
sleep 1
send <enter>
expect 60 Select Key
expect 30 EFIBOOT
sleep 2
send <enter>
expect 30 EFI/
sleep 2
send <enter>
expect 30 livestack/
sleep 2
send <down>
sleep 1
send <down>
sleep 1
send <enter>
expect 30 mok\.der
sleep 2
send <down>
sleep 1
send <enter>
expect 30 \[Enroll MOK\]
expect 30 Continue
sleep 2
send <down>
sleep 1
send <enter>
expect 30 No
expect 30 Yes
sleep 2
send <down>
sleep 1
send <enter>
# enrolled: the menu offers Reboot in place of Continue boot
expect 60 Perform MOK management
expect 30 Reboot
sleep 2
send <enter>
exit 120
KEYS
	cp "$VARS" "$OUT/vars-mokmenu.fd"
	mkdir -p "$VM_OUT"
	# shellcheck disable=SC2046
	python3 "$top/tests/vm/console_keys.py" "$VM_OUT/mokmenu.log" "$OUT/mokmenu.keys" -- \
		$(vm_qemu_base) $(sb_args "$OUT/vars-mokmenu.fd") -cdrom "$OUT/mok.iso" \
		>"$VM_OUT/mokmenu.steps" 2>&1
	mm_rc=$?
	if [ $mm_rc = 0 ]; then
		ok "mokmenu: GRUB's entry started MokManager; Enroll key from disk, mok.der, Yes, Reboot ($(($(date +%s) - t1)) s)"
	else
		nok "mokmenu: GRUB's entry started MokManager; Enroll key from disk, mok.der, Yes, Reboot" \
			"$(grep -m1 'failed' "$VM_OUT/mokmenu.steps")"
	fi
	expect mokmenu "shim verified and started MokManager from the medium" "Shim UEFI key management"
	host "mokmenu: MokList in the VARS file holds the medium's certificate" \
		"python3 -c 'import sys; v=open(sys.argv[1],\"rb\").read(); sys.exit(not (\"MokList\\0\".encode(\"utf-16-le\") in v and open(sys.argv[2],\"rb\").read() in v))' '$OUT/vars-mokmenu.fd' '$OUT/mok.der'"
	if [ -n "$VM_ONLY" ] && [ $mm_rc = 0 ]; then
		# only when asked (VM_ONLY=mokmenu): boot again with the enrolled key
		session mokboot 420 "$OUT/vars-mokmenu.fd" \
			't "the root union is aufs" "awk \"\\\$2==\\\"/\\\"{f=\\\$3} END{exit f!=\\\"aufs\\\"}\" /proc/mounts"' \
			't "the certificate is in the .machine keyring" "grep -q \"livestack module signing\" /proc/keys"' \
			-- -cdrom "$OUT/mok.iso"
		expect mokboot "the kernel loaded the MOK MokManager enrolled" "Loaded X.509 cert 'livestack module signing"
		refute mokboot "no fallback to overlayfs" "falling back to overlayfs"
	fi
fi

if [ -n "$VM_ONLY" ] && want fat; then
	# only when asked (VM_ONLY=fat): usb --layout fat, El Torito hidden, MOK enrolled
	if "$MK" usb --iso "$OUT/sb.iso" --out "$OUT/fat.img" --layout fat --persist-size 32M \
		>>"$OUT/mk.log" 2>&1 && hide_eltorito "$OUT/fat.img"; then
		ok "fat: the stick built, El Torito hidden"
	else
		nok "fat: the stick built, El Torito hidden" "$(tail -n2 "$OUT/mk.log")"
	fi
	cp "$VARS" "$OUT/vars-fat.fd" && "$OUT/ovmf_mok" "$OUT/vars-fat.fd" "$OUT/mok.der" >/dev/null
	session fat 420 "$OUT/vars-fat.fd" \
		't "fat: the root union is aufs" "awk \"\\\$2==\\\"/\\\"{f=\\\$3} END{exit f!=\\\"aufs\\\"}\" /proc/mounts"' \
		't "fat: the rw branch is persistence.img on the FAT partition" "grep -q \" /run/live/persist-host vfat \" /proc/mounts && grep -q \" /run/live/rw ext4 \" /proc/mounts"' \
		-- ${STICK_ARGS//stick.img/fat.img}
	expect fat "the firmware booted the stick's ESP (no El Torito)" "BdsDxe: starting Boot.*(USB|Usb)"
fi

done_
