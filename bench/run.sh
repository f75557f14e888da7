#!/bin/bash
# make bench: every benchmark, each printing ratios measured in one run.
# usage: bench/run.sh BUILD KVER KCACHE
set -u
cd "$(dirname "$0")/.."
rc=0
sh bench/sizes.sh "$1" || rc=1
for b in boot union toram fetch pxe; do
	[ -f "bench/$b.sh" ] || continue
	echo "# bench $b"
	bash "bench/$b.sh" "$@" || { echo "bench $b: failed"; rc=1; }
done
exit $rc
