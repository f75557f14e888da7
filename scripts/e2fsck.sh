#!/bin/sh
# The initramfs's e2fsck: Debian's e2fsprogs source (the version of e2fsck-static) built
# static with musl and -Os, without NLS. Debian's e2fsck.static (glibc) is 1.9 MB, 0.75 MB
# with zstd; this one is about 0.6 MB, 0.28 MB with zstd: with it the demo initramfs
# checks persistence and stays under 3 MiB. The source is fetched once into
# BUILDCACHE/src (scripts/debsrc.sh); the binary is rebuilt when the version or this
# script changes.
# usage: scripts/e2fsck.sh BUILDCACHE OUT
set -eu
cache=$1 out=$2
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"	# one build at a time (several make runs may share the tree)
flock 9
src=$(sh "$(dirname "$0")/debsrc.sh" "$cache" e2fsck-static)
ver=${src##*/e2fsprogs-}
stamp=$(echo "$ver" | cat - "$0" | sha256sum | cut -c1-16)
if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
mkdir -p "$(dirname "$out")"
bld=$(cd "$(dirname "$out")" && pwd)/e2fsck-build
rm -rf "$bld"; mkdir -p "$bld"
cd "$bld"
# the kernel's uapi headers (linux-libc-dev) beside musl's: e2fsprogs 1.47.2 (Debian 13)
# includes <linux/unistd.h>, which musl-gcc's include path does not have
mkdir -p kinc
for d in /usr/include/linux /usr/include/asm-generic /usr/include/x86_64-linux-gnu/asm; do
	[ -d "$d" ] && ln -sfn "$d" "kinc/$(basename "$d")"
done
"$src/configure" CC=musl-gcc CFLAGS="-Os -ffunction-sections -fdata-sections -idirafter $bld/kinc" \
	LDFLAGS="-static -Wl,--gc-sections" --disable-nls --disable-fuse2fs --disable-elf-shlibs \
	--disable-uuidd --disable-debugfs --disable-imager --disable-resizer --disable-defrag \
	--disable-tls --disable-e2initrd-helper --disable-fsck --without-libarchive \
	>build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
{ make -j"$(nproc)" libs && make -C e2fsck e2fsck.static; } >>build.log 2>&1 ||
	{ tail -n 30 build.log >&2; exit 1; }
strip -o e2fsck.bin e2fsck/e2fsck.static
./e2fsck.bin -V >/dev/null 2>&1 || { echo "e2fsck: the built e2fsck does not run" >&2; exit 1; }
cd - >/dev/null
cp "$bld/e2fsck.bin" "$out.new"
mv "$out.new" "$out"
echo "$stamp" > "$out.stamp"
rm -rf "$bld"
echo "e2fsck: $out: $(stat -c %s "$out") bytes (e2fsprogs $ver, musl, static)"
