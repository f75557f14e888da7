#!/bin/bash
# make fuzz: each harness in turn for SECONDS (niced), its corpus grown in a copy under OUT;
# a crash, leak, hang or UB report stops that target and is kept in OUT/NAME.crashes/.
# usage: tests/fuzz/run.sh OUT SECONDS BIN...   (env FUZZ_JOBS is not used: one at a time)
set -u
out=$1 secs=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
fail=0
for bin in "$@"; do
	name=$(basename "$bin"); t=${name#fuzz_}
	work=$out/$name.corpus; crashes=$out/$name.crashes
	mkdir -p "$work" "$crashes"
	[ -d "$here/corpus/$t" ] && cp -n "$here/corpus/$t"/* "$work"/ 2>/dev/null
	log=$out/$name.log
	extra=()
	[ -f "$here/$t.dict" ] && extra+=(-dict="$here/$t.dict")
	nice -n 10 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=131072 \
		-print_final_stats=1 -artifact_prefix="$crashes/" -close_fd_mask=1 "${extra[@]}" \
		"$work" > "$log" 2>&1
	rc=$?
	runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*/cov \1 ft \2/')
	if [ "$rc" = 0 ]; then
		echo "ok - $t: ${secs}s, ${runs:-?} executions, ${cov:-cov ?}"
	else
		echo "not ok - $t: exit $rc, see $log and $crashes/"
		fail=$((fail + 1))
	fi
done
echo "$(( $# - fail )) passed, $fail failed"
[ "$fail" = 0 ]
