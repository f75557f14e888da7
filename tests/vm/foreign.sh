#!/bin/bash
# Persistence of other live systems in QEMU (TCG): one boot per peer with the peer's own
# boot parameter and an ext4 image made on the host without mounting (mke2fs -d; overlayfs
# whiteouts made with mknod c 0 0, aufs ones as .wh. files). Each image holds a changed
# /etc/motd and a whiteout of /etc/group (a file of the demo layer). In the guest: the
# change is seen, the whiteout hides the file, a new write lands in the peer's directory,
# status persist.format= and the console name the format. live-boot also has bind lines
# (one used, unsupported ones named and skipped); Knoppix is booted with live.union=overlay
# (its aufs whiteouts make /init take aufs and say so); live-boot without "/ union" (bind
# lines only, the root on a tmpfs); a Porteus save.dat with overlayfs whiteouts (no place
# for a workdir) is refused (tmpfs, nothing written to it). Then: live-boot's
# persistence-path= with Debian's boot line (quiet: checked in the kernel log); Knoppix'
# KNOPPIX-DATA partition; casper's casper-rw file on a FAT partition with Ubuntu's line;
# live-boot on aufs (no rw/, .wh. files at the root) booted with live.union=overlay;
# archiso's default cow_directory; a casper-rw with both kinds of whiteouts refused (the
# image's listings before and after equal); a live-boot bind line whose source is missing
# (made as a copy of the live system's directory, as live-boot does).
# usage: tests/vm/foreign.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching scenarios)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" vm/foreign "$@"

MOTD="motd-of-the-peer"

