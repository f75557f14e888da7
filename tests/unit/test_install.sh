#!/bin/sh
# make install into a DESTDIR: the tools, /init and the data files under PREFIX, and the aufs
# source as a DKMS module (SRCDIR/aufs-livestack-VERSION/dkms.conf) that holds every file
# the module's build needs; the installed livestack-mkimage finds its DATADIR and /init
# with no build tree. DKMS itself is not run here (make check-deb does, in a Debian root).
# usage: sh tests/unit/test_install.sh [BUILD [KVER [KCACHE]]]
set -u
BUILD=${1:-build}
KVER=${2:-$(sh scripts/kver.sh "" "$BUILD/cache")}
KCACHE=${3:-$BUILD/cache/kernel/$KVER}
. tests/lib/hosttap.sh test_install

VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
R=$T/root
if make --no-print-directory -s install DESTDIR="$R" PREFIX=/usr BUILD="$BUILD" >"$T/log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	not_ok "make install DESTDIR PREFIX=/usr"; sed 's/^/#   /' "$T/log"; finish
fi
check "a version from debian/changelog" sh -c "echo '$VERSION' | grep -Eq '^[0-9][0-9.]*'"
for f in bin/livestack-mkimage bin/livectl lib/livestack/init lib/livestack/shutdown; do
	check "usr/$f executable" test -x "$R/usr/$f"
done
check "/init static (no ELF interpreter)" sh -c "readelf -lW '$R/usr/lib/livestack/init' | grep -q LOAD && ! readelf -lW '$R/usr/lib/livestack/init' | grep -q INTERP"
for f in modules/base.list configs/profiles/demo.conf configs/boot hooks; do
	check "usr/share/livestack/$f" test -e "$R/usr/share/livestack/$f"
done
check "no C source among the data files" sh -c "! find '$R/usr/share/livestack' -name '*.c' | grep -q ."
for m in man5/aufs.5 man7/livestack.7 man8/livestack-mkimage.8 man8/livectl.8; do
	check "man page $m" test -f "$R/usr/share/man/$m"
done

# the DKMS source tree
S=$R/usr/src/aufs-livestack-$VERSION
check "dkms.conf in /usr/src/aufs-livestack-$VERSION" test -f "$S/dkms.conf"
# dkms sources dkms.conf in bash with these set; check what it then runs
conf() { bash -c 'kernelver=6.12.99+deb13-amd64 kernel_source_dir=/usr/src/linux-headers-6.12.99+deb13-amd64
	. "$1" && eval "echo \"$2\""' sh "$S/dkms.conf" "$1"; }
check "PACKAGE_NAME aufs-livestack, PACKAGE_VERSION $VERSION" \
	test "$(conf '$PACKAGE_NAME-$PACKAGE_VERSION')" = "aufs-livestack-$VERSION"
check "BUILT_MODULE_NAME aufs, DEST_MODULE_LOCATION updates/dkms, AUTOINSTALL" \
	test "$(conf '${BUILT_MODULE_NAME[0]} ${DEST_MODULE_LOCATION[0]} $AUTOINSTALL')" = "aufs /updates/dkms yes"
check "MAKE builds for the kernel DKMS names, with its headers (probes included)" \
	test "$(conf '${MAKE[0]}')" = "make KVER=6.12.99+deb13-amd64 KDIR=/usr/src/linux-headers-6.12.99+deb13-amd64"
check "the Makefile's default target probes the headers" sh -c "grep -q '^modules: compat_probe.h' '$S/Makefile'"
# every object Kbuild names has its source; every probe and header is there, unchanged
missing=""
for o in $(sed -n 's/\\$//; s/^aufs-y *:= *//p; s/^\t *//p' aufs/Kbuild | tr ' ' '\n' | grep '\.o$'); do
	[ -f "$S/${o%.o}.c" ] || missing="$missing ${o%.o}.c"
done
if [ -z "$missing" ] && [ -n "$(sed -n 's/^aufs-y *:= *//p' aufs/Kbuild)" ]; then
	ok "every object of Kbuild has its .c"
else
	not_ok "every object of Kbuild has its .c (missing:$missing)"
fi
diffs=""
for f in aufs/*.h aufs/Kbuild aufs/Makefile aufs/probe.sh aufs/probe/*.c; do
	case $f in aufs/compat_probe.h) continue ;; esac
	cmp -s "$f" "$S/${f#aufs/}" || diffs="$diffs $f"
done
if [ -z "$diffs" ]; then ok "headers, probes, Kbuild, Makefile installed unchanged"
else not_ok "headers, probes, Kbuild, Makefile installed unchanged (differ or missing:$diffs)"; fi
check "no build products in the source tree" sh -c "! find '$S' -name '*.o' -o -name '*.ko' -o -name 'compat_probe.h' -o -name '.*.cmd' | grep -q ."

# a second DESTDIR with PREFIX=/usr/local and SRCDIR: both respected
if make --no-print-directory -s install DESTDIR="$T/r2" PREFIX=/opt/ls SRCDIR=/opt/src BUILD="$BUILD" >"$T/log" 2>&1 &&
	[ -x "$T/r2/opt/ls/bin/livestack-mkimage" ] && [ -f "$T/r2/opt/ls/share/livestack/modules/base.list" ] &&
	[ -f "$T/r2/opt/src/aufs-livestack-$VERSION/dkms.conf" ] && [ ! -e "$T/r2/usr" ]; then
	ok "PREFIX and SRCDIR respected, nothing outside them"
else
	not_ok "PREFIX and SRCDIR respected, nothing outside them"; sed 's/^/#   /' "$T/log"
fi

# the installed program, with no build tree: DATADIR and /init beside it in PREFIX/share
MODDIR=$KCACHE/lib/modules/$KVER
if [ -d "$MODDIR" ]; then
	if "$R/usr/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$MODDIR" --union overlay \
		--compress none --out "$T/i.img" >"$T/log" 2>&1 && mkdir -p "$T/u" &&
		(cd "$T/u" && cpio -idm --quiet --nonmatching 'dev/*' <"$T/i.img"); then
		ok "installed livestack-mkimage initramfs builds"
	else
		not_ok "installed livestack-mkimage initramfs builds"; sed 's/^/#   /' "$T/log"
	fi
	check "its /init is the installed one" cmp "$T/u/init" "$R/usr/lib/livestack/init"
	check "its profile and lists from the installed DATADIR" grep -q "profile demo, union overlay" "$T/log"
else
	not_ok "kernel modules for $KVER in $MODDIR (make deps)"
fi
finish
