#!/bin/bash
# One QEMU harness for every guest test (tests/vm, tests/aufs, bench): boot with a
# deadline, serial console to a log, optional scripted console input, kill only our PID.
#
# Needs: VM_KCACHE (dir with vmlinuz and lib/modules/KVER), VM_OUT (log dir).
# QEMU runs TCG only (KVM does not work on the CI machines): never -enable-kvm.

: "${VM_MEM:=1024}"
: "${VM_SMP:=1}"
# what a shell prompt of the guest looks like (extended regex): vm_session types
# one line of input per prompt
: "${VM_PROMPT_RE:=livestack:[^ ]*# |\(livestack:[^)]*\) # |^/ # }"

vm_qemu_base() {
	echo qemu-system-x86_64 -accel tcg -m "$VM_MEM" -smp "$VM_SMP" -nographic \
		-display none -monitor none -no-reboot -nodefaults -vga none
}

# VM_ARGS: the QEMU arguments "$@" with no_timer_check added to a direct kernel boot's
# -append. Under host load a TCG guest's IO-APIC timer check can fail and the kernel
# panics at boot ("IO-APIC + timer doesn't work"); the check tests the host, not us.
vm_args() {
	VM_ARGS=()
	local line
	while [ $# -gt 0 ]; do
		if [ "$1" = -append ] && [ $# -gt 1 ]; then
			line=" $2 "
			case "$line" in
			*" no_timer_check "*) VM_ARGS+=("$1" "$2") ;;
			# words after " -- " belong to init: the option goes before them
			*" -- "*) line="${line%% -- *} no_timer_check -- ${line#* -- }"
				line=${line# }; VM_ARGS+=("$1" "${line% }") ;;
			*) VM_ARGS+=("$1" "$2 no_timer_check") ;;
			esac
			shift 2
		else
			VM_ARGS+=("$1"); shift
		fi
	done
}

# vm_wait PID DEADLINE_SECONDS: wait for PID; kill it at the deadline. 0 = exited, 124 = killed.
vm_wait() {
	local pid=$1 left=$(( $2 * 10 ))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$left" -le 0 ]; then
			kill "$pid" 2>/dev/null; sleep 0.5; kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		sleep 0.1; left=$((left - 1))
	done
	wait "$pid" 2>/dev/null
	return 0
}

# vm_boot NAME DEADLINE QEMU-ARGS...: serial console to $VM_OUT/NAME.log, no input.
vm_boot() {
	local name=$1 deadline=$2; shift 2
	local log="$VM_OUT/$name.log"
	mkdir -p "$VM_OUT"; : > "$log"
	vm_args "$@"
	$(vm_qemu_base) -serial "file:$log" "${VM_ARGS[@]}" </dev/null >"$VM_OUT/$name.qemu" 2>&1 &
	local pid=$!
	vm_wait "$pid" "$deadline"
}

# vm_session NAME DEADLINE READY INPUT QEMU-ARGS...: like vm_boot, but once the line
# READY (a fixed string) appears on the console, the file INPUT is typed into it, one
# line per shell prompt (VM_PROMPT_RE).
vm_session() {
	local name=$1 deadline=$2 ready=$3 input=$4; shift 4
	local log="$VM_OUT/$name.log" fifo="$VM_OUT/$name.serial"
	mkdir -p "$VM_OUT"; : > "$log"
	rm -f "$fifo.in" "$fifo.out"; mkfifo "$fifo.in" "$fifo.out"
	vm_args "$@"
	$(vm_qemu_base) -chardev "pipe,id=ser0,path=$fifo" -serial chardev:ser0 "${VM_ARGS[@]}" \
		</dev/null >"$VM_OUT/$name.qemu" 2>&1 &
	local pid=$!
	cat "$fifo.out" >> "$log" &
	local reader=$!
	exec 7<>"$fifo.in"
	local left=$(( deadline * 10 )) sent=0 rc=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$sent" = 0 ] && grep -qF -- "$ready" "$log"; then
			sleep 0.3
			# one line per shell prompt: a TCG guest's UART drops input typed
			# while a command runs
			local prompts=0 waited
			while IFS= read -r line || [ -n "$line" ]; do
				waited=0
				while [ "$(grep -oE -- "$VM_PROMPT_RE" "$log" | wc -l)" -le "$prompts" ] &&
					[ "$waited" -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
					sleep 0.1; waited=$((waited + 1))
				done
				prompts=$(grep -oE -- "$VM_PROMPT_RE" "$log" | wc -l)
				printf '%s\n' "$line" >&7
			done < "$input"
			sent=1
		fi
		if [ "$left" -le 0 ]; then
			kill "$pid" 2>/dev/null; sleep 0.5; kill -9 "$pid" 2>/dev/null
			rc=124; break
		fi
		sleep 0.1; left=$((left - 1))
	done
	wait "$pid" 2>/dev/null
	exec 7>&-
	sleep 0.2; kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null
	rm -f "$fifo.in" "$fifo.out"
	return $rc
}

# vm_grep NAME PATTERN: does the console log contain the (extended) regex?
vm_grep() { grep -qE -- "$2" "$VM_OUT/$1.log"; }

# guest_initramfs DIR OUT: pack DIR into a gzip'd newc cpio (for test guests only;
# livestack's own images use livestack-mkimage).
guest_initramfs() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$2"
}

# guest_modules KMODDIR DESTDIR MOD...: copy modules and their dependencies (from
# modules.dep) into DESTDIR/lib/modules, print the load order (deps first).
# KMODDIR is .../lib/modules/KVER or .../usr/lib/modules/KVER; compressed modules
# (.ko.xz, .ko.zst, .ko.gz, as Debian 13's) land decompressed, as NAME.ko.
guest_modules() {
	local kmod=$1 dest=$2; shift 2
	mkdir -p "$dest/lib/modules"
	local m
	for m in "$@"; do
		/sbin/modprobe -d "${kmod%/lib/modules/*}" -S "$(basename "$kmod")" --show-depends "$m" 2>/dev/null
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
		local name=${ko##*/}
		case "$ko" in
		*.ko.xz) name=${name%.xz}; xz -dc "$ko" > "$dest/lib/modules/$name" ;;
		*.ko.zst) name=${name%.zst}; zstd -qdc "$ko" > "$dest/lib/modules/$name" ;;
		*.ko.gz) name=${name%.gz}; gzip -dc "$ko" > "$dest/lib/modules/$name" ;;
		*) cp "$ko" "$dest/lib/modules/" ;;
		esac || { echo "guest_modules: cannot decompress $ko" >&2; continue; }
		echo "$name"
	done
}
