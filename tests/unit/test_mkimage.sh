#!/bin/sh
# livestack-mkimage end to end on the host: initramfs layout and size, reproducibility of
# all three outputs, module-list errors, ISO structure (El Torito BIOS+UEFI, MBR+GPT), and
# that a failed build leaves nothing behind. Usage: sh tests/unit/test_mkimage.sh [BUILD [KVER]]
set -u

BUILD=${1:-build}
KVER=${2:-${KVER:-$(sh scripts/kver.sh)}}
KC=$BUILD/cache/kernel/$KVER
MODDIR=$KC/lib/modules/$KVER
MK=$(pwd)/$BUILD/bin/livestack-mkimage
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

. tests/lib/hosttap.sh test_mkimage

if [ ! -x "$MK" ]; then
	not_ok "mkimage_binary ($MK missing: make $BUILD/bin/livestack-mkimage)"
	finish
fi
if [ ! -f "$MODDIR/modules.dep" ]; then
	echo "# skip: $MODDIR not present (make deps)"
	finish
fi

# A fake out-of-tree module: just the .modinfo strings mkimage reads.
fake_ko() { printf '\177ELF\0\0\0\0vermagic=%s SMP preempt mod_unload modversions \0depends=\0alias=fs-aufs\0name=aufs\0' "$2" >"$1"; }
fake_ko "$T/aufs.ko" "$KVER"
fake_ko "$T/aufs-old.ko" "5.10.0-30-amd64"
mkdir -p "$T/hooks/premount" && printf '#!/bin/sh\necho hi\n' >"$T/hooks/premount/50-say-hi.sh" &&
	chmod 755 "$T/hooks/premount/50-say-hi.sh"
INIT=/bin/busybox
[ -x "$BUILD/bin/init" ] && INIT=$BUILD/bin/init

mk_initramfs() { # OUT [extra args]
	out=$1; shift
	"$MK" initramfs --kver "$KVER" --moddir "$MODDIR" --init "$INIT" --out "$out" "$@"
}

# --- initramfs layout -------------------------------------------------------------
if mk_initramfs "$T/min.img" --profile minimal --aufs "$T/aufs.ko" --hooks "$T/hooks" \
	>"$T/log" 2>&1; then
	ok initramfs_builds
else
	not_ok initramfs_builds; sed 's/^/#   /' "$T/log"
fi
zstd -dc "$T/min.img" >"$T/min.cpio" 2>/dev/null
cpio -tv --quiet <"$T/min.cpio" >"$T/list" 2>/dev/null
mkdir -p "$T/x" && (cd "$T/x" && cpio -idm --quiet --nonmatching 'dev/*' <"$T/min.cpio" 2>/dev/null)
L=lib/modules/$KVER
check initramfs_init_is_the_binary sh -c "grep -q -E '^-rwxr-xr-x .* init\$' '$T/list' && cmp -s '$INIT' '$T/x/init'"
check initramfs_busybox_and_links sh -c "grep -q -E ' bin/busybox\$' '$T/list' && grep -q -E '^l.* bin/sh -> /bin/busybox\$' '$T/list'"
check initramfs_no_link_shadows_init sh -c "! grep -q -E ' (init|linuxrc) -> ' '$T/list'"
check initramfs_dev_nodes sh -c "grep -q -E '^c.* 5, +1 .* dev/console\$' '$T/list' && grep -q -E '^c.* 1, +3 .* dev/null\$' '$T/list'"
check initramfs_empty_dirs sh -c "for d in proc sys dev run root tmp mnt hooks; do grep -q -E \"^d.* \$d\\\$\" '$T/list' || exit 1; done"
check initramfs_image_info sh -c "printf 'format=1\nkver=$KVER\nprofile=minimal\nunion=aufs\n' | cmp -s - '$T/x/etc/livestack/image'"
check initramfs_modules_load_order sh -c "printf 'squashfs\nloop\ncdrom\nisofs\noverlay\naufs\n' | cmp -s - '$T/x/etc/livestack/modules.load'"
check initramfs_modules_closure sh -c "test -f '$T/x/$L/kernel/drivers/scsi/sr_mod.ko' && test -f '$T/x/$L/kernel/drivers/scsi/scsi_mod.ko' && test -f '$T/x/$L/kernel/drivers/cdrom/cdrom.ko' && test -f '$T/x/$L/extra/aufs.ko' && ! test -e '$T/x/$L/kernel/fs/ext4'"
check initramfs_pruned_indexes sh -c "grep -q '^kernel/drivers/scsi/sr_mod.ko: ' '$T/x/$L/modules.dep' && grep -q '^extra/aufs.ko:\$' '$T/x/$L/modules.dep' && test \$(wc -l <'$T/x/$L/modules.dep') -lt 40 && grep -q '^alias fs-aufs aufs\$' '$T/x/$L/modules.alias' && ! grep -q ' ext4\$' '$T/x/$L/modules.alias' && test -s '$T/x/$L/modules.builtin'"
check initramfs_pruned_dep_is_closed sh -c "cd '$T/x/$L' && for f in \$(tr -d : <modules.dep); do test -f \$f || { echo missing \$f; exit 1; }; done"
check initramfs_hooks sh -c "test -x '$T/x/hooks/premount/50-say-hi.sh'"
check initramfs_owner_root_fixed_mtime sh -c "! grep -v -E '^[-dlc][-rwxst]{9} +[0-9]+ root +root ' '$T/list' | grep -q . && test \$(stat -c %Y '$T/x/init') = $SOURCE_DATE_EPOCH"

