#!/bin/bash
# livectl persist convert on the host (as root, no mounts): a branch in aufs form with
# files, dirs, symlinks, hard links, xattrs, modes, owners, whiteouts and opaque dirs goes
# to overlayfs form and back, and must come back identical (a listing with modes, owners,
# sizes, times, link counts, xattrs and content hashes). Also: the overlay form is right,
# a second run changes nothing, an interrupted run is finished, a live branch is refused.
# Usage: bash tests/unit/test_convert.sh [BUILD [KVER KCACHE]]
set -u
BUILD=${1:-build}
CTL=$(pwd)/$BUILD/bin/livectl
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local n=$1; shift; if "$@" >"$W/out" 2>&1; then ok "$n"; else nok "$n"; sed 's/^/#   /' "$W/out"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

[ -x "$CTL" ] || { nok "livectl binary ($CTL missing)"; finish; }
[ "$(id -u)" = 0 ] || { nok "needs root (mknod, trusted.* xattrs, chown)"; finish; }
mkdir -p "$BUILD/tests"
W=$(mktemp -d "$(pwd)/$BUILD/tests/convert.XXXXXX")
trap 'rm -rf "$W"' EXIT
T=$W/tree
export LIVECTL_STATUS=$W/no-status

# listing DIR: one line per entry, sorted; everything a union branch keeps
listing() {
	python3 - "$1" <<'EOF'
import hashlib, os, stat, sys
top = sys.argv[1]
for root, dirs, files in os.walk(top):
    for name in sorted(dirs + files) + ([] if root != top else ['.']):
        p = os.path.join(root, name) if name != '.' else root
        s = os.lstat(p)
        rel = os.path.relpath(p, top)
        x = sorted((k, os.getxattr(p, k, follow_symlinks=False).hex())
                   for k in os.listxattr(p, follow_symlinks=False))
        extra = ''
        if stat.S_ISREG(s.st_mode):
            extra = hashlib.sha256(open(p, 'rb').read()).hexdigest()
        elif stat.S_ISLNK(s.st_mode):
            extra = os.readlink(p)
        elif stat.S_ISCHR(s.st_mode) or stat.S_ISBLK(s.st_mode):
            extra = '%d:%d' % (os.major(s.st_rdev), os.minor(s.st_rdev))
        print(rel, oct(s.st_mode), s.st_uid, s.st_gid, s.st_size if not stat.S_ISDIR(s.st_mode) else '-',
              s.st_nlink, s.st_mtime_ns, extra, x)
EOF
}

# a branch in aufs form
mkdir -p "$T"/etc/sub "$T"/home/user/.cache "$T"/opaque/keep "$T"/var/lib
echo "changed motd" > "$T"/etc/motd
printf 'secret\n' > "$T"/etc/shadow-ish && chmod 0600 "$T"/etc/shadow-ish
head -c 70000 /dev/urandom > "$T"/home/user/blob
cp /bin/true "$T"/var/lib/suid && chmod 4755 "$T"/var/lib/suid
chown -R 1234:5678 "$T"/home/user && chmod 0750 "$T"/home/user
ln -s ../etc/motd "$T"/home/user/link
ln -s /nowhere "$T"/var/dangling
ln "$T"/home/user/blob "$T"/var/lib/blob-hardlink
setfattr() { python3 -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)' "$@"; }
setfattr "$T"/etc/motd user.note "kept across"
setfattr "$T"/home/user trusted.other "not overlay's"
mkfifo "$T"/var/fifo
# whiteouts of lower files (aufs makes them 0444 root), one in a subdirectory, one owned
install -m 0444 /dev/null "$T"/etc/.wh.issue
install -m 0444 /dev/null "$T"/etc/sub/.wh.gone
install -m 0640 -o 7 -g 8 /dev/null "$T"/home/.wh.olduser
# an opaque directory: its lower contents are hidden
install -m 0444 /dev/null "$T"/opaque/.wh..wh..opq
echo kept > "$T"/opaque/keep/file
touch -d '2020-01-02 03:04:05' "$T"/etc/.wh.issue
# the marker has no overlayfs counterpart to keep its times in: it comes back with its
# directory's mtime (docs/livectl.8)
touch -d '2021-05-06 07:08:09' "$T"/opaque/.wh..wh..opq
# directory times last (making entries changes them)
for d in "$T"/etc/sub "$T"/etc "$T"/home/user "$T"/home "$T"/opaque/keep "$T"/opaque "$T"/var/lib "$T"/var "$T"; do
	touch -h -d '2021-05-06 07:08:09' "$d"
