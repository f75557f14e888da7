#!/bin/sh
# Set the live system's hostname from a "live.hostname=NAME" word on the kernel
# command line: the new root's /etc/hostname (and /etc/hosts), and the kernel's
# hostname right away. Without the word, nothing changes.
set -eu

cmdline_value() { # cmdline_value KEY: the value of the last KEY=VALUE word, or ""
	value=""
	set -f
	# shellcheck disable=SC2013 # words, not lines
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"$1="*) value=${word#"$1="} ;;
		esac
	done
	set +f
	printf '%s' "$value"
}

valid_hostname() { # RFC 1123: letters, digits, '-' and '.', at most 253 characters
	case "$1" in
	"" | -* | *- | .* | *. | *..* | *[!A-Za-z0-9.-]*) return 1 ;;
	esac
	[ "${#1}" -le 253 ]
}

name=$(cmdline_value live.hostname)
[ -n "$name" ] || exit 0
if ! valid_hostname "$name"; then
	echo "live.hostname=$name is not a valid hostname (letters, digits, '-', '.'); keeping the image's" >&2
	exit 1
fi
root=${LIVE_NEWROOT:-/root}
mkdir -p "$root/etc"
printf '%s\n' "$name" > "$root/etc/hostname"
if [ -f "$root/etc/hosts" ] && ! grep -q "[[:space:]]$name\$" "$root/etc/hosts"; then
	printf '127.0.1.1\t%s\n' "$name" >> "$root/etc/hosts"
fi
printf '%s\n' "$name" > /proc/sys/kernel/hostname
echo "hostname set to $name"
