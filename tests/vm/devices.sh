#!/bin/bash
# Every kind of block device a live user boots from: the demo ISO attached as the only
# medium on AHCI (CD and disk), NVMe, virtio-scsi, an LSI 53C895A HBA, USB mass storage
# (xhci, ehci), UAS and an SD card; kernel and initramfs by -kernel/-initrd. Per boot: the
# live system came up, /run/live/status names the expected device, the expected drivers
# bound it, drivers of absent buses were not loaded (modalias, not unconditional), the
# whole disk and its partition were both candidates where the ISO is a disk; the boot time.
# The NVMe boot also has a persistence disk, checked by the demo image's own e2fsck.
# usage: tests/vm/devices.sh BUILD KVER KCACHE   (env VM_ONLY=substring runs matching boots)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/vmsuite.sh
source "$top/tests/lib/vmsuite.sh" devices "$@"

need_demo

# typed into the live system: the drivers bound along the medium's device path (the
# block device's own driver first, the host controller's last) and the loaded modules.
# The quotes split the markers so that the echo of the typed line never matches.
cat > "$OUT/devices.in" <<'EOF'
m=$(sed -n 's,^medium=/dev/,,p' /run/live/status); b=$(readlink -f /sys/class/block/$m); [ -e $b/device ] || b=${b%/*}
p=$(readlink -f $b/device); c=; while [ ${#p} -gt 12 ]; do [ -L $p/driver ] && c="$c $(basename $(readlink $p/driver))"; p=${p%/*}; done; echo "DRV""CHAIN:$c :"
echo "MOD""S: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
poweroff -f
EOF

# the SD card model wants a power-of-two size: the ISO padded to the next one
SDIMG=$OUT/sd.img
sd_image() {
	local size=1
	size=$(stat -c %s "$ISO")
	local p=1048576
	while [ "$p" -lt "$size" ]; do p=$((p * 2)); done
	cp "$ISO" "$SDIMG" && truncate -s "$p" "$SDIMG"
}

# every storage driver an image might load: none but the one of the booted bus may be
DRIVERS="ahci nvme virtio_scsi sym53c8xx usb_storage uas xhci_pci ehci_pci sdhci_pci mmc_block"

# dev_boot NAME MEDIUM CHAIN MODULES PARTITION QEMU-ARGS...: boot with only this
# medium; MEDIUM the expected status name (sr0, sda, ...); CHAIN the drivers that must
# be bound along its device path, in order (others may be between them); MODULES the storage modules that must be loaded, ~NAME
# one that may be (the others of DRIVERS must not be); PARTITION the partition that must also be a candidate (- if none)
dev_boot() {
	local name=$1 medium=$2 chain=$3 mods=$4 part=$5 m; shift 5
	want "$name" || return 0
	vm_session "$name" 200 "LIVESTACK-DEMO-READY" "$OUT/devices.in" -kernel "$KERNEL" \
		-initrd "$INITRD" -append "$APPEND${DEV_APPEND:+ $DEV_APPEND}" "$@"
	local rc=$?
	[ $rc = 0 ] || nok "$name: guest powered off before the deadline" "rc=$rc"
	expect "$name" "the live system came up" "^LIVESTACK-DEMO-READY"
	expect "$name" "status: medium=/dev/$medium" "^medium=/dev/$medium[[:space:]]*$"
	expect "$name" "status: /dev/$medium was the accepted candidate" "^candidate\.$medium=accepted "
	[ "$part" = - ] || expect "$name" "status: the partition $part was a candidate too" "^candidate\.$part="
	local re=" ${chain// / (.* )?} "
	expect "$name" "drivers bound to the medium: $chain" "^DRVCHAIN:.*$re"
	for m in $mods; do
		case $m in ~*) continue ;; esac
		expect "$name" "$m loaded (by modalias)" "^MODS:( .*)? $m "
	done
	for m in $DRIVERS; do
		case " $mods " in *" $m "* | *" ~$m "*) continue ;; esac
		refute "$name" "$m not loaded (no such device)" "^MODS:( .*)? $m "
	done
	no_panic "$name"
	local ex ms
	ex=$(sed -n 's/^time\.exec=\([0-9]*\).*/\1/p' "$VM_OUT/$name.log" | head -n1)
	ms=$(sed -n 's/^time\.total=\([0-9]*\).*/\1/p' "$VM_OUT/$name.log" | head -n1)
	echo "# $name: kernel start -> exec of the real init ${ex:-?} ms, /init ${ms:-?} ms (TCG)"
}

