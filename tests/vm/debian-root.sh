#!/bin/bash
# A real Debian system with systemd as the live root: scripts/debian-root.sh (mmdebstrap,
# cached in the build cache, the same root as `make demo ROOT=debian`) -> squashfs layer
# -> booted by livestack's initramfs (with e2fsck) on aufs with persistence on an ext4
# disk labelled "persistence". Boot 1: systemd PID 1, union checks, /etc changed, then
# `systemctl reboot`: systemd-shutdown hands over to /run/initramfs/shutdown, which takes
# the live system apart (QEMU exits at the reboot: -no-reboot). Boot 2: the change is
# there, e2fsck found the branch clean, `systemctl poweroff`; the host's e2fsck -fn too.
# usage: tests/vm/debian-root.sh BUILD KVER KCACHE
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/vm-debian
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs VM_MEM=1536
export VM_PROMPT_RE='root@livestack:[^ ]*# '
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
# shellcheck source=../lib/hostfs.sh
source "$top/tests/lib/hostfs.sh"
MK=$BUILD/bin/livestack-mkimage
E2FSCK=/sbin/e2fsck.static
mkdir -p "$OUT" "$VM_OUT"

# 1. the root and its layer, built once per build cache
if ! layer=$(sh "$top/scripts/debian-root.sh" "$BUILD" 2> "$OUT/root.log" | tail -n1) ||
	[ ! -f "$layer" ]; then
	nok "a Debian 12 root with systemd (mmdebstrap)" "$(tail -n2 "$OUT/root.log")"
	done_
fi
ok "a Debian 12 root with systemd ($(du -sm "${layer%/*}/root" | cut -f1) MB), layer $(( $(stat -c %s "$layer") >> 20 )) MiB"

# 2. initramfs with e2fsck (and the shutdown program), medium, persistence disk
[ -x "$E2FSCK" ] || { nok "e2fsck-static installed ($E2FSCK)" "make deps"; done_; }
"$MK" initramfs --kver "$KVER" --moddir "$KCACHE/lib/modules/$KVER" \
	--e2fsck "$E2FSCK" \
	--shutdown "$BUILD/bin/livestack-shutdown" --out "$OUT/initrd.img" \
	> "$OUT/mkimage.log" 2>&1 &&
"$MK" iso --kernel "$KCACHE/vmlinuz" --initramfs "$OUT/initrd.img" \
	--layer "$layer" --label DEBIANLIVE --out "$OUT/debian.iso" \
	>> "$OUT/mkimage.log" 2>&1 || { nok "initramfs and ISO of the Debian root" "$(tail -n2 "$OUT/mkimage.log")"; done_; }
host "the initramfs holds the shutdown program" \
	"zstd -dc '$OUT/initrd.img' | cpio -t 2>/dev/null | grep -qx lib/livestack/shutdown"
rm -f "$OUT/persist.img"
truncate -s 256M "$OUT/persist.img"
mke2fs -q -F -t ext4 -L persistence "$OUT/persist.img" ||
	{ nok "ext4 persistence disk" "mke2fs failed"; done_; }
DISK=(-drive "file=$OUT/persist.img,format=raw,if=virtio")
APPEND="console=ttyS0,115200 panic=-1 live.id=any live.persist=auto"

# 3. boot 1: checks, a change to /etc, reboot through /run/initramfs/shutdown
cat > "$OUT/in1" <<'EOT'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
t "systemd is PID 1" '[ "$(cat /proc/1/comm)" = systemd ]'
t "the system is up (running or degraded)" 'systemctl is-system-running --wait | grep -qE "running|degraded"'
t "root is aufs with the rw branch and the layer" 'grep -qE "^none / aufs .*br:/run/live/rw/upper=rw:/run/live/layers/10-debian=rr" /proc/mounts'
t "/run/live/status survived systemd's start" 'grep -q "^union=aufs" /run/live/status'
t "the rw branch is the ext4 persistence disk" 'grep -qx "persist=/dev/vda" /run/live/status && grep -q "^/dev/vda /run/live/rw ext4 rw" /proc/mounts'
t "/run/initramfs holds the shutdown program and its empty dirs only" '[ -x /run/initramfs/shutdown ] && [ -d /run/initramfs/oldroot ] && [ "$(find /run/initramfs -type f | wc -l)" = 1 ]'
t "a write lands in /run/live/rw" 'echo deb-$$ > /etc/livestack-test && grep -q deb-$$ /run/live/rw/upper/etc/livestack-test'
t "apt's dpkg database is readable through the union" 'dpkg-query -W systemd'
t "a lower file can be changed (copy-up)" 'echo "# live" >> /etc/hostname && grep -q "# live" /run/live/rw/upper/etc/hostname'
t "a lower file can be removed (whiteout)" 'rm /etc/motd && [ ! -e /etc/motd ] && [ -e /run/live/layers/10-debian/etc/motd ]'
t "a user can be added (/etc/passwd, /etc/shadow, /home)" 'useradd -m livetester && id livetester'
t "journald runs" 'systemctl is-active systemd-journald'
t "no kernel warning or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
echo CHECKS-DONE
systemctl reboot
EOT
vm_session debian-1 400 "root@livestack" "$OUT/in1" -kernel "$KCACHE/vmlinuz" \
	-initrd "$OUT/initrd.img" -cdrom "$OUT/debian.iso" "${DISK[@]}" -append "$APPEND"
rc=$?
[ $rc = 0 ] && ok "debian-1: rebooted by systemd" || nok "debian-1: rebooted by systemd" "rc=$rc"
guest_tap debian-1
expect debian-1 "/init prepared /run/initramfs/shutdown" "livestack: shutdown: /run/initramfs/shutdown ready \([0-9]+ KiB in RAM\)"
expect debian-1 "systemd-shutdown handed over to our program" "livestack-shutdown: reboot: taking the live system apart \(old root at /oldroot\)"
expect debian-1 "shutdown: the union unmounted" "livestack-shutdown: unmounted /oldroot, the union \(aufs"
expect debian-1 "shutdown: the persistence branch unmounted" "livestack-shutdown: unmounted /oldrun/live/rw, the persistence branch \(ext4 /dev/vda\)"
expect debian-1 "shutdown: the layer unmounted" "livestack-shutdown: unmounted /oldrun/live/layers/10-debian, a layer"
expect debian-1 "shutdown: the medium unmounted" "livestack-shutdown: unmounted /oldrun/live/medium, the medium"
expect debian-1 "shutdown: the layer's loop device detached" "livestack-shutdown: detached /dev/loop[0-9]+ \(.*/live/10-debian.squashfs\)"
expect debian-1 "shutdown: the CD ejected" "livestack-shutdown: ejected /dev/sr0"
expect debian-1 "shutdown: summary, persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
refute debian-1 "shutdown: nothing had to be detached lazily" "detached lazily|cannot unmount"
expect debian-1 "the kernel rebooted" "reboot: Restarting system"
no_panic debian-1
host "debian-1: host e2fsck -fn and dumpe2fs: the persistence disk is clean, no journal to recover" "fs_clean '$OUT/persist.img'"

