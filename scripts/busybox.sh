#!/bin/sh
# The initramfs's busybox: Debian's busybox source (the same version as busybox-static)
# built static with musl, with only the applets of configs/busybox/applets.list, each
# with busybox's default features. Debian's busybox-static has ~400 applets and is 1.9 MB;
# this one (~130 applets) is about a third of that, which keeps the demo initramfs under 3 MiB with
# e2fsck in it. The source is fetched once into BUILDCACHE/src (scripts/debsrc.sh); the
# binary is rebuilt when the list, the version or this script changes.
# usage: scripts/busybox.sh BUILDCACHE OUT LIST
set -eu
cache=$1 out=$2 list=$3
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"	# one build at a time (several make runs may share the tree)
flock 9
src=$(sh "$(dirname "$0")/debsrc.sh" "$cache" busybox-static)
ver=${src##*/busybox-}

# the config: busybox's defconfig, then every applet not in the list switched off
bld=$(dirname "$out")/busybox-build
want=$( (echo busybox; sed 's/#.*//' "$list") | tr -s ' \t' '\n' | grep . | sort -u)	# busybox: --list-full
stamp=$(printf '%s\n%s\n' "$ver" "$want" | cat - "$0" | sha256sum | cut -c1-16)
if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
rm -rf "$bld"; mkdir -p "$bld"
cp -a "$src/." "$bld/"
cd "$bld"
# the build date in the banner: the date of the Debian changelog entry (reproducible)
SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  //p' debian/changelog | head -n1)" +%s)
export SOURCE_DATE_EPOCH
make -s defconfig >/dev/null
# applet name -> config symbol, from the //applet: lines of the source
grep -rhoE '^//applet:IF_[A-Z0-9_]+\( *(IF_[A-Z_]+\( *)*APPLET[A-Z_]*\( *[^, )]+' --include='*.c' \
	--exclude-dir=.pc . |
	sed -E 's,^//applet:IF_([A-Z0-9_]+)\( *(IF_[A-Z_]+\( *)*APPLET[A-Z_]*\( *([^, )]+).*,\3 \1,' |
	sort -u > applets.map
for a in $want; do
	case "$a" in sh) continue ;; esac	# sh is ash (SH_IS_ASH)
	awk -v a="$a" '$1 == a { f = 1 } END { exit !f }' applets.map || { echo "busybox: $list: no applet '$a' in busybox $ver" >&2; exit 1; }
done
keep=$(for a in $want; do awk -v a="$a" '$1 == a { print $2 }' applets.map; done | sort -u)
drop=$(awk '{ print $2 }' applets.map | sort -u | grep -vxF "$keep")
for s in $drop; do
	sed -i "s/^CONFIG_$s=y\$/# CONFIG_$s is not set/" .config
done
sed -i -e 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' \
	-e 's/^CONFIG_FEATURE_SH_STANDALONE=y$/# CONFIG_FEATURE_SH_STANDALONE is not set/' .config
yes "" | make -s oldconfig >/dev/null 2>&1
# musl-gcc does not search /usr/include: give it the kernel's uapi headers only
mkdir -p kinc
for d in linux asm-generic mtd scsi; do [ -d "/usr/include/$d" ] && ln -sfn "/usr/include/$d" "kinc/$d"; done
ln -sfn /usr/include/x86_64-linux-gnu/asm kinc/asm
make -s -j"$(nproc)" CC=musl-gcc HOSTCC=gcc EXTRA_CFLAGS="-isystem $(pwd)/kinc" \
	SKIP_STRIP=n busybox >build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
got=$(./busybox --list | sort -u)
for a in $want; do
	[ "$a" = busybox ] || echo "$got" | grep -qxF -- "$a" || { echo "busybox: applet '$a' did not build" >&2; exit 1; }
done
cd - >/dev/null
cp "$bld/busybox" "$out.new"
mv "$out.new" "$out"
echo "$stamp" > "$out.stamp"
rm -rf "$bld"
echo "busybox: $out: $(stat -c %s "$out") bytes, $(echo "$want" | wc -l) applets (busybox $ver, musl, static)"
