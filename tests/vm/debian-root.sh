#!/bin/bash
# A real Debian system with systemd as the live root: debootstrap (cached in the build
# cache) -> squashfs layer -> booted by livestack's initramfs on aufs, systemd as PID 1,
# autologin on the serial console, checks typed into its shell.
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
MK=$BUILD/bin/livestack-mkimage
CACHE=$BUILD/cache/debian-bookworm
mkdir -p "$OUT" "$VM_OUT"

# 1. the root, built once per build cache
if [ ! -f "$CACHE/root.done" ]; then
	rm -rf "$CACHE"; mkdir -p "$CACHE"
	if ! debootstrap --variant=minbase --include=systemd-sysv,udev,kmod,iproute2,procps \
		bookworm "$CACHE/root" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1; then
		nok "debootstrap a Debian bookworm root" "$(tail -n2 "$CACHE/debootstrap.log")"
		done_
	fi
	r=$CACHE/root
	echo livestack > "$r/etc/hostname"
	: > "$r/etc/machine-id"
	: > "$r/etc/fstab"
	passwd -R "$r" -d root >/dev/null 2>&1 || sed -i 's/^root:[^:]*:/root::/' "$r/etc/shadow"
	mkdir -p "$r/etc/systemd/system/serial-getty@ttyS0.service.d"
	cat > "$r/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200 %I vt220
EOT
	rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*
	touch "$CACHE/root.done"
fi
ok "a Debian bookworm root with systemd ($(du -sm "$CACHE/root" | cut -f1) MB)"

# 2. layer and medium
if [ ! -f "$CACHE/10-debian.squashfs" ]; then
	"$MK" squashfs "$CACHE/root" "$CACHE/10-debian.squashfs" > "$OUT/mkimage.log" 2>&1 ||
		{ nok "squashfs of the Debian root" "$(tail -n2 "$OUT/mkimage.log")"; done_; }
fi
"$MK" iso --kernel "$KCACHE/vmlinuz" --initramfs "$BUILD/demo/initrd.img" \
	--layer "$CACHE/10-debian.squashfs" --label DEBIANLIVE --out "$OUT/debian.iso" \
	> "$OUT/mkimage.log" 2>&1 || { nok "ISO of the Debian root" "$(tail -n2 "$OUT/mkimage.log")"; done_; }
ok "squashfs layer $(( $(stat -c %s "$CACHE/10-debian.squashfs") >> 20 )) MiB and ISO built"

# 3. boot it and check from inside
cat > "$OUT/in" <<'EOT'
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
t "systemd is PID 1" '[ "$(cat /proc/1/comm)" = systemd ]'
t "the system is up (running or degraded)" 'systemctl is-system-running --wait | grep -qE "running|degraded"'
t "root is aufs with the rw branch and the layer" 'grep -qE "^none / aufs .*br:/run/live/rw/upper=rw:/run/live/layers/10-debian=rr" /proc/mounts'
t "/run/live/status survived systemd's start" 'grep -q "^union=aufs" /run/live/status'
t "a write lands in /run/live/rw" 'echo deb-$$ > /etc/livetest && grep -q deb-$$ /run/live/rw/upper/etc/livetest'
t "apt's dpkg database is readable through the union" 'dpkg-query -W systemd'
t "a lower file can be changed (copy-up)" 'echo "# live" >> /etc/hostname && grep -q "# live" /run/live/rw/upper/etc/hostname'
t "a lower file can be removed (whiteout)" 'rm /etc/motd && [ ! -e /etc/motd ] && [ -e /run/live/layers/10-debian/etc/motd ]'
t "journald runs" 'systemctl is-active systemd-journald'
t "no kernel warning or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
echo CHECKS-DONE
systemctl poweroff
EOT
vm_session debian 400 "root@livestack" "$OUT/in" -kernel "$KCACHE/vmlinuz" \
	-initrd "$BUILD/demo/initrd.img" -cdrom "$OUT/debian.iso" \
	-append "console=ttyS0,115200 panic=-1 live.id=any"
rc=$?
[ $rc = 0 ] && ok "powered off cleanly by systemd" || nok "powered off cleanly by systemd" "rc=$rc"
n=0
while IFS= read -r line; do
	line=${line%$'\r'}
	# the shell may put terminal escapes before the output
	if [[ "$line" =~ TAP\ ok\ -\ (.*)$ ]]; then ok "debian: ${BASH_REMATCH[1]}"; n=$((n + 1))
	elif [[ "$line" =~ TAP\ not\ ok\ -\ (.*)$ ]]; then nok "debian: ${BASH_REMATCH[1]}"; n=$((n + 1)); fi
done < "$VM_OUT/debian.log"
[ "$n" -gt 0 ] || nok "debian: checks ran" "no TAP lines (see $VM_OUT/debian.log)"
done_
