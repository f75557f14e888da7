#!/bin/bash
# /run/initramfs/shutdown without systemd (tests/vm/debian-root.sh covers systemd): the
# demo booted with init=/bin/sh (the shell is PID 1) and an ext4 persistence disk.
# "pivot": the sequence docs/livestack.7 gives other inits (bind, pivot_root, exec
# /shutdown poweroff); "direct": exec /run/initramfs/shutdown poweroff on the live root
# (no /oldroot: unmount what can go, remount the union and the branch read-only), with
# a leftover process (see HOLDER) that the program, PID 1, ends first.
# "halt": the machine halts and stays on; "kexec-none": nothing loaded, it reboots;
# "kexec": a kernel loaded with kexec_file_load (tests/vm/shutdown_kexec.c), the second
# boot comes up on the same disk and CD. "busy": a process that ignores SIGTERM holds
# files open on the union and the branch: as PID 1 the program ends it; "busy-child"
# (pivot, the program not PID 1) and "busy-direct" (on the live root, not PID 1): it
# cannot, and freezes the persistence instead.
# After each, the host reads the disk: e2fsck -fn and dumpe2fs clean (no journal to
# recover), and debugfs finds the files written before the shutdown.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" shutdown "$@"
mkdir -p "$OUT" "$VM_OUT"
# the demo's initramfs contents, with this build's shutdown program for sure
"$BUILD/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" \
	--shutdown "$BUILD/bin/livestack-shutdown" \
	--out "$OUT/initrd.img" > "$OUT/mkimage.log" 2>&1 ||
	{ nok "initramfs with the shutdown program" "$(tail -n2 "$OUT/mkimage.log")"; done_; }
mkinit() { "$BUILD/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" \
	--compress none --out "$OUT/x.img" "$@"; }
host "initramfs: the shutdown program is at /lib/livestack/shutdown" \
	"cpio -t < <(zstd -dc '$OUT/initrd.img') 2>/dev/null | grep -qx lib/livestack/shutdown"
host "initramfs --shutdown none: left out" \
	"mkinit --shutdown none && ! cpio -t < '$OUT/x.img' 2>/dev/null | grep -q shutdown"
# fails, and the message names the file
refused() { local out; out=$(mkinit --shutdown /nonexistent/sd 2>&1) && return 1; grep -q /nonexistent/sd <<< "$out"; }
host "initramfs --shutdown with a missing file: refused, named" refused
APPEND="console=ttyS0,115200 panic=-1 live.media=LABEL=LIVESTACK live.persist=auto init=/bin/sh"

# boot NAME [QEMU-ARGS...]: the demo with a fresh persistence disk ($OUT/NAME.root's
# files copied onto it when that directory exists), $OUT/NAME.in typed; $rc: 0 when
# QEMU ended by itself (or by halt_watch), 124 at the deadline
boot() {
	local name=$1; shift
	rm -f "$OUT/$name.img"; truncate -s 64M "$OUT/$name.img"
	if [ -d "$OUT/$name.root" ]; then
		mke2fs -q -F -t ext4 -L persistence -d "$OUT/$name.root" "$OUT/$name.img"
	else
		mke2fs -q -F -t ext4 -L persistence "$OUT/$name.img"
	fi
	vm_session "$name" 240 "exec /bin/sh" "$OUT/$name.in" -kernel "$KCACHE/vmlinuz" \
		-initrd "$OUT/initrd.img" -cdrom "$BUILD/demo/livestack-demo.iso" \
		-drive "file=$OUT/$name.img,format=raw,if=virtio" -append "$APPEND" "$@"
	rc=$?
}
# ended NAME WHAT KERNEL-LINE: QEMU stopped by itself (-no-reboot) after the kernel's line
ended() {
	if [ "$rc" = 0 ]; then ok "$1: the machine $2"; else nok "$1: the machine $2" "rc=$rc"; fi
	expect "$1" "the kernel: $3" "$3"
}
# shellcheck source=../lib/hostfs.sh
source "$top/tests/lib/hostfs.sh"
# disk_ok NAME FILE...: no panic; the host finds the disk clean (fs_clean); each FILE
# (a path on the disk) holds "written-BASENAME"
disk_ok() {
	local name=$1 f; shift
	no_panic "$name"
	host "$name: host e2fsck -fn and dumpe2fs: the persistence disk is clean, no journal to recover" \
		"fs_clean '$OUT/$name.img'"
	for f in "$@"; do
		host "$name: the file $f written before the shutdown is on the disk" \
			"debugfs -R 'cat /$f' '$OUT/$name.img' 2>/dev/null | grep -qx written-${f##*/}"
	done
}
# the sequence of docs/livestack.7 for other inits, up to the exec
# shellcheck disable=SC2016  # $d is the guest's
PIVOT='mount --bind /run/initramfs /run/initramfs
for d in dev proc sys; do mount --bind /$d /run/initramfs/$d; done'
# a process that ignores SIGTERM (inherited by the exec'd sleep) with its cwd on the
# branch and files open for writing on the union and on the branch
HOLDER="(cd /run/live/rw && trap '' TERM && exec 3>>/root/busy.txt 4>>/run/live/rw/busy-rw.txt && echo written-busy.txt >&3 && echo written-busy-rw.txt >&4 && exec sleep 100000) &"

