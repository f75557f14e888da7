#!/bin/bash
# /init as PID 1 (livestack issue 15): the real init gets the kernel's arguments. One boot each.
# TAP lines, then "N passed, M failed".
# usage: tests/vm/pid1.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
BUILD=$(abs "$1") KVER=$2 KCACHE=$(abs "$3")
OUT=$BUILD/tests/vm/pid1
export VM_KCACHE=$KCACHE VM_OUT=$OUT/logs
# shellcheck source=../lib/vm.sh
source "$top/tests/lib/vm.sh"
: "$KVER"

ISO=$BUILD/demo/livestack-demo.iso
INITRD=$BUILD/demo/initrd.img
KERNEL=$KCACHE/vmlinuz
APPEND="console=ttyS0,115200 panic=-1"
mkdir -p "$OUT"
[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo ISO built" "run make all"; done_; }

data_iso() { xorriso -as mkisofs -quiet -V "$1" -R -o "$3" "$2" >/dev/null 2>&1; }
# root_iso NAME: an ISO whose layer is the demo root with /sbin/init from stdin
root_iso() {
	local stage=$OUT/$1
	rm -rf "$stage"; mkdir -p "$stage/tree/live"
	cp -a "$BUILD/demo/root" "$stage/root"
	cat > "$stage/root/sbin/init"; chmod 755 "$stage/root/sbin/init"
	"$BUILD/bin/livestack-mkimage" squashfs "$stage/root" "$stage/tree/live/10-demo.squashfs" >/dev/null 2>&1
	data_iso "$(echo "$1" | tr a-z- A-Z_)" "$stage/tree" "$OUT/$1.iso"
}
# the probe root: its init prints each argument it got and what the kernel log's rate
# limit is set to in the running system, then powers off
probe_root() {
	[ -f "$OUT/probe.iso" ] && return 0
	root_iso probe <<'INIT'
#!/bin/sh
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
i=0
for a in "$0" "$@"; do echo "INIT-ARG$i=<$a>"; i=$((i + 1)); done
echo "INIT-ARGC=$#"
echo "INIT-DEVKMSG=$(cat /proc/sys/kernel/printk_devkmsg)"
poweroff -f
INIT
}

if want args; then
	probe_root
	vm_boot args-single 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$OUT/probe.iso" \
		-append "$APPEND live.id=any single"
	expect args-single "the real init is argv[0]" "^INIT-ARG0=</sbin/init>"
	expect args-single "single reached the real init" "^INIT-ARG1=<single>"
	expect args-single "and nothing else (live.*, key=value, kernel words stay out)" "^INIT-ARGC=1"
	vm_boot args-dashes 120 -kernel "$KERNEL" -initrd "$INITRD" -cdrom "$OUT/probe.iso" \
		-append "$APPEND live.id=any emergency -b 3 x=y -- foo bar=baz live.z"
	expect args-dashes "emergency first" "^INIT-ARG1=<emergency>"
	expect args-dashes "-b" "^INIT-ARG2=<-b>"
	expect args-dashes "the runlevel" "^INIT-ARG3=<3>"
	expect args-dashes "after --: foo" "^INIT-ARG4=<foo>"
	expect args-dashes "after --: a key=value word" "^INIT-ARG5=<bar=baz>"
	expect args-dashes "after --: a dotted word" "^INIT-ARG6=<live.z>"
	expect args-dashes "six in all (x=y is the environment's)" "^INIT-ARGC=6"
	expect args-dashes "/init's log names them" "livestack: switching to /root, exec /sbin/init emergency -b 3 foo bar=baz live.z"
	no_panic args-single
	no_panic args-dashes
fi

done_
