#!/bin/bash
# A fresh Debian 13 (trixie) host runs the README's two commands: a minbase root made
# with mmdebstrap (make, git; no apt lists, as a new container has), a clean clone of
# this repository in it, then `make deps` and `make demo` in a chroot with /proc, /sys
# and /dev bound (QEMU is TCG there too). TAP lines, then "N passed, M failed".
# Not in make check (it downloads ~500 MB of packages): make check-debian13.
# usage: tests/host/debian13.sh BUILD   (as root; env UNION=overlay until aufs builds for
# trixie's kernel, passed to make demo; DEBIAN_MIRROR)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
cache=$BUILD/cache/debian13-host
work=$BUILD/debian13-host
root=$work/root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
union=${UNION:-aufs}
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
nok() { echo "not ok - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }
[ "$(id -u)" = 0 ] || { nok "run as root (mmdebstrap, chroot, mounts)"; finish; }

# the root, once per build cache: a tarball, unpacked fresh for every run
recipe="mmdebstrap trixie minbase make,git,ca-certificates"
mkdir -p "$cache/archives/partial"
if [ "$(cat "$cache/root.done" 2>/dev/null)" != "$recipe" ]; then
	rm -f "$cache/root.tar"
	if mmdebstrap --variant=minbase --include=make,git,ca-certificates trixie \
		"$cache/root.new.tar" "$mirror" >"$cache/mmdebstrap.log" 2>&1; then
		mv "$cache/root.new.tar" "$cache/root.tar"
		echo "$recipe" >"$cache/root.done"
	else
		nok "mmdebstrap a Debian 13 root" "$(tail -n 5 "$cache/mmdebstrap.log")"
		finish
	fi
fi
ok "a Debian 13 minbase root ($cache/root.tar)"

umount_all() {
	local m
	for m in var/cache/apt/archives dev/pts dev sys proc; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
}
trap umount_all EXIT
umount_all
rm -rf "$work"
mkdir -p "$root"
tar -xf "$cache/root.tar" -C "$root" || { nok "unpack the root"; finish; }
# a fresh system: no package lists (mmdebstrap removes them, like a container image)
if [ -z "$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' 2>/dev/null)" ]; then
	ok "the root starts without apt lists"
else
	nok "the root starts without apt lists"
fi
grep -q '^VERSION_CODENAME=trixie' "$root/etc/os-release" && ok "the root is trixie" ||
	nok "the root is trixie" "$(cat "$root/etc/os-release")"

# a clean clone of what is committed (no build/, no cache)
if git clone -q "$top" "$root/src/livestack" 2>"$work/clone.log"; then
	ok "a clean clone of $(git -C "$top" rev-parse --short HEAD)"
else
	nok "a clean clone" "$(cat "$work/clone.log")"; finish
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
# the sources a Debian 13 install (and its container image) has: the suite, its
# updates and security (mmdebstrap given a mirror writes the suite alone)
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" &&
	mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
	mount --bind "$cache/archives" "$root/var/cache/apt/archives" ||
	{ nok "bind /proc, /sys, /dev into the root"; finish; }

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	TERM=dumb LANG=C.UTF-8 /bin/sh -c "cd /src/livestack && $1"; }
t0=$(date +%s)
in_root "make deps" >"$work/deps.log" 2>&1
rc=$?
t1=$(date +%s)
if [ $rc = 0 ]; then ok "make deps ($((t1 - t0)) s)"; else nok "make deps (exit $rc)" "$(tail -n 15 "$work/deps.log")"; fi
grep -q "apt-get update" "$work/deps.log" && ok "make deps ran apt-get update itself" ||
	nok "make deps ran apt-get update itself"
grep -q -i "cannot tell\|parameter not set\|Unable to locate" "$work/deps.log" &&
	nok "no 'cannot tell', 'parameter not set', 'Unable to locate'" "$(grep -i "cannot tell\|parameter not set\|Unable to locate" "$work/deps.log")" ||
	ok "no 'cannot tell', 'parameter not set', 'Unable to locate'"
kver=$(in_root "sh scripts/kver.sh" 2>/dev/null)
want=$(sh "$top/scripts/kver.sh" trixie "$BUILD/cache" 2>/dev/null)
[ -n "$kver" ] && [ "$kver" = "$want" ] && ok "the default kernel is trixie's: $kver" ||
	nok "the default kernel is trixie's" "host says '$kver', trixie's linux-image-amd64: '$want'"
kc=$root/src/livestack/build/cache/kernel/$kver
[ -f "$kc/vmlinuz" ] && [ -f "$kc/lib/modules/$kver/modules.dep" ] &&
	ok "the kernel (from /usr/lib/modules) is in the build cache" ||
	nok "the kernel (from /usr/lib/modules) is in the build cache"

in_root "make demo UNION=$union" >"$work/demo.log" 2>&1
rc=$?
t2=$(date +%s)
if [ $rc = 0 ]; then ok "make demo UNION=$union ($((t2 - t1)) s)"; else nok "make demo UNION=$union (exit $rc)" "$(tail -n 25 "$work/demo.log")"; fi
grep -E '^demo: (\[|root union|OK|FAILED)' "$work/demo.log" | sed 's/^/# /'
echo "# logs: $work/deps.log $work/demo.log; make deps + make demo took $((t2 - t0)) s"
finish
