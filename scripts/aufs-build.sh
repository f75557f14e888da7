#!/bin/sh
# Build aufs.ko for KVER with the toolchain its headers were made for: the host's
# when the host has linux-headers-KVER, else the suite chroot holding them
# (scripts/kchroot.sh), in a copy of aufs/ under OUTDIR/src.
# usage: scripts/aufs-build.sh KVER OUTDIR     (env KDIR: headers on the host, forced)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 KVER OUTDIR" >&2; exit 2; }
kver=$1
case "$2" in /*) out=$2 ;; *) out=$PWD/$2 ;; esac
if [ -n "${KDIR:-}" ]; then
	where=host
else
	where=$(sh "$top/scripts/kchroot.sh" find "$kver") ||
		{ echo "aufs: no toolchain for $kver (tried the host and the chroots in build/cache)" >&2; exit 1; }
	KDIR=/usr/src/linux-headers-$kver
fi
src=$out/src
mkdir -p "$src/probe"
# only the sources (objects of an in-tree build stay out); a changed file gets a new
# time, so make rebuilds it even when git gave it an older one than its object
for f in "$top"/aufs/*.c "$top"/aufs/*.h "$top"/aufs/Kbuild "$top"/aufs/Makefile "$top"/aufs/probe.sh; do
	case "$f" in */compat_probe.h) continue ;; esac
	cmp -s "$f" "$src/${f##*/}" || cp "$f" "$src/"
done
for f in "$top"/aufs/probe/*.c; do cmp -s "$f" "$src/probe/${f##*/}" || cp "$f" "$src/probe/"; done
rm -f "$src/aufs.ko" "$out/aufs.ko"	# a failed build leaves no older module to be taken
if [ "$where" = host ]; then
	echo "aufs: building for $kver with the host's $(gcc -dumpfullversion 2>/dev/null || echo gcc)"
	make -j2 -C "$src" KDIR="$KDIR" KVER="$kver" OUT="$src" AUFS_DEBUG="${AUFS_DEBUG:-}"
else
	echo "aufs: building for $kver in $where"
	# a private mount namespace: the bind mount and /proc (objtool reads it) go away
	# with the build
	unshare -m --propagation private sh -c '
		mount --bind "$1" "$2/mnt" && mount -t proc proc "$2/proc" && exec chroot "$2" make -j2 -C /mnt KDIR="$3" KVER="$4" OUT=/mnt AUFS_DEBUG="$5"
	' sh "$src" "$where" "$KDIR" "$kver" "${AUFS_DEBUG:-}"
fi
cp "$src/aufs.ko" "$out/aufs.ko"
