#!/bin/bash
# livectl status --timeline / --svg FILE on the host, from crafted status files: the spans
# (kernel, each phase in order, the time outside phases), the SVG is well-formed XML with one
# bar per span and names escaped, and broken or hostile time values are refused by name; a
# status file with a key given twice is not trusted.
# Usage: bash tests/unit/test_timeline.sh [BUILD [KVER KCACHE]]
set -u
BUILD=${1:-build}
CTL=$(pwd)/$BUILD/bin/livectl
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
nok() { echo "not ok - $1"; failed=$((failed + 1)); sed 's/^/#   /' "$W/out" 2>/dev/null; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }
[ -x "$CTL" ] || { echo "not ok - livectl binary ($CTL missing)"; failed=1; finish; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export LIVECTL_STATUS=$W/status

status() { # status EXTRA-LINES...: a status file with three phases and the given times
	printf '%s\n' format=1 union=aufs time.init-top=3 time.modules=120 time.premount=850 "$@" > "$W/status"
}

status time.start=2300 time.total=1100 time.exec=3400
if COLUMNS=80 "$CTL" status --timeline > "$W/out" 2>&1 &&
	grep -qx 'boot timeline: 3400 ms from kernel start to the real init' "$W/out" &&
	grep -Eq '^kernel +0 +2300 ms \|#+ +\|$' "$W/out" &&
	grep -Eq '^modules +2303 +120 ms \| +#+ +\|$' "$W/out" &&
	grep -Eq '^premount +2423 +850 ms ' "$W/out" &&
	grep -Eq '^outside phases +3273 +127 ms ' "$W/out" &&
	[ "$(grep -c ' ms |' "$W/out")" = 5 ]; then
	ok "timeline: kernel, phases end to end in order, the rest outside phases"
else nok "timeline: kernel, phases end to end in order, the rest outside phases"; fi

# the bar of the kernel span covers 2300/3400 of the width (50 columns at COLUMNS=80)
bar=$(grep '^kernel' "$W/out" | tr -cd '#' | wc -c)
if [ "$bar" = 33 ]; then ok "timeline: bars scale with the time (kernel $bar of 50)"
else nok "timeline: bars scale with the time (kernel $bar of 50, want 33)"; fi

if "$CTL" status --svg "$W/t.svg" > "$W/out" 2>&1 && python3 - "$W/t.svg" > "$W/out" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
rects = t.findall('.//' + ns + 'rect')
assert len(rects) == 5, len(rects)
w = [float(r.get('width')) for r in rects]
assert w[0] > w[3] > w[1] > 0, w          # kernel > premount > init-top... sizes by time
x = [float(r.get('x')) for r in rects]
assert x == sorted(x), x                  # each span starts where the one before ends
PY
then ok "svg: well-formed, one bar per span, placed in time order"
else nok "svg: well-formed, one bar per span, placed in time order"; fi

printf '%s\n' 'time.<b>&x=5' time.start=10 time.exec=20 > "$W/status"
if "$CTL" status --svg - > "$W/t2.svg" 2>"$W/out" && python3 -c '
import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$W/t2.svg" 2>>"$W/out" &&
	grep -q '&lt;b&gt;&amp;x' "$W/t2.svg"; then
	ok "svg: names are escaped (a phase called <b>&x), - writes to stdout"
else nok "svg: names are escaped (a phase called <b>&x), - writes to stdout"; fi

refused() { # refused NAME WANT-RC MESSAGE-REGEX ARGS...
	local n=$1 want=$2 re=$3 rc; shift 3
	"$CTL" "$@" > "$W/out" 2>&1; rc=$?
	if [ "$rc" = "$want" ] && grep -Eq "$re" "$W/out"; then ok "$n"; else nok "$n (rc $rc)"; fi
}
status time.start=2300
refused "no time.exec: refused, says what is missing" 2 'no timeline from .*time.exec' status --timeline
status time.start=2300 time.exec=-5
refused "a negative time: refused" 2 'no timeline' status --timeline
status time.start=2300 time.exec=3400 time.bottom=12abc
refused "a phase time that is not a number: refused by name" 2 'not a number of ms' status --timeline
status time.start=2300 time.exec=2400
refused "phases longer than /init ran: refused" 2 'longer than /init ran' status --svg "$W/x.svg"
[ ! -e "$W/x.svg" ] && ok "no SVG file written when the times are refused" || nok "no SVG file written when the times are refused"
status time.start=99999999999999999999 time.exec=1
refused "a time past 64 bits: refused" 2 'no timeline' status --timeline
refused "--json and --timeline together: usage error" 1 'exclude each other' status --json --timeline
refused "--svg without a file: usage error" 1 'unknown option' status --svg
printf "%s\n" time.start=1 time.exec=2 > "$W/status"
refused "an unwritable SVG path: the path and the reason" 2 'cannot write /nonexistent/t.svg' status --svg /nonexistent/t.svg
# a key given twice (an injected line) is named as such, not as "Bad message"
printf "%s\n" format=1 rw=/dev/sda1 rw=/evil > "$W/status"
refused "a status file with a key twice: not trusted, says why" 2 'cannot trust .*a key appears twice' status
finish
