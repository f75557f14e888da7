#!/bin/bash
# make demo: boot the demo ISO in QEMU through its own bootloader (BIOS, as a CD),
# watch the live system come up, power it off, and say what was seen.
# ROOT=busybox (default): the small busybox root; ROOT=debian: a Debian 12 root with
# systemd (scripts/debian-root.sh, cached in BUILD/cache/debian-12).
# usage: [ROOT=debian] scripts/demo.sh BUILD KVER KCACHE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KCACHE=$(abs "$3")
ROOT=${ROOT:-busybox}
case $ROOT in
busybox) export VM_OUT=$BUILD/demo/logs; iso=$BUILD/demo/livestack-demo.iso ;;
debian)
	export VM_OUT=$BUILD/demo-debian/logs VM_MEM=1024
	iso=$BUILD/demo-debian/livestack-debian.iso
	(cd "$top" && sh scripts/build-demo-debian.sh "$BUILD" "$2" "$KCACHE") || exit 1 ;;
*) echo "demo: ROOT=$ROOT: use busybox or debian" >&2; exit 2 ;;
esac
export VM_KCACHE=$KCACHE
# shellcheck source=../tests/lib/vm.sh
source "$top/tests/lib/vm.sh"
echo "demo: booting $iso in QEMU (TCG, BIOS, as a CD); the console follows"
echo "-----------------------------------------------------------------------"
mkdir -p "$VM_OUT"
ready=LIVESTACK-DEMO-READY
if [ "$ROOT" = debian ]; then
	# typed at the autologin shell; "demo"": ..." so the typed line itself never matches
	ready=root@livestack
	cat > "$VM_OUT/demo.in" <<'EOT'
systemctl is-system-running --wait; echo "demo"": systemd: multi-user.target is $(systemctl is-active multi-user.target), $(systemctl list-units --state=running --no-legend | wc -l) units running"
echo "demo"": root filesystem is $(awk '$2 == "/" { print $3 }' /proc/mounts)"
echo hello > /etc/demo-write && [ -f /run/live/rw/upper/etc/demo-write ] && echo "demo"": the write landed in /run/live/rw"
grep -E '^(medium|layers|union|time.total)=' /run/live/status
echo "demo"": the shell works: $(uname -sr), $(. /etc/os-release; echo $PRETTY_NAME), $(wc -l < /proc/mounts) mounts"
systemctl poweroff
EOT
else
	printf 'echo "demo: the shell works: $(uname -sr), $(wc -l < /proc/mounts) mounts"\npoweroff -f\n' > "$VM_OUT/demo.in"
fi
# show the console as it happens
: > "$VM_OUT/demo.log"
# (the kernel's own lines hidden; livestack's, which reach the console as the kernel's
# copy of /dev/kmsg, shown without the timestamp)
tail -n +1 -f "$VM_OUT/demo.log" 2>/dev/null |
	sed -u -n -E 's/^\[ *[0-9.]*\] (livestack)/\1/p; t; /^\[ *[0-9.]*\] /!p' &
tailpid=$!
start=$(date +%s)
vm_session demo "$([ "$ROOT" = debian ] && echo 480 || echo 180)" "$ready" "$VM_OUT/demo.in" \
	-cdrom "$iso" -boot d
rc=$?
sleep 0.3; kill "$tailpid" 2>/dev/null; wait "$tailpid" 2>/dev/null
secs=$(( $(date +%s) - start ))
echo "-----------------------------------------------------------------------"
# the steps are read from a copy without terminal escapes (bash's bracketed paste
# puts one before each output line of the Debian shell) and carriage returns
log=$VM_OUT/demo.txt
sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\r//g' "$VM_OUT/demo.log" > "$log"
seen=0 missed=0
step() {
	if grep -qE -- "$2" "$log"; then echo "demo: [seen]   $1"; seen=$((seen + 1))
	else echo "demo: [MISSED] $1"; missed=$((missed + 1)); fi
}
step "the ISO's bootloader started the kernel" "Linux version"
step "livestack /init found the medium" "livestack: medium: "
step "the squashfs layer was mounted" "livestack: layer 10-(demo|debian): "
step "the union root was mounted" "livestack: union: (aufs|overlayfs) on /root"
step "switch_root to the real init" "livestack: switching to /root"
step "/ is a union (aufs or overlay)" "^demo: root filesystem is (aufs|overlay)"
step "a write through the union landed in /run/live/rw" "^demo: the write landed in /run/live/rw"
step "/run/live/status was written" "^time.total="
if [ "$ROOT" = debian ]; then
	step "systemd reached multi-user.target" "^demo: systemd: multi-user.target is active"
	step "/run/initramfs/shutdown took the live system apart" "livestack-shutdown: unmounted [0-9]+, detached"
fi
step "the live system's shell answered" "^demo: the shell works"
step "the machine powered off" "reboot: Power down"
union=$(sed -n 's/^demo: root filesystem is //p' "$log" | tr -d '\r' | head -n1)
total=$(sed -n 's/^time.total=//p' "$log" | tr -d '\r' | head -n1)
echo "demo: root union: ${union:-?}; /init took ${total:-?} ms; the whole run took ${secs} s (qemu rc=$rc)"
echo "demo: full console log: $VM_OUT/demo.log"
if [ "$missed" = 0 ] && [ "$rc" = 0 ]; then
	echo "demo: OK ($seen steps seen)"
	exit 0
fi
echo "demo: FAILED ($missed steps missed)"
exit 1
