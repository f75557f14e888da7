#!/bin/bash
# /init as PID 1 (livestack issue 15): the real init gets the kernel's arguments; the kernel
# log gets every line once, long ones split; every child /init waits for has a deadline;
# orphans are reaped; a retried phase leaves what one attempt leaves. One boot each.
# TAP lines, then "N passed, M failed".
# usage: tests/vm/pid1.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/pid1 "$@"

need_demo

count() { grep -cE -- "$2" "$VM_OUT/$1.log"; }
# exactly SCENARIO NAME N REGEX: N console lines match
exactly() {
	local n; n=$(count "$1" "$4")
	if [ "$n" = "$3" ]; then ok "$1: $2"; else nok "$1: $2" "$n lines, not $3, match /$4/"; fi
}
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
# initrd_edit OUT FUNC: the demo's initramfs, unpacked, changed by FUNC run in the tree
initrd_edit() {
	local dir=$1.tree
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && zstd -dc "$INITRD" | cpio -idm --quiet) || return 1
	(cd "$dir" && "$2") || return 1
	guest_initramfs "$dir" "$1"
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

if want log; then
	# a hook writes 200 lines at once and one line of 3009 bytes; a bottom hook reads
	# the kernel log back
	log_hooks() {
		mkdir -p hooks/init-top hooks/bottom
		cat > hooks/init-top/20-many.sh <<'H'
i=1
while [ $i -le 200 ]; do echo "LOGLINE-$i of 200"; i=$((i + 1)); done
H
		cat > hooks/init-top/30-long.sh <<'H'
printf 'LONG<'; i=0
while [ $i -lt 300 ]; do printf 0123456789; i=$((i + 1)); done
printf '>END\n'
H
		cat > hooks/bottom/90-check.sh <<'H'
echo "DMESG-LOGLINES=$(dmesg | grep -c 'LOGLINE-[0-9]* of 200$')"
echo "DMESG-LONG=$(dmesg | sed -n 's/^\[[^]]*\] livestack: *//p' | tr -d '\n' | grep -o 'LONG<[0-9]*>END' | wc -c)"
echo "DMESG-SUPPRESSED=$(dmesg | grep -c 'suppressed')"
echo "DMESG-SPAN=$(dmesg | grep -E 'LOGLINE-(1|200) of 200$' | sed 's/^\[ *\([0-9.]*\)\].*/\1/' | tr '\n' ' ')"
H
	}
	probe_root
	if initrd_edit "$OUT/initrd-log.img" log_hooks; then
		vm_boot log 150 -kernel "$KERNEL" -initrd "$OUT/initrd-log.img" -cdrom "$OUT/probe.iso" \
			-append "$APPEND live.id=any"
		expect log "the kernel log has the 200 lines" "DMESG-LOGLINES=200"
		expect log "the 3009-byte line is whole in the kernel log (split into records)" "DMESG-LONG=3010"
		expect log "no line suppressed by the rate limit" "DMESG-SUPPRESSED=0"
		n=$(grep -oE 'LOGLINE-[0-9]+ of 200' "$VM_OUT/log.log" | sort | uniq -c | awk '$1 == 1' | wc -l)
		if [ "$n" = 200 ]; then ok "log: each of the 200 lines once on the console"
		else nok "log: each of the 200 lines once on the console" "$n lines seen exactly once"; fi
		n=$(tr -d '\r' < "$VM_OUT/log.log" | sed -n 's/^\(\[[^]]*\] \)\{0,1\}livestack: *//p' | tr -d '\n' |
			grep -o 'LONG<[0-9]*>END' | wc -c)
		if [ "$n" = 3010 ]; then ok "log: the long line whole, once on the console"
		else nok "log: the long line whole, once on the console" "$n bytes"; fi
		exactly log "the start line once on the console" 1 "livestack: starting \(kernel"
		expect log "the real init runs with the kernel's rate limit back (ratelimit)" "^INIT-DEVKMSG=ratelimit"
		span=$(sed -n 's/.*DMESG-SPAN=//p' "$VM_OUT/log.log" | tr -d '\r')
		echo "# the 200 lines' kernel timestamps: $span"
		no_panic log
	else
		nok "log: the initramfs unpacked and packed again"
	fi
fi

