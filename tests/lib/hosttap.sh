# shellcheck shell=sh
# TAP helpers for the host tests in tests/unit/*.sh that run livestack-mkimage: a scratch
# dir $T removed at exit (its tmp/ is TMPDIR, so the program's own temp dirs are seen),
# the counters, ok/not_ok, check NAME CMD... (a case per command that must succeed) and
# finish ("N passed, M failed", exit status). POSIX sh. Usage: . tests/lib/hosttap.sh NAME
passed=0 failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/${1:-test}.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tmp" && TMPDIR=$T/tmp && export TMPDIR
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/#   /' "$T/out"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }
