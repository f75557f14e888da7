#!/bin/bash
# The CD, USB-persistence and PXE VM scenarios of tests/vm on another Debian suite's kernel
# (make check-kernel-vm SUITE=trixie): the suite's chroot and kernel (scripts/kchroot.sh,
# cached), aufs.ko built there, the demo made for that kernel in BUILD/kernels/KVER (which
# shares bin, cache, initramfs and aufs with BUILD), then the chosen scenarios of
# tests/vm/*.sh with that kernel, one guest at a time. Every boot's console must show /init
# starting on KVER; a table gives per boot its checks, the time from kernel start to /init
# and to the real init, and the initramfs sizes. TAP, ends with "N passed, M failed".
# Not in make check (15 guests with the default list: 15 min at a load of 16 on 2 cores).
# usage: tests/long/kernel-vm.sh SUITE BUILD
# env: KERNEL_VM="SCRIPT:SCENARIO,... ..." the scenarios (VM_ONLY lists of tests/vm/SCRIPT.sh),
#      default "run:cd-bios,cd-uefi persist:usb,fat pxe:pxe-bios,pxe-ipxe,pxe-uefi" (VM_ONLY
#      words are substrings: "fat" picks persist.sh's exfat boots too)
set -u
if [ $# -ne 2 ]; then echo "usage: $0 SUITE BUILD   (env KERNEL_VM=\"run:cd-bios persist:usb ...\")" >&2; exit 2; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=../lib/tap.sh
source "$top/tests/lib/tap.sh"
suite=$1 build=$2
scen=${KERNEL_VM:-run:cd-bios,cd-uefi persist:usb,fat pxe:pxe-bios,pxe-ipxe,pxe-uefi}
fail_() { nok "$suite kernel: $*"; done_; }

kver=$(sh scripts/kchroot.sh kver "$suite") || fail_ "no kernel version (apt lists of $suite)"
b=$(abs "$build")/kernels/$kver kc=$(abs "$build")/cache/kernel/$kver
mkdir -p "$b" "$build/aufs"
# this kernel's build dir shares the tools and caches, keeps its own tests and demo
for d in bin cache initramfs aufs; do [ -e "$b/$d" ] || ln -s "$(abs "$build")/$d" "$b/$d"; done
for spec in $scen; do	# bad input first, before anything is built
	s=${spec%%:*}
	case "$spec" in *:?*) ;; *) fail_ "KERNEL_VM word '$spec': want SCRIPT:SCENARIO[,SCENARIO...]" ;; esac
	[ -f "tests/vm/$s.sh" ] || fail_ "KERNEL_VM word '$spec': no tests/vm/$s.sh"
done

t0=$(date +%s)
sh scripts/kchroot.sh all "$suite" > "$b/setup.log" 2>&1 ||
	fail_ "no chroot or kernel for $kver ($(tail -n1 "$b/setup.log"))"
sh scripts/aufs-build.sh "$kver" "$build/aufs/$kver" >> "$b/setup.log" 2>&1 ||
	fail_ "aufs does not build for $kver ($(grep -m1 -E 'error|ERROR' "$b/setup.log"))"
sh scripts/build-demo.sh "$b" "$kver" "$kc" > "$b/demo-build.log" 2>&1 ||
	fail_ "the demo for $kver does not build ($(grep -m1 -iE 'error|cannot|refus' "$b/demo-build.log"))"
ok "$kver: chroot, kernel, aufs.ko and the demo ISO ready in $(($(date +%s) - t0)) s"

stamp=$b/kernel-vm.stamp
: > "$stamp"
rows=()
for spec in $scen; do
	s=${spec%%:*} only=${spec#*:}
	ts=$(date +%s)
	VM_ONLY=$only bash "tests/vm/$s.sh" "$b" "$kver" "$kc" > "$b/vm-$s.tap" 2>&1
	rc=$?
	sed -n "s|^\(not \)\{0,1\}ok - |&$kver: |p" "$b/vm-$s.tap"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$b/vm-$s.tap" | tail -n1)
	if [ -z "$line" ]; then
		nok "$kver: tests/vm/$s.sh ended without a summary (exit $rc, see $b/vm-$s.tap)"
	else
		p=${line%% passed*} f=${line#*, }; f=${f%% failed}
		pass=$((pass + p)) fail=$((fail + f))
		[ "$rc" = 0 ] || [ "$f" != 0 ] || nok "$kver: tests/vm/$s.sh exit $rc"
	fi
	echo "# tests/vm/$s.sh VM_ONLY=$only: ${line:-no summary} in $(($(date +%s) - ts)) s"
	# the boots of this script: their console logs written since the stamp
	while IFS= read -r log; do
		n=$(basename "$log" .log)
		st=$(sed -n 's/.*livestack: starting (kernel \([^,]*\), \([0-9]*\) ms since boot).*/\1 \2/p' "$log" | head -n1)
		k=${st% *} boot=${st#* }
		if [ -n "$st" ] && [ "$k" = "$kver" ]; then
			ok "$kver: $n: /init ran on $kver"
		else
			nok "$kver: $n: /init ran on $kver" "${st:+it ran on $k}${st:-no 'livestack: starting' on the console}"
		fi
		ini=$(sed -n 's/.*livestack: switching to .* (\([0-9]*\) ms in initramfs).*/\1/p' "$log" | head -n1)
		np=$(grep -cE "^ok - $n: " "$b/vm-$s.tap") nf=$(grep -cE "^not ok - $n: " "$b/vm-$s.tap")
		real=-
		[ -n "$st" ] && [ -n "$ini" ] && real=$((boot + ini))
		rows+=("$s|$n|$np/$nf|${boot:--}|${ini:--}|$real")
	done < <(find "$b/tests" -path '*/logs/*' -name '*.log' -newer "$stamp" | sort)
	touch "$stamp"
done

echo "#"
echo "# $kver: boots of this run (checks ok/not ok; ms from kernel start to /init, in /init, to the real init)"
printf '# %-8s %-16s %-8s %-10s %-10s %s\n' script boot checks "to /init" "in /init" "real init"
for r in "${rows[@]}"; do
	IFS='|' read -r s n c bo ini re <<< "$r"
	printf '# %-8s %-16s %-8s %-10s %-10s %s\n' "$s" "$n" "$c" "$bo" "$ini" "$re"
done
echo "# initramfs images for $kver (bytes):"
for f in "$b/demo/initrd.img" $(find "$b/tests" -name 'initrd-*.img' -newer "$b/demo/initrd.img" | sort); do
	[ -f "$f" ] && echo "#   $(stat -c %s "$f") ${f#"$b"/}"
done
done_
