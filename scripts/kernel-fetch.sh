#!/bin/sh
# Unpack Debian's linux-image-KVER (vmlinuz, config, System.map, modules) into
# CACHEDIR/kernel/KVER, never into the host's /boot; modules from /lib/modules or
# /usr/lib/modules (Debian 13 on) land in KVER/lib/modules either way.
# The package comes from the host's apt lists, else from the suite the ABI name
# names (+deb13: trixie, +deb14 and later: sid, 6.1.0-N: bookworm) or SUITE,
# through private lists (scripts/suite-apt.sh).
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
echo "deps: fetching linux-image-$kver into $kdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
if ! (cd "$tmp" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1); then
	if [ -z "$suite" ]; then
		echo "deps: linux-image-$kver is not in this host's apt lists and its name names" \
			"no suite: give one (scripts/kernel-fetch.sh KVER CACHEDIR SUITE)" >&2
		exit 1
	fi
	conf=$(sh "$here/suite-apt.sh" "$cache" "$suite")
	if ! (cd "$tmp" && APT_CONFIG=$conf apt-get download -q "linux-image-$kver" >/dev/null); then
		echo "deps: linux-image-$kver is in neither this host's apt lists nor $suite's" \
			"(see 'sh scripts/kver.sh $suite' for that suite's current kernel)" >&2
		exit 1
	fi
fi
dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
rm -rf "$kdir.new"
mkdir -p "$kdir.new/lib/modules"
cp "$tmp/x/boot/vmlinuz-$kver" "$kdir.new/vmlinuz"
cp "$tmp/x/boot/config-$kver" "$kdir.new/config"
cp "$tmp/x/boot/System.map-$kver" "$kdir.new/System.map"
for m in "$tmp/x/usr/lib/modules/$kver" "$tmp/x/lib/modules/$kver"; do
	if [ -d "$m" ]; then
		mv "$m" "$kdir.new/lib/modules/$kver"
		break
	fi
done
if [ ! -d "$kdir.new/lib/modules/$kver" ]; then
	echo "deps: linux-image-$kver has no modules in /usr/lib/modules/$kver or /lib/modules/$kver" >&2
	exit 1
fi
# the .deb leaves modules.dep to its postinst: made here (names keep .ko.xz/.ko.zst)
if [ ! -f "$kdir.new/lib/modules/$kver/modules.dep" ]; then
	/sbin/depmod -b "$kdir.new" "$kver"
fi
rm -rf "$kdir"
mv "$kdir.new" "$kdir"
