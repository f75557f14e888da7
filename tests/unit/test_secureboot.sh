#!/bin/sh
# livestack-mkimage's Secure Boot pieces on the host: keygen, the signed ESP (shim, gcdx64,
# MokManager, grub.cfg) and --no-secureboot's, the certificate on the medium, the note for
# an unsigned kernel, aufs.ko found by default and signed, and the bad inputs (missing
# package, mismatched key, expired or non-code-signing certificate) that write nothing.
# Usage: sh tests/unit/test_secureboot.sh [BUILD [KVER]]
set -u

BUILD=${1:-build}
KVER=${2:-${KVER:-$(sh scripts/kver.sh)}}
KC=$BUILD/cache/kernel/$KVER
MODDIR=$KC/lib/modules/$KVER
MK=$(pwd)/$BUILD/bin/livestack-mkimage
AUFS=$(pwd)/$BUILD/aufs/$KVER/aufs.ko
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

. tests/lib/hosttap.sh test_secureboot
expect_fail() { # NAME PATTERN OUT CMD...: fails, says PATTERN, leaves no OUT
	name=$1 pat=$2 out=$3; shift 3
	if "$@" >"$T/out" 2>&1; then not_ok "$name (succeeded)"; return; fi
	if ! grep -q -e "$pat" "$T/out"; then not_ok "$name (no '$pat')"; sed 's/^/#   /' "$T/out"; return; fi
	if [ -e "$out" ] || ls "$out".tmp.* >/dev/null 2>&1; then not_ok "$name (left $out behind)"; return; fi
	ok "$name"
}

if [ ! -x "$MK" ] || [ ! -f "$MODDIR/modules.dep" ] || [ ! -x "$BUILD/bin/init" ]; then
	not_ok "mkimage, init and the kernel cache built ($MK, $MODDIR: make deps all)"
	finish
fi
INIT=$(pwd)/$BUILD/bin/init
mk_initramfs() { out=$1; shift; "$MK" initramfs --kver "$KVER" --moddir "$MODDIR" --init "$INIT" --profile minimal --compress none --out "$out" "$@"; }

# --- keygen ---------------------------------------------------------------------------
mkdir -p "$T/keys"
check keygen_writes_the_pair "$MK" keygen --out "$T/keys"
check keygen_key_private sh -c "test \$(stat -c %a '$T/keys/mok.key') = 600 && test \$(stat -c %a '$T/keys/mok.crt') = 644"
check keygen_codesigning_and_module_oid sh -c "openssl x509 -in '$T/keys/mok.crt' -noout -ext extendedKeyUsage | grep -q 'Code Signing, 1.3.6.1.4.1.2312.16.1.2' && openssl x509 -inform DER -in '$T/keys/mok.der' -noout"
expect_fail keygen_refuses_to_overwrite "already holds a key pair" "$T/none" "$MK" keygen --out "$T/keys"
expect_fail keygen_needs_a_directory "not a directory" "$T/none" "$MK" keygen --out "$T/nosuch"

# bad certificates, made with openssl directly
openssl req -new -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/plain.crt" -days 30 \
	-subj /CN=plain >/dev/null 2>&1
# expired: valid for one day in 2024 (openssl 3.0's CLI cannot set the dates)
python3 - "$T" >/dev/null 2>&1 <<'EOF2' || expired_missing=1
import datetime, sys
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired")])
c = (x509.CertificateBuilder().subject_name(n).issuer_name(n).public_key(k.public_key())
     .serial_number(2).not_valid_before(datetime.datetime(2024, 1, 1))
     .not_valid_after(datetime.datetime(2024, 1, 2))
     .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
     .sign(k, hashes.SHA256()))
