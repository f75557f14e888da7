#!/bin/bash
# make check: every suite (host unit tests, VM boots, aufs semantics) with one summary.
# usage: tests/lib/check.sh BUILD KVER KCACHE
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=$1 kver=$2 kcache=$3
tp=0 tf=0
suite() {
	local name=$1; shift
	local log="$build/tests/$name.tap"
	mkdir -p "$build/tests"
	echo "# suite $name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
	if [ -z "$line" ]; then
		echo "not ok - suite $name ended without a summary (exit $rc)"
		tf=$((tf + 1)); return
	fi
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
	tp=$((tp + p)); tf=$((tf + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || { echo "not ok - suite $name exit $rc"; tf=$((tf + 1)); }
	echo "# suite $name: $p passed, $f failed in $((SECONDS - start)) s"
}
suite unit make --no-print-directory unit
for t in tests/unit/test_*.sh; do
	[ -f "$t" ] && suite "$(basename "$t" .sh)" bash "$t" "$build" "$kver" "$kcache"
done
suite vm bash tests/vm/run.sh "$build" "$kver" "$kcache"
# further boot scenarios: every tests/vm/<name>.sh takes BUILD KVER KCACHE
for t in tests/vm/*.sh; do
	case "$t" in tests/vm/run.sh|tests/vm/checks.sh) continue ;; esac
	suite "vm-$(basename "$t" .sh)" bash "$t" "$build" "$kver" "$kcache"
done
suite aufs bash tests/aufs/run.sh "$build" "$kver" "$kcache"
echo "$tp passed, $tf failed"
[ "$tf" = 0 ]
