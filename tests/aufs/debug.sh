#!/bin/bash
# make aufs-debug: aufs.ko against the debug kernel (scripts/debug-kernel.sh), all of tests/aufs
# and AUFS_DEBUG_MINUTES of the multi-process stress on -smp 4 under it, then every serial log is
# scanned: any KASAN, KFENCE, lockdep, RCU, sleep-in-atomic, list/debugobjects or kmemleak
# report fails the run (TAP, "N passed, M failed").
#
# usage: tests/aufs/debug.sh BUILD          (outputs in BUILD/debug)
#        tests/aufs/debug.sh scan LOGDIR    (only the scan, of LOGDIR/*/*.log)
# env:   AUFS_DEBUG_MINUTES=10 (stress)  AUFS_DEBUG_CASES=1 (0: stress only)
#        AUFS_DEBUG_SMP=2 (cases)  AUFS_DEBUG_STRESS_SMP=4  AUFS_DEBUG_PROCS=4 (stress)
#        AUFS_DEBUG_MEM=2048  AUFS_TEST_ONLY (passed on to the cases)
#        DEBUG_KERNEL_CACHE (see scripts/debug-kernel.sh)
set -u
usage() { echo "usage: $0 BUILD | $0 scan LOGDIR" >&2; exit 2; }
[ $# -ge 1 ] || usage
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=run
if [ "$1" = scan ]; then
	[ $# -eq 2 ] || usage
	[ -d "$2" ] || { echo "aufs-debug: no log directory $2" >&2; exit 2; }
	mode=scan LOGS=$2
else
	[ $# -eq 1 ] || usage
	case "$1" in /*) BUILD=$1 ;; *) BUILD=$top/$1 ;; esac
	LOGS=$BUILD/debug/logs
fi
: "${AUFS_DEBUG_MINUTES:=10}" "${AUFS_DEBUG_CASES:=1}" "${AUFS_DEBUG_SMP:=2}" "${AUFS_DEBUG_MEM:=2048}"
: "${AUFS_DEBUG_STRESS_SMP:=4}" "${AUFS_DEBUG_PROCS:=4}"
OUT=${BUILD:-}/debug
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
finish() { echo "# logs in $LOGS"; echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

case "$AUFS_DEBUG_MINUTES" in ''|*[!0-9]*) echo "aufs-debug: AUFS_DEBUG_MINUTES must be a number of minutes" >&2; exit 2 ;; esac

# the reports: each class is a test; each report is shown with the first lines of its stack
scan() {	# scan NAME EREGEX
	local name=$1 re=$2 hits=0 log
	for log in "$LOGS"/*/*.log; do
		[ -f "$log" ] || continue
		while IFS=: read -r line _; do
			hits=$((hits + 1))
			echo "#   ${log#"$LOGS"/} line $line:"
			tr -d '\r' < "$log" | sed -n "${line},$((line + 24))p" | sed 's/^/#     /'
		done < <(tr -d '\r' < "$log" | grep -nE "$re" | grep -v '^[0-9]*:#')
	done
	if [ "$hits" = 0 ]; then ok "no $name report"; else notok "$hits $name report(s)"; fi
}
scan_all() {
	ls "$LOGS"/*/*.log >/dev/null 2>&1 || { notok "no serial logs to scan in $LOGS"; return; }
	scan KASAN 'BUG: KASAN|KASAN: '
	scan KFENCE 'BUG: KFENCE'
	scan lockdep 'possible circular locking|inconsistent lock state|possible recursive locking|possible irq lock inversion|bad unlock balance|held lock freed|lock held when returning|BUG: MAX_LOCKDEP|BUG: looking up invalid subclass|DEBUG_LOCKS_WARN_ON'
	scan RCU 'suspicious RCU usage|rcu_preempt detected stalls|rcu: INFO'
	scan sleep-in-atomic 'BUG: sleeping function called from invalid context|BUG: scheduling while atomic|BUG: workqueue leaked lock'
	scan list-corruption 'list_add corruption|list_del corruption|list_add double add|list_del.* corruption'
	scan debugobjects 'ODEBUG:'
	scan kmemleak 'unreferenced object 0x'
	scan other-oops 'Oops: |general protection fault|kernel BUG at|Kernel panic|INFO: task .* blocked for more than|WARNING: CPU:'
	if grep -q '^KMEMLEAK-SCANNED' "$LOGS"/*/*.log 2>/dev/null; then ok "kmemleak scan ran"
	else notok "kmemleak scan ran (no KMEMLEAK-SCANNED on any console)"; fi
}
if [ "$mode" = scan ]; then scan_all; finish; fi

# 1. the kernel (built once per machine) and aufs.ko against its object tree
t0=$(date +%s)
if ! kdir=$(bash "$top/scripts/debug-kernel.sh" build); then
	notok "debug kernel builds"; finish
fi
kver=$(cat "$kdir/kver")
echo "# debug kernel $kver in $kdir (built in $(cat "$kdir/build-seconds")s)"
mkdir -p "$OUT/aufs-src"
rm -rf "$OUT/logs" "$OUT/aufs-src"/*
cp "$top"/aufs/*.[ch] "$top/aufs/Kbuild" "$top/aufs/Makefile" "$top/aufs/probe.sh" "$OUT/aufs-src/"
cp -r "$top/aufs/probe" "$OUT/aufs-src/"
rm -f "$OUT/aufs-src/compat_probe.h"	# the probes decide for this kernel's headers
if make -s -C "$OUT/aufs-src" KDIR="$kdir/obj" KVER="$kver" OUT="$OUT/aufs/$kver" AUFS_DEBUG=y \
	> "$OUT/aufs-build.log" 2>&1; then
	ok "aufs.ko builds against $kver (no undefined symbols)"
else
	sed 's/^/#   /' "$OUT/aufs-build.log" | tail -n 20
	notok "aufs.ko builds against $kver"; finish
fi

# 2. the suites: run.sh with the debug kernel, every driver built in; logs kept per phase
phase() {	# phase NAME run.sh-env...: run tests/aufs/run.sh, keep its logs in OUT/logs/NAME
	local name=$1; shift
	env "$@" AUFS_TEST_TYPES=aufs AUFS_TEST_BUILTIN=1 VM_MEM="$AUFS_DEBUG_MEM" \
		bash "$top/tests/aufs/run.sh" "$OUT" "$kver" "$kdir/kcache" > "$OUT/$name.tap" 2>&1
	local rc=$?
	grep -E '^(not ok|# boot|#   )' "$OUT/$name.tap" | head -n 40
	mkdir -p "$OUT/logs"; rm -rf "$OUT/logs/$name"
	mv "$OUT/tests/aufs/logs" "$OUT/logs/$name"
	local summary; summary=$(tail -n 1 "$OUT/$name.tap")
	if [ "$rc" = 0 ]; then ok "$name under the debug kernel: $summary"
	else notok "$name under the debug kernel: $summary (see $OUT/$name.tap)"; fi
}
# a TCG guest with KASAN and lockdep on a loaded host is slow: longer hung-task, soft-lockup
# and RCU-stall limits than run.sh's (later sysctl arguments win)
append="fsop.kmemleak=1 sysctl.kernel.hung_task_timeout_secs=120 watchdog_thresh=60"
append="$append rcupdate.rcu_cpu_stall_timeout=60"
if [ "$AUFS_DEBUG_CASES" != 0 ]; then
	phase cases AUFS_TEST_MODEL=0 AUFS_TEST_DEADLINE=2400 AUFS_TEST_BUDGET=4800 \
		AUFS_TEST_APPEND="$append" AUFS_TEST_SMP="$AUFS_DEBUG_SMP"
fi
if [ "$AUFS_DEBUG_MINUTES" -gt 0 ]; then
	# the multi-process stress (AUFS_DEBUG_PROCS processes, one more adding and deleting a
	# branch) on AUFS_DEBUG_STRESS_SMP CPUs, then one minute of the single-process model;
	# one pass of each per rw branch type (tmpfs, ext4)
	secs=$(( AUFS_DEBUG_MINUTES * 60 / 2 ))
	phase stress AUFS_TEST_ONLY=stress-multiproc,model AUFS_TEST_STRESS=$secs \
		AUFS_TEST_PROCS="$AUFS_DEBUG_PROCS" AUFS_TEST_MODEL=30 AUFS_TEST_RMMOD=0 \
		AUFS_TEST_DEADLINE=$(( secs * 4 + 1200 )) AUFS_TEST_BUDGET=$(( secs * 4 + 1200 )) \
		AUFS_TEST_APPEND="$append" AUFS_TEST_SMP="$AUFS_DEBUG_STRESS_SMP"
fi

# 3. every console log
scan_all
echo "# aufs-debug took $(( $(date +%s) - t0 ))s"
finish
