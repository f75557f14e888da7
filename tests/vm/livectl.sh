#!/bin/bash
# livectl and the hook examples: host checks (usage, status --json through a JSON parser,
# the config hook), then the demo in QEMU (TCG), one boot each: "aufs" (status, layer
# add --top/--bottom, layer del, EBUSY with a file open, live.hostname=), "overlay" (the
# layer commands refuse), "persist" (save to a device and a new image), "save-overlay"
# (overlayfs whiteouts saved), "crash" (power off in the middle of a save).
# TAP lines, then "N passed, M failed"; exit non-zero on any failure.
# usage: tests/vm/livectl.sh BUILD KVER KCACHE   (env VM_ONLY=substring: matching boots only)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" livectl "$@"

CTL=$BUILD/bin/livectl
APPEND="console=ttyS0,115200 panic=-1 live.media=LABEL=LIVESTACK"

check() { # check NAME COMMAND...: the command succeeds
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else nok "$name"; fi
}
# the JSON checks need a real parser: python3 (Debian's python3-minimal)
pycheck() {
	if command -v python3 >/dev/null; then check "$@"; else echo "ok - $1 # SKIP no python3"; pass=$((pass + 1)); fi
}
guest_checks() { # the shared TAP lines, and every check was typed
	guest_tap "$1"
	grep -q "^CHECKS-DONE" "$VM_OUT/$1.log" || nok "$1: all checks typed" "see $VM_OUT/$1.log"
}
# between two marker lines of the console log, carriage returns dropped
between() { tr -d '\r' < "$VM_OUT/$1.log" | awk -v b="$2" -v e="$3" '$0 == e { p = 0 } p { print } $0 == b { p = 1 }'; }

rm -rf "$OUT"; mkdir -p "$OUT" "$VM_OUT"
[ -x "$CTL" ] || { nok "livectl built" "run make all"; echo "$pass passed, $fail failed"; exit 1; }

# ---- host: usage, exit codes, status on a supplied file, JSON through python ----
cat > "$OUT/status" <<'EOF'
format=1
kernel=6.1.0-test
medium=/dev/sr0
medium.fs=iso9660
medium.label=LIVE "quoted" label
medium.uuid=2024-01-01-00-00-00-00
medium.mount=/run/live/medium
live.dir=/live
candidate.sr0=accepted fs=iso9660 label=LIVESTACK size=14680064: iso9660, 1 layer in /live
layers=10-demo
layer.10-demo=/run/live/layers/10-demo /dev/loop0 /run/live/medium/live/10-demo.squashfs
union=aufs
rw=/run/live/rw/upper
rw.type=tmpfs
unknown=foo=bar	tab
time.premount=100
time.total=900
EOF
"$CTL" >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && ok "host: no command is a usage error (exit 1)" || nok "host: no command is a usage error (exit 1)" "exit $rc"
"$CTL" frobnicate >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && ok "host: unknown command exits 1" || nok "host: unknown command exits 1" "exit $rc"
"$CTL" layer add >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && ok "host: layer add without FILE exits 1" || nok "host: layer add without FILE exits 1" "exit $rc"
"$CTL" --status "$OUT/nosuch" status >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "host: missing status file exits 2" || nok "host: missing status file exits 2" "exit $rc"
check "host: --help exits 0" "$CTL" --help
check "host: status --status FILE" bash -c "'$CTL' --status '$OUT/status' status | grep -q '^union: *aufs'"
check "host: status shows the layer" bash -c "'$CTL' --status '$OUT/status' status | grep -q '10-demo.*/dev/loop0'"
pycheck "host: LIVECTL_STATUS=FILE status --json is valid JSON" \
	bash -c "LIVECTL_STATUS='$OUT/status' '$CTL' status --json | python3 -m json.tool"
pycheck "host: JSON fields" python3 -c "
import json, subprocess, sys
j = json.loads(subprocess.run(['$CTL', '--status', '$OUT/status', 'status', '--json'],
                              capture_output=True, check=True).stdout)
