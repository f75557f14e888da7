#!/bin/sh
# Install what livestack needs from Debian's packages, idempotently, and put the
# target kernel (vmlinuz + modules) into the build cache, never into the host's /boot.
# usage: scripts/deps.sh KVER CACHEDIR
set -eu
kver=$1
cache=$2
pkgs="gcc make musl-tools busybox-static klibc-utils squashfs-tools xorriso isolinux
syslinux-common syslinux grub-pc-bin grub-efi-amd64-bin grub-common mtools dosfstools
e2fsprogs e2fsck-static cpio zstd xz-utils kmod qemu-system-x86 ipxe-qemu ovmf pxelinux
dpkg-dev
linux-headers-$kver
mmdebstrap python3 wget exfatprogs ntfs-3g btrfs-progs cryptsetup-bin udftools
nfs-ganesha nfs-ganesha-vfs cloop-utils dnsmasq-base nginx"
# (the last two lines are for the tests: a Debian root, the HTTP/NFS servers of the
# network boot tests, the filesystems the probe tests create, the cloop images of
# tests/vm/knoppix.sh, dnsmasq (the binary only: dnsmasq-base starts no service) and
# nginx for tests/vm/pxe_site.sh, which start them in a network namespace)

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to install packages (try: sudo make deps)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq $missing >/dev/null 2>&1 || {
		apt-get update -qq
		apt-get install -y -qq $missing
	}
	# the tests run nginx with their own config: the host's service we just installed
	# is stopped and disabled, so that nothing listens on the host's port 80
	case " $missing " in
	*" nginx "*) command -v systemctl >/dev/null && systemctl disable --now nginx >/dev/null 2>&1 || true ;;
	esac
fi

kdir="$cache/kernel/$kver"
if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/lib/modules/$kver/modules.dep" ]; then
	echo "deps: fetching linux-image-$kver into $kdir"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1) || {
		apt-get update -qq
		(cd "$tmp" && apt-get download -q "linux-image-$kver")
	}
	dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
	mkdir -p "$kdir.new/lib/modules"
	cp "$tmp/x/boot/vmlinuz-$kver" "$kdir.new/vmlinuz"
	cp "$tmp/x/boot/config-$kver" "$kdir.new/config"
	cp "$tmp/x/boot/System.map-$kver" "$kdir.new/System.map"
	mv "$tmp/x/lib/modules/$kver" "$kdir.new/lib/modules/$kver"
	if [ ! -f "$kdir.new/lib/modules/$kver/modules.dep" ]; then
		/sbin/depmod -b "$kdir.new" "$kver"
	fi
	rm -rf "$kdir"
	mv "$kdir.new" "$kdir"
fi

# the sources of the demo initramfs's busybox and e2fsck (scripts/busybox.sh, e2fsck.sh)
for p in busybox-static e2fsck-static; do
	sh "$(dirname "$0")/debsrc.sh" "$cache" "$p" >/dev/null
done
