#!/bin/sh
# Another Debian suite's kernel for aufs: its ABI, a build chroot with its headers and
# toolchain, and its vmlinuz + modules in the build cache (all cached, made once).
# usage: scripts/kchroot.sh kver SUITE            print the ABI linux-image-amd64 depends on
#        scripts/kchroot.sh chroot SUITE          make CACHE/chroot-SUITE (gcc, make, headers)
#        scripts/kchroot.sh kernel SUITE          put vmlinuz + modules into CACHE/kernel/KVER
#        scripts/kchroot.sh all SUITE             chroot and kernel; prints KVER
#        scripts/kchroot.sh find KVER             print the chroot holding headers of KVER
#                                                 ("host" when the host has them)
# env:   CACHE (default build/cache)  DEBIAN_MIRROR (default http://deb.debian.org/debian)
# The lookup, the apt lists and the kernel download are scripts/kver.sh, suite-apt.sh and
# kernel-fetch.sh (shared with make deps); this script adds the build chroot.
# SUITE: bookworm, trixie, sid, or experimental (sid with experimental's headers).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-$top/build/cache}
case "$CACHE" in /*) ;; *) CACHE=$top/$CACHE ;; esac
die() { echo "kchroot: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
novalid() { case "$1" in sid|unstable|experimental) return 0 ;; esac; return 1; }
# the ABI the suite's linux-image-amd64 depends on (scripts/kver.sh, the one lookup)
kver() { sh "$here/kver.sh" "$1" "$CACHE"; }

chroot_make() {
	suite=$1 k=$(kver "$1")
	dir=$CACHE/chroot-$suite
	if [ -d "$dir/usr/src/linux-headers-$k" ]; then return 0; fi
	base=$suite; [ "$suite" = experimental ] && base=sid
	set -- --variant=minbase --include="gcc,make,libc6-dev,xz-utils,kmod,linux-headers-$k"
	if novalid "$suite"; then set -- "$@" --aptopt='Acquire::Check-Valid-Until "false"'; fi
	echo "kchroot: making $dir ($suite, linux-headers-$k)" >&2
	t0=$(date +%s)
	rm -rf "$dir.new"
	# the suite's sources as its private apt lists have them (with -security)
	conf=$(sh "$here/suite-apt.sh" "$CACHE" "$suite")
	mmdebstrap -q "$@" "$base" "$dir.new" - < "${conf%/apt.conf}/sources.list" >&2 ||
		die "mmdebstrap of $suite failed"
	[ -d "$dir.new/usr/src/linux-headers-$k" ] || die "$suite: no linux-headers-$k in the chroot"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	echo "kchroot: $dir made in $(($(date +%s) - t0)) s" >&2
}

# vmlinuz + modules into CACHE/kernel/KVER (scripts/kernel-fetch.sh, the one fetcher)
kernel() {
	k=$(kver "$1")
	sh "$here/kernel-fetch.sh" "$k" "$CACHE" "$1"
}

# which toolchain builds modules for KVER: the host's, or a chroot that has its headers
find_kver() {
	if [ -d "/usr/src/linux-headers-$1" ]; then echo host; return 0; fi
	for d in "$CACHE"/chroot-*; do
		if [ -d "$d/usr/src/linux-headers-$1" ]; then echo "$d"; return 0; fi
	done
	die "no headers for $1: not on the host (/usr/src/linux-headers-$1), in no $CACHE/chroot-*; make one with: scripts/kchroot.sh chroot SUITE"
}

[ $# -eq 2 ] || die "usage: $0 kver|chroot|kernel|all SUITE | find KVER"
case "$1" in
kver) kver "$2" ;;
chroot) chroot_make "$2" ;;
kernel) kernel "$2" ;;
all) chroot_make "$2"; kernel "$2"; kver "$2" ;;
find) find_kver "$2" ;;
*) die "unknown command $1" ;;
esac
