# shellcheck shell=sh
# TAP helpers for the host tests in tests/unit/*.sh that run livestack-mkimage: a scratch
# dir $T removed at exit (its tmp/ is TMPDIR, so the program's own temp dirs are seen),
# the counters, ok/not_ok, check NAME CMD... (a case per command that must succeed) and
# finish ("N passed, M failed", exit status), need_mkimage. POSIX sh.
# Usage: . tests/lib/hosttap.sh NAME
passed=0 failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/${1:-test}.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tmp" && TMPDIR=$T/tmp && export TMPDIR
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/#   /' "$T/out"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

# need_mkimage TOOL...: $MK (BUILD's livestack-mkimage) and the host tools exist, or the
# test ends with one failure that names what is missing
need_mkimage() {
	if [ ! -x "$MK" ]; then
		not_ok "mkimage_binary ($MK missing: make $BUILD/bin/livestack-mkimage)"
		finish
	fi
	for t in "$@"; do
		command -v "$t" >/dev/null || { not_ok "$t installed (make deps)"; finish; }
	done
}