open(sys.argv[1] + "/old.key", "wb").write(k.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(sys.argv[1] + "/expired.crt", "wb").write(c.public_bytes(serialization.Encoding.PEM))
EOF2

# --- aufs.ko: found by default, signed ------------------------------------------------
if [ -f "$AUFS" ]; then
	check initramfs_aufs_default_build_tree sh -c "'$MK' initramfs --kver '$KVER' --moddir '$MODDIR' --init '$INIT' --profile minimal --compress none --out '$T/d.img' >'$T/d.log' 2>&1 && grep -q 'aufs: .*/aufs/$KVER/aufs.ko (the build tree)' '$T/d.log' && cpio -t < '$T/d.img' 2>/dev/null | grep -q 'extra/aufs.ko'"
	check initramfs_union_overlay_opts_out sh -c "'$MK' initramfs --kver '$KVER' --moddir '$MODDIR' --init '$INIT' --profile minimal --compress none --union overlay --out '$T/o.img' >'$T/o.log' 2>&1 && grep -q 'no aufs (--union overlay)' '$T/o.log' && ! cpio -t < '$T/o.img' 2>/dev/null | grep -q aufs.ko"
	mkdir -p "$T/x"
	check initramfs_signs_aufs sh -c "'$MK' initramfs --kver '$KVER' --moddir '$MODDIR' --init '$INIT' --profile minimal --compress none --sign-key '$T/keys/mok.key' --sign-cert '$T/keys/mok.crt' --out '$T/s.img' && cd '$T/x' && cpio -id --quiet < '$T/s.img' && tail -c 28 lib/modules/$KVER/extra/aufs.ko | grep -q 'Module signature appended' && modinfo -F signer lib/modules/$KVER/extra/aufs.ko | grep -qx 'livestack module signing'"
	expect_fail initramfs_key_not_matching_cert "does not match --sign-cert $T/keys/mok.crt" "$T/bad.img" \
		mk_initramfs "$T/bad.img" --sign-key "$T/other.key" --sign-cert "$T/keys/mok.crt"
	expect_fail initramfs_cert_not_code_signing "$T/plain.crt: not a code-signing certificate" "$T/bad.img" \
		mk_initramfs "$T/bad.img" --sign-key "$T/other.key" --sign-cert "$T/plain.crt"
	if [ -z "${expired_missing:-}" ]; then
		expect_fail initramfs_cert_expired "$T/expired.crt: the certificate has expired" "$T/bad.img" \
			mk_initramfs "$T/bad.img" --sign-key "$T/old.key" --sign-cert "$T/expired.crt"
	else
		not_ok "initramfs_cert_expired (python3-cryptography could not make an expired certificate)"
	fi
	expect_fail initramfs_private_key_as_cert "holds a PRIVATE KEY" "$T/bad.img" \
		mk_initramfs "$T/bad.img" --sign-key "$T/keys/mok.key" --sign-cert "$T/keys/mok.key"
else
	not_ok "aufs.ko built for $KVER ($AUFS: make aufs)"
fi
# no aufs anywhere: a copy of the program outside the build tree
mkdir -p "$T/bin" "$T/data" && cp "$MK" "$T/bin/" && cp -r modules configs "$T/data/"
check initramfs_no_aufs_says_how "$T/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$MODDIR" \
	--init "$INIT" --profile minimal --compress none --datadir "$T/data" --out "$T/n.img"
grep -q "the image is overlayfs-only; for aufs build it with 'make aufs KVER=$KVER'" "$T/out" &&
	ok initramfs_no_aufs_message || { not_ok initramfs_no_aufs_message; sed 's/^/#   /' "$T/out"; }
expect_fail initramfs_union_aufs_needs_one "no aufs.ko for $KVER" "$T/bad.img" \
	"$T/bin/livestack-mkimage" initramfs --kver "$KVER" --moddir "$MODDIR" --init "$INIT" \
	--profile minimal --datadir "$T/data" --union aufs --out "$T/bad.img"

# --- iso: the signed ESP --------------------------------------------------------------
"$MK" squashfs configs/demo-root "$T/10-root.squashfs" >/dev/null 2>&1
mk_iso() { out=$1; shift; "$MK" iso --kernel "$KC/vmlinuz" --initramfs "$T/n.img" --layer "$T/10-root.squashfs" --out "$out" "$@"; }
check iso_secureboot_default mk_iso "$T/sb.iso" --sign-cert "$T/keys/mok.crt"
grep -q 'no Authenticode' "$T/out" && not_ok iso_signed_kernel_no_note || ok iso_signed_kernel_no_note
xorriso -osirrox on -indev "$T/sb.iso" -extract /boot/efiboot.img "$T/esp.img" \
	-extract /EFI/livestack/mok.der "$T/iso.der" -extract /live/livestack.id "$T/id" >/dev/null 2>&1
id=$(cat "$T/id" 2>/dev/null)
check iso_esp_signed_chain sh -c "mcopy -n -i '$T/esp.img' ::/EFI/BOOT/BOOTX64.EFI '$T/b' && cmp '$T/b' /usr/lib/shim/shimx64.efi.signed && mcopy -n -i '$T/esp.img' ::/EFI/BOOT/grubx64.efi '$T/g' && cmp '$T/g' /usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed && mcopy -n -i '$T/esp.img' ::/EFI/BOOT/mmx64.efi '$T/m' && cmp '$T/m' /usr/lib/shim/mmx64.efi.signed"
check iso_esp_grub_cfg_finds_the_medium_by_id sh -c "mcopy -n -i '$T/esp.img' ::/boot/grub/grub.cfg '$T/c' && grep -qx 'search --no-floppy --set=root --file /.disk/id/$id' '$T/c' && grep -qx 'configfile (\$root)/boot/grub/grub.cfg' '$T/c' && xorriso -indev '$T/sb.iso' -find /.disk/id -type f 2>/dev/null | grep -q \"/.disk/id/$id\""
# GRUB's menu entry for MokManager (EFI only, shown when the medium has mmx64.efi), and
# MokManager in the ISO 9660 tree, where GRUB chainloads it from (tests/vm/secureboot.sh
# starts it and enrols the key)
check iso_grub_mokmanager_entry sh -c "xorriso -osirrox on -indev '$T/sb.iso' -extract /boot/grub/grub.cfg '$T/menu.cfg' -extract /EFI/BOOT/mmx64.efi '$T/iso-mm' >/dev/null 2>&1 && grep -qx 'if \[ \"\$grub_platform\" = efi -a -f /EFI/BOOT/mmx64.efi \]; then' '$T/menu.cfg' && grep -q '^[[:space:]]*menuentry \"MokManager: enrol the aufs signing key' '$T/menu.cfg' && grep -qx '[[:space:]]*chainloader /EFI/BOOT/mmx64.efi' '$T/menu.cfg' && cmp '$T/iso-mm' /usr/lib/shim/mmx64.efi.signed"
check iso_cert_der_on_medium_and_esp sh -c "openssl x509 -in '$T/keys/mok.crt' -outform DER | cmp - '$T/iso.der' && mcopy -n -i '$T/esp.img' ::/EFI/livestack/mok.der '$T/e' && cmp '$T/e' '$T/iso.der' && ! grep -qa 'PRIVATE KEY' '$T/sb.iso'"
expect_fail iso_refuses_a_private_key "holds a PRIVATE KEY" "$T/bad.iso" mk_iso "$T/bad.iso" --sign-cert "$T/keys/mok.key"
expect_fail iso_missing_shim_named "shimx64.efi.signed is missing: install shim-signed" "$T/bad.iso" \
	mk_iso "$T/bad.iso" --efi-root "$T/empty"
mkdir -p "$T/partial/usr/lib/shim" && cp /usr/lib/shim/shimx64.efi.signed "$T/partial/usr/lib/shim/"
expect_fail iso_missing_grub_signed_named "install grub-efi-amd64-signed" "$T/bad.iso" \
	mk_iso "$T/bad.iso" --efi-root "$T/partial"
# a kernel without an Authenticode signature: a copy with the certificate table entry zeroed
cp "$KC/vmlinuz" "$T/vmlinuz-unsigned"
pe=$(od -An -tu4 -j60 -N4 "$T/vmlinuz-unsigned" | tr -d ' ')
dd if=/dev/zero of="$T/vmlinuz-unsigned" bs=1 seek=$((pe + 24 + 112 + 32)) count=8 conv=notrunc 2>/dev/null
check iso_unsigned_kernel_note sh -c "'$MK' iso --kernel '$T/vmlinuz-unsigned' --initramfs '$T/n.img' --layer '$T/10-root.squashfs' --out '$T/k2.iso' >'$T/k2.log' 2>&1 && grep -q 'vmlinuz-unsigned has no Authenticode signature: this medium will not boot with Secure Boot on' '$T/k2.log' && test -f '$T/k2.iso'"
rm -f "$T/k2.iso"

# --- iso --no-secureboot: today's unsigned GRUB, its built-in config without comments ----
check iso_no_secureboot mk_iso "$T/nosb.iso" --no-secureboot
xorriso -osirrox on -indev "$T/nosb.iso" -extract /boot/efiboot.img "$T/esp2.img" >/dev/null 2>&1
check iso_no_secureboot_grub_mkimage sh -c "mcopy -n -i '$T/esp2.img' ::/EFI/BOOT/BOOTX64.EFI '$T/u' && ! cmp -s '$T/u' /usr/lib/shim/shimx64.efi.signed && ! mdir -i '$T/esp2.img' ::/EFI/BOOT/grubx64.efi >/dev/null 2>&1 && grep -qa 'search --no-floppy --set=root --file /.disk/id/' '$T/u' && ! grep -qa '^# ' '$T/u'"
# no MokManager on an unsigned medium: GRUB's [ -f /EFI/BOOT/mmx64.efi ] hides the entry
check iso_no_secureboot_no_mokmanager sh -c "! xorriso -indev '$T/nosb.iso' -find /EFI/BOOT 2>/dev/null | grep -q mmx64"
check iso_reproducible sh -c "mk_iso() { '$MK' iso --kernel '$KC/vmlinuz' --initramfs '$T/n.img' --layer '$T/10-root.squashfs' --out \"\$1\"; }; mk_iso '$T/r1.iso' && mk_iso '$T/r2.iso' && cmp '$T/r1.iso' '$T/r2.iso'"
echo "# ESP: $(stat -c %s "$T/esp.img") bytes signed, $(stat -c %s "$T/esp2.img") unsigned;" \
	"ISO: $(stat -c %s "$T/sb.iso") bytes signed, $(stat -c %s "$T/nosb.iso") unsigned"
check no_temp_dirs_left sh -c "ls -A '$T/tmp'; test -z \"\$(ls -A '$T/tmp')\""

finish
