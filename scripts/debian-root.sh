#!/bin/sh
# A Debian 12 (bookworm) minbase root with systemd for the live system, made once per
# build cache with mmdebstrap, and its squashfs layer. Shared by `make demo ROOT=debian`
# and tests/vm/debian-root.sh. Prints the squashfs path on the last line.
# usage: scripts/debian-root.sh BUILD   (BUILD/bin/livestack-mkimage must exist)
# env: DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -eu
build=$1
cache=$build/cache/debian-12
mk=$build/bin/livestack-mkimage
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=systemd-sysv,udev,kmod,iproute2,procps
# what the root is made of: a cache made another way is made again
recipe="mmdebstrap bookworm minbase $pkgs merged-usr-hook"
mkdir -p "$cache"

if [ "$(cat "$cache/root.done" 2>/dev/null)" != "$recipe" ]; then
	rm -rf "$cache/root" "$cache/10-debian.squashfs"
	echo "debian-root: mmdebstrap bookworm minbase + systemd into $cache/root (once per cache)" >&2
	# the merged-usr hook installs usr-is-merged: without it apt picks usrmerge, and perl
	if ! mmdebstrap --variant=minbase --include="$pkgs" \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		bookworm "$cache/root" "$mirror" > "$cache/mmdebstrap.log" 2>&1; then
		tail -n 5 "$cache/mmdebstrap.log" >&2
		echo "debian-root: mmdebstrap failed (full log: $cache/mmdebstrap.log)" >&2
		exit 1
	fi
	r=$cache/root
	echo livestack > "$r/etc/hostname"
	: > "$r/etc/machine-id"
	: > "$r/etc/fstab"
	# root without a password, logged in on the serial console by systemd's getty
	sed -i 's/^root:[^:]*:/root::/' "$r/etc/shadow"
	mkdir -p "$r/etc/systemd/system/serial-getty@ttyS0.service.d"
	cat > "$r/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200 %I vt220
EOT
	rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/lib/apt/lists/"*
	echo "$recipe" > "$cache/root.done"
fi
if [ ! -f "$cache/10-debian.squashfs" ]; then
	"$mk" squashfs "$cache/root" "$cache/10-debian.squashfs.new" > "$cache/mkimage.log" 2>&1 || {
		tail -n 3 "$cache/mkimage.log" >&2
		echo "debian-root: squashfs of $cache/root failed" >&2
		exit 1
	}
	mv "$cache/10-debian.squashfs.new" "$cache/10-debian.squashfs"
fi
echo "$cache/10-debian.squashfs"