if want pivot; then
	cat > "$OUT/pivot.in" <<EOT
echo written-pivot.txt > /root/pivot.txt
$PIVOT
cd /run/initramfs && pivot_root . oldroot && exec /shutdown poweroff
EOT
	boot pivot
	ended pivot "powered off" "reboot: Power down"
	disk_ok pivot upper/root/pivot.txt
	expect pivot "the program found the old root at /oldroot" "livestack-shutdown: poweroff: taking the live system apart \(old root at /oldroot\)"
	expect pivot "the union unmounted" "livestack-shutdown: unmounted /oldroot, the union"
	expect pivot "the persistence branch unmounted" "livestack-shutdown: unmounted /oldrun/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect pivot "the CD ejected" "livestack-shutdown: ejected /dev/sr0"
	expect pivot "summary: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
	refute pivot "nothing busy, no process ended, nothing detached lazily" "still busy|SIGTERM|froze|detached lazily|cannot unmount"
fi

if want direct; then
	# on the live root as PID 1, with a leftover process: it is ended, then the union
	# and the branch go read-only
	cat > "$OUT/direct.in" <<EOT
echo written-direct.txt > /root/direct.txt
$HOLDER
exec /run/initramfs/shutdown poweroff --no-eject
EOT
	boot direct
	ended direct "powered off" "reboot: Power down"
	disk_ok direct upper/root/direct.txt upper/root/busy.txt busy-rw.txt
	expect direct "the program runs on the old root" "livestack-shutdown: poweroff: taking the live system apart \(running on the old root\)"
	expect direct "the union busy" "livestack-shutdown: / \(the union\) busy: a file is open for writing on it"
	expect direct "as PID 1 the leftover ended" "livestack-shutdown: still running after 2 s, SIGKILL: sleep\[[0-9]+\]"
	expect direct "the union remounted read-only" "livestack-shutdown: remounted / \(the union\) read-only"
	expect direct "the persistence branch remounted read-only" "livestack-shutdown: remounted read-only /run/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect direct "--no-eject leaves the CD in" "livestack-shutdown: not ejecting /dev/sr0 \(--no-eject\)"
	expect direct "summary: persistence clean" "livestack-shutdown: unmounted [0-9]+, detached 0 loop devices, persistence clean"
	refute direct "nothing frozen" "froze|cannot remount"
fi

if want halt; then
	cat > "$OUT/halt.in" <<EOT
echo written-halt.txt > /root/halt.txt
$PIVOT
cd /run/initramfs && pivot_root . oldroot && exec /shutdown halt
EOT
	# the kernel halts: QEMU keeps running (nothing ends it but us); once the kernel
	# said so and QEMU still runs 3 s later, it is stopped by its PID
	rm -f "$OUT/halt.pid" "$OUT/halt.alive" "$VM_OUT/halt.log"
	(
		for _ in $(seq 300); do [ -s "$OUT/halt.pid" ] && break; sleep 0.2; done
		pid=$(cat "$OUT/halt.pid" 2>/dev/null) || exit 0
		while kill -0 "$pid" 2>/dev/null; do
			if grep -q "reboot: System halted" "$VM_OUT/halt.log"; then
				sleep 3
				kill -0 "$pid" 2>/dev/null && echo alive > "$OUT/halt.alive" && kill "$pid"
				exit 0
			fi
			sleep 0.2
		done
	) &
	watcher=$!
	boot halt -pidfile "$OUT/halt.pid"
	wait "$watcher"
	expect halt "the kernel halted" "reboot: System halted"
	host "halt: QEMU still ran 3 s after the halt (the machine did not power off or reboot)" "[ -s '$OUT/halt.alive' ]"
	disk_ok halt upper/root/halt.txt
	expect halt "the program was given halt" "livestack-shutdown: halt: taking the live system apart \(old root at /oldroot\)"
	expect halt "summary: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
	refute halt "no reboot, no power-off" "reboot: Restarting system|reboot: Power down"
fi

if want kexec-none; then
	cat > "$OUT/kexec-none.in" <<EOT
echo written-kexec-none.txt > /root/kexec-none.txt
$PIVOT
cd /run/initramfs && pivot_root . oldroot && exec /shutdown kexec
EOT
	boot kexec-none
	ended kexec-none "rebooted (QEMU -no-reboot exits)" "reboot: Restarting system"
	disk_ok kexec-none upper/root/kexec-none.txt
	expect kexec-none "nothing loaded: it says so and reboots" "livestack-shutdown: kexec: no kernel loaded \(/sys/kernel/kexec_loaded is not 1\): rebooting instead"
	expect kexec-none "a reboot after all: the CD ejected" "livestack-shutdown: ejected /dev/sr0"
	expect kexec-none "summary: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
