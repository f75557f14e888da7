#!/bin/bash
# Make the seed corpora of tests/fuzz/corpus/ from real things: filesystems made by mkfs.*,
# mksquashfs, xorriso and cryptsetup (the first 64-256 KiB), sfdisk tables, cloop images from
# create_compressed_fs, zlib streams, replies of a real HTTP server on 127.0.0.1, the boot lines
# of tests/unit, a kernel's modules.dep/alias. Run by hand when a format is added; the output is
# committed (keep it small).  usage: tests/fuzz/seeds.sh [KMODDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
c=$here/corpus
tmp=$(mktemp -d)
srv=
trap 'rm -rf "$tmp"; [ -n "$srv" ] && kill "$srv" 2>/dev/null' EXIT
rm -rf "$c"; mkdir -p "$c"/{probe,mbr,cloop,inflate,http,cmdline,persist_conf,persist_layout,lease,sums,runstatus,kmoddep,cpio}
head_of() { head -c "$2" "$1" > "$3"; }	# FILE BYTES OUT

# ---- filesystems: the probes read the first 128 KiB at most (UDF's anchor at 256 x 512) ----
fs() { # NAME SIZE_MB CMD... (the image path is appended)
	local n=$1 mb=$2; shift 2
	rm -f "$tmp/$n.img"; truncate -s "${mb}M" "$tmp/$n.img"
	"$@" "$tmp/$n.img" > /dev/null 2>&1 || { echo "seeds: $n: $* failed" >&2; return 0; }
	head_of "$tmp/$n.img" 135168 "$c/probe/$n"
}
fs ext2 8 mkfs.ext2 -q -F -L live-data
fs ext4 8 mkfs.ext4 -q -F -L persistence -U 0b9e1d6a-2f8c-4f55-9f0e-6a7c3d7e1f20
fs vfat12 4 mkfs.vfat -F 12 -n LIVE12
fs vfat16 32 mkfs.vfat -F 16 -n LIVE16
fs vfat32 64 mkfs.vfat -F 32 -n LIVESTACK
fs exfat 16 mkfs.exfat -L exlive
fs ntfs 16 mkfs.ntfs -q -F -f -L ntlive
fs btrfs 128 mkfs.btrfs -q -f -L btlive
fs udf 8 mkudffs -b 512 --label=udflive
fs udf2048 8 mkudffs -b 2048 --label=udf2k
printf 'x' > "$tmp/key"
fs luks 20 cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file "$tmp/key" --label=crypt
fs luks1 20 cryptsetup luksFormat -q --type luks1 --pbkdf-force-iterations 1000 --key-file "$tmp/key"
mkdir -p "$tmp/root/live" "$tmp/root/isolinux"; echo hello > "$tmp/root/live/x"
cp /usr/lib/ISOLINUX/isolinux.bin "$tmp/root/isolinux/"
eltorito="-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table"
mksquashfs "$tmp/root" "$tmp/sq.img" -quiet -noappend > /dev/null && head_of "$tmp/sq.img" 4096 "$c/probe/squashfs"
xorriso -as mkisofs -quiet -V LIVESTACK -o "$tmp/iso.img" "$tmp/root" 2> /dev/null &&
	head_of "$tmp/iso.img" 65536 "$c/probe/iso9660"
xorriso -as mkisofs -quiet -V HYBRID $eltorito -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-o "$tmp/hyb.img" "$tmp/root" 2> /dev/null && head_of "$tmp/hyb.img" 65536 "$c/probe/isohybrid"

# ---- MBR: 1 byte sector size choice and wanted MiB, 4 bytes disk MiB, then the disk ----
mbr() { # NAME CHOICE DISK_MB IMAGE
	{ printf "\\x$(printf %02x "$2")"; printf "\\x$(printf %02x $(($3 & 255)))\\x$(printf %02x $(($3 >> 8 & 255)))\\x00\\x00"
	  head -c 65536 "$4"; } > "$c/mbr/$1"
}
truncate -s 64M "$tmp/d.img"
printf 'label: dos\nstart=2048, size=20480, type=83\nstart=22528, size=8192, type=c\n' |
	sfdisk -q "$tmp/d.img" > /dev/null
