#!/bin/sh
# Another Debian suite's kernel for aufs: its ABI, a build chroot with its headers and
# toolchain, and its vmlinuz + modules in the build cache (all cached, made once).
# usage: scripts/kchroot.sh kver SUITE            print the ABI linux-image-amd64 depends on
#        scripts/kchroot.sh chroot SUITE          make CACHE/chroot-SUITE (gcc, make, headers)
#        scripts/kchroot.sh kernel SUITE          put vmlinuz + modules into CACHE/kernel/KVER
#        scripts/kchroot.sh all SUITE             chroot and kernel; prints KVER
#        scripts/kchroot.sh find KVER             print the chroot holding headers of KVER
#                                                 ("host" when the host has them)
# env:   CACHE (default build/cache)  MIRROR (default http://deb.debian.org/debian)
# SUITE: bookworm, trixie, sid, or experimental (sid with experimental's headers).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-$top/build/cache}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
case "$CACHE" in /*) ;; *) CACHE=$top/$CACHE ;; esac
die() { echo "kchroot: $*" >&2; exit 1; }

# sources for SUITE (one line each); sid's and experimental's Release files expire
sources() {
	case "$1" in
	experimental) printf 'deb %s sid main\ndeb %s experimental main\n' "$MIRROR" "$MIRROR" ;;
	*) printf 'deb %s %s main\n' "$MIRROR" "$1" ;;
	esac
}
novalid() { case "$1" in sid|unstable|experimental) return 0 ;; esac; return 1; }

# a private apt (lists under CACHE/apt-SUITE) so the host's sources stay untouched
papt() {
	suite=$1; shift
	d=$CACHE/apt-$suite
	opts="-o Dir::Etc=$d/etc -o Dir::State=$d/state -o Dir::Cache=$d/cache \
-o Dir::State::status=$d/status -o Dir::Etc::TrustedParts=/etc/apt/trusted.gpg.d -o Debug::NoLocking=1 -o APT::Architecture=amd64 -o APT::Sandbox::User=root"
	if novalid "$suite"; then opts="$opts -o Acquire::Check-Valid-Until=false"; fi
	# shellcheck disable=SC2086
	"$@" $opts
}
update() {
	d=$CACHE/apt-$1
	stamp=$d/updated
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +720)" ]; then return 0; fi
	mkdir -p "$d/etc/preferences.d" "$d/etc/apt.conf.d" "$d/etc/sources.list.d" \
		"$d/state/lists/partial" "$d/cache/archives/partial"
	: > "$d/status"
	sources "$1" > "$d/etc/sources.list"
	papt "$1" apt-get -qq update || die "apt-get update of $1 failed ($MIRROR)"
	touch "$stamp"
}

# the ABI (e.g. 6.12.57+deb13-amd64) of the suite's linux-image-amd64 (experimental:
# the newest linux-headers-*-amd64 it has)
kver() {
	update "$1"
	if [ "$1" = experimental ]; then
		v=$(papt "$1" apt-cache policy linux-headers-amd64 | sed -n 's/^ *\*\{0,3\} *\([^ ]*\) 1$/\1/p' | head -n1)
		k=$(papt "$1" apt-cache depends "linux-headers-amd64=$v" 2>/dev/null |
			sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1)
	else
		k=$(papt "$1" apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n1)
	fi
	[ -n "$k" ] || die "$1: no linux-image-amd64 dependency in $MIRROR"
	echo "$k"
}

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
	sources "$suite" | mmdebstrap -q "$@" "$base" "$dir.new" - >&2 ||
		die "mmdebstrap of $suite failed"
	[ -d "$dir.new/usr/src/linux-headers-$k" ] || die "$suite: no linux-headers-$k in the chroot"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	echo "kchroot: $dir made in $(($(date +%s) - t0)) s" >&2
}

kernel() {
	suite=$1 k=$(kver "$1")
	kdir=$CACHE/kernel/$k
	if [ -f "$kdir/vmlinuz" ] && [ -f "$kdir/lib/modules/$k/modules.dep" ]; then return 0; fi
	echo "kchroot: fetching linux-image-$k ($suite) into $kdir" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && papt "$suite" apt-get -qq download "linux-image-$k") ||
		(cd "$tmp" && papt "$suite" apt-get -qq download "linux-image-$k-unsigned") ||
		die "$suite: cannot download linux-image-$k"
	# sid splits the image: linux-binary-KVER (vmlinuz), linux-modules-KVER, ...
	parts=$(dpkg-deb -f "$tmp"/linux-image-*.deb Depends | tr ',|' '\n\n' |
		sed -n "s/^ *\(linux-[a-z]*-$k\)\( .*\)\{0,1\}$/\1/p" | sort -u)
	for p in $parts; do
		(cd "$tmp" && papt "$suite" apt-get -qq download "$p") || die "$suite: cannot download $p"
	done
	for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$tmp/x"; done
	rm -rf "$kdir.new"
	mkdir -p "$kdir.new/lib/modules"
	# Debian 13 and later install modules under /usr/lib/modules; sid puts vmlinuz,
	# config and System.map there too, instead of /boot/NAME-KVER
	m=$tmp/x/lib/modules/$k
	[ -d "$m" ] || m=$tmp/x/usr/lib/modules/$k
	[ -d "$m" ] || die "no modules directory for $k in linux-image-$k"
	for f in vmlinuz config System.map; do
		if [ -f "$tmp/x/boot/$f-$k" ]; then
			mv "$tmp/x/boot/$f-$k" "$kdir.new/$f"
		elif [ -f "$m/$f" ]; then
			mv "$m/$f" "$kdir.new/$f"
		elif [ "$f" = vmlinuz ]; then
			die "no vmlinuz in /boot or $m of linux-image-$k"
		else
			echo "kchroot: no $f for $k" >&2
		fi
	done
	mv "$m" "$kdir.new/lib/modules/$k"
	[ -f "$kdir.new/lib/modules/$k/modules.dep" ] || /sbin/depmod -b "$kdir.new" "$k"
	rm -rf "$kdir"
	mv "$kdir.new" "$kdir"
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