assert j['union'] == 'aufs' and j['medium']['label'] == 'LIVE \"quoted\" label', j
assert j['layers'][0]['name'] == '10-demo' and j['layers'][0]['device'] == '/dev/loop0', j
assert j['rw'] == {'path': '/run/live/rw/upper', 'type': 'tmpfs'}, j
assert j['time_ms']['total'] == 900 and j['candidates'][0]['size'] == 14680064, j
assert j['unknown'] == 'foo=bar\ttab', j
"
# the config hook on a fake medium and new root
cfg=$OUT/hook-config
mkdir -p "$cfg/medium/live/config/etc/skel" "$cfg/newroot/etc"
echo "site motd" > "$cfg/medium/live/config/etc/motd"
chmod 600 "$cfg/medium/live/config/etc/motd"
echo "image motd" > "$cfg/newroot/etc/motd"
check "host: 60-live-config.sh copies config/ over the new root" bash -c \
	"LIVE_MEDIUM='$cfg/medium' LIVE_DIR=/live LIVE_NEWROOT='$cfg/newroot' sh '$top/hooks/bottom/60-live-config.sh' &&
	 grep -q 'site motd' '$cfg/newroot/etc/motd' && [ \"\$(stat -c %a '$cfg/newroot/etc/motd')\" = 600 ] &&
	 [ -d '$cfg/newroot/etc/skel' ]"
check "host: 60-live-config.sh without a medium does nothing" bash -c \
	"LIVE_MEDIUM= LIVE_NEWROOT=/nonexistent sh '$top/hooks/bottom/60-live-config.sh'"
if command -v shellcheck >/dev/null; then
	check "host: hooks are shellcheck -s sh clean" shellcheck -s sh "$top"/hooks/*/*.sh
fi

[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo ISO built" "run make all"; echo "$pass passed, $fail failed"; exit 1; }

# ---- the extra layers, carried into the guest as a tar archive on a raw virtio disk ----
mkdir -p "$OUT/l50/opt/extra" "$OUT/l50/etc" "$OUT/l05/opt/extra" "$OUT/l05/opt/low" "$OUT/l05/etc" "$OUT/disk"
echo "hello from 50-extra" > "$OUT/l50/opt/extra/hello.txt"
echo "motd from 50-extra" > "$OUT/l50/etc/motd"
echo "hello from 05-low" > "$OUT/l05/opt/extra/hello.txt"
echo "only in 05-low" > "$OUT/l05/opt/low/only-low.txt"
echo "motd from 05-low" > "$OUT/l05/etc/motd"
"$MK" squashfs "$OUT/l50" "$OUT/disk/50-extra.squashfs" >"$OUT/mk.log" 2>&1 &&
	"$MK" squashfs "$OUT/l05" "$OUT/disk/05-low.squashfs" >>"$OUT/mk.log" 2>&1 ||
	nok "build the extra layers" "$(tail -n3 "$OUT/mk.log")"
(cd "$OUT/disk" && tar -cf "$OUT/layers.tar" 50-extra.squashfs 05-low.squashfs)
truncate -s 4M "$OUT/layers.tar"
DISK=(-drive "file=$OUT/layers.tar,format=raw,if=virtio,readonly=on")

# Typed into the live shell one line per prompt; the quotes split the TAP marker so
# that the console's echo of the typed text never matches.
T='t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }'

if want aufs; then
	cat > "$OUT/aufs.in" <<EOF
$T
cd /tmp && tar -xf /dev/vda && cd /
t "the extra layers arrived" '[ -s /tmp/50-extra.squashfs ] && [ -s /tmp/05-low.squashfs ]'
livectl status
t "status: union aufs" 'livectl status | grep -q "^union: *aufs"'
t "status: the boot layer" 'livectl status | grep -q "10-demo .*/run/live/layers/10-demo"'
t "status --json names the boot layer" 'livectl status --json | grep -q "\"name\": \"10-demo\""'
echo "JSON""-BEGIN"; livectl status --json; echo "JSON""-END"
livectl status --timeline
t "status --timeline: kernel, the phases, the total of this boot" 'livectl status --timeline | grep -q "^kernel .*|#" && livectl status --timeline | grep -q "^layers " && livectl status --timeline | grep -q "ms from kernel start to the real init"'
t "status --svg FILE writes one bar per span" 'livectl status --svg /tmp/boot.svg && [ "\$(grep -c "<rect" /tmp/boot.svg)" -ge 10 ]'
t "layer add: the file is visible at once" 'livectl layer add /tmp/50-extra.squashfs && [ "\$(cat /opt/extra/hello.txt)" = "hello from 50-extra" ]'
t "layer add: mounted read-only under /run/live/layers" 'grep -q " /run/live/layers/50-extra squashfs ro" /proc/mounts'
t "layer add: the branch sits just below rw" 'grep -q "br:/run/live/rw/upper=rw:/run/live/layers/50-extra=rr:/run/live/layers/10-demo=rr" /proc/mounts'
t "layer add: the top layer hides the demo's file" 'grep -q "motd from 50-extra" /etc/motd'
t "layer add: status lists it on top" 'grep -qx "layers=10-demo 50-extra" /run/live/status && grep -q "^layer.50-extra=/run/live/layers/50-extra /dev/loop" /run/live/status'
t "layer add: livectl status shows it" 'livectl status | grep -q "50-extra .*/tmp/50-extra.squashfs"'
t "layer add: a name in use is refused (exit 2)" 'livectl layer add /tmp/50-extra.squashfs 2>/tmp/err; [ \$? = 2 ] && grep -q "in use" /tmp/err'
t "layer add: not a squashfs is refused (exit 2)" 'echo junk > /tmp/junk.squashfs; livectl layer add /tmp/junk.squashfs 2>/tmp/err; [ \$? = 2 ] && grep -q "not a squashfs" /tmp/err && [ ! -d /run/live/layers/junk ]'
t "layer add --bottom: its own file appears" 'livectl layer add /tmp/05-low.squashfs --bottom && [ -f /opt/low/only-low.txt ]'
t "layer add --bottom: the branch is last" 'grep -q "/run/live/layers/10-demo=rr:/run/live/layers/05-low=rr" /proc/mounts'
t "layer add --bottom: upper layers win" '[ "\$(cat /opt/extra/hello.txt)" = "hello from 50-extra" ] && ! grep -q "05-low" /etc/motd'
t "layer add --bottom: status lists it first" 'grep -qx "layers=05-low 10-demo 50-extra" /run/live/status'
exec 3</opt/extra/hello.txt
t "layer del busy: exit 2 and EBUSY explained" 'livectl layer del 50-extra 2>/tmp/err; [ \$? = 2 ] && grep -q "files of layer 50-extra are in use: close them" /tmp/err'
t "layer del busy: names the open file" 'grep -q "/opt/extra/hello.txt" /tmp/err'
t "layer del busy: nothing changed" '[ -f /opt/extra/hello.txt ] && grep -q "/run/live/layers/50-extra=rr" /proc/mounts && grep -q "^layer.50-extra=" /run/live/status'
exec 3<&-
cd /opt/extra
t "layer del busy: a shell's current directory counts" 'livectl layer del 50-extra 2>/tmp/err; [ \$? = 2 ] && grep -q "(sh) cwd /opt/extra" /tmp/err'
cd /
t "layer del: the files are gone at once" 'livectl layer del 50-extra && [ "\$(cat /opt/extra/hello.txt)" = "hello from 05-low" ]'
t "layer del: branch, mount and status entry gone" '! grep -q 50-extra /proc/mounts && ! grep -q 50-extra /run/live/status && [ ! -e /run/live/layers/50-extra ]'
t "layer del: the demo's file is back on top" '! grep -q "from 05-low" /etc/motd && ! grep -q "from 50-extra" /etc/motd'
t "layer del: the loop device is released" '! cat /sys/block/loop*/loop/backing_file 2>/dev/null | grep -q 50-extra'
t "layer del: the bottom layer too" 'livectl layer del 05-low && [ ! -e /opt/low ] && [ ! -e /opt/extra ] && grep -qx "layers=10-demo" /run/live/status'
t "layer del: an unknown name fails (exit 2)" 'livectl layer del nosuch 2>/tmp/err; [ \$? = 2 ] && grep -q "no layer nosuch" /tmp/err'
t "layer add again after del" 'livectl layer add /tmp/50-extra.squashfs && livectl layer del 50-extra'
t "layer add: an image inside the union, by a relative path" 'cd /root && cp /tmp/05-low.squashfs 70-app.squashfs && livectl layer add 70-app.squashfs && cd / && [ -f /opt/low/only-low.txt ] && livectl layer del 70-app && [ ! -e /opt/low ]'
t "layer changes are in the kernel log" 'dmesg | grep -q "livestack: livectl: layer 50-extra added at the top"'
t "hook: live.hostname= set the hostname" '[ "\$(hostname)" = "vmtest-42" ] && [ "\$(cat /etc/hostname)" = "vmtest-42" ]'
t "the kernel did not warn or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
echo "CHECKS""-DONE"
poweroff -f
EOF
	vm_session aufs 300 "LIVESTACK-DEMO-READY" "$OUT/aufs.in" -kernel "$KERNEL" -initrd "$INITRD" \
		-cdrom "$ISO" "${DISK[@]}" -append "$APPEND live.union=aufs live.hostname=vmtest-42 panic_on_warn=1 oops=panic"
	rc=$?
	[ $rc = 0 ] || nok "aufs: guest powered off before the deadline" "rc=$rc"
	guest_checks aufs
	between aufs "JSON-BEGIN" "JSON-END" > "$OUT/guest-status.json"
	pycheck "aufs: the guest's status --json is valid JSON" python3 -m json.tool "$OUT/guest-status.json"
	pycheck "aufs: the guest's JSON has the layer and the union" python3 -c "
import json; j = json.load(open('$OUT/guest-status.json'))
assert j['union'] == 'aufs' and [l['name'] for l in j['layers']] == ['10-demo'], j"
	if grep -q "hostname set to vmtest-42" "$VM_OUT/aufs.log"; then ok "aufs: the hook's output is logged"; else nok "aufs: the hook's output is logged"; fi
fi

if want overlay; then
	cat > "$OUT/overlay.in" <<EOF
$T
cd /tmp && tar -xf /dev/vda && cd /
t "status: union overlay" 'livectl status | grep -q "^union: *overlay"'
t "layer add fails with exit 2" 'livectl layer add /tmp/50-extra.squashfs 2>/tmp/err; [ \$? = 2 ]'
t "layer add says why" 'grep -q "overlayfs, which cannot change its layers while mounted" /tmp/err && grep -q "live.union=aufs" /tmp/err'
t "layer add left nothing behind" '[ ! -e /run/live/layers/50-extra ] && ! grep -q 50-extra /proc/mounts /run/live/status'
t "layer del fails with exit 2 and says why" 'livectl layer del 10-demo 2>/tmp/err; [ \$? = 2 ] && grep -q "overlayfs" /tmp/err'
t "the boot layer is still there" 'grep -q " /run/live/layers/10-demo squashfs" /proc/mounts'
echo "CHECKS""-DONE"
poweroff -f
EOF
	vm_session overlay 300 "LIVESTACK-DEMO-READY" "$OUT/overlay.in" -kernel "$KERNEL" -initrd "$INITRD" \
		-cdrom "$ISO" "${DISK[@]}" -append "$APPEND live.union=overlay"
	rc=$?
	[ $rc = 0 ] || nok "overlay: guest powered off before the deadline" "rc=$rc"
	guest_checks overlay
fi

if want persist; then
	# ext4 must be loaded in the running system (it has no modules of its own): the
	# medium is an ext4 disk, so /init loads ext4 to mount it. A second ext4 disk is
	# the save target by device; a new image file in /tmp the target by file.
	pm=$OUT/persist-medium
	mkdir -p "$pm/live"
	cp "$BUILD/demo/10-demo.squashfs" "$pm/live/"
	rm -f "$OUT/medium-ext4.img" "$OUT/save-disk.img"
	mkfs.ext4 -q -F -L LIVEEXT -d "$pm" "$OUT/medium-ext4.img" 64M >/dev/null 2>&1
	mkfs.ext4 -q -F -L savedisk "$OUT/save-disk.img" 32M >/dev/null 2>&1
	cat > "$OUT/persist.in" <<EOF
$T
echo saved-1 > /root/saved.txt; ln -s /root/saved.txt /root/link; ln /root/saved.txt /root/hard; mkfifo /root/fifo; mknod /root/null2 c 1 3; chown 1000:100 /root/saved.txt; chmod 640 /root/saved.txt; rm /etc/motd; touch -d "2001-02-03 04:05:06" /root/old.txt
t "save to an ext4 device" 'livectl persist save --to /dev/vdb'
echo saved-2 > /root/saved.txt; rm /root/old.txt; echo new > /root/new.txt
t "save again: reports files and bytes" 'livectl persist save --to /dev/vdb > /tmp/out && grep -q "files, .* bytes" /tmp/out'
t "save to a new image file" 'livectl persist save --to /tmp/p.img && [ -s /tmp/p.img ]'
t "the image holds the session" 'mount -o loop /tmp/p.img /mnt && [ "\$(cat /mnt/upper/root/saved.txt)" = saved-2 ] && [ -f /mnt/upper/root/new.txt ] && [ -d /mnt/work ]'
t "symlink, fifo, device node kept" '[ "\$(readlink /mnt/upper/root/link)" = /root/saved.txt ] && [ -p /mnt/upper/root/fifo ] && [ "\$(stat -c %t:%T /mnt/upper/root/null2)" = 1:3 ]'
t "owner, mode and hard link kept" '[ "\$(stat -c %u:%g:%a:%h /mnt/upper/root/saved.txt)" = 1000:100:640:2 ] && [ /mnt/upper/root/saved.txt -ef /mnt/upper/root/hard ]'
t "the whiteout of a deleted file kept" '[ -e /mnt/upper/etc/.wh.motd ] || [ -c /mnt/upper/etc/motd ]'
t "no temporary tree left" '[ ! -e /mnt/.upper.new ] && [ ! -e /mnt/.upper.old ]'
umount /mnt
t "times kept" 'livectl persist save --to /tmp/p.img && mount -o loop /tmp/p.img /mnt && [ "\$(stat -c %Y /mnt/upper/root/saved.txt)" = "\$(stat -c %Y /run/live/rw/upper/root/saved.txt)" ] && umount /mnt'
t "a target that is not ext2/3/4 is refused (exit 2)" 'echo junk > /tmp/junk.img; livectl persist save --to /tmp/junk.img 2>/tmp/err; [ \$? = 2 ] && grep -q "not an ext2/3/4" /tmp/err'
t "a target inside the union is refused (exit 2)" 'livectl persist save --to /root/p.img 2>/tmp/err; [ \$? = 2 ] && [ ! -e /root/p.img ]'
t "persist save without --to is a usage error (exit 1)" 'livectl persist save; [ \$? = 1 ]'
t "nothing left mounted" '! grep -q "save\." /proc/mounts'
echo "CHECKS""-DONE"
poweroff -f
EOF
	vm_session persist 300 "LIVESTACK-DEMO-READY" "$OUT/persist.in" -kernel "$KERNEL" -initrd "$INITRD" \
		-drive "file=$OUT/medium-ext4.img,format=raw,if=virtio" \
		-drive "file=$OUT/save-disk.img,format=raw,if=virtio" \
		-append "console=ttyS0,115200 panic=-1 live.media=LABEL=LIVEEXT"
	rc=$?
	[ $rc = 0 ] || nok "persist: guest powered off before the deadline" "rc=$rc"
	guest_checks persist
	# the device as the host sees it: the second save replaced the first
	check "persist: the device holds the second save" bash -c \
		"debugfs -R 'cat /upper/root/saved.txt' '$OUT/save-disk.img' 2>/dev/null | grep -qx saved-2"
	check "persist: a file deleted before the second save is gone" bash -c \
		"! debugfs -R 'stat /upper/root/old.txt' '$OUT/save-disk.img' 2>&1 | grep -q 'Inode:'"
	check "persist: the device's root holds upper/ and work/, no temporary tree" bash -c \
		"debugfs -R 'ls /' '$OUT/save-disk.img' 2>/dev/null | grep -q upper &&
		 debugfs -R 'ls /' '$OUT/save-disk.img' 2>/dev/null | grep -q work &&
		 ! debugfs -R 'ls /' '$OUT/save-disk.img' 2>/dev/null | grep -q '\.upper\.'"
	check "persist: e2fsck finds the device clean" e2fsck -fn "$OUT/save-disk.img"
fi

if want save-overlay; then
	# overlayfs' deletions are 0/0 character devices in the branch: saved as they are
	pm=$OUT/persist-medium
	mkdir -p "$pm/live"
	cp "$BUILD/demo/10-demo.squashfs" "$pm/live/"
	[ -f "$OUT/medium-ext4.img" ] ||
		mkfs.ext4 -q -F -L LIVEEXT -d "$pm" "$OUT/medium-ext4.img" 64M >/dev/null 2>&1
	cat > "$OUT/save-overlay.in" <<EOF
$T
rm /etc/motd; echo kept > /root/kept.txt
t "overlay root" 'grep -q "^overlay / overlay" /proc/mounts'
t "save an overlayfs session to a new image" 'livectl persist save --to /tmp/p.img'
t "the whiteout (0/0 character device) kept" 'mount -o loop /tmp/p.img /mnt && [ -c /mnt/upper/etc/motd ] && [ "\$(stat -c %t:%T /mnt/upper/etc/motd)" = 0:0 ] && [ "\$(cat /mnt/upper/root/kept.txt)" = kept ] && umount /mnt'
echo "CHECKS""-DONE"
poweroff -f
EOF
	vm_session save-overlay 300 "LIVESTACK-DEMO-READY" "$OUT/save-overlay.in" -kernel "$KERNEL" \
		-initrd "$INITRD" -drive "file=$OUT/medium-ext4.img,format=raw,if=virtio,snapshot=on" \
		-append "console=ttyS0,115200 panic=-1 live.media=LABEL=LIVEEXT live.union=overlay"
	rc=$?
	[ $rc = 0 ] || nok "save-overlay: guest powered off before the deadline" "rc=$rc"
	guest_checks save-overlay
fi

if want crash; then
	# power off in the middle of a save: the device has the old save or the new one,
	# complete, never a mix. The second save copies twice the data of the first and
	# the power goes off after half the first one's time.
	pm=$OUT/persist-medium
	mkdir -p "$pm/live"
	cp "$BUILD/demo/10-demo.squashfs" "$pm/live/"
	[ -f "$OUT/medium-ext4.img" ] ||
		mkfs.ext4 -q -F -L LIVEEXT -d "$pm" "$OUT/medium-ext4.img" 64M >/dev/null 2>&1
	rm -f "$OUT/crash-disk.img"
	mkfs.ext4 -q -F -L savedisk "$OUT/crash-disk.img" 160M >/dev/null 2>&1
	cat > "$OUT/crash.in" <<EOF
dd if=/dev/urandom of=/root/big1 bs=1M count=24 2>/dev/null; echo old > /root/marker
s=\$(date +%s%N); livectl persist save --to /dev/vdb && echo "SAVE""1-DONE"; e=\$(date +%s%N); half=\$(( (e - s) / 2000 )); echo "half=\$half us"
echo new > /root/marker; dd if=/dev/urandom of=/root/big2 bs=1M count=24 2>/dev/null
livectl persist save --to /dev/vdb > /dev/null 2>&1 & usleep \$half; echo "POWER""-OFF"; poweroff -f
EOF
	vm_session crash 300 "LIVESTACK-DEMO-READY" "$OUT/crash.in" -kernel "$KERNEL" -initrd "$INITRD" \
		-drive "file=$OUT/medium-ext4.img,format=raw,if=virtio,snapshot=on" \
		-drive "file=$OUT/crash-disk.img,format=raw,if=virtio" \
		-append "console=ttyS0,115200 panic=-1 live.media=LABEL=LIVEEXT"
	rc=$?
	[ $rc = 0 ] || nok "crash: guest powered off before the deadline" "rc=$rc"
	if tr -d '\r' < "$VM_OUT/crash.log" | grep -q "^SAVE1-DONE" &&
		tr -d '\r' < "$VM_OUT/crash.log" | grep -q "^POWER-OFF"; then
		ok "crash: first save done, power cut during the second"
	else
		nok "crash: first save done, power cut during the second" "see $VM_OUT/crash.log"
	fi
	# what the next boot's /init sees: the journal replayed, then the tree
	cp "$OUT/crash-disk.img" "$OUT/crash-fsck.img"
	e2fsck -fy "$OUT/crash-fsck.img" >"$OUT/crash-fsck.log" 2>&1
	[ $? -le 1 ] && ok "crash: the filesystem is consistent after journal replay" ||
		nok "crash: the filesystem is consistent after journal replay" "$(tail -n3 "$OUT/crash-fsck.log")"
	marker=$(debugfs -R 'cat /upper/root/marker' "$OUT/crash-fsck.img" 2>/dev/null)
	size() { debugfs -R "stat /upper/root/$1" "$OUT/crash-fsck.img" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n1; }
	b1=$(size big1) b2=$(size big2)
	case "$marker" in
	old) [ "$b1" = 25165824 ] && [ -z "$b2" ] && ok "crash: the old save, complete (the power went first)" ||
		nok "crash: the old save, complete" "big1=$b1 big2=$b2" ;;
	new) [ "$b1" = 25165824 ] && [ "$b2" = 25165824 ] && ok "crash: the new save, complete (the save went first)" ||
		nok "crash: the new save, complete" "big1=$b1 big2=$b2" ;;
	*) nok "crash: upper/ holds a whole save" "marker='$marker' big1=$b1 big2=$b2" ;;
	esac
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
