#!/bin/bash
# The local fatal paths of /init in QEMU (TCG), one boot each (livestack issue 6): every one
# ends in one message (the phase, what was looked for, the block devices seen, what to try),
# then the rescue shell (a command typed there runs), and exiting the shell retries the phase
# (the message again). Also /init's fault handler: a fatal signal to PID 1 gives a shell, not
# a kernel panic. TAP lines, then "N passed, M failed".
# usage: tests/vm/rescue_core.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/rescue_core "$@"

SQ=$BUILD/demo/10-demo.squashfs
need_demo

count() { grep -cE -- "$2" "$VM_OUT/$1.log"; }
at_least() { # at_least SCENARIO NAME N REGEX
	local n; n=$(count "$1" "$4")
	if [ "$n" -ge "$3" ]; then ok "$1: $2"; else nok "$1: $2" "$n < $3 lines /$4/"; fi
}
# the typed input of a fatal path: a command in the shell, exit (the phase is retried and
# fails again), then power off from the second shell
fatal_in() { printf '%s\n' 'echo RESCUE-SHELL-$((6*7))' exit 'poweroff -f' > "$OUT/$1.in"; }
# fatal SCENARIO PHASE REGEX-WHAT REGEX-TRY DEADLINE QEMU-ARGS...: boot, and check the parts
# of the one message, the shell, the retry
fatal() {
	local name=$1 phase=$2 what=$3 try=$4 deadline=$5; shift 5
	fatal_in "$name"
	vm_session "$name" "$deadline" "rescue shell;" "$OUT/$name.in" "$@"
	at_least "$name" "the message names the phase (twice: the retry)" 2 "boot stopped in phase '$phase'"
	at_least "$name" "the message says what failed (twice)" 2 "livestack: $what"
	expect "$name" "the message lists the block devices seen" "${DEVS:-^  sr0 +[0-9]+ MiB +iso9660}"
	if [ -n "$try" ]; then
		at_least "$name" "the message names what to try (twice)" 2 "livestack: try: $try"
	fi
	expect "$name" "the rescue shell of phase $phase opened" "\(livestack:$phase\) # "
	expect "$name" "a command typed in the shell ran" "^RESCUE-SHELL-42"
	expect "$name" "exiting the shell retried the phase" "retrying phase $phase"
	no_panic "$name"
}
# an initramfs: the demo's, unpacked, changed by a function, packed again
initrd_edit() { # initrd_edit OUT FUNC: FUNC runs in the unpacked tree
	local dir=$1.tree
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && zstd -dc "$INITRD" | cpio -idm --quiet) || return 1
	(cd "$dir" && "$2") || return 1
	guest_initramfs "$dir" "$1"
}
# drop_modules NAME...: the modules gone from the image as if never put there
drop_modules() {
	local m
	for m in "$@"; do
		find lib/modules -name "$m.ko*" -delete
		sed -i "/\/$m\.ko[^:]*:/d" lib/modules/*/modules.dep
		sed -i "/^$m\$/d" etc/livestack/modules.load
	done
}

if want crash; then
	# a fatal signal to /init (PID 1): the kernel delivers it only because /init has a
	# handler; the handler says so and replaces /init with a shell; exiting it gives another
	printf '%s\n' 'kill -SEGV 1' 'echo CRASH-SHELL-$((6*7))' \
		'ps -o args > /ps.txt' 'echo "INTERACTIVE-SHELLS=$(grep -c "^sh -i" /ps.txt)"' exit 'echo CRASH-AGAIN-$((7*7))' 'poweroff -f' \
		> "$OUT/crash.in"
	vm_session crash 120 "(livestack:premount)" "$OUT/crash.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.break=premount"
	expect crash "the handler's message is on the console" "livestack: /init crashed \(fatal signal"
	expect crash "a shell opened in place of /init" "\(livestack:crashed\) # "
	expect crash "a command typed there ran" "^CRASH-SHELL-42"
	expect crash "the crashed /init's break shell was hung up: one interactive shell left" \
		"^INTERACTIVE-SHELLS=1"
	expect crash "exiting that shell says why there is no retry, and opens another" \
		"livestack: /init cannot go on after a crash: another shell"
	expect crash "the next shell runs commands" "^CRASH-AGAIN-49"
	no_panic crash
fi

# data ISO with the layers in /live (the demo initramfs takes any medium with live.id=any)
data_iso() { xorriso -as mkisofs -quiet -V "$1" -R -o "$3" "$2" >/dev/null 2>&1; }

if want early-format; then
	# the initramfs says it was built for another format of /init (another livestack version)
	fmt99() { sed -i 's/^format=.*/format=99/' etc/livestack/image; }
	if initrd_edit "$OUT/initrd-fmt99.img" fmt99; then
		DEVS="^livestack: block devices seen: none" fatal early-format early "error: /etc/livestack/image says format=99, this /init reads format=1" \
			"rebuild the initramfs with the livestack-mkimage of this /init" 120 \
			-kernel "$KERNEL" -initrd "$OUT/initrd-fmt99.img" -cdrom "$ISO" -append "$APPEND"
	else
		nok "early-format: the initramfs unpacked and packed again"
	fi
fi

if want layers-noloop; then
	noloop() { drop_modules loop; }
	if initrd_edit "$OUT/initrd-noloop.img" noloop; then
		fatal layers-noloop layers \
			"error: layer 10-demo: no loop device for .*10-demo.squashfs: .*\(no /dev/loop-control: loop.ko is not in the image" \
			"the image needs the loop module" 120 \
			-kernel "$KERNEL" -initrd "$OUT/initrd-noloop.img" -cdrom "$ISO" -append "$APPEND"
	else
		nok "layers-noloop: the initramfs unpacked and packed again"
	fi
fi

if want union-nomodule; then
	# neither aufs.ko nor overlay.ko in the image: the aufs reason, then overlayfs' failure
	nounion() { drop_modules aufs overlay; }
	if initrd_edit "$OUT/initrd-nounion.img" nounion; then
		fatal union-nomodule mount \
			"error: mount -t overlay on /root failed: No such device: no overlayfs in this kernel or image \(mount -t aufs failed: No such device" \
			"put overlay.ko \(modules/base.list\) or aufs.ko" 120 \
			-kernel "$KERNEL" -initrd "$OUT/initrd-nounion.img" -cdrom "$ISO" -append "$APPEND"
		expect union-nomodule "the aufs fallback line came first" "aufs not used \(mount -t aufs failed"
	else
		nok "union-nomodule: the initramfs unpacked and packed again"
	fi
fi

if want layers-badext; then
	# a dracut medium whose LiveOS/rootfs.img is an ext4 image cut short: the probe sees
	# ext4, the kernel refuses the mount
	stage=$OUT/badext; rm -rf "$stage"; mkdir -p "$stage/sq/LiveOS" "$stage/tree/LiveOS"
	mkfs.ext4 -q -F "$stage/rootfs.img" 8M >/dev/null
	head -c 1M "$stage/rootfs.img" > "$stage/sq/LiveOS/rootfs.img"
	mksquashfs "$stage/sq" "$stage/tree/LiveOS/squashfs.img" -quiet -noappend >/dev/null
	data_iso BADEXT "$stage/tree" "$stage/badext.iso"
	fatal layers-badext layers \
		"error: layer squashfs: .*/LiveOS/rootfs.img does not mount as ext4: Invalid argument" \
		"the image is damaged: rebuild the medium" 150 \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/badext.iso" \
		-append "$APPEND live.id=any root=live:CDLABEL=BADEXT rd.live.image"
fi

if want layers-badsquash; then
	# a layer whose superblock names a compressor the kernel does not know (id 99)
	stage=$OUT/badsq; rm -rf "$stage"; mkdir -p "$stage/tree/live"
	cp "$SQ" "$stage/tree/live/10-demo.squashfs"
	printf '\143\000' | dd of="$stage/tree/live/10-demo.squashfs" bs=1 seek=20 conv=notrunc status=none
	data_iso BADSQ "$stage/tree" "$stage/badsq.iso"
	fatal layers-badsquash layers \
		"error: layer 10-demo: .*10-demo.squashfs does not mount as squashfs: Invalid argument" \
		"the image is damaged: rebuild it, or copy it to the medium again" 150 \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/badsq.iso" -append "$APPEND live.id=any"
fi

if want bottom; then
	# the union taken away in a live.break=bottom shell: unmounted (76), then removed (74);
	# /init typed there refuses to run as another PID and changes nothing
	printf '%s\n' 'umount /root' exit 'echo RESCUE-SHELL-$((6*7))' exit 'rm -rf /root' exit exit \
		'/init; echo "INIT-RC=$?"' 'poweroff -f' > "$OUT/bottom.in"
	vm_session bottom 150 "(livestack:bottom)" "$OUT/bottom.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.break=bottom"
	at_least bottom "unmounted: the message names the phase, the new root (twice)" 2 \
		"livestack: error: looked for the new root: /root is not a mounted filesystem"
	at_least bottom "removed: the message names the new root and the error (twice)" 2 \
		"livestack: error: looked for the new root /root: No such file or directory"
	at_least bottom "the message names the phase each time" 5 "boot stopped in phase 'bottom'"
	at_least bottom "the message lists the block devices seen" 4 "^  sr0 +[0-9]+ MiB +iso9660"
	at_least bottom "the message names what to try" 4 "livestack: try: the union is gone: mount it on /root again \(see 'mount'\), or reboot"
	at_least bottom "each exit after a failure retries the phase" 3 "retrying phase bottom"
	expect bottom "a command typed in the shell ran" "^RESCUE-SHELL-42"
	expect bottom "/init typed in the shell refuses: not PID 1" \
		"livestack: /init runs only as the kernel's first process \(PID 1\); this one is PID [0-9]+ and changed nothing"
	expect bottom "/init typed in the shell names what to try" "livestack: try: 'exit' in the rescue shell retries"
	expect bottom "/init typed in the shell exits 1, back to the shell" "^INIT-RC=1"
	n=$(count bottom "^(\[[ 0-9.]+\] )?livestack: starting \(kernel")
	if [ "$n" = 1 ]; then ok "bottom: /init typed in the shell did not start a boot"
	else nok "bottom: /init typed in the shell did not start a boot" "$n 'starting' lines"; fi
	no_panic bottom
fi

if want newroot; then
	# the layer's /sbin/init needs a program interpreter it lacks, then is no program at
	# all, then the layer's /run is a file: each said in phase bottom while the initramfs
	# is still there; fixed from the shell, the boot goes on
	stage=$OUT/newroot; rm -rf "$stage"; mkdir -p "$stage/tree/live"
	cp -a "$BUILD/demo/root" "$stage/root"
	mv "$stage/root/sbin/init" "$stage/root/sbin/init.real"
	cp /bin/true "$stage/root/sbin/init"
	printf 'this is no program\n' > "$stage/root/sbin/notaprogram"; chmod 755 "$stage/root/sbin/notaprogram"
	rm -rf "$stage/root/run"; echo file > "$stage/root/run"
	"$BUILD/bin/livestack-mkimage" squashfs "$stage/root" "$stage/tree/live/10-demo.squashfs" >/dev/null 2>&1
	data_iso NEWROOT "$stage/tree" "$stage/newroot.iso"
	printf '%s\n' 'echo RESCUE-SHELL-$((6*7))' exit 'cp /root/sbin/notaprogram /root/sbin/init' exit \
		'cp /root/sbin/init.real /root/sbin/init' exit exit 'rm /root/run; mkdir /root/run' exit \
		'poweroff -f' > "$OUT/newroot.in"
	vm_session newroot 200 "rescue shell;" "$OUT/newroot.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/newroot.iso" -append "$APPEND live.id=any"
	interp=$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	at_least newroot "a dynamic init without its interpreter is named (twice)" 2 \
		"livestack: error: the real init is not there: /sbin/init needs the program interpreter $interp, which the new root does not have"
	expect newroot "an init that is no program is named" \
		"livestack: error: the real init is not there: /sbin/init is neither a program \(ELF\) nor a script"
	at_least newroot "a /run that is a file is named (twice)" 2 \
		"livestack: error: the new root cannot take the running system: /run is a file, not a directory"
	at_least newroot "the message names the phase each time" 5 "boot stopped in phase 'bottom'"
	at_least newroot "the message lists the block devices seen" 5 "^  sr0 +[0-9]+ MiB +iso9660"
	at_least newroot "what to try: for init" 3 "livestack: try: pass init=/path/to/an/init that runs here"
	at_least newroot "what to try: for /run" 2 "livestack: try: make it a directory in the layer"
	expect newroot "a command typed in the shell ran" "^RESCUE-SHELL-42"
	at_least newroot "each exit retried the phase" 5 "retrying phase bottom"
	expect newroot "fixed from the shell, the demo system came up" "^LIVESTACK-DEMO-READY"
	no_panic newroot
fi

if want rw-tmpfs; then
	# the RAM branch's mount point made a file in a live.break=rw shell: the tmpfs mount
	# is refused (persist_ram.c); removed again, the boot goes on
	printf '%s\n' 'rm -rf /run/live/rw; echo x > /run/live/rw' exit 'echo RESCUE-SHELL-$((6*7))' exit \
		'rm /run/live/rw' exit 'poweroff -f' > "$OUT/rw-tmpfs.in"
	vm_session rw-tmpfs 150 "(livestack:rw)" "$OUT/rw-tmpfs.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$ISO" -append "$APPEND live.break=rw"
	at_least rw-tmpfs "the message names the mount and the error (twice)" 2 \
		"livestack: error: mounting the tmpfs rw branch on /run/live/rw \(mode=0755,size=.*\): Not a directory"
	at_least rw-tmpfs "the message names the phase" 3 "boot stopped in phase 'rw'"
	at_least rw-tmpfs "the message lists the block devices seen" 3 "^  sr0 +[0-9]+ MiB +iso9660"
	at_least rw-tmpfs "the message names what to try (twice)" 2 "livestack: try: see 'ls -ld /run/live/rw' and 'mount'"
	expect rw-tmpfs "a command typed in the shell ran" "^RESCUE-SHELL-42"
	at_least rw-tmpfs "each exit after a failure retried the phase" 2 "retrying phase rw"
	expect rw-tmpfs "fixed from the shell, the demo system came up" "^LIVESTACK-DEMO-READY"
	no_panic rw-tmpfs
fi

done_
