#!/bin/sh
# Install what livestack needs from Debian's packages, idempotently, and put the
# target kernel (vmlinuz + modules) into the build cache, never into the host's /boot.
# Works on Debian 12 and 13 hosts: apt-get update when the lists are missing or stale,
# only packages the host's suite has (the others are named, with what they cost).
# usage: scripts/deps.sh KVER CACHEDIR
set -eu
if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
	echo "deps: usage: scripts/deps.sh KVER CACHEDIR (KVER empty: scripts/kver.sh could not" \
		"tell the kernel: see its message, or pass KVER=)" >&2
	exit 2
fi
kver=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
suite=${suite:-the host suite}
pkgs="gcc make musl-tools busybox-static klibc-utils squashfs-tools xorriso isolinux
syslinux-common syslinux grub-pc-bin grub-efi-amd64-bin grub-common mtools dosfstools
shim-signed grub-efi-amd64-signed shim-helpers-amd64-signed openssl
e2fsprogs e2fsck-static cpio zstd xz-utils gzip binutils kmod qemu-system-x86 ipxe-qemu
ovmf pxelinux dpkg-dev
debhelper dh-dkms lintian
linux-headers-$kver
mmdebstrap python3 groff-base wget fdisk exfatprogs ntfs-3g btrfs-progs cryptsetup-bin udftools
nfs-ganesha nfs-ganesha-vfs cloop-utils clang libclang-rt-dev
dnsmasq-base nginx"
# (debhelper, dh-dkms, lintian: make deb; dh-dkms is its own package on Debian 12 and 13;
# the last three lines are for the tests: a Debian root, the man page check, the HTTP/NFS servers of the
# network boot tests, the filesystems the probe tests create, the cloop images of
# tests/unit/test_cloop.c and tests/vm/knoppix.sh, clang's libFuzzer for tests/fuzz,
# dnsmasq (the binary only: dnsmasq-base starts no service) and nginx for
# tests/vm/pxe_site.sh, which start them in a network namespace)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
candidate() { # the version apt would install, empty when the host's lists have none
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '^(none)$' || true
}
# lists missing (a fresh system or container) or none updated within a day
lists_stale() {
	[ -n "$(find /var/lib/apt/lists/ -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ] &&
		return 1
	return 0
}

missing=""
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing:$missing" >&2
		echo "deps: need root to install packages (try: sudo make deps)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	updated=""
	if lists_stale; then
		echo "deps: apt-get update (the host's package lists are missing or over a day old)"
		apt-get update -qq
		updated=1
	fi
	sort_out() {
		want="" absent=""
		for p in $missing; do
			if [ -n "$(candidate "$p")" ]; then want="$want $p"; else absent="$absent $p"; fi
		done
	}
	sort_out
	if [ -n "$absent" ] && [ -z "$updated" ]; then
		# a package newer than the lists (a new kernel ABI): ask the archive once
		apt-get update -qq
		sort_out
	fi
	for p in $absent; do
		case $p in
		cloop-utils)
			echo "deps: cloop-utils is not in $suite (dropped after" \
				"Debian 12): the cloop image tests say so and are skipped" ;;
		linux-headers-*)
			echo "deps: $p is not in $suite: aufs for $kver is built" \
				"against that suite's headers in a chroot, or the demo is made with" \
				"UNION=overlay" ;;
		*)
			echo "deps: $p is not in the package lists of $suite" >&2
			exit 1 ;;
		esac
	done
	if [ -n "$want" ]; then
		echo "deps: installing:$want"
		# shellcheck disable=SC2086
		apt-get install -y -qq $want >/dev/null 2>&1 || {
			apt-get update -qq
			apt-get install -y -qq $want
		}
	fi
	# the tests run nginx with their own config: the host's service we just installed
	# is stopped and disabled, so that nothing listens on the host's port 80
	case " $missing " in
	*" nginx "*) command -v systemctl >/dev/null && systemctl disable --now nginx >/dev/null 2>&1 || true ;;
	esac
fi

sh "$here/kernel-fetch.sh" "$kver" "$cache"

# the sources of the demo initramfs's busybox and e2fsck (scripts/busybox.sh, e2fsck.sh)
for p in busybox-static e2fsck-static; do
	sh "$here/debsrc.sh" "$cache" "$p" >/dev/null
done
