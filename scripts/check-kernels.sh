#!/bin/bash
# make check-kernels: aufs on every Debian kernel in support (the host suite's, Debian 13's
# and sid's linux-image-amd64): build (warnings count as failure), load, tests/aufs, and a
# demo boot, then one table kernel x (builds, loads, tests/aufs, demo boot).
# usage: scripts/check-kernels.sh BUILD     env: KERNEL_SUITES="trixie sid" (besides the host's)
#        CHECK_KERNELS_DEMO=0 (skip the demo boots)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${1:-build}
suites=${KERNEL_SUITES:-trixie sid}
out=$BUILD/kernels
mkdir -p "$out"

# the kernels: the host suite's, then each suite's linux-image-amd64 (no duplicates)
kvers=() from=()
add() { local k; for k in "${kvers[@]}"; do [ "$k" = "$1" ] && return; done; kvers+=("$1"); from+=("$2"); }
if host=$(sh scripts/kver.sh 2>/dev/null); then add "$host" host; fi
for s in $suites; do
	if k=$(sh scripts/kchroot.sh kver "$s"); then add "$k" "$s"; else echo "# check-kernels: no kernel for $s"; fi
done

rows=() fails=0
for i in "${!kvers[@]}"; do
	k=${kvers[$i]} s=${from[$i]} b=$out/$k
	log=$b/check.log
	mkdir -p "$b" "$BUILD/aufs"
	: > "$log"
	echo "# check-kernels: $k ($s)"
	# this kernel's build dir shares the tools and caches, keeps its own tests and demo
	for d in bin cache initramfs aufs; do [ -e "$b/$d" ] || ln -s "$top/$BUILD/$d" "$b/$d"; done
	if [ "$s" != host ] && ! sh scripts/kchroot.sh all "$s" >> "$log" 2>&1; then
		rows+=("$k|no chroot|-|-|-"); fails=$((fails + 1)); continue
	fi
	t0=$(date +%s)
	if sh scripts/aufs-build.sh "$k" "$BUILD/aufs/$k" >> "$log" 2>&1; then
		w=$(grep -cE '\.[ch]:[0-9]+:[0-9]+: warning:' "$log")
		build="yes ($(($(date +%s) - t0)) s)"
		[ "$w" = 0 ] || { build="$w warnings"; fails=$((fails + 1)); }
	else
		rows+=("$k|no: $(grep -m1 -E 'error|ERROR' "$log" | cut -c1-40)|-|-|-"); fails=$((fails + 1)); continue
	fi
	kc=$top/$BUILD/cache/kernel/$k
	bash tests/aufs/run.sh "$b" "$k" "$kc" > "$b/aufs.tap" 2>&1
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$b/aufs.tap" | tail -n1)
	if grep -q 'aufs.ko does not load' "$b/aufs.tap"; then load=no; fails=$((fails + 1))
	elif grep -q '^ok .* - aufs/' "$b/aufs.tap"; then load=yes
	else load="?"; fi
	case "$sum" in *", 0 failed") ;; *) fails=$((fails + 1)) ;; esac
	grep '^not ok' "$b/aufs.tap" | sed "s/^/# $k: /"
	demo=n/a
	if [ "${CHECK_KERNELS_DEMO:-1}" != 0 ]; then
		if ! sh scripts/build-demo.sh "$b" "$k" "$kc" > "$b/demo-build.log" 2>&1; then
			demo="n/a: image: $(grep -m1 -iE 'error|cannot|refus|unsupported' "$b/demo-build.log" | cut -c1-50)"
		elif bash scripts/demo.sh "$b" "$k" "$kc" > "$b/demo.log" 2>&1 &&
			grep -q 'root union: aufs' "$b/demo.log"; then
			demo=aufs
		else
			demo="FAILED ($(grep -m1 'root union' "$b/demo.log" | cut -c1-40))"; fails=$((fails + 1))
		fi
	fi
	rows+=("$k|$build|$load|${sum:-no summary}|$demo")
done

echo
printf '| %-24s | %-12s | %-5s | %-22s | %s\n' kernel builds loads "tests/aufs" "demo boot"
printf '|%s|%s|%s|%s|%s\n' "--------------------------" "--------------" "-------" "------------------------" "-----------"
for r in "${rows[@]}"; do
	IFS='|' read -r k bu lo te de <<< "$r"
	printf '| %-24s | %-12s | %-5s | %-22s | %s\n' "$k" "$bu" "$lo" "$te" "$de"
done
echo "# logs: $out/KVER/{check.log,aufs.tap,demo.log}"
[ "$fails" = 0 ]
