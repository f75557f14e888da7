#!/bin/bash
# Boot scenarios of the live system in QEMU (TCG): the demo ISO as a CD (BIOS and UEFI),
# as a disk, by -kernel/-initrd; failure paths (no medium, corrupt layer, wrong label);
# parameters (live.union, live.break, unknown words). TAP lines, then "N passed, M failed".
# usage: tests/vm/run.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm "$@"

CHECKS=$top/tests/vm/checks.sh

# the in-guest checks' TAP lines, prefixed with the scenario

# input typed into a booted live system: the checks, then power off
{ cat "$CHECKS"; echo "poweroff -f"; } > "$OUT/live.in"
echo "poweroff -f" > "$OUT/poweroff.in"
# a failed medium search shows the menu (tests/vm/rescue.sh): 4 is the shell
printf '4\npoweroff -f\n' > "$OUT/menu-shell.in"

live_boot() { # live_boot NAME DEADLINE QEMU-ARGS...: boot to the demo, run the checks
	local name=$1 deadline=$2; shift 2
	vm_session "$name" "$deadline" "LIVESTACK-DEMO-READY" "$OUT/live.in" "$@"
	local rc=$?
	[ $rc = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	guest_tap "$name"
}

[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo ISO built" "run make all"; echo "$pass passed, $fail failed"; exit 1; }

if want cd-bios; then
	live_boot cd-bios 150 -cdrom "$ISO" -boot d
	expect cd-bios "isolinux loaded the kernel (BIOS)" "ISOLINUX|SYSLINUX"
	expect cd-bios "medium found on the CD" "livestack: medium: /dev/sr0"
	expect cd-bios "the demo layer is the one mounted" "^layers=10-demo"
fi

if want cd-uefi; then
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/ovmf-vars.fd"
	live_boot cd-uefi 300 -machine q35 \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file="$OUT/ovmf-vars.fd" -cdrom "$ISO"
	expect cd-uefi "booted through UEFI (efi stub)" "efi: EFI v|EFI stub|efi: "
fi

if want disk-hybrid; then
	# the ISO written to a disk: BIOS boots its MBR, /init finds iso9660 on the whole disk
	live_boot disk-hybrid 150 -drive "file=$ISO,format=raw,if=virtio,snapshot=on" -boot c
	expect disk-hybrid "medium found on the virtio disk" "livestack: medium: /dev/vda"
fi

if want kernel-initrd; then
	live_boot kernel-initrd 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND live.media=LABEL=LIVESTACK live.tmeout=9 foo=\"bar baz\""
	expect kernel-initrd "unknown live.* word warned with the closest name" \
		"unknown parameter live.tmeout=9.*did you mean live.timeout"
	expect kernel-initrd "unknown words listed in the status" "^unknown=.*foo=bar baz"
fi

if want union-overlay; then
	live_boot union-overlay 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND live.union=overlay"
	expect union-overlay "live.union=overlay gives an overlay root" "^overlay / overlay "
fi

if want union-aufs; then
	live_boot union-aufs 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND panic_on_warn=1 oops=panic"
	expect union-aufs "aufs is the default root union" "^none / aufs "
	expect union-aufs "/proc/mounts shows br: with the rw branch and rr layer" \
		"^none / aufs .*br:/run/live/rw/upper=rw:/run/live/layers/10-demo=rr"
	refute union-aufs "no fallback to overlayfs" "falling back to overlayfs"
fi

if want break-premount; then
	# live.break=premount: a shell before the medium search; exiting it goes on booting
	printf 'echo BREAK-SHELL-$((6*7))\nexit\n' > "$OUT/break.in"
	vm_session break-premount 120 "(livestack:premount)" "$OUT/break.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.break=premount"
	expect break-premount "the shell ran at the break" "^BREAK-SHELL-42"
	expect break-premount "boot went on after exit" "^LIVESTACK-DEMO-READY"
fi

if want missing-medium; then
	vm_session missing-medium 90 "(livestack:menu)" "$OUT/menu-shell.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND live.timeout=3"
	expect missing-medium "says what it looked for and for how long" \
		"no live medium found within 3 s: looked for any device with /live/\*\.squashfs"
	expect missing-medium "gives a hint" "livestack: try: .*live.media="
	expect missing-medium "opens the rescue shell" "\(livestack:premount\) #"
	expect missing-medium "shows a countdown while waiting" "waiting for the live medium"
	no_panic missing-medium
fi

if want label-nosuch; then
	vm_session label-nosuch 90 "(livestack:menu)" "$OUT/menu-shell.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND live.media=LABEL=nosuch live.timeout=3"
	expect label-nosuch "names the label it wanted" "looked for LABEL=nosuch"
	expect label-nosuch "lists the devices seen with their labels" \
		"sr0 .*iso9660 +LIVESTACK +label \"LIVESTACK\" is not \"nosuch\""
	no_panic label-nosuch
fi

if want corrupt-squashfs; then
	# the same medium, with its layer cut in half
	stage=$OUT/corrupt
	rm -rf "$stage"; mkdir -p "$stage"
	sq=$BUILD/demo/10-demo.squashfs
	head -c $(( $(stat -c %s "$sq") / 2 )) "$sq" > "$stage/10-demo.squashfs"
	if "$MK" iso --kernel "$KERNEL" --initramfs "$INITRD" --layer "$stage/10-demo.squashfs" \
		--label LIVESTACK --timeout 10 --cmdline "console=ttyS0,115200" \
		--out "$stage/corrupt.iso" >"$stage/mkimage.log" 2>&1; then
		vm_session corrupt-squashfs 90 "rescue shell;" "$OUT/poweroff.in" \
			-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/corrupt.iso" -append "$APPEND"
		expect corrupt-squashfs "names the damaged layer" \
			"layer 10-demo: .*(does not mount as squashfs|is not a squashfs image)"
		expect corrupt-squashfs "opens the rescue shell in phase layers" "\(livestack:layers\) #"
		no_panic corrupt-squashfs
	else
		nok "corrupt-squashfs: build the ISO" "$(tail -n3 "$stage/mkimage.log")"
	fi
fi

# data discs laid out like other distributions' media, booted with their own boot lines
data_iso() { # data_iso LABEL DIR OUT
	xorriso -as mkisofs -quiet -V "$1" -R -J -o "$3" "$2" >/dev/null 2>&1
}
foreign_boot() { # foreign_boot NAME ISO BOOTLINE
	live_boot "$1" 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$2" \
		-append "console=ttyS0,115200 panic=-1 live.id=any $3"
}

if want debian-layout; then
	# Debian live: /live/filesystem.squashfs, its isolinux entry's words
	stage=$OUT/debian; rm -rf "$stage"; mkdir -p "$stage/tree/live"
	cp "$BUILD/demo/10-demo.squashfs" "$stage/tree/live/filesystem.squashfs"
	data_iso "d-live 12.8.0 xf amd64" "$stage/tree" "$stage/debian.iso"
	foreign_boot debian-layout "$stage/debian.iso" "boot=live components quiet splash"
	expect debian-layout "layer filesystem from /live" "^layers=filesystem"
fi

if want dracut-layout; then
	# Fedora live (dracut dmsquash-live): /LiveOS/squashfs.img, booted by CD label
	stage=$OUT/dracut; rm -rf "$stage"; mkdir -p "$stage/tree/LiveOS"
	cp "$BUILD/demo/10-demo.squashfs" "$stage/tree/LiveOS/squashfs.img"
	data_iso "Fedora-WS-Live-39-1-5" "$stage/tree" "$stage/dracut.iso"
	foreign_boot dracut-layout "$stage/dracut.iso" \
		"root=live:CDLABEL=Fedora-WS-Live-39-1-5 rd.live.image quiet rhgb"
	expect dracut-layout "layer squashfs.img from /LiveOS" "^layer.squashfs=.*/LiveOS/squashfs.img"
	expect dracut-layout "medium matched by its label" "^medium.label=Fedora-WS-Live-39-1-5"
fi

if want knoppix-layout; then
	# Knoppix: KNOPPIX/KNOPPIX and its numbered add-ons (squashfs here; cloop ones
	# in tests/vm/knoppix.sh), knoppix_name=; Porteus' noload= skips one; tohd= names a disk that is missing
	stage=$OUT/knoppix; rm -rf "$stage"; mkdir -p "$stage/tree/KNOPPIX" "$stage/add/etc"
	cp "$BUILD/demo/10-demo.squashfs" "$stage/tree/KNOPPIX/KNOPPIX"
	echo one > "$stage/add/etc/knoppix1"
	mksquashfs "$stage/add" "$stage/tree/KNOPPIX/KNOPPIX1" -quiet -noappend >/dev/null
	echo two > "$stage/add/etc/knoppix2"
	mksquashfs "$stage/add" "$stage/tree/KNOPPIX/KNOPPIX2" -quiet -noappend >/dev/null
	data_iso "KNOPPIX_FTP" "$stage/tree" "$stage/knoppix.iso"
	foreign_boot knoppix-layout "$stage/knoppix.iso" \
		"lang=en apm=power-off nomce knoppix_dir=KNOPPIX knoppix_name=KNOPPIX noload=KNOPPIX2 tohd=/dev/sda1"
	expect knoppix-layout "knoppix_name=: KNOPPIX and KNOPPIX1 are the layers, noload= skipped KNOPPIX2" \
		"^layers=KNOPPIX KNOPPIX1"
	expect knoppix-layout "tohd= to a disk that is not there: said, boot goes on" \
		"todisk: live.todisk=/dev/sda1: no such device: booting from the medium"
fi

if want dracut-rootfs; then
	# older dracut media: an ext4 LiveOS/rootfs.img inside the squashfs
	stage=$OUT/dracut-rootfs; rm -rf "$stage"; mkdir -p "$stage/sq/LiveOS" "$stage/tree/LiveOS"
	mkfs.ext4 -q -F -L _Live -d "$BUILD/demo/root" "$stage/sq/LiveOS/rootfs.img" 64M >/dev/null 2>&1
	mksquashfs "$stage/sq" "$stage/tree/LiveOS/squashfs.img" -quiet -noappend -comp zstd >/dev/null
	data_iso "Fedora-Live-Old" "$stage/tree" "$stage/rootfs.iso"
	foreign_boot dracut-rootfs "$stage/rootfs.iso" "root=live:CDLABEL=Fedora-Live-Old rd.live.image"
	expect dracut-rootfs "the ext4 image inside the squashfs is the layer" \
		"^layer.squashfs=/run/live/layers/squashfs.rootfs "
fi

if want init-missing; then
	vm_session init-missing 120 "rescue shell;" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND init=/sbin/nosuch"
	expect init-missing "says the real init is missing, before destroying anything" \
		"the real init is not there: /sbin/nosuch"
	expect init-missing "rescue shell in phase bottom" "\(livestack:bottom\) #"
	no_panic init-missing
fi

if want ramsize-bad; then
	vm_session ramsize-bad 120 "rescue shell;" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.ramsize=lots"
	expect ramsize-bad "names the bad value" "live.ramsize=lots is not a size"
	expect ramsize-bad "rescue shell in phase rw" "\(livestack:rw\) #"
	no_panic ramsize-bad
fi

if want layers-missing; then
	vm_session layers-missing 90 "(livestack:menu)" "$OUT/menu-shell.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" \
		-append "$APPEND live.layers=10-demo,99-nosuch live.timeout=3"
	expect layers-missing "names the missing layer selection" "not all of live.layers=10-demo,99-nosuch"
	no_panic layers-missing
fi

if want overlay-fallback; then
	# an initramfs without aufs.ko (--union overlay), asked for aufs: overlayfs, and one line saying why
	stage=$OUT/fallback; rm -rf "$stage"; mkdir -p "$stage"
	if "$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" --init "$BUILD/bin/init" \
		--union overlay --profile demo --out "$stage/initrd-noaufs.img" > "$stage/mkimage.log" 2>&1; then
		live_boot overlay-fallback 120 -kernel "$KERNEL" -initrd "$stage/initrd-noaufs.img" \
			-cdrom "$ISO" -append "$APPEND live.union=aufs"
		expect overlay-fallback "one console line says aufs is not used and why" \
			"livestack: warning: aufs not used \(.*\): falling back to overlayfs"
		expect overlay-fallback "the root is overlayfs" "^overlay / overlay "
		expect overlay-fallback "the status says why" "^union.note=.*aufs"
	else
		nok "overlay-fallback: initramfs without aufs" "$(tail -n3 "$stage/mkimage.log")"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
