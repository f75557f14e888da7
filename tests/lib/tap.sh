# shellcheck shell=bash
# TAP helpers shared by the VM scenario scripts (tests/vm/*.sh): sourced after tests/lib/vm.sh.
# Counters: pass, fail. Every script ends with done_ (prints "N passed, M failed", exits).
pass=${pass:-0} fail=${fail:-0}
: "${VM_ONLY:=}"

abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
ok() { echo "ok - $1"; pass=$((pass + 1)); }
nok() { echo "not ok - $1${2:+ # $2}"; fail=$((fail + 1)); }
done_() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
# want NAME: run this scenario (VM_ONLY=substring selects some; a comma-separated list
# of substrings selects the scenarios matching any of them)
want() {
	[ -z "$VM_ONLY" ] && return 0
	local w words
	IFS=, read -ra words <<< "$VM_ONLY"
	for w in "${words[@]}"; do [ -n "$w" ] && [[ "$1" == *"$w"* ]] && return 0; done
	return 1
}
# expect/refute SCENARIO NAME REGEX: the console log of SCENARIO matches / does not match
expect() { if vm_grep "$1" "$3"; then ok "$1: $2"; else nok "$1: $2" "no /$3/ in $VM_OUT/$1.log"; fi; }
refute() { if vm_grep "$1" "$3"; then nok "$1: $2" "found /$3/ in $VM_OUT/$1.log"; else ok "$1: $2"; fi; }
no_panic() { refute "$1" "no kernel panic" "Kernel panic|end Kernel panic"; }
# host NAME SHELL-COMMAND: a check run on the host succeeds
host() { if eval "$2" >/dev/null 2>&1; then ok "$1"; else nok "$1" "$2"; fi; }
# guest_tap SCENARIO: the in-guest checks' "TAP ok - x" lines, prefixed with the scenario;
# the guest's shell may put terminal escapes before them, so they are not anchored.
guest_tap() {
	local name=$1 line n=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ "$line" =~ TAP\ ok\ -\ (.*)$ ]]; then ok "$name: ${BASH_REMATCH[1]}"; n=$((n + 1))
		elif [[ "$line" =~ TAP\ not\ ok\ -\ (.*)$ ]]; then nok "$name: ${BASH_REMATCH[1]}"; n=$((n + 1)); fi
	done < "$VM_OUT/$name.log"
	[ "$n" -gt 0 ] || nok "$name: in-guest checks ran" "no TAP lines (see $VM_OUT/$name.log)"
}