done
listing "$T" > "$W/before"

# aufs' own bookkeeping, which the conversion drops
mkdir "$T"/.wh..wh.plnk "$T"/.wh..wh.orph
ln "$T"/home/user/blob "$T"/.wh..wh.plnk/1234.5678
install -m 0444 /dev/null "$T"/.wh..wh.aufs
touch -h -d '2021-05-06 07:08:09' "$T"

check "convert --to overlay succeeds" "$CTL" persist convert --to overlay "$T"
grep -q "3 whiteouts, 1 opaque directories, 3 aufs internal entries removed" "$W/out" &&
	ok "counts printed (3 whiteouts, 1 opaque, 3 aufs internals)" ||
	{ nok "counts printed"; sed 's/^/#   /' "$W/out"; }
check "whiteout is a 0/0 char device" test -c "$T"/etc/issue -a "$(stat -c %t:%T "$T"/etc/issue)" = 0:0
check "nested whiteout converted" test -c "$T"/etc/sub/gone
check "whiteout keeps owner and mode" test "$(stat -c %u:%g:%a "$T"/home/olduser)" = 7:8:640
check "no .wh. name left" test -z "$(find "$T" -name '.wh.*')"
check "opaque dir has trusted.overlay.opaque=y" \
	python3 -c 'import os,sys; sys.exit(os.getxattr(sys.argv[1], "trusted.overlay.opaque") != b"y")' "$T"/opaque
check "pseudo-links removed, hard link counts back" test "$(stat -c %h "$T"/home/user/blob)" = 2
check "directory times kept" test "$(stat -c %Y "$T"/etc)" = "$(date -d '2021-05-06 07:08:09' +%s)"
listing "$T" > "$W/overlay1"
check "second convert --to overlay changes nothing" "$CTL" persist convert --to overlay "$T"
grep -q " 0 whiteouts, 0 opaque" "$W/out" && ok "second run counts 0" || nok "second run counts 0"
listing "$T" > "$W/overlay2"
check "idempotent: listing unchanged" cmp "$W/overlay1" "$W/overlay2"

# an interrupted aufs->overlay run: both forms of one whiteout
install -m 0444 /dev/null "$T"/etc/.wh.issue
touch -d '2020-01-02 03:04:05' "$T"/etc/.wh.issue
touch -d '2021-05-06 07:08:09' "$T"/etc
check "interrupted run is finished" "$CTL" persist convert --to overlay "$T"
check "... the old form is gone, the new kept" test ! -e "$T"/etc/.wh.issue -a -c "$T"/etc/issue

check "convert --to aufs succeeds" "$CTL" persist convert --to aufs "$T"
grep -q "3 whiteouts, 1 opaque directories" "$W/out" && ok "counts back (3 whiteouts, 1 opaque)" ||
	{ nok "counts back"; sed 's/^/#   /' "$W/out"; }
listing "$T" > "$W/after"
if cmp -s "$W/before" "$W/after"; then ok "aufs -> overlay -> aufs is identical (listing, xattrs, sha256)"
else nok "aufs -> overlay -> aufs is identical"; diff "$W/before" "$W/after" | sed 's/^/#   /'; fi
check "hard link still shared" test "$(stat -c %i "$T"/home/user/blob)" = "$(stat -c %i "$T"/var/lib/blob-hardlink)"

# a live branch is refused; usage errors
echo "rw=$T" > "$W/status"
LIVECTL_STATUS=$W/status "$CTL" persist convert --to overlay "$T" > "$W/out" 2>&1
[ $? = 2 ] && grep -q "writable branch of a mounted union" "$W/out" && ok "the live rw branch is refused (exit 2)" ||
	{ nok "the live rw branch is refused"; sed 's/^/#   /' "$W/out"; }
listing "$T" > "$W/after2"
check "... and left untouched" cmp "$W/after" "$W/after2"
"$CTL" persist convert --to btrfs "$T" > "$W/out" 2>&1
[ $? = 1 ] && ok "unknown --to is a usage error (exit 1)" || nok "unknown --to is a usage error"
"$CTL" persist convert --to aufs "$W/nosuch" > "$W/out" 2>&1
[ $? = 2 ] && grep -q nosuch "$W/out" && ok "missing DIR named (exit 2)" || nok "missing DIR named"
finish