if want bounded; then
	# a hook leaves a daemon holding its output (and an orphan that ends at once);
	# another never ends (and has a child): live.hook.timeout=3 kills it with its child
	bounded_hooks() {
		mkdir -p hooks/init-top hooks/mount hooks/bottom
		cat > hooks/init-top/10-daemon.sh <<'H'
sleep 100000 &
sleep 1 &
echo $! > /run/orphan.pid
echo "DAEMON-STARTED"
H
		cat > hooks/init-top/20-stuck.sh <<'H'
sleep 99999 &
echo "STUCK-STARTED"
sleep 88888
H
		cat > hooks/mount/10-wait.sh <<'H'
p=$(cat /run/orphan.pid); i=0
while [ $i -lt 200 ] && grep -q '^State:.*[RSD]' /proc/$p/status 2>/dev/null; do usleep 100000; i=$((i + 1)); done
echo "ORPHAN-ENDED"
H
		cat > hooks/bottom/90-check.sh <<'H'
p=$(cat /run/orphan.pid)
if [ -e /proc/$p ]; then echo "ORPHAN-LEFT $(grep State /proc/$p/status)"; else echo "ORPHAN-REAPED"; fi
ps -o args > /ps.txt
echo "STUCK-LEFT=$(grep -cE '^sleep (99999|88888)' /ps.txt)"
echo "DAEMON-LEFT=$(grep -c '^sleep 100000' /ps.txt)"
H
	}
	probe_root
	if initrd_edit "$OUT/initrd-bounded.img" bounded_hooks; then
		vm_boot bounded 150 -kernel "$KERNEL" -initrd "$OUT/initrd-bounded.img" -cdrom "$OUT/probe.iso" \
			-append "$APPEND live.id=any live.hook.timeout=3"
		expect bounded "a daemon holding the hook's output does not hold the boot" "10-daemon.sh: DAEMON-STARTED"
		expect bounded "the hook that never ends is named with its deadline" \
			"livestack: warning: hook /hooks/init-top/20-stuck.sh did not end within 3 s \(live.hook.timeout=\): killed with its process group, the boot goes on"
		expect bounded "its output so far is logged" "20-stuck.sh: STUCK-STARTED"
		expect bounded "it and its background child were killed" "STUCK-LEFT=0"
		expect bounded "the daemon of a hook that ended is left alone" "DAEMON-LEFT=1"
		expect bounded "the orphan that ended was reaped by /init (no zombie)" "90-check.sh: ORPHAN-REAPED"
		expect bounded "the boot reached the real init" "^INIT-ARGC=0"
		no_panic bounded
	else
		nok "bounded: the initramfs unpacked and packed again"
	fi
fi

# retried SCENARIO: the state line typed after the first retry and after the third
# (mounts, loop devices in use, processes but kernel threads) is the same
state() { echo 'ps -o args > /ps.txt; echo "STATE-'"$1"': mounts=$(wc -l < /proc/mounts) loops=$(losetup -a | wc -l) procs=$(grep -vc "^\[" /ps.txt) sum=$( (cat /proc/mounts; losetup -a; grep -v "^\[" /ps.txt) | md5sum | cut -c1-8)"'; }
retry_in() { printf '%s\n' exit "$(state 1)" exit exit "$(state 2)" 'poweroff -f' > "$OUT/$1.in"; }
same_state() {
	local s1 s2
	s1=$(grep -oE 'STATE-1: mounts=[0-9].*' "$VM_OUT/$1.log" | tr -d '\r' | head -n1)
	s2=$(grep -oE 'STATE-2: mounts=[0-9].*' "$VM_OUT/$1.log" | tr -d '\r' | head -n1)
	echo "# $1: after one retry:    ${s1#STATE-1: }"
	echo "# $1: after three retries: ${s2#STATE-2: }"
	if [ -n "$s1" ] && [ "${s1#STATE-1: }" = "${s2#STATE-2: }" ]; then
		ok "$1: mounts, loop devices and processes after three retries as after one"
	else
		nok "$1: mounts, loop devices and processes after three retries as after one"
	fi
	at_least "$1" "the phase was retried three times" 3 "retrying phase $2"
}
at_least() { # at_least SCENARIO NAME N REGEX
	local n; n=$(count "$1" "$4")
	if [ "$n" -ge "$3" ]; then ok "$1: $2"; else nok "$1: $2" "$n < $3 lines /$4/"; fi
}

if want retry-early; then
	# early fails after its mounts (an image of another format): the retry mounts nothing twice
	fmt99() { sed -i 's/^format=.*/format=99/' etc/livestack/image; }
	if initrd_edit "$OUT/initrd-fmt99.img" fmt99; then
		retry_in retry-early
		vm_session retry-early 150 "rescue shell;" "$OUT/retry-early.in" \
			-kernel "$KERNEL" -initrd "$OUT/initrd-fmt99.img" -cdrom "$ISO" -append "$APPEND"
		same_state retry-early early
		no_panic retry-early
	else
		nok "retry-early: the initramfs unpacked and packed again"
	fi
fi

if want retry-layers; then
	# the first layer mounts, the second is damaged: the retry takes the first away first
	stage=$OUT/retry-layers; rm -rf "$stage"; mkdir -p "$stage/tree/live"
	cp "$BUILD/demo/10-demo.squashfs" "$stage/tree/live/10-demo.squashfs"
	cp "$BUILD/demo/10-demo.squashfs" "$stage/tree/live/20-bad.squashfs"
	printf '\143\000' | dd of="$stage/tree/live/20-bad.squashfs" bs=1 seek=20 conv=notrunc status=none
	data_iso RETRYL "$stage/tree" "$OUT/retry-layers.iso"
	retry_in retry-layers
	vm_session retry-layers 200 "rescue shell;" "$OUT/retry-layers.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$OUT/retry-layers.iso" -append "$APPEND live.id=any"
	same_state retry-layers layers
	at_least retry-layers "each retry says what it took away" 3 "retry: 1 mount of the failed attempt taken away first"
	no_panic retry-layers
fi

done_
