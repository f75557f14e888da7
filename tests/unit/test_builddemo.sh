#!/bin/sh
# scripts/build-demo.sh's union choice: without aufs.ko for the kernel it stops, naming
# the kernel, what was tried and UNION=overlay, before any work; an unknown UNION is refused.
# usage: sh tests/unit/test_builddemo.sh
set -u
passed=0 failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/test_builddemo.XXXXXX")
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); sed 's/^/#   /' "$T/out"; }
K=6.12.99+deb13-amd64
sh scripts/build-demo.sh "$T/build" "$K" "$T/kcache" >"$T/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "no aufs.ko for $K .*make aufs KVER=$K.*UNION=overlay" "$T/out" &&
	[ ! -e "$T/build/demo" ]; then
	ok "no aufs.ko: stops before any work, naming the kernel, make aufs and UNION=overlay"
else
	not_ok "no aufs.ko: stops before any work, naming the kernel, make aufs and UNION=overlay (rc=$rc)"
fi
sh scripts/build-demo.sh "$T/build" "$K" "$T/kcache" btrfs >"$T/out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "UNION=btrfs: use aufs or overlay" "$T/out"; then
	ok "an unknown UNION is refused"
else
	not_ok "an unknown UNION is refused (rc=$rc)"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