mbr sfdisk2 0 64 "$tmp/d.img"
mbr sfdisk2-want16 32 64 "$tmp/d.img"
mbr sfdisk2-4k 1 512 "$tmp/d.img"
rm -f "$tmp/g.img"; truncate -s 64M "$tmp/g.img"
printf 'label: gpt\nstart=2048, size=20480\n' | sfdisk -q "$tmp/g.img" > /dev/null
mbr gpt 0 64 "$tmp/g.img"
[ -f "$tmp/hyb.img" ] && mbr isohybrid 0 256 "$tmp/hyb.img"
xorriso -as mkisofs -quiet -V EFIHYB $eltorito -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-isohybrid-gpt-basdat -o "$tmp/hybgpt.img" "$tmp/root" 2> /dev/null &&
	mbr isohybrid-gpt 0 256 "$tmp/hybgpt.img" && mbr isohybrid-gpt-4k 1 256 "$tmp/hybgpt.img"

# ---- cloop (create_compressed_fs: V2.0, zlib) and raw zlib/deflate ----
python3 -c 'import sys; sys.stdout.write("".join("line %d of a file in a cloop image\n" % i for i in range(9000)))' > "$tmp/plain"
for b in 512 4096 65536; do
	create_compressed_fs -B $b "$tmp/plain" "$tmp/cl.$b" > /dev/null 2>&1 &&
		head_of "$tmp/cl.$b" 131072 "$c/cloop/v2-$b"
done
python3 - "$c/inflate" "$tmp/plain" <<'PY'
import sys, zlib
out, plain = sys.argv[1], open(sys.argv[2], 'rb').read()[:20000]
for lvl in (0, 1, 6, 9):
    open(f"{out}/zlib-{lvl}", "wb").write(b"\x7e" + zlib.compress(plain, lvl))
    co = zlib.compressobj(lvl, zlib.DEFLATED, -15)
    open(f"{out}/raw-{lvl}", "wb").write(b"\x7f" + co.compress(plain) + co.flush())
co = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_FIXED)
open(f"{out}/zlib-fixed", "wb").write(b"\x7e" + co.compress(plain[:3000]) + co.flush())
PY

# ---- HTTP: replies of python3's http.server (200, 206, 404, 301) as recorded bytes; then a
# live.fetch= item and a layers.list, each after a 0 byte ----
mkdir -p "$tmp/www/live"
printf '10-base.squashfs\n%s  20-x.squashfs\n' "$(printf x | sha256sum | cut -c1-64)" > "$tmp/www/live/layers.list"
echo data > "$tmp/www/live/10-base.squashfs"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$tmp/www" && exec python3 -m http.server -b 127.0.0.1 "$port" > /dev/null 2>&1) & srv=$!
for i in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break; sleep 0.1; done
python3 - "$port" "$c/http" <<'PY'
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
def rec(name, path, extra=b"", item=b"http://server/live/10-base.squashfs", lst=b""):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + b"\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    open(f"{out}/{name}", "wb").write(data + b"\0" + item + b"\0" + lst)
rec("200", b"/live/10-base.squashfs")
rec("404", b"/nosuch", item=b"/live/")
rec("301", b"/live", item=b"http://10.0.2.2:8080/live/layers.list")
rec("206", b"/live/10-base.squashfs", b"Range: bytes=2-\r\n", item=b"http://s/.x")
rec("list", b"/live/layers.list", item=b"http://s/live/", lst=b"# layers\n10-base.squashfs\r\n" + b"0"*64 + b"  *20-x.squashfs\n")
PY

# ---- boot lines: every parse("...") of the unit tests, one per file ----
grep -ohE '(parse|cmdline_parse\(&o,) ?\("[^"]*("[^"]*")*[^"]*"' "$top"/tests/unit/test_cmdline.c "$top"/tests/unit/test_toram.c |
	sed -E 's/^[^"]*"//; s/"$//' | awk 'NF' | sort -u | while IFS= read -r l; do
	printf '%s' "$l" > "$c/cmdline/$(printf '%s' "$l" | sha1sum | cut -c1-12)"
done

# ---- persistence.conf (live-boot's examples), SHA256SUMS, a status file, modules, cpio ops ----
printf '/ union\n' > "$c/persist_conf/root"
printf '# live-boot persistence.conf\n/home bind,source=homedata\n/var/cache\n/opt link\n/data bind,source=.\n/etc/NetworkManager union\n' > "$c/persist_conf/binds"
printf '/usr/lib bind,source=../x\n//lib/live bind\n// bind\n' > "$c/persist_conf/unsafe"
(cd "$tmp/root/live" && echo a > 10-base.squashfs && echo b > 20-x.squashfs && sha256sum *.squashfs > "$c/sums/text" &&
	sha256sum -b *.squashfs | sed 's/$/\r/' > "$c/sums/binary-crlf" && sha256sum "$PWD"/10-base.squashfs > "$c/sums/dirs")