# --- reproducibility ----------------------------------------------------------------
mk_initramfs "$T/min2.img" --profile minimal --aufs "$T/aufs.ko" --hooks "$T/hooks" >/dev/null 2>&1
check initramfs_reproducible cmp "$T/min.img" "$T/min2.img"
check initramfs_gzip_reproducible sh -c "'$MK' initramfs --kver $KVER --moddir '$MODDIR' --init '$INIT' --profile minimal --compress gzip --out '$T/g1.img' && sleep 1 && '$MK' initramfs --kver $KVER --moddir '$MODDIR' --init '$INIT' --profile minimal --compress gzip --out '$T/g2.img' && cmp '$T/g1.img' '$T/g2.img' && gzip -t '$T/g1.img'"

# --- the demo profile's size ------------------------------------------------------------
# built as scripts/build-demo.sh builds it: the musl busybox and e2fsck, the real aufs.ko
# (the host's glibc busybox-static alone is 2 MB and says nothing about the demo image)
DEMO_ARGS="--busybox $BUILD/initramfs/busybox --e2fsck $BUILD/initramfs/e2fsck"
if [ ! -x "$BUILD/initramfs/busybox" ] || [ ! -x "$BUILD/initramfs/e2fsck" ]; then
	not_ok "initramfs_demo_under_3MiB ($BUILD/initramfs/busybox or e2fsck missing: make all)"
# shellcheck disable=SC2086
elif mk_initramfs "$T/demo.img" --profile demo $DEMO_ARGS >"$T/log" 2>&1; then
	size=$(stat -c %s "$T/demo.img")
	echo "# demo initramfs: $size bytes compressed"
	if [ "$size" -le 3145728 ]; then ok initramfs_demo_under_3MiB; else not_ok "initramfs_demo_under_3MiB ($size)"; fi
	# modules.softdep "pre:" becomes a dependency: ext4 and jbd2 need crc32c first
	check initramfs_softdep_as_dep sh -c "zstd -dc '$T/demo.img' | cpio -i --quiet --to-stdout '*/modules.dep' | grep -q '^kernel/fs/ext4/ext4.ko: .*kernel/crypto/crc32c_generic.ko'"
else
	not_ok initramfs_demo_under_3MiB; sed 's/^/#   /' "$T/log"
fi

