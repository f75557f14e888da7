# Typed into the live system's shell by tests/vm/run.sh: each check prints one
# result line, the marker T-A-P then "ok - name" or "not ok - name". The quotes in t()
# split the marker so that the console's echo of the typed text never matches.
t() { if eval "$2" >/dev/null 2>&1; then echo "T""AP ok - $1"; else echo "T""AP not ok - $1"; fi; }
st() { grep "^$1=" /run/live/status | cut -d= -f2-; }
# (the words of the boot line the kernel gave /init as arguments, e.g. a peer's "splash",
# follow, as the kernel and initramfs-tools pass them: livestack(7), init=)
t "real init is PID 1 and is the demo's /sbin/init" 'case "$(cat /proc/1/cmdline | tr "\0" " ")" in "/bin/sh /sbin/init "*) true ;; *) false ;; esac'
t "root is the union" 'awk "\$2==\"/\"{f=\$3} END{exit !(f==\"aufs\"||f==\"overlay\")}" /proc/mounts'
t "status names the union mounted on /" '[ "$(st union)" = "$(awk "\$2==\"/\"{f=\$3} END{print f}" /proc/mounts)" ]'
t "a write lands in /run/live/rw" 'echo probe-$$ > /root/vmtest.txt && grep -q probe-$$ /run/live/rw/upper/root/vmtest.txt'
lay() { st "layer.$(st layers | cut -d" " -f1)" | cut -d" " -f1; }
t "the layer is untouched by the write" '[ -d "$(lay)/root" ] && [ ! -e "$(lay)/root/vmtest.txt" ]'
t "medium mounted at /run/live/medium" 'grep -q " /run/live/medium " /proc/mounts'
t "layer mounted read-only under /run/live/layers" 'grep -qE " $(lay) (squashfs|ext4) ro" /proc/mounts'
t "rw branch is a tmpfs at /run/live/rw" 'grep -q " /run/live/rw tmpfs " /proc/mounts'
t "status: medium device and fs" '[ -b "$(st medium)" ] && [ -n "$(st medium.fs)" ]'
t "status: the medium candidate is accepted" 'grep -q "^candidate\..*=accepted" /run/live/status'
t "status: layers" '[ -n "$(st layers)" ] && [ -n "$(lay)" ]'
t "status: per-phase timings and total" '[ -n "$(st time.premount)" ] && [ "$(st time.total)" -gt 0 ]'
t "boot messages are in the kernel log" 'dmesg | grep -q "livestack: medium: "'
t "the initramfs was freed (no /init in the new root)" '[ ! -e /init ]'
t "the kernel did not warn or oops" '! dmesg | grep -qE "WARNING:|BUG:|Oops"'
echo "CHECKS-DONE"
