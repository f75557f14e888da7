#!/bin/sh
# Private apt lists of one Debian suite in the build cache (no root, the host's lists
# untouched), refreshed when missing or older than a day; prints the APT_CONFIG file.
# Its sources.list (beside it) is also what scripts/kchroot.sh gives mmdebstrap.
# usage: scripts/suite-apt.sh CACHEDIR SUITE   (bookworm, trixie, sid, experimental, ...)
# experimental: sid with experimental on top (experimental alone is not installable).
# env: DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -eu
cache=$1 suite=$2
case $suite in
*[!a-z0-9-]* | "") echo "suite-apt: '$suite' is not a Debian suite name" >&2; exit 2 ;;
esac
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
dir=$(mkdir -p "$cache/apt/$suite" && cd "$cache/apt/$suite" && pwd)
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
: > "$dir/status"
{
	case $suite in
	experimental)
		echo "deb $mirror sid main"
		echo "deb $mirror experimental main" ;;
	sid | unstable) echo "deb $mirror $suite main" ;;
	*)
		# a stable suite's kernel updates come through -security (and -updates)
		echo "deb $mirror $suite main"
		echo "deb $mirror $suite-updates main"
		echo "deb ${mirror%/debian}/debian-security $suite-security main" ;;
	esac
} > "$dir/sources.list.new"
# new sources (another mirror): the lists are fetched again
if ! cmp -s "$dir/sources.list.new" "$dir/sources.list"; then
	rm -f "$dir/lists/.updated"
fi
mv "$dir/sources.list.new" "$dir/sources.list"
cat > "$dir/apt.conf" <<EOF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$dir/etc/preferences.d";
Dir::State::Lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
APT::Architecture "amd64";
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::Check-Valid-Until "false";
EOF
# sid's Release file on the mirror may have expired (Check-Valid-Until above)
stamp=$dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ] ||
	[ -z "$(find "$dir/lists/" -maxdepth 1 -name '*_Packages*')" ]; then
	echo "suite-apt: apt-get update for $suite (lists in $dir)" >&2
	if ! APT_CONFIG=$dir/apt.conf apt-get update -qq >"$dir/update.log" 2>&1; then
		tail -n 5 "$dir/update.log" >&2
		echo "suite-apt: apt-get update for $suite failed (log: $dir/update.log)" >&2
		exit 1
	fi
	touch "$stamp"
fi
echo "$dir/apt.conf"