RAW="format=raw,snapshot=on,if=none,id=medium,file=$ISO"

# (a) SATA/AHCI CD on q35 (ich9-ahci)
dev_boot ahci-cd sr0 "sr ahci" "ahci" - -machine q35 \
	-drive "$RAW,media=cdrom,readonly=on" -device ide-cd,drive=medium,bus=ide.0
# (b) AHCI disk: the hybrid ISO's MBR makes it a disk with a partition
dev_boot ahci-hd sda "sd ahci" "ahci" sda1 -machine q35 \
	-drive "$RAW" -device ide-hd,drive=medium,bus=ide.0
# (c) NVMe; a virtio disk holds an ext4 labelled "persistence": the demo image's
# own e2fsck checks it before it becomes the writable branch
if want nvme; then
	rm -f "$OUT/persist.img"
	if mke2fs -q -F -t ext4 -L persistence "$OUT/persist.img" 32M >/dev/null 2>&1; then
		DEV_APPEND="live.persist=auto" dev_boot nvme nvme0n1 "nvme" "nvme" nvme0n1p1 \
			-drive "$RAW" -device nvme,serial=livestack,drive=medium \
			-drive "format=raw,if=virtio,file=$OUT/persist.img"
		expect nvme "the demo image's e2fsck checked the persistence filesystem" \
			"^persist.check=e2fsck exit 0"
		expect nvme "the writable branch is on the persistence filesystem" "^persist=/dev/vda"
	else
		nok "nvme: persistence image" "mke2fs failed"
	fi
fi
# (d) SCSI: a CD on virtio-scsi, a disk on an LSI 53C895A (sym53c8xx)
dev_boot virtio-scsi-cd sr0 "sr virtio_scsi" "virtio_scsi" - \
	-device virtio-scsi-pci,id=vscsi -drive "$RAW,media=cdrom,readonly=on" \
	-device scsi-cd,drive=medium,bus=vscsi.0
dev_boot lsi-hd sda "sd sym53c8xx" "sym53c8xx" sda1 \
	-device lsi53c895a,id=lsi -drive "$RAW" -device scsi-hd,drive=medium,bus=lsi.0
# (e) USB mass storage over xhci and over ehci, UAS over xhci; uas and usb-storage both
# match a mass-storage interface's modalias (uas takes it if it has a UAS setting)
dev_boot usb-xhci sda "sd usb-storage xhci_hcd" "usb_storage xhci_pci ~uas" sda1 \
	-device qemu-xhci,id=xhci -drive "$RAW" -device usb-storage,bus=xhci.0,drive=medium
dev_boot usb-ehci sda "sd usb-storage ehci-pci" "usb_storage ehci_pci ~uas" sda1 \
	-device usb-ehci,id=ehci -drive "$RAW" -device usb-storage,bus=ehci.0,drive=medium
dev_boot usb-uas sda "sd uas xhci_hcd" "uas xhci_pci ~usb_storage" sda1 \
	-device qemu-xhci,id=xhci -device usb-uas,id=uas,bus=xhci.0 -drive "$RAW" \
	-device scsi-hd,bus=uas.0,scsi-id=0,lun=0,drive=medium
# (f) MMC/SD: an SD card on an SDHCI PCI controller
if want sd-card; then
	if sd_image; then
		dev_boot sd-card mmcblk0 "mmcblk sdhci-pci" "sdhci_pci mmc_block" mmcblk0p1 \
			-device sdhci-pci -drive "format=raw,snapshot=on,if=none,id=medium,file=$SDIMG" \
			-device sd-card,drive=medium
	else
		nok "sd-card: SD card image" "cp/truncate of $ISO failed"
	fi
fi
done_
