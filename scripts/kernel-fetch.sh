#!/bin/sh
# Unpack Debian's linux-image-KVER (vmlinuz, config, System.map, modules) into
# CACHEDIR/kernel/KVER, never into the host's /boot; modules from /lib/modules or
# /usr/lib/modules (Debian 13 on) land in KVER/lib/modules either way. The one kernel
# fetcher: make deps, scripts/kchroot.sh and the test suites all use it.
# The package comes from the host's apt lists, else from the suite the ABI name
# names (+deb13: trixie, +deb14 and later: sid, 6.1.0-N: bookworm) or SUITE,
# through private lists (scripts/suite-apt.sh). sid splits the image into parts
# (linux-binary-KVER holds vmlinuz, linux-modules-KVER the modules): all are taken.
# usage: scripts/kernel-fetch.sh KVER CACHEDIR [SUITE]
set -eu
kver=$1 cache=$2 suite=${3:-}
kdir=$cache/kernel/$kver
if [ -f "$kdir/vmlinuz" ] && [ -f "$kdir/lib/modules/$kver/modules.dep" ]; then
	exit 0
fi
if [ -z "$suite" ]; then
	case $kver in
	*+deb12-* | 6.1.0-*) suite=bookworm ;;
	*+deb13-*) suite=trixie ;;
	*+deb1[4-9]-*) suite=sid ;;
	esac
fi
echo "kernel-fetch: fetching linux-image-$kver into $kdir" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
conf=""
# get PKG...: download into $tmp with the host's lists or the suite's
get() {
	if [ -n "$conf" ]; then
		(cd "$tmp" && APT_CONFIG=$conf apt-get download -q "$@" >/dev/null 2>&1)
	else
		(cd "$tmp" && apt-get download -q "$@" >/dev/null 2>&1)
	fi
}
if ! get "linux-image-$kver"; then
	if [ -z "$suite" ]; then
		echo "kernel-fetch: linux-image-$kver is not in this host's apt lists and its name" \
			"names no suite: give one (scripts/kernel-fetch.sh KVER CACHEDIR SUITE)" >&2
		exit 1
	fi
	conf=$(sh "$here/suite-apt.sh" "$cache" "$suite")
	if ! get "linux-image-$kver" && ! get "linux-image-$kver-unsigned"; then
		echo "kernel-fetch: linux-image-$kver is in neither this host's apt lists nor $suite's" \
			"(see 'sh scripts/kver.sh $suite' for that suite's current kernel)" >&2
		exit 1
	fi
fi
parts=$(dpkg-deb -f "$tmp"/linux-image-*.deb Depends | tr ',|' '\n\n' |
	sed -n "s/^ *\(linux-[a-z]*-$kver\)\( .*\)\{0,1\}$/\1/p" | sort -u)
for p in $parts; do
	get "$p" || { echo "kernel-fetch: cannot download $p (a part of linux-image-$kver)" >&2; exit 1; }
done
for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$tmp/x"; done
rm -rf "$kdir.new"
mkdir -p "$kdir.new/lib/modules"
m=$tmp/x/lib/modules/$kver
[ -d "$m" ] || m=$tmp/x/usr/lib/modules/$kver
if [ ! -d "$m" ]; then
	echo "kernel-fetch: linux-image-$kver has no modules in /usr/lib/modules/$kver or /lib/modules/$kver" >&2
	exit 1
fi
# /boot/NAME-KVER, or (sid) NAME in the modules directory
for f in vmlinuz config System.map; do
	if [ -f "$tmp/x/boot/$f-$kver" ]; then
		mv "$tmp/x/boot/$f-$kver" "$kdir.new/$f"
	elif [ -f "$m/$f" ]; then
		mv "$m/$f" "$kdir.new/$f"
	elif [ "$f" = vmlinuz ]; then
		echo "kernel-fetch: no vmlinuz in /boot or the modules directory of linux-image-$kver" >&2
		exit 1
	else
		echo "kernel-fetch: no $f for $kver (not needed to boot)" >&2
	fi
done
mv "$m" "$kdir.new/lib/modules/$kver"
# the .deb leaves modules.dep to its postinst: made here (names keep .ko.xz/.ko.zst)
if [ ! -f "$kdir.new/lib/modules/$kver/modules.dep" ]; then
	/sbin/depmod -b "$kdir.new" "$kver"
fi
rm -rf "$kdir"
mv "$kdir.new" "$kdir"
