#!/bin/busybox sh
# The floor for the boot benchmark: a minimal hand-written init that does only the
# mounts livestack does, with the device and the module order known in advance.
# bench/boot.sh puts it as /init into a copy of livestack's own initramfs.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /run
for m in $(/bin/busybox cat /etc/floor/modules); do /bin/busybox insmod "$m"; done
while [ ! -b /dev/sr0 ]; do /bin/busybox usleep 5000; done
/bin/busybox mkdir -p /run/live/medium /run/live/layers/10-demo /run/live/rw /root
until /bin/busybox mount -t iso9660 -o ro /dev/sr0 /run/live/medium 2>/dev/null; do
	/bin/busybox usleep 5000
done
/bin/busybox mount -t squashfs -o ro,loop /run/live/medium/live/10-demo.squashfs /run/live/layers/10-demo
/bin/busybox mount -t tmpfs tmpfs /run/live/rw
/bin/busybox mkdir /run/live/rw/upper /run/live/rw/work
if [ "$(/bin/busybox cat /etc/floor/union)" = aufs ]; then
	/bin/busybox mount -t aufs -o br:/run/live/rw/upper=rw:/run/live/layers/10-demo=rr none /root
else
	/bin/busybox mount -t overlay -o lowerdir=/run/live/layers/10-demo,upperdir=/run/live/rw/upper,workdir=/run/live/rw/work overlay /root
fi
for d in dev proc sys run; do /bin/busybox mount --move /$d /root/$d; done
exec /bin/busybox switch_root /root /sbin/stamp
