#!/bin/sh
# Fetch (once) and unpack the Debian source package of an installed binary package,
# with Debian's patches applied, into CACHEDIR/src/SOURCE-VERSION; print that directory.
# apt-get source runs with a private deb-src list (the host's apt setup is not touched).
# usage: scripts/debsrc.sh CACHEDIR BINARY-PACKAGE
set -eu
mkdir -p "$1"
cache=$(cd "$1" && pwd) bin=$2
ver=$(dpkg-query -W -f='${source:Version}' "$bin" 2>/dev/null) || ver=""
pkg=$(dpkg-query -W -f='${source:Package}' "$bin" 2>/dev/null) || pkg=""
[ -n "$ver" ] && [ -n "$pkg" ] || { echo "debsrc: $bin is not installed (make deps)" >&2; exit 1; }
src=$cache/src/$pkg-${ver#*:}
mkdir -p "$cache/src"
exec 8>"$cache/src/.lock"	# one fetch at a time
flock 8
if [ ! -f "$src/.unpacked" ]; then
	echo "debsrc: fetching the source of $pkg $ver into $src" >&2
	apt=$cache/src/.apt
	rm -rf "$apt" "$src" "$src.tmp"
	mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache" "$src.tmp"
	: > "$apt/sources.list"
	uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
	printf '%s\n' "Types: deb-src" "URIs: ${uri:-http://deb.debian.org/debian}" \
		"Suites: $(. /etc/os-release && echo "$VERSION_CODENAME")" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" > "$apt/parts/src.sources"
	o="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/parts"
	o="$o -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get $o -qq update >&2
	# shellcheck disable=SC2086
	if ! (cd "$src.tmp" && apt-get $o -qq source "$pkg=$ver" >"$cache/src/.apt.log" 2>&1); then
		# a mirror without the upstream signature (.orig.tar.*.asc, 404): apt fetched
		# and hash-checked the other files; unpack them without the signature check
		if grep -q '\.asc .*404' "$cache/src/.apt.log" &&
			(cd "$src.tmp" && dpkg-source --no-check -x ./*.dsc >/dev/null 2>&1); then
			echo "debsrc: the mirror has no upstream signature of $pkg $ver (.asc);" \
				"unpacked the hash-checked files without it" >&2
		else
			tail -n 3 "$cache/src/.apt.log" >&2
			echo "debsrc: apt-get source $pkg=$ver failed" >&2; exit 1
		fi
	fi
	mv "$src.tmp"/"$pkg"-*/ "$src"
	touch "$src/.unpacked"
	rm -rf "$src.tmp" "$apt" "$cache/src/.apt.log"
fi
echo "$src"