fi

if want kexec; then
	# the kernel, the initramfs and a kexec_file_load(2) helper on the persistence disk
	rm -rf "$OUT/kexec.root"; mkdir -p "$OUT/kexec.root/kexec"
	cp "$KCACHE/vmlinuz" "$OUT/initrd.img" "$OUT/kexec.root/kexec/"
	if ! musl-gcc -static -Os -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$OUT/kexec.root/kexec/load" \
		"$top/tests/vm/shutdown_kexec.c" > "$OUT/kexec-cc.log" 2>&1; then
		nok "kexec: the guest helper builds" "$(tail -n2 "$OUT/kexec-cc.log")"
	else
		K=/run/live/rw/kexec
		cat > "$OUT/kexec.in" <<EOT
echo written-kexec.txt > /root/kexec.txt
$K/load $K/vmlinuz $K/initrd.img "$APPEND kexec.second=1"
echo kexec_loaded=\$(cat /sys/kernel/kexec_loaded)
$PIVOT
cd /run/initramfs && pivot_root . oldroot && exec /shutdown kexec
echo written-kexec2.txt > /root/kexec2.txt
exec /run/initramfs/shutdown poweroff --no-eject
EOT
		boot kexec
		ended kexec "powered off after the second boot" "reboot: Power down"
		disk_ok kexec upper/root/kexec.txt upper/root/kexec2.txt
		expect kexec "the guest loaded a kernel" "kexec_loaded=1"
		expect kexec "kexec: the CD stays in for the next kernel" "livestack-shutdown: not ejecting /dev/sr0 \(kexec: the next kernel may boot from it\)"
		expect kexec "summary before the kexec: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
		expect kexec "the kernel kexec'd" "kexec_core: Starting new kernel"
		expect kexec "the second kernel has the loaded command line" "Kernel command line:.*kexec\.second=1"
		refute kexec "no reboot through the firmware" "reboot: Restarting system"
	fi
fi

if want busy; then
	cat > "$OUT/busy.in" <<EOT
$HOLDER
$PIVOT
cd /run/initramfs && pivot_root . oldroot && exec /shutdown poweroff
EOT
	boot busy
	ended busy "powered off" "reboot: Power down"
	disk_ok busy upper/root/busy.txt busy-rw.txt
	expect busy "the union was busy" "livestack-shutdown: still busy: /oldroot"
	expect busy "as PID 1 it sends SIGTERM to the leftover" "livestack-shutdown: mounts busy: SIGTERM to 1 leftover process: sleep\[[0-9]+\]"
	expect busy "SIGTERM ignored: SIGKILL" "livestack-shutdown: still running after 2 s, SIGKILL: sleep\[[0-9]+\]"
	expect busy "then the union unmounted" "livestack-shutdown: unmounted /oldroot, the union"
	expect busy "the persistence branch unmounted" "livestack-shutdown: unmounted /oldrun/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect busy "summary: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
	refute busy "nothing detached lazily or left" "detached lazily|cannot unmount|SIGKILL \(stuck"
fi

if want busy-child; then
	# the program run by the shell (PID 1), not exec'd: it may not end processes
	cat > "$OUT/busy-child.in" <<EOT
$HOLDER
$PIVOT
cd /run/initramfs && pivot_root . oldroot && /shutdown poweroff
EOT
	boot busy-child
	ended busy-child "powered off" "reboot: Power down"
	disk_ok busy-child upper/root/busy.txt busy-rw.txt
	expect busy-child "not PID 1: it says it leaves the processes alone" "livestack-shutdown: not PID 1: the processes keeping it busy are left alone"
	expect busy-child "the persistence branch frozen" "livestack-shutdown: froze /oldrun/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect busy-child "then detached lazily" "livestack-shutdown: busy, detached lazily /oldrun/live/rw"
	expect busy-child "summary: frozen, consistent" "livestack-shutdown: unmounted [1-9][0-9]* \([1-9][0-9]* lazily\), detached [0-9] loop devices?, persistence busy but frozen, consistent on disk"
fi

if want busy-direct; then
	cat > "$OUT/busy-direct.in" <<EOT
$HOLDER
/run/initramfs/shutdown poweroff
EOT
	boot busy-direct
	ended busy-direct "powered off" "reboot: Power down"
	disk_ok busy-direct upper/root/busy.txt busy-rw.txt
	expect busy-direct "the branch busy" "livestack-shutdown: /run/live/rw busy: a file is open for writing on it"
	expect busy-direct "not PID 1: it says it leaves the processes alone" "livestack-shutdown: not PID 1: the processes keeping it busy are left alone"
	expect busy-direct "the persistence branch frozen" "livestack-shutdown: froze /run/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect busy-direct "summary: frozen, consistent" "livestack-shutdown: unmounted [0-9]+, detached 0 loop devices, persistence busy but frozen, consistent on disk"
fi
done_