# boot NAME IMAGE CMDLINE LINES...: the demo (kernel+initrd, the ISO as CD), IMAGE as a
# virtio disk, the common checks, then LINES; powered off at the end
boot() {
	local name=$1 img=$2 cmdline=$3; shift 3
	guest_in "$OUT/$name.in" \
		"t \"the changed /etc/motd is seen\" \"grep -q $MOTD /etc/motd\"" \
		't "the whiteout hides /etc/group" "[ ! -e /etc/group ] && ! ls /etc | grep -qx group"' \
		"$@" 'sync; poweroff -f'
	vm_session "$name" 150 "LIVESTACK-DEMO-READY" "$OUT/$name.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND $cmdline" -cdrom "$ISO" \
		-drive "file=$img,format=raw,if=virtio"
	local rc=$?
	[ $rc = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the demo system came up" "^LIVESTACK-DEMO-READY"
	refute "$name" "no kernel oops or panic" "Kernel panic|Oops|BUG:|WARNING:"
	guest_tap "$name"
}

# mkimg IMG LABEL DIR [SIZE]: an ext4 image of DIR (as root: owners and device nodes kept)
mkimg() {
	rm -f "$1"
	mke2fs -q -F -t ext4 ${2:+-L "$2"} -d "$3" "$1" "${4:-32M}" >"$OUT/mke2fs.log" 2>&1
}
# listing IMG DIR...: "ls -l" of each DIR of the image (journal replayed on a copy): two
# listings differ when anything was written in those directories
listing() {
	local img=$1 d; shift
	cp --sparse=always "$img" "$img.lst" && e2fsck -fy "$img.lst" >/dev/null 2>&1
	for d in "$@"; do echo "== $d"; debugfs -R "ls -l $d" "$img.lst" 2>/dev/null; done
}
# dbg IMG CMD: debugfs on a copy of the image after its journal is replayed (the guest
# powers off without unmounting), for the checks after the boot
dbg() {
	cp --sparse=always "$1" "$1.chk" && e2fsck -fy "$1.chk" >/dev/null 2>&1
	debugfs -R "$2" "$1.chk" 2>/dev/null
}

# changes DIR FORMAT: the peer's changes in DIR: /etc/motd changed, /etc/group whited out
changes() {
	mkdir -p "$1/etc" "$1/root"
	echo "$MOTD" > "$1/etc/motd"
	if [ "$2" = overlay ]; then mknod "$1/etc/group" c 0 0; else : > "$1/etc/.wh.group"; chmod 0444 "$1/etc/.wh.group"; fi
}

mkdir -p "$OUT" "$VM_OUT"
[ -f "$ISO" ] && [ -f "$INITRD" ] || { nok "demo built" "run make all"; done_; }
[ "$(id -u)" = 0 ] || { nok "runs as root (mknod for overlayfs whiteouts)"; done_; }
S=$OUT/src
rm -rf "$S"

if want live-boot; then
	# live-boot with overlayfs: rw/ and work/ at the root, persistence.conf with "/ union"
	# and a bind line; "link" and a directory union are not supported by livestack
	changes "$S/lb/rw" overlay
	mkdir -p "$S/lb/work" "$S/lb/homedata"
	echo "from the bind" > "$S/lb/homedata/kept.txt"
	printf '%s\n' "/ union" "/home bind,source=homedata" "/opt link" "/srv union" "# a comment" \
		> "$S/lb/persistence.conf"
	mkimg "$OUT/lb.img" persistence "$S/lb"
	boot live-boot "$OUT/lb.img" "boot=live persistence" \
		't "status persist.format=live-boot" "[ \"$(st persist.format)\" = live-boot ]"' \
		't "the branch is rw/ (live-boot overlay layout)" "[ \"$(st rw)\" = /run/live/rw/rw ]"' \
		't "the root union is overlayfs (the whiteouts are overlayfs ones)" "grep -q \"^overlay / overlay .*upperdir=/run/live/rw/rw,workdir=/run/live/rw/work\" /proc/mounts"' \
		'echo new-lb > /root/new.txt' \
		't "a new write lands in rw/" "grep -q new-lb /run/live/rw/rw/root/new.txt"' \
		't "/home is bound from homedata/" "grep -q \"from the bind\" /home/kept.txt"' \
		'echo home-write > /home/w.txt' \
		't "a write to /home lands in homedata/" "grep -q home-write /run/live/rw/homedata/w.txt"' \
		't "status lists the bind" "st persist.bind | grep -q \" /home$\""'
	expect live-boot "console names the format" "persistence: live-boot format on /dev/vda"
	expect live-boot "unsupported option named, line skipped" 'persistence.conf line 3 \(/opt\): option "link" is not supported by livestack, line skipped'
	expect live-boot "a directory union named, line skipped" 'persistence.conf line 4 \(/srv\): union mounts of a directory are not supported'
	expect live-boot "/home bound" "persistence: /home bound from /run/live/rw/homedata"
	expect live-boot "console: the whiteouts are overlayfs ones, the union is overlay (aufs is the default)" "persistence: /run/live/rw/rw holds overlayfs whiteouts: the union is overlay"
	host "live-boot: the write is on the image (rw/root/new.txt)" "dbg '$OUT/lb.img' 'cat /rw/root/new.txt' | grep -q new-lb"
	host "live-boot: the /home write is on the image (homedata/w.txt)" "dbg '$OUT/lb.img' 'cat /homedata/w.txt' | grep -q home-write"
fi

if want live-boot-binds; then
	# live-boot without "/ union": the root's changes are not kept (tmpfs), two bind lines
	mkdir -p "$S/lbb/home" "$S/lbb/logs"
	echo "home of the peer" > "$S/lbb/home/kept.txt"
	printf '%s\n' "/home" "/var/log bind,source=logs" > "$S/lbb/persistence.conf"
	mkimg "$OUT/lbb.img" persistence "$S/lbb"
	guest_in "$OUT/live-boot-binds.in" \
		't "status persist.format=live-boot" "[ \"$(st persist.format)\" = live-boot ]"' \
		't "the rw branch is a tmpfs (no / union)" "[ \"$(st rw.type)\" = tmpfs ] && grep -q \"^tmpfs /run/live/rw \" /proc/mounts"' \
		't "the persistence fs is on /run/live/persistence" "grep -q \"^/dev/vda /run/live/persistence ext4\" /proc/mounts"' \
		't "/home is the persistence home/" "grep -q \"home of the peer\" /home/kept.txt"' \
		'echo log-write > /var/log/w.txt; echo root-write > /root/r.txt' \
		't "a write to /var/log lands in logs/" "grep -q log-write /run/live/persistence/logs/w.txt"' \
		't "a write to /root lands in the tmpfs" "grep -q root-write /run/live/rw/upper/root/r.txt"' \
		'sync; poweroff -f'
	vm_session live-boot-binds 150 "LIVESTACK-DEMO-READY" "$OUT/live-boot-binds.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND boot=live persistence" -cdrom "$ISO" \
		-drive "file=$OUT/lbb.img,format=raw,if=virtio"
	expect live-boot-binds "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect live-boot-binds "console: no / union line, 2 bind lines" 'live-boot format \(/dev/vda\), no "/ union" line: the root.s changes are not kept, 2 bind line'
	expect live-boot-binds "console: /var/log bound" "persistence: /var/log bound from /run/live/persistence/logs"
	guest_tap live-boot-binds
	host "live-boot-binds: the /var/log write is on the image" "dbg '$OUT/lbb.img' 'cat /logs/w.txt' | grep -q log-write"
fi

if want casper; then
	# casper: a partition labelled casper-rw with upper/ and work/ at its root
	changes "$S/casper/upper" overlay
	mkdir -p "$S/casper/work"
	mkimg "$OUT/casper.img" casper-rw "$S/casper"
	boot casper "$OUT/casper.img" "boot=casper persistent" \
		't "status persist.format=casper" "[ \"$(st persist.format)\" = casper ]"' \
		't "the root union is overlayfs with upper/" "grep -q \"^overlay / overlay .*upperdir=/run/live/rw/upper,workdir=/run/live/rw/work\" /proc/mounts"' \
		'echo new-casper > /root/new.txt' \
		't "a new write lands in upper/" "grep -q new-casper /run/live/rw/upper/root/new.txt"'
	expect casper "console names the format" "persistence: casper format on /dev/vda"
	host "casper: the write is on the image (upper/root/new.txt)" "dbg '$OUT/casper.img' 'cat /upper/root/new.txt' | grep -q new-casper"
fi

if want archiso; then
	# archiso: cow_label= partition, cow_directory= holding upperdir/ and workdir/
	changes "$S/arch/arch/x86_64/upperdir" overlay
	mkdir -p "$S/arch/arch/x86_64/workdir"
	mkimg "$OUT/arch.img" COWSPACE "$S/arch"
	boot archiso "$OUT/arch.img" "archisolabel=LIVESTACK cow_label=COWSPACE cow_directory=arch/x86_64" \
		't "status persist.format=archiso" "[ \"$(st persist.format)\" = archiso ]"' \
		't "the branch is cow_directory/upperdir" "[ \"$(st rw)\" = /run/live/rw/arch/x86_64/upperdir ]"' \
		'echo new-arch > /root/new.txt' \
		't "a new write lands in upperdir/" "grep -q new-arch /run/live/rw/arch/x86_64/upperdir/root/new.txt"'
	expect archiso "console names the format" "persistence: archiso format on /dev/vda"
	host "archiso: the write is on the image" "dbg '$OUT/arch.img' 'cat /arch/x86_64/upperdir/root/new.txt' | grep -q new-arch"
fi

if want porteus; then
	# Porteus/Slax: changes=/dev/X/porteus/changes, a directory that is the aufs rw branch
	changes "$S/porteus/porteus/changes" aufs
	mkimg "$OUT/porteus.img" "" "$S/porteus"
	boot porteus "$OUT/porteus.img" "changes=/dev/vda/porteus/changes" \
		't "status persist.format=porteus" "[ \"$(st persist.format)\" = porteus ]"' \
		't "the root union is aufs with the changes dir" "grep -q \"^none / aufs .*br:/run/live/rw/porteus/changes=rw\" /proc/mounts"' \
		'echo new-porteus > /root/new.txt' \
		't "a new write lands in porteus/changes/" "grep -q new-porteus /run/live/rw/porteus/changes/root/new.txt"' \
		'rm /etc/hostname' \
		't "a deletion is an aufs whiteout in the changes dir" "[ -f /run/live/rw/porteus/changes/etc/.wh.hostname ]"'
	expect porteus "console names the format" "persistence: porteus format on /dev/vda:/porteus/changes"
	expect porteus "console: the union is aufs" "union: aufs on /root"
	expect porteus "console: no place for a workdir, only aufs" "porteus layout: no place for overlayfs' workdir beside /run/live/rw/porteus/changes, only aufs"
	host "porteus: the write is on the image" "dbg '$OUT/porteus.img' 'cat /porteus/changes/root/new.txt' | grep -q new-porteus"
fi

if want knoppix; then
	# Knoppix: KNOPPIX/knoppix-data.img on a partition; its root is the aufs rw branch.
	# Booted with live.union=overlay: the aufs whiteouts make /init take aufs, and say so.
	changes "$S/kdata" aufs
	mkdir -p "$S/khost/KNOPPIX"
	mkimg "$S/khost/KNOPPIX/knoppix-data.img" "" "$S/kdata"
	mkimg "$OUT/knoppix-host.img" "" "$S/khost"
	boot knoppix "$OUT/knoppix-host.img" "persistence live.union=overlay" \
		't "status persist.format=knoppix" "[ \"$(st persist.format)\" = knoppix ]"' \
		't "the root union is aufs with the image root as branch" "grep -q \"^none / aufs .*br:/run/live/rw=rw\" /proc/mounts"' \
		'echo new-knoppix > /root/new.txt' \
		't "a new write lands at the image root" "grep -q new-knoppix /run/live/rw/root/new.txt"'
	expect knoppix "console names the format" "persistence: knoppix format on /dev/vda:/KNOPPIX/knoppix-data.img"
	expect knoppix "live.union=overlay not used, aufs named" "live.union=overlay not used: /run/live/rw needs aufs"
	expect knoppix "console: no place for a workdir, only aufs" "knoppix layout: no place for overlayfs' workdir beside /run/live/rw, only aufs can use it"
fi

if want porteus-dat; then
	# Porteus' changes=/porteus/save.dat (an image file, looked for on every partition)
	# whose root holds overlayfs whiteouts: no place for overlayfs' workdir and aufs cannot
	# read them, so it is refused (tmpfs), with the way out named, and nothing is written
	changes "$S/dat" overlay
	mkdir -p "$S/dathost/porteus"
	mkimg "$S/dathost/porteus/save.dat" "" "$S/dat"
	mkimg "$OUT/dathost.img" "" "$S/dathost"
	guest_in "$OUT/porteus-dat.in" \
		't "refused: the rw branch is a tmpfs" "[ \"$(st rw.type)\" = tmpfs ] && [ \"$(st persist)\" = none ]"' \
		't "status persist.format=none" "[ \"$(st persist.format)\" = none ]"' \
		't "the lower /etc/group is seen (nothing of the branch used)" "[ -f /etc/group ]"' \
		't "the persistence is not mounted" "! grep -q \"^/dev/loop[0-9]* /run/live/rw \" /proc/mounts"' \
		'echo x > /root/new.txt; sync; poweroff -f'
	vm_session porteus-dat 150 "LIVESTACK-DEMO-READY" "$OUT/porteus-dat.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND changes=/porteus/save.dat" -cdrom "$ISO" \
		-drive "file=$OUT/dathost.img,format=raw,if=virtio"
	expect porteus-dat "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect porteus-dat "console: refused, why, and the way out" "persistence \(live.persist=/porteus/save.dat\) not used: /run/live/rw holds overlayfs whiteouts \(e.g. /run/live/rw/etc/group\) but has no place for overlayfs' workdir beside it \(porteus layout\) and aufs cannot read them; convert it with livectl persist convert --to aufs; the rw branch is a tmpfs"
	guest_tap porteus-dat
	mkdir -p "$OUT/chk" && debugfs -R "dump /porteus/save.dat $OUT/chk/save.dat" "$OUT/dathost.img" >/dev/null 2>&1
	host "porteus-dat: nothing written to the refused image" "! dbg '$OUT/chk/save.dat' 'ls -l /root' | grep -q new.txt"
fi
if want persistence-path; then
	# live-boot's persistence-path=: the image file "persistence" in /debian12 of a
	# partition, with Debian's own boot line (quiet: the lines go to the kernel log); a
	# decoy "persistence" at the partition's root must not be used
	changes "$S/pp/rw" overlay
	mkdir -p "$S/pp/work" "$S/pphost/debian12" "$S/decoy/rw/etc"
	echo "/ union" > "$S/pp/persistence.conf"
	mkimg "$S/pphost/debian12/persistence" "" "$S/pp" 8M
	echo "decoy" > "$S/decoy/rw/etc/motd"; mkdir -p "$S/decoy/work"
	echo "/ union" > "$S/decoy/persistence.conf"
	mkimg "$S/pphost/persistence" "" "$S/decoy" 8M
	mkimg "$OUT/pphost.img" "" "$S/pphost"
	boot persistence-path "$OUT/pphost.img" "boot=live components quiet splash persistence persistence-path=/debian12" \
		't "status persist.format=live-boot" "[ \"$(st persist.format)\" = live-boot ]"' \
		't "status: the image under persistence-path= is used" "[ \"$(st persist)\" = /dev/vda:/debian12/persistence ]"' \
		't "the kernel log names the format (quiet)" "dmesg | grep -q \"livestack: persistence: live-boot format on /dev/vda:/debian12/persistence\""' \
		't "the root union is overlayfs with rw/" "grep -q \"^overlay / overlay .*upperdir=/run/live/rw/rw,\" /proc/mounts"' \
		'echo new-pp > /root/new.txt' \
		't "a new write lands in rw/ of the image" "grep -q new-pp /run/live/rw/rw/root/new.txt"'
	refute persistence-path "quiet: the info line is not on the console" "(^|\] )livestack: persistence: live-boot format"
	mkdir -p "$OUT/chk" && debugfs -R "dump /debian12/persistence $OUT/chk/pp.img" "$OUT/pphost.img" >/dev/null 2>&1
	host "persistence-path: the write is in /debian12/persistence (rw/root/new.txt)" "dbg '$OUT/chk/pp.img' 'cat /rw/root/new.txt' | grep -q new-pp"
	debugfs -R "dump /persistence $OUT/chk/decoy.img" "$OUT/pphost.img" >/dev/null 2>&1
	host "persistence-path: the decoy at the root is untouched" "! dbg '$OUT/chk/decoy.img' 'ls /rw/root' | grep -q new.txt"
fi

if want knoppix-label; then
	# Knoppix' KNOPPIX-DATA partition: its root is the aufs rw branch (found by
	# live.persist=auto's labels; Knoppix itself uses it without a boot parameter)
	changes "$S/kpart" aufs
	mkimg "$OUT/kpart.img" KNOPPIX-DATA "$S/kpart"
	boot knoppix-label "$OUT/kpart.img" "lang=en apm=power-off nomce tz=localtime persistence" \
		't "status persist.format=knoppix" "[ \"$(st persist.format)\" = knoppix ]"' \
		't "status: the partition is used" "[ \"$(st persist)\" = /dev/vda ]"' \
		't "the root union is aufs with the partition root as branch" "grep -q \"^none / aufs .*br:/run/live/rw=rw\" /proc/mounts"' \
		'echo new-kpart > /root/new.txt' \
		't "a new write lands at the partition root" "grep -q new-kpart /run/live/rw/root/new.txt"'
	expect knoppix-label "console names the format" "persistence: knoppix format on /dev/vda: changes in /run/live/rw \(no workdir\)"
	expect knoppix-label "console: the whiteouts are aufs ones, the union is aufs" "persistence: /run/live/rw holds aufs whiteouts: the union is aufs"
	host "knoppix-label: the write is on the partition (root/new.txt)" "dbg '$OUT/kpart.img' 'cat /root/new.txt' | grep -q new-kpart"
fi

if want casper-file; then
	# casper's file form: casper-rw (upper/, work/) at the root of a FAT partition, with
	# Ubuntu's boot line plus "persistent"
	changes "$S/cfile/upper" overlay
	mkdir -p "$S/cfile/work"
	mkimg "$OUT/casper-rw" casper-rw "$S/cfile" 8M
	rm -f "$OUT/cfat.img"
	mkfs.vfat -C -n UBUNTU "$OUT/cfat.img" 16384 >/dev/null 2>&1 &&
		mcopy -i "$OUT/cfat.img" "$OUT/casper-rw" ::/casper-rw
	boot casper-file "$OUT/cfat.img" "file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash --- persistent" \
		't "status persist.format=casper" "[ \"$(st persist.format)\" = casper ]"' \
		't "status: the file casper-rw is used" "[ \"$(st persist)\" = /dev/vda:/casper-rw ]"' \
		't "the kernel log names the format (quiet)" "dmesg | grep -q \"livestack: persistence: casper format on /dev/vda:/casper-rw\""' \
		't "the root union is overlayfs with upper/" "grep -q \"^overlay / overlay .*upperdir=/run/live/rw/upper,workdir=/run/live/rw/work\" /proc/mounts"' \
		'echo new-cfile > /root/new.txt' \
		't "a new write lands in upper/" "grep -q new-cfile /run/live/rw/upper/root/new.txt"'
	mkdir -p "$OUT/chk" && rm -f "$OUT/chk/casper-rw" && mcopy -i "$OUT/cfat.img" ::/casper-rw "$OUT/chk/casper-rw"
	host "casper-file: the write is in casper-rw (upper/root/new.txt)" "dbg '$OUT/chk/casper-rw' 'cat /upper/root/new.txt' | grep -q new-cfile"
fi

if want live-boot-aufs; then
	# live-boot on aufs: "/ union", no rw/, the changes and .wh. whiteouts at the root
	changes "$S/lba" aufs
	echo "/ union" > "$S/lba/persistence.conf"
	mkimg "$OUT/lba.img" persistence "$S/lba"
	boot live-boot-aufs "$OUT/lba.img" "boot=live persistence live.union=overlay" \
		't "status persist.format=live-boot" "[ \"$(st persist.format)\" = live-boot ]"' \
		't "the branch is the root (live-boot aufs layout)" "[ \"$(st rw)\" = /run/live/rw ]"' \
		't "the root union is aufs" "grep -q \"^none / aufs .*br:/run/live/rw=rw\" /proc/mounts"' \
		't "no rw/ nor work/ made" "[ ! -e /run/live/rw/rw ] && [ ! -e /run/live/rw/work ]"' \
		'echo new-lba > /root/new.txt; rm /etc/hostname' \
		't "a new write lands at the root" "grep -q new-lba /run/live/rw/root/new.txt"' \
		't "a deletion is an aufs whiteout" "[ -f /run/live/rw/etc/.wh.hostname ]"'
	expect live-boot-aufs "console: no rw/, the root is the branch (live-boot on aufs)" "persistence: live-boot layout with no rw/ and changes at the root of /dev/vda: the root is the branch \(live-boot on aufs\)"
	expect live-boot-aufs "console names the format" "persistence: live-boot format on /dev/vda: changes in /run/live/rw \(no workdir\)"
	expect live-boot-aufs "console: live.union=overlay not used, aufs named" "live.union=overlay not used: /run/live/rw needs aufs \(aufs whiteouts\)"
	expect live-boot-aufs "console: the union is aufs" "union: aufs on /root"
	host "live-boot-aufs: the write is on the image (root/new.txt)" "dbg '$OUT/lba.img' 'cat /root/new.txt' | grep -q new-lba"
fi

if want archiso-default; then
	# archiso's cow_label= without cow_directory=: archiso's default
	# persistent_<archisolabel>/<uname -m> (hooks/archiso), here persistent_LIVESTACK/x86_64
	changes "$S/archd/persistent_LIVESTACK/x86_64/upperdir" overlay
	mkdir -p "$S/archd/persistent_LIVESTACK/x86_64/workdir" "$S/archd/arch/x86_64/upperdir/etc"
	echo decoy > "$S/archd/arch/x86_64/upperdir/etc/motd"
	mkimg "$OUT/archd.img" COWSPACE "$S/archd"
	boot archiso-default "$OUT/archd.img" "archisolabel=LIVESTACK cow_label=COWSPACE" \
		't "status persist.format=archiso" "[ \"$(st persist.format)\" = archiso ]"' \
		't "the branch is persistent_LIVESTACK/x86_64/upperdir" "[ \"$(st rw)\" = /run/live/rw/persistent_LIVESTACK/x86_64/upperdir ]"' \
		't "the cow_directory is mode 0700 (as archiso makes it)" "[ \"$(stat -c %a /run/live/rw/persistent_LIVESTACK/x86_64)\" = 700 ]"' \
		'echo new-archd > /root/new.txt' \
		't "a new write lands in upperdir/" "grep -q new-archd /run/live/rw/persistent_LIVESTACK/x86_64/upperdir/root/new.txt"'
	expect archiso-default "console names the format and the directory" "persistence: archiso format on /dev/vda: changes in /run/live/rw/persistent_LIVESTACK/x86_64/upperdir, workdir /run/live/rw/persistent_LIVESTACK/x86_64/workdir"
	host "archiso-default: the write is on the image" "dbg '$OUT/archd.img' 'cat /persistent_LIVESTACK/x86_64/upperdir/root/new.txt' | grep -q new-archd"
fi

if want mixed; then
	# a casper-rw partition whose upper/ holds aufs .wh. files AND overlayfs 0/0 devices:
	# refused with the reason (both counted, an example of each), tmpfs, nothing written
	changes "$S/mixed/upper" aufs
	mkdir -p "$S/mixed/upper/root" "$S/mixed/work"
	mknod "$S/mixed/upper/root/.keep" c 0 0
	mkimg "$OUT/mixed.img" casper-rw "$S/mixed"
	listing "$OUT/mixed.img" / /upper /upper/etc /upper/root /work > "$OUT/mixed.before"
	guest_in "$OUT/mixed.in" \
		't "refused: the rw branch is a tmpfs" "[ \"$(st rw.type)\" = tmpfs ] && [ \"$(st persist)\" = none ]"' \
		't "status persist.format=none" "[ \"$(st persist.format)\" = none ]"' \
		't "the lower /etc/group is seen (nothing of the branch used)" "[ -f /etc/group ]"' \
		't "the persistence is not mounted" "! grep -q \"^/dev/vda \" /proc/mounts"' \
		'echo x > /root/new.txt; sync; poweroff -f'
	vm_session mixed 150 "LIVESTACK-DEMO-READY" "$OUT/mixed.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND boot=casper persistent" -cdrom "$ISO" \
		-drive "file=$OUT/mixed.img,format=raw,if=virtio"
	expect mixed "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect mixed "console: refused, both kinds counted and named, the way out" "persistence \(live.persist=auto\) not used: /run/live/rw/upper has both aufs whiteouts \(1, e.g. /run/live/rw/upper/etc/.wh.group\) and overlayfs whiteouts \(1, e.g. /run/live/rw/upper/root/.keep\); mend it with livectl persist convert; the rw branch is a tmpfs"
	guest_tap mixed
	listing "$OUT/mixed.img" / /upper /upper/etc /upper/root /work > "$OUT/mixed.after"
	host "mixed: nothing written to the refused partition (listings equal)" "diff '$OUT/mixed.before' '$OUT/mixed.after'"
fi

if want bind-bootstrap; then
	# live-boot's bind line with a missing source: live-boot copies the live system's
	# directory into it ("cp -a DEST SOURCE"), then binds it. The persistence is live-boot
	# on aufs with changes but no whiteouts yet (only a changed motd at the root).
	mkdir -p "$S/lbs/etc"
	echo "$MOTD" > "$S/lbs/etc/motd"
	printf '%s\n' "/ union" "/etc bind,source=etc-kept" > "$S/lbs/persistence.conf"
	mkimg "$OUT/lbs.img" persistence "$S/lbs"
	guest_in "$OUT/bind-bootstrap.in" \
		't "status persist.format=live-boot" "[ \"$(st persist.format)\" = live-boot ]"' \
		't "a root with changes and no rw/ is live-boot on aufs: the union is aufs" "grep -q \"^none / aufs .*br:/run/live/rw=rw\" /proc/mounts"' \
		't "the changed /etc/motd is seen (through the bind: the copy has it)" "grep -q '"$MOTD"' /etc/motd"' \
		't "/etc is bound from etc-kept" "grep -q \" /etc ext4 \" /proc/mounts"' \
		't "etc-kept holds the live system passwd (same content)" "cmp /run/live/rw/etc-kept/passwd /run/live/layers/*/etc/passwd"' \
		't "etc-kept holds hostname and group" "[ -f /run/live/rw/etc-kept/hostname ] && [ -f /run/live/rw/etc-kept/group ]"' \
		't "the copy keeps the mode of the original" "[ \"$(stat -c %a /run/live/rw/etc-kept/passwd)\" = \"$(stat -c %a /run/live/layers/*/etc/passwd)\" ]"' \
		't "no half copy left (etc-kept.new)" "[ ! -e /run/live/rw/etc-kept.new ]"' \
		'echo bound-write > /etc/new.conf' \
		't "a write to /etc lands in etc-kept" "grep -q bound-write /run/live/rw/etc-kept/new.conf"' \
		'sync; poweroff -f'
	vm_session bind-bootstrap 150 "LIVESTACK-DEMO-READY" "$OUT/bind-bootstrap.in" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND boot=live persistence" -cdrom "$ISO" \
		-drive "file=$OUT/lbs.img,format=raw,if=virtio"
	expect bind-bootstrap "the demo system came up" "^LIVESTACK-DEMO-READY"
	expect bind-bootstrap "console: no rw/, the root is the branch (live-boot on aufs)" "persistence: live-boot layout with no rw/ and changes at the root of /dev/vda: the root is the branch \(live-boot on aufs\)"
	expect bind-bootstrap "console: the source made from the live system's /etc" "persistence: /run/live/rw/etc-kept made from the live system's /etc \(a copy, as live-boot does for a new bind source\)"
	expect bind-bootstrap "console: /etc bound" "persistence: /etc bound from /run/live/rw/etc-kept"
	refute bind-bootstrap "no kernel oops or panic" "Kernel panic|Oops|BUG:|WARNING:"
	guest_tap bind-bootstrap
	host "bind-bootstrap: the copy is on the image (etc-kept/hostname)" "dbg '$OUT/lbs.img' 'ls /etc-kept' | grep -q hostname"
	host "bind-bootstrap: the /etc write is on the image (etc-kept/new.conf)" "dbg '$OUT/lbs.img' 'cat /etc-kept/new.conf' | grep -q bound-write"
fi
done_
