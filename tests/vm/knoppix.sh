#!/bin/bash
# Knoppix's own images in QEMU (TCG): a CD with the Knoppix layout whose KNOPPIX/KNOPPIX is
# a cloop image (create_compressed_fs) of an iso9660 tree holding the demo root, with a
# squashfs add-on KNOPPIX1 and a cloop KNOPPIX2 with one damaged block, booted with
# Knoppix's boot line word for word. The system comes up from the cloop layer (served by
# /init's helper on /dev/nbd0), a file reads back with its SHA-256, the status and the
# mounts show the layer, the helper is named for systemd; the damaged block is an I/O
# error and a log line; the read throughput of the same file from the cloop and the
# squashfs layer is printed. Knoppix's toram: the cloop layers served from RAM, booted
# without knoppix_dir= (Knoppix's layout found on a medium without /live). Ubuntu's layout
# (/casper) with Ubuntu's line. A truncated cloop image: the fatal message and the shell.
# TAP lines, then "N passed, M failed".
# usage: tests/vm/knoppix.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/knoppix "$@"

ROOT=$BUILD/demo/root
CHECKS=$top/tests/vm/checks.sh
# Knoppix 9's isolinux line (tests/unit/test_cmdline.c), plus the serial console
KNOPPIX_LINE="ramdisk_size=100000 lang=en vt.default_utf8=0 apm=power-off nomodeset nomce \
libata.force=noncq hpsa.hpsa_allow_any=1 loglevel=1 tz=localtime knoppix_dir=KNOPPIX \
knoppix_name=KNOPPIX tohd=/dev/sda1"
APPEND="console=ttyS0,115200 panic=-1 $KNOPPIX_LINE"
mkdir -p "$OUT"; echo "poweroff -f" > "$OUT/poweroff.in"
[ -f "$INITRD" ] && [ -d "$ROOT" ] || { nok "demo built" "run make all"; done_; }
# cloop-utils is in Debian 12, not in 13: without it there is no image to boot
command -v create_compressed_fs >/dev/null || {
	echo "ok - knoppix # SKIP create_compressed_fs missing: cloop-utils is not in this host's" \
		"suite (Debian 13 dropped it); make deps installs it where it exists"
	done_
}

# The medium: KNOPPIX/KNOPPIX = cloop(iso9660(demo root + data.bin)), KNOPPIX1 = squashfs
# (gzip, the same zlib as cloop) with the same data as sq.bin.
stage=$OUT/stage
rm -rf "$stage"; mkdir -p "$stage/root" "$stage/add/knoppix-test" "$stage/tree/KNOPPIX"
cp -a "$ROOT/." "$stage/root/"
mkdir -p "$stage/root/knoppix-test"
head -c 6M /dev/urandom | base64 -w 76 | head -c 8M > "$stage/root/knoppix-test/data.bin"
echo "from the cloop layer" > "$stage/root/knoppix-test/hello.txt"
cp "$stage/root/knoppix-test/data.bin" "$stage/add/knoppix-test/sq.bin"
sum=$(sha256sum "$stage/root/knoppix-test/data.bin" | cut -d' ' -f1)
xorriso -as mkisofs -quiet -V KNOPPIX -R -o "$stage/inner.iso" "$stage/root" >/dev/null 2>&1
create_compressed_fs -q -B 65536 "$stage/inner.iso" "$stage/tree/KNOPPIX/KNOPPIX" >/dev/null 2>&1
host "create_compressed_fs made the cloop image" "[ -s '$stage/tree/KNOPPIX/KNOPPIX' ]"
host "extract_compressed_fs gives the iso9660 back" \
	"extract_compressed_fs '$stage/tree/KNOPPIX/KNOPPIX' - 2>/dev/null | cmp -n $(stat -c %s "$stage/inner.iso") - '$stage/inner.iso'"
