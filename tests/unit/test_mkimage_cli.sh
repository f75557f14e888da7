#!/bin/bash
# livestack-mkimage's command-line convention (livestack-mkimage(8), EXIT STATUS): exit 2
# and "livestack-mkimage: error: [COMMAND: ]..." for a wrong command line, exit 1 for work
# that failed, 0 for --help; getopt's own messages never appear unprefixed.
# Usage: bash tests/unit/test_mkimage_cli.sh [BUILD [KVER KCACHE]]
set -u
BUILD=${1:-build}
MK=$(pwd)/$BUILD/bin/livestack-mkimage
passed=0 failed=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$MK" ] || { echo "not ok - $MK built"; echo "0 passed, 1 failed"; exit 1; }

# case WANT-RC FIRST-LINE-REGEX ARGS...: the exit status and the first line on stderr
case_() {
	local want=$1 re=$2 rc first; shift 2
	"$MK" "$@" >"$T/out" 2>"$T/err"; rc=$?
	first=$(head -n1 "$T/err")
	if [ "$rc" = "$want" ] && [[ "$first" =~ $re ]] &&
		! grep -qE '^(squashfs|iso|initramfs|usb|pxe|keygen): ' "$T/err"; then
		echo "ok - '$*': exit $rc, $first"; passed=$((passed + 1))
	else
		echo "not ok - '$*': exit $rc (want $want), first line: $first"; failed=$((failed + 1))
		sed 's/^/#   /' "$T/err"
	fi
}
E='^livestack-mkimage: error: '
case_ 2 '^usage: livestack-mkimage COMMAND' 
case_ 2 "${E}unknown command 'bogus'\$" bogus
for cmd in squashfs iso initramfs usb pxe keygen; do
	case_ 2 "${E}$cmd: unknown option or missing value: '--bogus'\$" "$cmd" --bogus
done
case_ 2 "${E}initramfs: unknown option or missing value: '--kver'\$" initramfs --kver
case_ 2 "${E}initramfs: --kver KVER is required" initramfs
case_ 2 "${E}squashfs: ROOTDIR and OUT, nothing else \\(1 given\\)" squashfs onlyone
case_ 2 "${E}squashfs: --comp lz4: use zstd or xz" squashfs --comp lz4 a b
case_ 2 "${E}keygen: --out DIR is required" keygen
case_ 2 "${E}initramfs: --sign-key and --sign-cert go together" initramfs --kver 1 --sign-key k
case_ 1 "${E}squashfs: root directory $T/nosuch: No such file or directory" squashfs "$T/nosuch" "$T/x.sqfs"
[ ! -e "$T/x.sqfs" ] && { echo "ok - nothing written when the work fails"; passed=$((passed + 1)); } ||
	{ echo "not ok - nothing written when the work fails"; failed=$((failed + 1)); }
for cmd in squashfs iso initramfs usb pxe keygen; do
	if "$MK" "$cmd" --help >"$T/out" 2>"$T/err" && grep -q "^usage: livestack-mkimage $cmd" "$T/out"; then
		echo "ok - $cmd --help: exit 0, usage on stdout"; passed=$((passed + 1))
	else echo "not ok - $cmd --help: exit 0, usage on stdout"; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
