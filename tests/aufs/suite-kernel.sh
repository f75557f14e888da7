#!/bin/bash
# The aufs suite on another Debian suite's kernel (make check runs it for trixie):
# the suite's build chroot and kernel (scripts/kchroot.sh, cached), aufs.ko built there,
# then tests/aufs/run.sh in BUILD/kernels/KVER, then the demo ISO made for that kernel
# booted through its boot loader to an aufs root. TAP, ends with "N passed, M failed".
# env: SUITE_KERNEL_DEMO=0 skips the demo boot
# usage: tests/aufs/suite-kernel.sh SUITE BUILD
set -u
if [ $# -ne 2 ]; then echo "usage: $0 SUITE BUILD" >&2; exit 2; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
suite=$1 build=$2
fail() { echo "not ok - aufs on $suite: $*"; echo "0 passed, 1 failed"; exit 1; }
kver=$(sh scripts/kchroot.sh kver "$suite") || fail "no kernel version (apt lists of $suite)"
if [ "$kver" = "$(sh scripts/kver.sh 2>/dev/null)" ]; then
	echo "ok - aufs on $suite # SKIP $kver is the host's kernel: the aufs suite covers it"
	echo "1 passed, 0 failed"; exit 0
fi
b=$build/kernels/$kver
mkdir -p "$b" "$build/aufs"
# this kernel's build dir shares the tools and caches, keeps its own tests and demo
for d in bin cache initramfs aufs; do [ -e "$b/$d" ] || ln -s "$top/$build/$d" "$b/$d"; done
t0=$(date +%s)
sh scripts/kchroot.sh all "$suite" > "$b/setup.log" 2>&1 ||
	fail "no chroot or kernel for $kver ($(tail -n1 "$b/setup.log"))"
sh scripts/aufs-build.sh "$kver" "$build/aufs/$kver" >> "$b/setup.log" 2>&1 ||
	fail "aufs does not build for $kver ($(grep -m1 -E 'error|ERROR' "$b/setup.log"))"
w=$(grep -cE '\.[ch]:[0-9]+:[0-9]+: warning:' "$b/setup.log")
echo "# aufs for $kver: chroot, kernel and build took $(($(date +%s) - t0)) s, $w warnings"
if [ "$w" != 0 ]; then
	grep -E '\.[ch]:[0-9]+:[0-9]+: warning:' "$b/setup.log" | sed 's/^/# /'
	echo "not ok - aufs builds for $kver without warnings"; wf=1
else
	echo "ok - aufs builds for $kver without warnings"; wf=0
fi
bash tests/aufs/run.sh "$b" "$kver" "$top/$build/cache/kernel/$kver" | sed "s|^\(not \)\{0,1\}ok \([0-9]* \)\{0,1\}- |&$kver: |" > "$b/aufs.tap"
rc=${PIPESTATUS[0]}
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$b/aufs.tap"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$b/aufs.tap" | tail -n1)
[ -n "$line" ] || fail "tests/aufs ended without a summary (exit $rc)"
p=${line%% passed*} f=${line#*, }; f=${f%% failed}
# the demo for this kernel, booted as a user would (make demo KVER=...)
df=0 dp=0
if [ "${SUITE_KERNEL_DEMO:-1}" != 0 ]; then
	kc=$top/$build/cache/kernel/$kver
	if ! sh scripts/build-demo.sh "$b" "$kver" "$kc" > "$b/demo-build.log" 2>&1; then
		echo "not ok - $kver: the demo ISO builds # $(grep -m1 -iE 'error|cannot|refus' "$b/demo-build.log")"
		df=1
	elif bash scripts/demo.sh "$b" "$kver" "$kc" > "$b/demo.log" 2>&1 &&
		grep -q 'root union: aufs' "$b/demo.log"; then
		echo "ok - $kver: the demo ISO boots (BIOS, CD) to an aufs root"; dp=1
	else
		echo "not ok - $kver: the demo ISO boots (BIOS, CD) to an aufs root # $(grep -m1 'root union' "$b/demo.log")"
		df=1
	fi
fi
echo "$((p + 1 - wf + dp)) passed, $((f + wf + df)) failed"
[ "$f" = 0 ] && [ "$wf" = 0 ] && [ "$rc" = 0 ] && [ "$df" = 0 ]