sed -n '/^static const char sample\[\] =/,/;$/p' "$top/tests/unit/test_livectl.c" | sed -E '1d; s/^\t"//; s/\\n"(;)?$//; s/\\"/"/g' > "$c/runstatus/livectl-sample"
printf 'format=1\nlayers=a b\nlayer.a=/run/live/layers/a - /m/a.squashfs\nlayer.b=/m/b /dev/loop1 /i b\nrw=/run/live/rw/upper\n' > "$c/runstatus/layers"
kd=${1:-}
if [ -n "$kd" ] && [ -f "$kd/modules.dep" ]; then
	{ grep -E 'sr_mod|cdrom|usb-storage|uas|ahci|libata|scsi_mod|sd_mod|virtio|squashfs|isofs|loop|nls_|ext4|jbd2|mbcache|crc16' "$kd/modules.dep" | head -60
	  printf '\0'; grep -E 'sr_mod|usb_storage|ahci|virtio|pci:v00008086d00007010|usb:v0781' "$kd/modules.alias" | head -60
	  printf '\0'; head -40 "$kd/modules.builtin"; printf '\0'; cat "$top/tests/unit/fixtures/lists/good.list"; } > "$c/kmoddep/kernel"
fi
f=$top/tests/unit/fixtures/kmod
{ cat "$f/modules.dep"; printf '\0'; cat "$f/modules.alias"; printf '\0'; cat "$f/modules.builtin"; printf '\0'
  cat "$top/tests/unit/fixtures/lists/good.list"; } > "$c/kmoddep/fixture"
printf 'd bin\nf bin/busybox #!/bin/sh\nl bin/sh busybox\nc dev/console\nd dev\nf init x\nd proc\nf etc/livestack/image format=1\n' > "$c/cpio/initramfs"
printf 'f a 1\nf a/b 2\nf TRAILER!!! x\nl lib usr/lib\nf lib/x 1\nd a//b\n' > "$c/cpio/bad"
du -sh "$c"; find "$c" -type f | wc -l

# ---- DHCP leases: klibc's ipconfig against dnsmasq in network namespaces (root) ----
bash "$here/seeds_lease.sh" "$c/lease" || echo "seeds: lease: needs root, dnsmasq, klibc-utils" >&2

# ---- peers' persistence layouts, as tests/unit/test_foreign.c and tests/vm/foreign.sh make them:
# byte 0 the implied format (0 detect, 1 live-boot, 2 casper, 3 knoppix, 4 archiso, 5 porteus,
# 6 livestack) + 8 * live.union (1 aufs, 2 overlay); label, what, dir, media, path; the tree ----
lay() { printf "$2" > "$c/persist_layout/$1"; }	# NAME FORMAT-STRING
lay liveboot-overlay '\000persistence\n/dev/sdb1\n\n\n\nc persistence.conf\nd rw/etc\nd work/work\nn rw/etc/gone\no rw/opt\n\000/ union\n/home bind,source=homedata\n'
lay liveboot-aufs '\010persistence\n/dev/sdb1\n\n\n\nc persistence.conf\nd etc/sub\nf etc/.wh.group\nf etc/sub/.wh..wh..opq\nd lost+found\n\000/ union\n'
lay liveboot-binds '\000persistence\n/dev/sdb1\n\n\n\nc persistence.conf\nd homedata\nd var/cache\n\000/home bind,source=homedata\n/var/cache\n/data bind,source=.\n'
lay casper '\000\n/dev/sdb1:/casper-rw\n\n\n\nd upper/etc\nd work/work\nn upper/etc/x\n'
lay casper-writable '\000writable\n/dev/sdb2\n\n\n\nd upper\nd work\n'
lay knoppix '\000\n/dev/sdb1:/KNOPPIX/knoppix-data.img\n\n\n\nd etc\nf .wh.bin\n'
lay knoppix-label '\000KNOPPIX-DATA\n/dev/sdb2\n\n\n\nd home/knoppix\n'
lay archiso '\004cow\n/dev/sdb2\n\nLABEL=ARCH_202312\n\nd persistent_ARCH_202312/x86_64/upperdir/etc\nd persistent_ARCH_202312/x86_64/workdir\n'
lay porteus '\005\n/dev/sdb1:/porteus/changes\n/porteus/changes\n\n\nd porteus/changes/etc\nf porteus/changes/etc/.wh.hosts\n'
lay livestack '\006live-rw\n/dev/sdb2\n\n\n/boot\nd upper/etc\nd work/work\ns upper/etc/link ../x\nn upper/gone\nc persistence.conf\n\000/ union\n'
