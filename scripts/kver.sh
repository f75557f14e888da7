#!/bin/sh
# Print the kernel ABI of Debian's current linux-image-amd64 (e.g. 6.1.0-56-amd64).
set -eu
dep=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-//p' | head -n1)
if [ -z "$dep" ]; then
	dep=$(ls /usr/src 2>/dev/null | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V | tail -n1)
fi
if [ -z "$dep" ]; then
	echo "kver: cannot tell the kernel version: run 'apt-get update' or pass KVER=" >&2
	exit 1
fi
echo "$dep"