mksquashfs "$stage/add" "$stage/tree/KNOPPIX/KNOPPIX1" -quiet -noappend >/dev/null
# KNOPPIX2: a cloop whose table is sound but whose block 16 (inside bad.bin) is damaged
mkdir -p "$stage/dmg/knoppix-test"
head -c 1536K /dev/urandom | base64 -w 76 | head -c 2M > "$stage/dmg/knoppix-test/bad.bin"
xorriso -as mkisofs -quiet -V DAMAGED -R -o "$stage/dmg.iso" "$stage/dmg" >/dev/null 2>&1
create_compressed_fs -q -B 65536 "$stage/dmg.iso" "$stage/tree/KNOPPIX/KNOPPIX2" >/dev/null 2>&1
python3 - "$stage/tree/KNOPPIX/KNOPPIX2" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(136 + 16 * 8)
    a, b = struct.unpack(">QQ", f.read(16))
    f.seek((a + b) // 2)
    f.write(bytes(64))
PY
xorriso -as mkisofs -quiet -V KNOPPIX_FTP -R -J -o "$stage/knoppix.iso" "$stage/tree" >/dev/null 2>&1

if want knoppix-cloop; then
	# throughput: page cache dropped, the file read whole, /proc/uptime before and after
	{
		sed -n '/^t() /p; /^st() /p' "$CHECKS"
		cat <<-EOF
		t "knoppix_name=: the cloop KNOPPIX, the squashfs KNOPPIX1, the cloop KNOPPIX2 are the layers" '[ "\$(st layers)" = "KNOPPIX KNOPPIX1 KNOPPIX2" ]'
		t "status: the cloop layer, its nbd device and image" '[ "\$(st layer.KNOPPIX)" = "/run/live/layers/KNOPPIX /dev/nbd0 /run/live/medium/KNOPPIX/KNOPPIX" ]'
		t "the cloop layer is the iso9660 inside, read-only" 'grep -q "^/dev/nbd0 /run/live/layers/KNOPPIX iso9660 ro" /proc/mounts'
		t "root is the union of both layers" 'awk "\\\$2==\"/\"{f=\\\$3} END{exit !(f==\"aufs\"||f==\"overlay\")}" /proc/mounts'
		t "a small file of the cloop layer through the union" '[ "\$(cat /knoppix-test/hello.txt)" = "from the cloop layer" ]'
		t "an 8 MiB file of the cloop layer reads back whole (SHA-256)" '[ "\$(sha256sum /knoppix-test/data.bin | cut -d" " -f1)" = "$sum" ]'
		t "the same data from the squashfs add-on" '[ "\$(sha256sum /knoppix-test/sq.bin | cut -d" " -f1)" = "$sum" ]'
		t "a write lands in /run/live/rw, not in the layer" 'echo w > /knoppix-test/hello.txt && grep -q w /run/live/rw/upper/knoppix-test/hello.txt && grep -q cloop /run/live/layers/KNOPPIX/knoppix-test/hello.txt'
		t "the cloop device refuses writes" '! dd if=/dev/zero of=/dev/nbd0 bs=512 count=1 conv=fsync'
		hp() { for p in /proc/[0-9]*; do [ "\$(head -c 12 \$p/cmdline 2>/dev/null)" = "@cloop-nbd0 " ] && echo \${p#/proc/}; done; }
		t "one helper, argv[0] @cloop-nbd0 (spared by systemd's shutdown)" '[ "\$(hp | wc -l)" = 1 ]'
		t "the helper's OOM score is -1000" '[ "\$(cat /proc/\$(hp)/oom_score_adj)" = -1000 ]'
		t "the helper holds only the image, the socket, the device (no initramfs file)" '[ -n "\$(hp)" ] && ! ls -l /proc/\$(hp)/fd | grep -v -E "/dev/null|/dev/kmsg|/dev/nbd0|socket:|/run/live/medium/KNOPPIX/KNOPPIX|^total" | grep .'
		ls -l /proc/\$(hp)/fd; ps | grep -F cloop
		t "a damaged block of KNOPPIX2 is an I/O error on that read" '! cat /knoppix-test/bad.bin > /dev/null'
		t "the damaged block is named in the kernel log" 'dmesg | grep -q "cloop: block 16: damaged zlib data"'
		t "the system goes on: the other files still read" '[ "\$(cat /knoppix-test/hello.txt)" = w ] && head -c 100000 /knoppix-test/bad.bin | wc -c | grep -q 100000'
		t "one helper per cloop layer" '[ -n "\$(hp)" ] && ps | grep -q "@cloop-nbd1 KNOPPIX2"'
		t "the kernel did not warn or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
		rd() { sync; echo 3 > /proc/sys/vm/drop_caches; a=\$(cut -d" " -f1 /proc/uptime); cat "\$1" > /dev/null; b=\$(cut -d" " -f1 /proc/uptime); echo "THROUGHPUT \$2 \$(stat -c %s "\$1") \$a \$b" | awk '{ printf "%s: %s %d bytes in %.2f s: %.1f MB/s\n", "THRU", \$2, \$3, \$5 - \$4, \$3 / (\$5 - \$4 + 0.001) / 1e6 }'; }
		rd /run/live/layers/KNOPPIX/knoppix-test/data.bin cloop
		rd /run/live/layers/KNOPPIX1/knoppix-test/sq.bin squashfs
		rd /run/live/layers/KNOPPIX/knoppix-test/data.bin cloop
		rd /run/live/layers/KNOPPIX1/knoppix-test/sq.bin squashfs
		EOF
		echo "poweroff -f"
	} > "$OUT/cloop.in"
	vm_session knoppix-cloop 240 "LIVESTACK-DEMO-READY" "$OUT/cloop.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/knoppix.iso" -append "$APPEND"
	rc=$?
	[ $rc = 0 ] || nok "knoppix-cloop: guest powered off before the deadline" "rc=$rc"
	expect knoppix-cloop "the demo system came up from the cloop layer" "^LIVESTACK-DEMO-READY"
	expect knoppix-cloop "the medium found by its KNOPPIX directory" "^medium=/dev/sr0"
	guest_tap knoppix-cloop
	no_panic knoppix-cloop
	grep -a "THRU:" "$VM_OUT/knoppix-cloop.log" | sed 's/^/# /'
fi

if want knoppix-toram; then
	# Knoppix's toram (its line without tohd=, which would win): the cloop layers copied
	# into RAM, then served from there. Also without knoppix_dir= and knoppix_name=, as
	# Knoppix's own menu has them: the medium has no /live, /init finds Knoppix's layout.
	{
		sed -n '/^t() /p; /^st() /p' "$CHECKS"
		cat <<-EOF
		t "no knoppix_dir=: Knoppix's layout found, the same three layers" '[ "\$(st layers)" = "KNOPPIX KNOPPIX1 KNOPPIX2" ]'
		t "toram: the cloop layer is served from its RAM copy" 'st layer.KNOPPIX | grep -q "^/run/live/layers/KNOPPIX /dev/nbd0 /run/live/toram/"'
		t "toram: the medium is released" '! grep -q " /run/live/medium " /proc/mounts'
		t "toram: the 8 MiB file of the cloop layer reads back whole" '[ "\$(sha256sum /knoppix-test/data.bin | cut -d" " -f1)" = "$sum" ]'
		EOF
		echo "poweroff -f"
	} > "$OUT/toram.in"
	vm_session knoppix-toram 240 "LIVESTACK-DEMO-READY" "$OUT/toram.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$stage/knoppix.iso" \
		-append "$(echo "${APPEND% tohd=*}" | sed 's/ knoppix_dir=KNOPPIX knoppix_name=KNOPPIX//') toram"
	rc=$?
	[ $rc = 0 ] || nok "knoppix-toram: guest powered off before the deadline" "rc=$rc"
	expect knoppix-toram "the demo system came up from the cloop layer in RAM" "^LIVESTACK-DEMO-READY"
	expect knoppix-toram "the console says the layout was found without knoppix_dir=" \
		"medium: no /live here, but Knoppix's layout: live.dir=/KNOPPIX live.image=KNOPPIX"
	guest_tap knoppix-toram
	no_panic knoppix-toram
fi

if want casper-layout; then
	# Ubuntu's layout (casper/filesystem.squashfs, no /live) booted with Ubuntu's own menu
	# line, which names no directory (quiet: the status file says where the layer came from)
	cas=$OUT/casper; rm -rf "$cas"; mkdir -p "$cas/tree/casper"
	cp "$BUILD/demo/10-demo.squashfs" "$cas/tree/casper/filesystem.squashfs"
	xorriso -as mkisofs -quiet -V "Ubuntu 24.04 LTS amd64" -R -J -o "$cas/ubuntu.iso" "$cas/tree" >/dev/null 2>&1
	{
		sed -n '/^t() /p; /^st() /p' "$CHECKS"
		cat <<-'EOF'
		t "casper: the layer is casper/filesystem.squashfs" '[ "$(st layers)" = filesystem ] && st layer.filesystem | grep -q " /run/live/medium/casper/filesystem.squashfs$"'
		t "casper: the console line of the find is in the kernel log" 'dmesg | grep -q "but casper.s layout: live.dir=/casper"'
		EOF
		echo "poweroff -f"
	} > "$OUT/casper.in"
	vm_session casper-layout 180 "LIVESTACK-DEMO-READY" "$OUT/casper.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$cas/ubuntu.iso" \
		-append "console=ttyS0,115200 panic=-1 file=/cdrom/preseed/ubuntu.seed boot=casper quiet splash ---"
	rc=$?
	[ $rc = 0 ] || nok "casper-layout: guest powered off before the deadline" "rc=$rc"
	expect casper-layout "the demo system came up from /casper" "^LIVESTACK-DEMO-READY"
	guest_tap casper-layout
	no_panic casper-layout
fi

if want knoppix-corrupt; then
	# the same medium with the cloop image cut short: its table points past the end
	bad=$OUT/bad; rm -rf "$bad"; mkdir -p "$bad/tree/KNOPPIX"
	img=$stage/tree/KNOPPIX/KNOPPIX
	head -c $(( $(stat -c %s "$img") - 100000 )) "$img" > "$bad/tree/KNOPPIX/KNOPPIX"
	xorriso -as mkisofs -quiet -V KNOPPIX_FTP -R -J -o "$bad/bad.iso" "$bad/tree" >/dev/null 2>&1
	vm_session knoppix-corrupt 120 "rescue shell;" "$OUT/poweroff.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -cdrom "$bad/bad.iso" -append "$APPEND"
	expect knoppix-corrupt "one message names the layer, the file and why" \
		"layer KNOPPIX: /run/live/medium/KNOPPIX/KNOPPIX is a cloop image livestack cannot use: truncated"
	expect knoppix-corrupt "and what to try" "copy it to the medium again"
	expect knoppix-corrupt "opens the rescue shell in phase layers" "\(livestack:layers\) #"
	no_panic knoppix-corrupt
fi

done_
