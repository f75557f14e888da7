#!/bin/sh
# Copy the medium's configuration tree, $LIVE_MEDIUM$LIVE_DIR/config/ (e.g.
# /live/config/etc/motd), over the new root before it starts: one image, many
# sites, each with its own files on the stick. Owners, modes and times are kept.
# Nothing happens when the medium has no config/ (or there is no medium: toram,
# network boots).
set -eu

[ -n "${LIVE_MEDIUM:-}" ] || exit 0
src=$LIVE_MEDIUM${LIVE_DIR:-/live}/config
[ -d "$src" ] || exit 0
root=${LIVE_NEWROOT:-/root}
count=$(find "$src" -mindepth 1 | wc -l)
cp -a "$src/." "$root/"
echo "copied $count entries from $src into the new root"
