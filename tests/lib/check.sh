#!/bin/bash
# make check: every suite (host unit tests, VM boots, aufs semantics) with one summary.
# Suites run CHECK_JOBS at a time (default: the number of CPUs; each QEMU TCG guest keeps
# one CPU busy), longest first; their TAP output is printed whole, in a fixed order.
# usage: tests/lib/check.sh BUILD KVER KCACHE   (env CHECK_JOBS=N)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=$1 kver=$2 kcache=$3
jobs=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
logs=$build/tests/check
rm -rf "$logs"; mkdir -p "$logs"

names=() cmds=()
add() { local q; names+=("$1"); shift; printf -v q '%q ' "$@"; cmds+=("$q"); }
# aufs on Debian 13's kernel (its chroot, kernel and build the first time: the longest)
add aufs-trixie bash tests/aufs/suite-kernel.sh trixie "$build"
# the slowest first (seconds measured in a clean CI run), so the last to finish is short
for t in persist pxe_site debian-root secureboot run foreign pxe persist_part pid1 rescue_net rescue_core devices rescue toram shutdown isofile knoppix livectl; do
	[ -f "tests/vm/$t.sh" ] || continue
	n=vm-$t; [ "$t" = run ] && n=vm
	add "$n" bash "tests/vm/$t.sh" "$build" "$kver" "$kcache"
done
for t in tests/vm/*.sh; do	# every other tests/vm/<name>.sh takes BUILD KVER KCACHE
	b=$(basename "$t" .sh)
	case " run checks pxe pxe_site secureboot pid1 persist debian-root devices rescue foreign toram isofile livectl shutdown persist_part rescue_net rescue_core knoppix " in
	*" $b "*) continue ;;
	esac
	add "vm-$b" bash "$t" "$build" "$kver" "$kcache"
done
add aufs bash tests/aufs/run.sh "$build" "$kver" "$kcache"
for t in tests/unit/test_*.sh; do
	[ -f "$t" ] && add "$(basename "$t" .sh)" bash "$t" "$build" "$kver" "$kcache"
done
add unit make --no-print-directory unit
# every fuzz corpus and past crash input replayed once under ASan/UBSan (tests/fuzz)
add fuzz-replay make --no-print-directory fuzz-replay

start() { # start I: run suite I in the background; its log, exit code and times in $logs
	local i=$1
	(
		date +%s > "$logs/$i.start"
		eval "${cmds[$i]}" > "$logs/$i.log" 2>&1 < /dev/null
		echo $? > "$logs/$i.rc.tmp"
		date +%s > "$logs/$i.end"
		mv "$logs/$i.rc.tmp" "$logs/$i.rc"
	) &
}
running() { local n=0 i; for ((i = 0; i < launched; i++)); do [ -f "$logs/$i.rc" ] || n=$((n + 1)); done; echo $n; }

tp=0 tf=0 launched=0 shown=0 total=${#names[@]}
report() { # report I: print suite I's output and add its summary to the totals
	local i=$1 name=${names[$1]} log="$logs/$1.log" rc line p f
	rc=$(cat "$logs/$i.rc")
	echo "# suite $name: ${cmds[$i]}"
	cat "$log"
	cp "$log" "$build/tests/$name.tap"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "not ok - suite $name ended without a summary (exit $rc)"
		tf=$((tf + 1)); return
	fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
	tp=$((tp + p)); tf=$((tf + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || { echo "not ok - suite $name exit $rc"; tf=$((tf + 1)); }
	echo "# suite $name: $p passed, $f failed in $(($(cat "$logs/$i.end") - $(cat "$logs/$i.start"))) s"
}
echo "# $total suites, $jobs at a time"
while [ "$shown" -lt "$total" ]; do
	while [ "$launched" -lt "$total" ] && [ "$(running)" -lt "$jobs" ]; do
		start "$launched"; launched=$((launched + 1))
	done
	if [ -f "$logs/$shown.rc" ]; then
		report "$shown"; shown=$((shown + 1))
	else
		sleep 1
	fi
done
wait
echo "$tp passed, $tf failed"
[ "$tf" = 0 ]