# --- errors -----------------------------------------------------------------------------
D=$T/datadir
mkdir -p "$D/configs/profiles" "$D/modules"
cp modules/*.list "$D/modules/"
printf 'lists = base bad\nload = base\n' >"$D/configs/profiles/bad.conf"
printf 'lists = base opt\nload = base\n' >"$D/configs/profiles/opt.conf"
printf 'overlay\nnosuch_mod\n' >"$D/modules/bad.list"
printf 'overlay\nnosuch_mod?\n' >"$D/modules/opt.list"
expect_fail() { # NAME PATTERN OUT CMD...: fails, says PATTERN, leaves no OUT and no temp
	name=$1 pat=$2 out=$3; shift 3
	if "$@" >"$T/out" 2>&1; then not_ok "$name (succeeded)"; return; fi
	if ! grep -q -e "$pat" "$T/out"; then not_ok "$name (no '$pat')"; sed 's/^/#   /' "$T/out"; return; fi
	if [ -e "$out" ] || ls "$out".tmp.* >/dev/null 2>&1; then not_ok "$name (left $out behind)"; return; fi
	ok "$name"
}
expect_fail initramfs_missing_module_named nosuch_mod "$T/bad.img" \
	mk_initramfs "$T/bad.img" --profile bad --datadir "$D"
check initramfs_optional_module_skipped mk_initramfs "$T/opt.img" --profile opt --datadir "$D" --compress none
expect_fail initramfs_missing_moddir "/nonexistent/modules" "$T/bad.img" \
	"$MK" initramfs --kver "$KVER" --moddir /nonexistent/modules --init "$INIT" --out "$T/bad.img"
expect_fail initramfs_missing_init "no-init" "$T/bad.img" \
	mk_initramfs "$T/bad.img" --init "$T/no-init" --profile minimal
expect_fail initramfs_aufs_wrong_kernel "another kernel" "$T/bad.img" \
	mk_initramfs "$T/bad.img" --profile minimal --aufs "$T/aufs-old.ko"
expect_fail initramfs_unwritable_output "cannot write" "$T/nodir/x.img" \
	mk_initramfs "$T/nodir/x.img" --profile minimal

# --- squashfs -----------------------------------------------------------------------------
R=$T/root
mkdir -p "$R/bin" "$R/sbin" "$R/etc" && cp /bin/busybox "$R/bin/" && ln -s busybox "$R/bin/sh" &&
	printf '#!/bin/sh\nexec /bin/sh\n' >"$R/sbin/init" && chmod 755 "$R/sbin/init"
check squashfs_builds "$MK" squashfs "$R" "$T/root.squashfs"
touch "$R/etc"
check squashfs_reproducible sh -c "'$MK' squashfs '$R' '$T/root2.squashfs' && cmp '$T/root.squashfs' '$T/root2.squashfs'"
check squashfs_xz "$MK" squashfs "$R" "$T/root-xz.squashfs" --comp xz
check squashfs_all_root sh -c "unsquashfs -lln '$T/root.squashfs' | grep -E '^[-dl]' >'$T/sqlist' && test -s '$T/sqlist' && ! grep -v -E '^[-dl][-rwx]{9} 0/0 ' '$T/sqlist'"
expect_fail squashfs_missing_root "/nonexistent/root" "$T/no.squashfs" \
	"$MK" squashfs /nonexistent/root "$T/no.squashfs"

# --- iso ------------------------------------------------------------------------------------
cp "$T/root.squashfs" "$T/05-base.squashfs"
mk_iso() { # OUT [extra args]
	out=$1; shift
	"$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --layer "$T/05-base.squashfs" \
		"$T/root.squashfs" --label LSTEST --cmdline "console=ttyS0,115200" --out "$out" "$@"
}
check iso_builds mk_iso "$T/a.iso"
xorriso -indev "$T/a.iso" -find / 2>/dev/null | tr -d "'" >"$T/isolist"
check iso_files sh -c "for f in /boot/vmlinuz /boot/initrd.img /live/05-base.squashfs /live/20-root.squashfs /live/livestack.id /isolinux/isolinux.bin /isolinux/ldlinux.c32 /isolinux/menu.c32 /isolinux/isolinux.cfg /boot/grub/grub.cfg /boot/efiboot.img; do grep -q -x \$f '$T/isolist' || { echo missing \$f; exit 1; }; done"
xorriso -indev "$T/a.iso" -report_el_torito plain >"$T/eltorito" 2>&1
check iso_el_torito_bios_and_uefi sh -c "grep -q 'El Torito boot img : *1 *BIOS' '$T/eltorito' && grep -q 'El Torito boot img : *2 *UEFI' '$T/eltorito' && grep -q 'MBR isohybrid' '$T/eltorito' && grep -q GPT '$T/eltorito'"
check iso_hybrid_mbr_and_gpt sh -c "test \$(od -An -tx1 -j510 -N2 '$T/a.iso' | tr -d ' ') = 55aa && test \"\$(dd if='$T/a.iso' bs=1 skip=512 count=8 2>/dev/null)\" = 'EFI PART'"
check iso_label sh -c "file '$T/a.iso' | grep -q \"'LSTEST'\""
xorriso -osirrox on -indev "$T/a.iso" -extract /isolinux/isolinux.cfg "$T/isolinux.cfg" \
	-extract /boot/grub/grub.cfg "$T/grub.cfg" -extract /boot/efiboot.img "$T/efi.img" >/dev/null 2>&1
check iso_menus sh -c "grep -q '^SERIAL 0 115200' '$T/isolinux.cfg' && test \$(grep -c 'APPEND live.media=auto.*console=ttyS0,115200\$' '$T/isolinux.cfg') = 3 && grep -q 'live.toram' '$T/isolinux.cfg' && grep -q 'live.debug' '$T/isolinux.cfg' && grep -q '^TIMEOUT 50\$' '$T/isolinux.cfg' && grep -q '^terminal_input serial console' '$T/grub.cfg' && test \$(grep -c 'linux /boot/vmlinuz live.media=auto.*console=ttyS0,115200\$' '$T/grub.cfg') = 3 && grep -q '^set timeout=5\$' '$T/grub.cfg'"
check iso_efi_image sh -c "mdir -i '$T/efi.img' ::/EFI/BOOT | grep -q BOOTX64"
check iso_reproducible sh -c "sleep 1; touch '$T/min.img'; mk_iso() { '$MK' iso --kernel '$KC/vmlinuz' --initramfs '$T/min.img' --layer '$T/05-base.squashfs' '$T/root.squashfs' --label LSTEST --cmdline console=ttyS0,115200 --out \$1; }; mk_iso '$T/b.iso' && cmp '$T/a.iso' '$T/b.iso'"
expect_fail iso_missing_kernel "no-kernel" "$T/bad.iso" \
	"$MK" iso --kernel "$T/no-kernel" --initramfs "$T/min.img" --layer "$T/root.squashfs" --out "$T/bad.iso"
expect_fail iso_missing_initramfs "no-initrd" "$T/bad.iso" \
	"$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/no-initrd" --layer "$T/root.squashfs" --out "$T/bad.iso"
expect_fail iso_missing_layer "no-layer" "$T/bad.iso" \
	"$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --layer "$T/no-layer.squashfs" --out "$T/bad.iso"
expect_fail iso_layer_not_squashfs "not a squashfs" "$T/bad.iso" \
	"$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --layer "$T/min.img" --out "$T/bad.iso"
expect_fail iso_unwritable_output "cannot write" "$T/nodir/bad.iso" \
	"$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --layer "$T/root.squashfs" --out "$T/nodir/bad.iso"
# --- the options iso and pxe share (mkimage/util.c) -------------------------------------------
iso_opt() { "$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --out "$T/opt.iso" "$@"; }
pxe_opt() { "$MK" pxe --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --outdir "$T/optpxe" "$@"; }
for cmd in iso pxe; do
	out=$T/opt.iso
	[ $cmd = pxe ] && out=$T/optpxe
	expect_fail ${cmd}_timeout_over_range "$cmd: --timeout 36001: " "$out" \
		${cmd}_opt --layer "$T/root.squashfs" --timeout 36001
	expect_fail ${cmd}_timeout_negative "$cmd: --timeout -1: " "$out" \
		${cmd}_opt --layer "$T/root.squashfs" --timeout -1
	expect_fail ${cmd}_timeout_not_a_number "$cmd: --timeout 5s: " "$out" \
		${cmd}_opt --layer "$T/root.squashfs" --timeout 5s
	expect_fail ${cmd}_stray_argument "$cmd: unexpected argument 'stray'" "$out" \
		${cmd}_opt stray --layer "$T/root.squashfs"
	expect_fail ${cmd}_no_layer "$cmd: .*--layer" "$out" ${cmd}_opt --timeout 10
	# (pxe leaves what it wrote before the failure: only the message is checked)
	expect_fail ${cmd}_datadir_used "set --datadir" "$T/nosuch" \
		${cmd}_opt --layer "$T/root.squashfs" --datadir "$T/nosuch"
done
check pxe_layer_list_timeout_cmdline sh -c "'$MK' pxe --kernel '$KC/vmlinuz' --initramfs '$T/min.img' --layer '$T/05-base.squashfs' '$T/root.squashfs' --timeout 0 --cmdline console=ttyS0,115200 --outdir '$T/optpxe' && grep -q ' 05-base.squashfs\$' '$T/optpxe/http/layers.list' && grep -q ' 20-root.squashfs\$' '$T/optpxe/http/layers.list' && grep -q '^TIMEOUT 1\$' '$T/optpxe/tftp/pxelinux.cfg/default' && grep -q 'APPEND .*console=ttyS0,115200' '$T/optpxe/tftp/pxelinux.cfg/default' && grep -q 'timeout=0' '$T/optpxe/tftp/grub/grub.cfg'"
rm -rf "$T/optpxe"
# GRUB's kernel by HTTP: an IPv4 host without a port; a host name or a port: TFTP only
for u in 'http://10.0.0.5/live/|(http,10.0.0.5)/live' 'http://srv.example/live/|' 'http://10.0.0.5:8080/live/|' '/livestack/|(http,$livestack_server)/livestack'; do
	check "pxe_grub_http_${u%%|*}" sh -c "'$MK' pxe --kernel '$KC/vmlinuz' --initramfs '$T/min.img' --layer '$T/root.squashfs' --url '${u%%|*}' --outdir '$T/optpxe' >/dev/null 2>&1 && grep -qxF 'set lhttp=\"${u#*|}\"' '$T/optpxe/tftp/grub/grub.cfg'"
done
rm -rf "$T/optpxe"
# mirrors: --url repeated; the boot line carries them all, quoted as one word
mirrors='"live.fetch=http://10.0.0.5/live/ http://10.0.0.6/live/ /livestack/"'
check pxe_mirrors_boot_line sh -c "'$MK' pxe --kernel '$KC/vmlinuz' --initramfs '$T/min.img' --layer '$T/root.squashfs' --url http://10.0.0.5/live/ --url http://10.0.0.6/live --url /livestack/ --outdir '$T/optpxe' >/dev/null 2>&1 && grep -qF 'APPEND ip=dhcp $mirrors' '$T/optpxe/tftp/pxelinux.cfg/default' && grep -qF 'kernel http://10.0.0.5/live/vmlinuz ip=dhcp $mirrors' '$T/optpxe/tftp/boot.ipxe' && grep -qF '$mirrors' '$T/optpxe/tftp/grub/grub.cfg'"
check pxe_one_url_unquoted sh -c "'$MK' pxe --kernel '$KC/vmlinuz' --initramfs '$T/min.img' --layer '$T/root.squashfs' --url http://10.0.0.5/live/ --outdir '$T/optpxe' >/dev/null 2>&1 && grep -q '^  APPEND ip=dhcp live.fetch=http://10.0.0.5/live/\$' '$T/optpxe/tftp/pxelinux.cfg/default'"
rm -rf "$T/optpxe"
expect_fail pxe_mirror_https "pxe: --url https://b/live/: http://HOST" "$T/optpxe/README" \
	pxe_opt --layer "$T/root.squashfs" --url http://a/live/ --url https://b/live/
expect_fail pxe_mirror_comma "a URL with a blank, a quote or a comma" "$T/optpxe/README" \
	pxe_opt --layer "$T/root.squashfs" --url http://a/live/,http://b/live/
expect_fail pxe_mirror_too_many "more than 8 mirrors" "$T/optpxe/README" \
	pxe_opt --layer "$T/root.squashfs" --url /1/ --url /2/ --url /3/ --url /4/ --url /5/ --url /6/ --url /7/ --url /8/ --url /9/
long=$(printf '/%0300d/' 0)
expect_fail pxe_mirror_too_long "make a live.fetch= of .* bytes; /init takes 1023" "$T/optpxe/README" \
	pxe_opt --layer "$T/root.squashfs" --url "$long" --url "$long" --url "$long" --url "$long"
rm -rf "$T/optpxe"
# the nginx snippet, run by a real nginx on 127.0.0.1: a layer asked for with ?v= (as
# /init does from layers.list) is immutable for caches; layers.list and a bare layer are not
if command -v nginx >/dev/null && [ "$(id -u)" = 0 ]; then
	"$MK" pxe --kernel "$KC/vmlinuz" --initramfs "$T/min.img" --layer "$T/root.squashfs" \
		--url /livestack/ --http-root "$T/optpxe/http" --outdir "$T/optpxe" >/dev/null 2>&1
	ng=$T/nginx
	mkdir -p "$ng"
	nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	printf '%s\n' "user root; daemon off; pid $ng/nginx.pid; error_log $ng/error.log;" \
		"events { worker_connections 16; }" \
		"http { access_log $ng/access.log; client_body_temp_path $ng/cb; proxy_temp_path $ng/px;" \
		"	fastcgi_temp_path $ng/fc; uwsgi_temp_path $ng/uw; scgi_temp_path $ng/sc;" \
		"	server { listen 127.0.0.1:$nport; include $T/optpxe/nginx.conf; } }" > "$ng/nginx.conf"
	check pxe_nginx_snippet_valid nginx -t -q -e "$ng/error.log" -c "$ng/nginx.conf"
	nginx -e "$ng/error.log" -c "$ng/nginx.conf" &
	ngpid=$!
	for _ in $(seq 50); do [ -s "$ng/nginx.pid" ] && break; sleep 0.1; done
	hdr() { python3 -c 'import sys, urllib.request as u; r = u.urlopen(sys.argv[1]); print(r.status, r.headers.get("Cache-Control"))' "$1" 2>&1; }
	v=$(head -c 16 "$T/optpxe/http/layers.list")
	b=http://127.0.0.1:$nport/livestack
	check pxe_nginx_layer_immutable test "$(hdr "$b/10-root.squashfs?v=$v")" = "200 public, max-age=31536000, immutable"
	check pxe_nginx_list_no_cache test "$(hdr "$b/layers.list")" = "200 no-cache"
	check pxe_nginx_bare_layer_no_cache test "$(hdr "$b/10-root.squashfs")" = "200 no-cache"
	check pxe_nginx_kernel_no_cache test "$(hdr "$b/vmlinuz")" = "200 no-cache"
	check pxe_nginx_bad_v_no_cache test "$(hdr "$b/10-root.squashfs?v=x")" = "200 no-cache"
	kill "$ngpid" 2>/dev/null
	wait "$ngpid" 2>/dev/null
	rm -rf "$T/optpxe" "$ng"
else
	echo "ok - pxe_nginx_headers # SKIP needs nginx and root"
fi
check no_temp_dirs_left sh -c "test -z \"\$(ls -A '$T/tmp')\""

finish
