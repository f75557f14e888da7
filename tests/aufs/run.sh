#!/bin/bash
# aufs semantics suite: build the guest (static fsop, busybox, modules, squashfs fixture), boot it
# once per union type (overlay first, as the reference, then aufs), collect TAP, and end with
# "N passed, M failed". A guest that dies (WARN/oops with panic_on_warn) fails the running case;
# the suite then boots again from the next case.
#
# usage: tests/aufs/run.sh BUILD KVER KCACHE
# env:   AUFS_TEST_TYPES="overlay aufs"  AUFS_TEST_RW=tmpfs,ext4  AUFS_TEST_MODEL=15 (s per pass)
#        AUFS_TEST_ONLY=substring[,substring...] (run matching cases only)  AUFS_TEST_SEED=N (model seed)
#        AUFS_TEST_DEADLINE=210 (s per boot)  AUFS_TEST_BUDGET=420 (s for all boots)
#        AUFS_TEST_SMP=2 (guest CPUs)  AUFS_TEST_STRESS=10 (s per stress pass)  AUFS_TEST_PROCS=4
#        AUFS_TEST_SCALE=48 (files per dir of copyup-scale; its times: '# copyup-scale' lines)
#        AUFS_TEST_BUILTIN=1 (the kernel has the guest drivers built in: no modules but aufs.ko)
#        AUFS_TEST_APPEND="..." (more kernel args; fsop.kmemleak=1: kmemleak scan at the end)
#        AUFS_TEST_RMMOD=1 (unload aufs at the end)
#        AUFS_TEST_XINO=FILESxPASSES (xino-* cases: tree size and passes; default 8000x3,
#        the issue-11 measurement is 200000x10 with AUFS_TEST_ONLY=xino AUFS_TEST_DEADLINE=1500)
set -u
if [ $# -ne 3 ]; then echo "usage: $0 BUILD KVER KCACHE" >&2; exit 2; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/aufs
AUFS_KO=$BUILD/aufs/$KVER/aufs.ko
: "${AUFS_TEST_TYPES:=overlay aufs}" "${AUFS_TEST_RW:=tmpfs,ext4}" "${AUFS_TEST_MODEL:=15}"
: "${AUFS_TEST_ONLY:=}" "${AUFS_TEST_SEED:=}" "${AUFS_TEST_DEADLINE:=210}" "${AUFS_TEST_BUDGET:=420}"
: "${AUFS_TEST_SMP:=2}" "${AUFS_TEST_STRESS:=10}" "${AUFS_TEST_PROCS:=4}"
: "${AUFS_TEST_SCALE:=48}"
: "${AUFS_TEST_BUILTIN:=}" "${AUFS_TEST_APPEND:=}" "${AUFS_TEST_RMMOD:=1}" "${AUFS_TEST_XINO:=}"
# two CPUs: the background removal (dirwh) and the stress processes run in parallel
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs VM_SMP=$AUFS_TEST_SMP
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"

die() { echo "aufs-test: $*" >&2; echo "not ok - aufs-test setup: $*"; echo "0 passed, 1 failed"; exit 1; }

[ -f "$KCACHE/vmlinuz" ] || die "no kernel in $KCACHE (make deps)"
kmod=$KCACHE/lib/modules/$KVER
mkdir -p "$OUT" "$VM_OUT"
# one run at a time per build dir (shared disk image, logs; and only two cores)
exec 9>"$OUT/.lock"
if ! flock -n 9; then
	echo "# aufs-test: another run holds $OUT/.lock, waiting"
	flock 9
fi

# 1. the static test binary (also builds the fixture on the host)
musl-gcc -static -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -o "$OUT/fsop" \
	"$top"/tests/aufs/*.c || die "fsop does not build"

# 2. the guest root
root=$OUT/root
rm -rf "$root" "$OUT/fixture"
mkdir -p "$root/bin" "$root/fixture" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
"$OUT/fsop" mkfixture "$OUT/fixture" || die "fixture"
mksquashfs "$OUT/fixture" "$root/fixture/lower.sqfs" -noappend -quiet -no-progress >/dev/null \
	|| die "mksquashfs"
cp /bin/busybox "$root/bin/busybox" || die "busybox-static missing"
cp "$OUT/fsop" "$root/fsop"
guest_modules "$kmod" "$root" loop squashfs overlay ext4 virtio_pci virtio_blk > "$root/lib/modules/order"
[ -s "$root/lib/modules/order" ] || [ -n "$AUFS_TEST_BUILTIN" ] || die "no modules from $kmod"
have_aufs=0
if [ -f "$AUFS_KO" ]; then cp "$AUFS_KO" "$root/lib/modules/aufs.ko"; have_aufs=1; fi
cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m 2>/dev/null; done
if grep -q 'fsop.type=aufs' /proc/cmdline; then
	if ! err=$(insmod /lib/modules/aufs.ko 2>&1); then
		echo "not ok 1 - aufs.ko does not load: $err"
		dmesg | tail -n 20 | sed 's/^/# /'
		echo "0 passed, 1 failed"; echo FSOP-DONE; poweroff -f
	fi
fi
# a case that hangs leaves its stacks in the log, before the deadline: every task's, from /proc
# (not sysrq: its backtraces in the kernel log would fail the running case)
wd=$(sed -n 's/.*fsop\.watchdog=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$wd" ]; then
	(sleep "$wd"; echo "# watchdog: ${wd}s passed, dumping the stacks"
	 for d in /proc/[0-9]*; do
		c=$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null); [ -n "$c" ] || continue
		echo "# watchdog: pid ${d#/proc/} $c$(grep '^State' "$d/status")"
		sed 's/^/# watchdog:   /' "$d/stack"
	 done) &
fi
/fsop run
if grep -q 'fsop.kmemleak=1' /proc/cmdline; then
	mount -t debugfs debugfs /sys/kernel/debug
	if [ -w /sys/kernel/debug/kmemleak ]; then
		sleep 6; echo scan > /sys/kernel/debug/kmemleak; echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak; echo KMEMLEAK-SCANNED
	else echo "KMEMLEAK-MISSING: this kernel has no /sys/kernel/debug/kmemleak"; fi
fi
sync
poweroff -f
EOF
chmod 755 "$root/init"
guest_initramfs "$root" "$OUT/initrd.gz" || die "initramfs"

# 3. boot per union type; restart after a crash from the case after the one that died
total_pass=0 total_fail=0 n=0 t0=$(date +%s)
emit() {	# renumber TAP lines of one boot
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*|"not ok "*)
			n=$((n + 1))
			case "$line" in ok*) total_pass=$((total_pass + 1)) ;; *) total_fail=$((total_fail + 1)) ;; esac
			echo "$line" | sed -E "s/^(not ok|ok) [0-9]+/\\1 $n/" ;;
		"#"*) echo "$line" ;;
		esac
	done
}

for type in $AUFS_TEST_TYPES; do
	if [ "$type" = aufs ] && [ "$have_aufs" = 0 ]; then
		n=$((n + 1)); total_fail=$((total_fail + 1))
		echo "not ok $n - aufs: $AUFS_KO missing (build the module first)"
		continue
	fi
	from=0 boot=0
	while :; do
		boot=$((boot + 1))
		name=$type-$boot
		truncate -s 0 "$OUT/disk.img"; truncate -s 512M "$OUT/disk.img"
		mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$OUT/disk.img" || die "mkfs.ext4"
		# a deadlock panics too (hung task after 20 s), so the log shows the stacks
		args="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 loglevel=5 softlockup_panic=1 no_timer_check"
		args="$args sysctl.kernel.hung_task_timeout_secs=20 sysctl.kernel.hung_task_panic=1"
		args="$args fsop.type=$type"
		args="$args fsop.rw=$AUFS_TEST_RW fsop.from=$from fsop.model=$AUFS_TEST_MODEL fsop.rmmod=$AUFS_TEST_RMMOD"
		[ -n "$AUFS_TEST_ONLY" ] && args="$args fsop.only=$AUFS_TEST_ONLY"
		[ -n "$AUFS_TEST_SEED" ] && args="$args fsop.seed=$AUFS_TEST_SEED"
		[ -n "$AUFS_TEST_APPEND" ] && args="$args $AUFS_TEST_APPEND"
		[ -n "$AUFS_TEST_XINO" ] && args="$args fsop.xino=$AUFS_TEST_XINO"
		args="$args fsop.stress=$AUFS_TEST_STRESS fsop.procs=$AUFS_TEST_PROCS fsop.scale=$AUFS_TEST_SCALE"
		echo "# boot $name: $args"
		left=$(( t0 + AUFS_TEST_BUDGET - $(date +%s) ))
		deadline=$AUFS_TEST_DEADLINE; [ "$left" -lt "$deadline" ] && deadline=$left
		[ "$deadline" -lt 60 ] && deadline=60
		args="$args fsop.watchdog=$((deadline - 25))"
		vm_boot "$name" "$deadline" -kernel "$KCACHE/vmlinuz" -initrd "$OUT/initrd.gz" \
			-append "$args" -drive "file=$OUT/disk.img,if=virtio,format=raw"
		rc=$?
		log=$VM_OUT/$name.log
		emit < <(tr -d '\r' < "$log" | grep -E '^(ok |not ok |#)' | grep -v '^# start ')
		if tr -d '\r' < "$log" | grep -q '^FSOP-DONE'; then
			break
		fi
		# the guest died or hung: blame the case that was running
		last=$(tr -d '\r' < "$log" | grep -E '^# start [0-9]+ ' | tail -n1)
		why="guest crashed (see $log)"; [ "$rc" = 124 ] && why="timeout after ${deadline}s"
		n=$((n + 1)); total_fail=$((total_fail + 1))
		if [ -z "$last" ]; then
			echo "not ok $n - $type: no test started, $why"
			tr -d '\r' < "$log" | tail -n 15 | sed 's/^/#   /'
			break
		fi
		set -- $last
		echo "not ok $n - $4 # $why"
		tr -d '\r' < "$log" | grep -E 'Kernel panic|BUG|WARNING|RIP:|Oops|Call Trace' | head -n 8 | sed 's/^/#   /'
		from=$(($3 + 1))
		if [ "$boot" -ge 8 ] || [ $(( $(date +%s) - t0 )) -gt $(( AUFS_TEST_BUDGET - 60 )) ]; then
			echo "# giving up on $type after $boot boots"
			break
		fi
	done
done
echo "# aufs-test took $(( $(date +%s) - t0 ))s; logs in $VM_OUT"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$n" -gt 0 ]
