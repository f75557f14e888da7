#!/bin/sh
# make run: boot the demo ISO in QEMU interactively on this terminal (serial console).
# Leave with 'poweroff -f' in the guest, or Ctrl-A X.
set -eu
build=$1
iso=$build/demo/livestack-demo.iso
echo "run: booting $iso (TCG; the menu waits 2 s; quit QEMU with Ctrl-A X)"
exec qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot -cdrom "$iso" -boot d
