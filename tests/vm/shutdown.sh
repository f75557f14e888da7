#!/bin/bash
# /run/initramfs/shutdown without systemd (tests/vm/debian-root.sh covers systemd): the
# demo booted with init=/bin/sh (the shell is PID 1) and an ext4 persistence disk.
# "pivot": the sequence docs/livestack.7 gives other inits (bind, pivot_root, exec
# /shutdown poweroff); "direct": exec /run/initramfs/shutdown poweroff on the live root
# (no /oldroot: unmount what can go, remount the union and the branch read-only).
# After each, the host's e2fsck -fn and debugfs read the disk: clean, the file is there.
# usage: tests/vm/shutdown.sh BUILD KVER KCACHE   (env VM_ONLY=substring: matching boots only)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/shutdown
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
mkdir -p "$OUT" "$VM_OUT"
# the demo's initramfs contents, with this build's shutdown program for sure
"$BUILD/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" \
	--aufs "$BUILD/aufs/$KVER/aufs.ko" --shutdown "$BUILD/bin/livestack-shutdown" \
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

boot() { # boot NAME: the demo with a fresh persistence disk, $OUT/NAME.in typed
	rm -f "$OUT/$1.img"; truncate -s 64M "$OUT/$1.img"
	mke2fs -q -F -t ext4 -L persistence "$OUT/$1.img"
	vm_session "$1" 240 "exec /bin/sh" "$OUT/$1.in" -kernel "$KCACHE/vmlinuz" \
		-initrd "$OUT/initrd.img" -cdrom "$BUILD/demo/livestack-demo.iso" \
		-drive "file=$OUT/$1.img,format=raw,if=virtio" -append "$APPEND"
	local rc=$?
	[ $rc = 0 ] && ok "$1: the machine powered off" || nok "$1: the machine powered off" "rc=$rc"
	expect "$1" "the kernel powered off" "reboot: Power down"
	no_panic "$1"
	host "$1: host e2fsck -fn: the persistence disk is clean" "e2fsck -fn '$OUT/$1.img'"
	host "$1: the file written before the shutdown is on the disk" \
		"debugfs -R 'cat /upper/root/$1.txt' '$OUT/$1.img' 2>/dev/null | grep -qx written-$1"
}

if want pivot; then
	cat > "$OUT/pivot.in" <<'EOT'
echo written-pivot > /root/pivot.txt
mount --bind /run/initramfs /run/initramfs
for d in dev proc sys; do mount --bind /$d /run/initramfs/$d; done
cd /run/initramfs && pivot_root . oldroot && exec /shutdown poweroff
EOT
	boot pivot
	expect pivot "the program found the old root at /oldroot" "livestack-shutdown: poweroff: taking the live system apart \(old root at /oldroot\)"
	expect pivot "the union unmounted" "livestack-shutdown: unmounted /oldroot, the union"
	expect pivot "the persistence branch unmounted" "livestack-shutdown: unmounted /oldrun/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect pivot "the CD ejected" "livestack-shutdown: ejected /dev/sr0"
	expect pivot "summary: persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
	refute pivot "nothing detached lazily" "detached lazily|cannot unmount"
fi

if want direct; then
	cat > "$OUT/direct.in" <<'EOT'
echo written-direct > /root/direct.txt
exec /run/initramfs/shutdown poweroff --no-eject
EOT
	boot direct
	expect direct "the program runs on the old root" "livestack-shutdown: poweroff: taking the live system apart \(running on the old root\)"
	expect direct "the union remounted read-only" "livestack-shutdown: remounted / \(the union\) read-only"
	expect direct "the persistence branch remounted read-only" "livestack-shutdown: remounted read-only /run/live/rw, the persistence branch \(ext4 /dev/vda\)"
	expect direct "--no-eject leaves the CD in" "livestack-shutdown: not ejecting /dev/sr0 \(--no-eject\)"
	expect direct "summary: persistence clean" "livestack-shutdown: unmounted [0-9]+, detached 0 loop devices, persistence clean"
fi
done_
