#!/bin/bash
# The man pages render without errors or overflowing words (a "cannot adjust" is fine) and fit an 80-column terminal (tables reflowed,
# examples broken with a backslash): each rendered line is counted in characters.
# Usage: bash tests/unit/test_docs.sh [BUILD [KVER KCACHE]]
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0
for page in docs/*.[1-8]; do
	if ! command -v groff >/dev/null; then
		echo "not ok - $page: groff is missing (make deps installs groff-base)"
		failed=$((failed + 1)); continue
	fi
	out=$(LC_ALL=C.UTF-8 groff -t -man -Tutf8 -rLL=80n "$page" 2>&1 >/dev/null | grep -v "cannot adjust line")
	if [ -n "$out" ]; then
		echo "not ok - $page renders without warnings"; echo "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	else echo "ok - $page renders without warnings"; passed=$((passed + 1)); fi
	wide=$(LC_ALL=C.UTF-8 groff -t -man -Tutf8 -rLL=80n "$page" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' |
		python3 -c 'import sys
for n, l in enumerate(sys.stdin.read().splitlines(), 1):
    if len(l) > 80: print(f"line {n}: {len(l)} columns: {l.strip()[:60]}")')
	if [ -n "$wide" ]; then
		echo "not ok - $page fits 80 columns"; echo "$wide" | sed 's/^/#   /'
		failed=$((failed + 1))
	else echo "ok - $page fits 80 columns"; passed=$((passed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
