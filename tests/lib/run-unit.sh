#!/bin/sh
# Run each host unit-test binary; sum their "N passed, M failed" lines.
set -u
p=0 f=0
for t in "$@"; do
	echo "# $t"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
	if [ -z "$line" ]; then
		echo "not ok - $t (crashed or no summary, exit $rc)"; f=$((f + 1)); continue
	fi
	tp=${line%% passed*}; tf=${line#*, }; tf=${tf%% failed}
	p=$((p + tp)); f=$((f + tf))
	if [ "$rc" != 0 ] && [ "$tf" = 0 ]; then echo "not ok - $t exit $rc"; f=$((f + 1)); fi
done
echo "$p passed, $f failed"
[ "$f" = 0 ]
