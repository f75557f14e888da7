#!/bin/bash
# Build (once per machine) a small debug kernel from Debian's linux-source-6.1 for the aufs tests.
#
# usage: scripts/debug-kernel.sh [build|dir|kver]
#   build (default): build unless cached, then print the cache dir
#   dir:  print the cache dir (built or not);  kver: print its kernel release
# The cache dir (DEBUG_KERNEL_CACHE, default /var/cache/livestack) holds per config:
#   debug-kernel-<pkgver>-<hash>/{src,obj}  the source and object tree (KDIR=obj for modules)
#   .../kcache/{vmlinuz,lib/modules/KVER}   the layout tests/lib/vm.sh expects (VM_KCACHE)
#   .../kver, build-seconds, build.log, done
# Everything the guests need is built in (=y); only aufs.ko is a module.
# The config starts from allnoconfig and sets only what is below; the script fails if any
# listed option did not make it into the final .config (an unmet dependency).
set -euo pipefail
what=${1:-build}
CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/livestack}
TARBALL=${DEBUG_KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${DEBUG_KERNEL_JOBS:-2}

die() { echo "debug-kernel: $*" >&2; exit 1; }

fragment() {
	cat <<'EOF'
CONFIG_64BIT=y
CONFIG_SMP=y
CONFIG_NR_CPUS=8
CONFIG_PREEMPT=y
CONFIG_LOCALVERSION="-lsdebug"
CONFIG_PRINTK_TIME=y
CONFIG_KALLSYMS=y
CONFIG_KALLSYMS_ALL=y
CONFIG_ACPI=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y
CONFIG_TTY=y
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_BINFMT_ELF=y
CONFIG_BINFMT_SCRIPT=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_RD_GZIP=y
CONFIG_RD_XZ=y
CONFIG_RD_ZSTD=y
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_PROC_FS=y
CONFIG_PROC_SYSCTL=y
CONFIG_SYSFS=y
CONFIG_MULTIUSER=y
CONFIG_FHANDLE=y
CONFIG_INOTIFY_USER=y
CONFIG_SHMEM=y
CONFIG_TMPFS=y
CONFIG_TMPFS_XATTR=y
CONFIG_TMPFS_POSIX_ACL=y
CONFIG_BLOCK=y
CONFIG_BLK_DEV=y
CONFIG_BLK_DEV_LOOP=y
CONFIG_MISC_FILESYSTEMS=y
CONFIG_SQUASHFS=y
CONFIG_SQUASHFS_XATTR=y
CONFIG_SQUASHFS_ZLIB=y
CONFIG_SQUASHFS_XZ=y
CONFIG_SQUASHFS_ZSTD=y
CONFIG_SQUASHFS_LZ4=y
CONFIG_SQUASHFS_LZO=y
CONFIG_EXT4_FS=y
CONFIG_EXT4_FS_POSIX_ACL=y
CONFIG_EXT4_FS_SECURITY=y
CONFIG_OVERLAY_FS=y
CONFIG_NET=y
CONFIG_INET=y
CONFIG_UNIX=y
CONFIG_PACKET=y
CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y
CONFIG_VIRTIO_MENU=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_DETECT_HUNG_TASK=y
CONFIG_SOFTLOCKUP_DETECTOR=y
CONFIG_DEBUG_KERNEL=y
CONFIG_DEBUG_FS=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_PROVE_LOCKING=y
CONFIG_PROVE_RCU=y
CONFIG_RCU_EXPERT=y
CONFIG_PROVE_RCU_LIST=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_LIST=y
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_RCU_HEAD=y
CONFIG_DEBUG_OBJECTS_PERCPU_COUNTER=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_KFENCE=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FAIL_MAKE_REQUEST=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_KPROBES=y
CONFIG_FUNCTION_ERROR_INJECTION=y
CONFIG_FAIL_FUNCTION=y
EOF
}

[ -f "$TARBALL" ] || die "no $TARBALL (apt-get install linux-source-6.1)"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || die "linux-source-6.1 not installed"
hash=$( { fragment; echo "$pkgver"; gcc --version | head -n1; } | sha256sum | cut -c1-12)
dir=$CACHE/debug-kernel-$pkgver-$hash

case "$what" in
dir) echo "$dir"; exit 0 ;;
kver) [ -f "$dir/done" ] || die "not built: $0 build"; cat "$dir/kver"; exit 0 ;;
build) ;;
*) die "usage: $0 [build|dir|kver]" ;;
esac

mkdir -p "$CACHE"
exec 8>"$CACHE/.debug-kernel.lock"
if ! flock -n 8; then
	echo "debug-kernel: another build holds $CACHE/.debug-kernel.lock, waiting" >&2
	flock 8
fi
if [ -f "$dir/done" ]; then echo "$dir"; exit 0; fi

t0=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
echo "debug-kernel: building in $dir (log: $dir/build.log)" >&2
tar -xJf "$TARBALL" -C "$dir"
mv "$dir/linux-source-6.1" "$dir/src"
fragment > "$dir/fragment.config"
mk() { nice -n 19 make -C "$dir/src" O="$dir/obj" "$@"; }
mk KCONFIG_ALLCONFIG="$dir/fragment.config" allnoconfig >>"$dir/build.log" 2>&1 \
	|| die "allnoconfig failed (see $dir/build.log)"

# every listed option must be in the result with the listed value
missing=0
while IFS= read -r line; do
	if ! grep -qxF "$line" "$dir/obj/.config"; then
		echo "debug-kernel: config lost $line" >&2; missing=1
	fi
done < "$dir/fragment.config"
[ "$missing" = 0 ] || die "the config fragment has unmet dependencies (see above)"

mk -j"$JOBS" all >>"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "build failed"; }
kver=$(mk -s kernelrelease 2>/dev/null | tail -n1)
mk INSTALL_MOD_PATH="$dir/kcache" modules_install >>"$dir/build.log" 2>&1 \
	|| die "modules_install failed (see $dir/build.log)"
cp "$dir/obj/arch/x86/boot/bzImage" "$dir/kcache/vmlinuz"
ln -sfn "$dir/obj" "$dir/kcache/lib/modules/$kver/build"
echo "$kver" > "$dir/kver"
echo $(( $(date +%s) - t0 )) > "$dir/build-seconds"
touch "$dir/done"
echo "debug-kernel: $kver built in $(cat "$dir/build-seconds")s" >&2
echo "$dir"
