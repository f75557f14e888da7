#!/bin/bash
# make fuzz-replay (a suite of make check): every harness runs its seed corpus and every past
# crash input (tests/fuzz/corpus/NAME, tests/fuzz/crashes/NAME) once, without fuzzing.
# usage: tests/fuzz/replay.sh BIN...
set -u
here=$(cd "$(dirname "$0")" && pwd)
p=0 f=0
for bin in "$@"; do
	name=$(basename "$bin"); t=${name#fuzz_}
	for d in corpus crashes; do
		dir=$here/$d/$t
		[ -d "$dir" ] || continue
		n=$(find "$dir" -type f | wc -l)
		[ "$n" -gt 0 ] || continue
		if out=$(find "$dir" -type f -print0 | xargs -0 "$bin" -runs=1 -timeout=10 2>&1); then
			echo "ok - $t: $n $d inputs"
			p=$((p + 1))
		else
			echo "not ok - $t: $d: a replayed input fails"
			printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|runtime error|Running:' | tail -n 8 | sed 's/^/#   /'
			f=$((f + 1))
		fi
	done
done
echo "$p passed, $f failed"
[ "$f" = 0 ]
