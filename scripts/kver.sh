#!/bin/sh
# Print the kernel ABI that a Debian suite's linux-image-amd64 depends on today
# (6.1.0-57-amd64 on bookworm, 6.12.118+deb13-amd64 on trixie): looked up, never fixed.
# usage: scripts/kver.sh [SUITE [CACHEDIR]]
# SUITE empty: the host's own suite, from the host's apt lists (as root on a fresh host
# without lists: apt-get update first); else (another suite, or not root) from private
# lists of SUITE in CACHEDIR (default build/cache; scripts/suite-apt.sh, no root needed);
# else the newest linux-headers-*-amd64 installed. experimental: the ABI of the newest
# linux-headers-amd64 there (experimental has no linux-image-amd64 of its own).
set -eu
suite=${1:-} cache=${2:-build/cache}
host=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
dep=""
ask() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-//p' | head -n1; }
ask_experimental() {
	v=$(apt-cache policy linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *\*\{0,3\} *\([^ ]*\) 1$/\1/p' | head -n1)
	[ -n "$v" ] && apt-cache depends "linux-headers-amd64=$v" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1
}
if [ -z "$suite" ] || [ "$suite" = "$host" ]; then
	dep=$(ask)
	# a fresh host (no lists yet): its own lists are the truth for what make deps installs
	if [ -z "$dep" ] && [ "$(id -u)" = 0 ] &&
		[ -z "$(find /var/lib/apt/lists/ -maxdepth 1 -name '*_Packages*' 2>/dev/null)" ]; then
		echo "kver: apt-get update (this host has no package lists yet)" >&2
		apt-get update -qq >&2 && dep=$(ask)
	fi
	suite=${suite:-$host}
fi
if [ -z "$dep" ] && [ -n "$suite" ]; then
	if conf=$(sh "$(dirname "$0")/suite-apt.sh" "$cache" "$suite"); then
		if [ "$suite" = experimental ]; then
			dep=$(APT_CONFIG=$conf ask_experimental) || dep=""
		else
			dep=$(APT_CONFIG=$conf ask)
		fi
	fi
fi
if [ -z "$dep" ]; then
	dep=$(ls /usr/src 2>/dev/null | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V | tail -n1)
fi
if [ -z "$dep" ]; then
	echo "kver: cannot tell the kernel version of ${suite:-the host suite}: its apt lists" \
		"could not be fetched; pass KVER=" >&2
	exit 1
fi
echo "$dep"
