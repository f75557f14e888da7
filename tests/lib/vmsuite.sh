#!/bin/bash
# The preamble of a VM suite (tests/vm/*.sh): TAP helpers, the QEMU harness and the names
# every suite uses. In a suite, after `set -u` and `top=...`:
#   source "$top/tests/lib/vmsuite.sh" OUTDIR "$@"     (OUTDIR below $BUILD/tests/)
# sets BUILD KVER KCACHE (the suite's arguments), OUT, VM_KCACHE, VM_OUT, the demo's
# ISO INITRD KERNEL MK LAYER, APPEND (a serial console, no reboot on panic), and defines
# guest_in and need_demo.
# shellcheck source=tap.sh
source "$top/tests/lib/tap.sh"
if [ $# -ne 4 ]; then
	echo "usage: $0 BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)" >&2
	exit 2
fi
BUILD=$(abs "$2") KVER=$3 KCACHE=$(abs "$4")
OUT=$BUILD/tests/$1
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=vm.sh
source "$top/tests/lib/vm.sh"
ISO=$BUILD/demo/livestack-demo.iso
INITRD=$BUILD/demo/initrd.img
KERNEL=$KCACHE/vmlinuz
MK=$BUILD/bin/livestack-mkimage
LAYER=$BUILD/demo/10-demo.squashfs
APPEND="console=ttyS0,115200 panic=-1"
mkdir -p "$OUT"
: "$KVER" "$ISO" "$INITRD" "$KERNEL" "$MK" "$LAYER" "$APPEND"

# need_demo: the demo's ISO and initramfs are built, or the suite ends with one failure
need_demo() {
	[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo ISO built" "run make all"; done_; }
}

# guest_in FILE LINES...: what is typed into a booted guest: the helpers t (a TAP line
# from a test command) and st (a key of /run/live/status), then the lines, then
# $GUEST_IN_TAIL when a suite sets it
guest_in() {
	local f=$1; shift
	{
		echo 't() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }'
		echo 'st() { grep "^$1=" /run/live/status | cut -d= -f2-; }'
		printf '%s\n' "$@"
		if [ -n "${GUEST_IN_TAIL:-}" ]; then printf '%s\n' "$GUEST_IN_TAIL"; fi
	} > "$f"
}