# 4. boot 2: the change survived, e2fsck found it clean; power off, leaving the CD in
cat > "$OUT/in2" <<'EOT'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
t "the /etc change survived the reboot" 'grep -q "^deb-" /etc/livestack-test'
t "the user added before the reboot exists" 'id livetester && [ -d /home/livetester ]'
t "the whiteout survived" '[ ! -e /etc/motd ]'
t "e2fsck found the persistence clean (no journal recovery, no repair)" 'grep -qx "persist.check=e2fsck exit 0: clean" /run/live/status'
t "the system is up (running or degraded)" 'systemctl is-system-running --wait | grep -qE "running|degraded"'
echo CHECKS-DONE
systemctl poweroff
EOT
vm_session debian-2 400 "root@livestack" "$OUT/in2" -kernel "$KCACHE/vmlinuz" \
	-initrd "$OUT/initrd.img" -cdrom "$OUT/debian.iso" "${DISK[@]}" -append "$APPEND live.noeject"
rc=$?
[ $rc = 0 ] && ok "debian-2: powered off by systemd" || nok "debian-2: powered off by systemd" "rc=$rc"
guest_tap debian-2
expect debian-2 "shutdown: poweroff through our program" "livestack-shutdown: poweroff: taking the live system apart"
expect debian-2 "shutdown: live.noeject leaves the CD in" "livestack-shutdown: not ejecting /dev/sr0 \(live.noeject\)"
expect debian-2 "shutdown: summary, persistence clean" "livestack-shutdown: unmounted [1-9][0-9]*, detached 1 loop device, persistence clean"
expect debian-2 "the kernel powered off" "reboot: Power down"
no_panic debian-2
host "debian-2: host e2fsck -fn and dumpe2fs: the persistence disk is clean, no journal to recover" "fs_clean '$OUT/persist.img'"
done_
