# livestack — top-level build. `make demo` and `make check` are the two entry points.
# Everything lands in build/; the target kernel lives in build/cache/kernel/$(KVER).

BUILD    ?= build
CACHE    ?= $(BUILD)/cache
# the host suite's kernel, asked once (not at every use of $(KVER))
ifeq ($(origin KVER),undefined)
KVER     := $(shell sh scripts/kver.sh "" $(CACHE))
endif
# the demo's union: aufs, or overlay only when asked (UNION=overlay), never by itself
UNION    ?= aufs
KCACHE    = $(CACHE)/kernel/$(KVER)
KDIR     ?= /usr/src/linux-headers-$(KVER)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)
export KVER SOURCE_DATE_EPOCH

CC       ?= gcc
MUSLCC   ?= musl-gcc
CWARN     = -Wall -Wextra -Werror -Wno-format-truncation -std=c11 -D_GNU_SOURCE
CFLAGS   ?= -O2 -g
HOST_CFLAGS = $(CPPFLAGS) $(CFLAGS) $(CWARN) -Ilib
INIT_CFLAGS = -Os $(CWARN) -Ilib -static -ffunction-sections -fdata-sections
INIT_LDFLAGS = -static -Wl,--gc-sections -s

LIB_SRC   = $(sort $(wildcard lib/*.c))
LIB_HDR   = $(wildcard lib/*.h)
INIT_SRC  = $(sort $(wildcard init/*.c))
INIT_HDR  = $(wildcard init/*.h)
MKIMG_SRC = $(sort $(wildcard mkimage/*.c))
MKIMG_HDR = $(wildcard mkimage/*.h)
CTL_SRC   = $(sort $(wildcard livectl/*.c))
SD_SRC    = $(sort $(wildcard shutdown/*.c))
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
# init's pure parts are unit-tested on the host: every init/*.c but main.c
INIT_LIBSRC = $(filter-out init/main.c,$(INIT_SRC))

INIT_BIN  = $(BUILD)/bin/init
MKIMG_BIN = $(BUILD)/bin/livestack-mkimage
CTL_BIN   = $(BUILD)/bin/livectl
SD_BIN    = $(BUILD)/bin/livestack-shutdown
RESOLVE_BIN = $(BUILD)/bin/livestack-modresolve
AUFS_KO   = $(BUILD)/aufs/$(KVER)/aufs.ko
DEMO_AUFS = $(if $(filter overlay,$(UNION)),,$(AUFS_KO))
# the demo is made again when KVER or UNION change
DEMO_FOR  = $(BUILD)/demo/.for-$(KVER)-$(UNION)

.PHONY: all deps demo run check check-discovery check-pxe-extra check-debian13 unit vm aufs aufs-test aufs-debug aufs-stress check-kernels check-kernel-vm bench install install-tools install-dkms deb check-deb check-deb-trixie clean tools images fuzz fuzz-replay
all: tools $(if $(DEMO_AUFS),aufs) images

tools: $(INIT_BIN) $(MKIMG_BIN) $(RESOLVE_BIN) $(if $(CTL_SRC),$(CTL_BIN)) $(SD_BIN)

deps:
	@sh scripts/deps.sh $(KVER) $(CACHE)

$(BUILD)/host/%.o: %.c $(LIB_HDR) $(INIT_HDR) $(MKIMG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/musl/%.o: %.c $(LIB_HDR) $(INIT_HDR)
	@mkdir -p $(dir $@)
	$(MUSLCC) $(INIT_CFLAGS) -c $< -o $@

$(BUILD)/host/liblivestack.a: $(patsubst %.c,$(BUILD)/host/%.o,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^

$(BUILD)/musl/liblivestack.a: $(patsubst %.c,$(BUILD)/musl/%.o,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^

$(BUILD)/host/libinit.a: $(patsubst %.c,$(BUILD)/host/%.o,$(INIT_LIBSRC))
	@rm -f $@; ar rcs $@ $^

$(INIT_BIN): $(patsubst %.c,$(BUILD)/musl/%.o,$(INIT_SRC)) $(BUILD)/musl/liblivestack.a
	@mkdir -p $(dir $@)
	$(MUSLCC) $(INIT_LDFLAGS) -o $@ $^
	@echo "  init: $$(stat -c %s $@) bytes (static, musl)"

$(CTL_BIN): $(patsubst %.c,$(BUILD)/musl/%.o,$(CTL_SRC)) $(BUILD)/musl/liblivestack.a
	@mkdir -p $(dir $@)
	$(MUSLCC) $(INIT_LDFLAGS) -o $@ $^

# /run/initramfs/shutdown: static, kept in RAM until the machine goes down
$(patsubst %.c,$(BUILD)/musl/%.o,$(SD_SRC)): shutdown/shutdown.h
$(SD_BIN): $(patsubst %.c,$(BUILD)/musl/%.o,$(SD_SRC)) $(BUILD)/musl/liblivestack.a
	@mkdir -p $(dir $@)
	$(MUSLCC) $(INIT_LDFLAGS) -o $@ $^
	@echo "  shutdown: $$(stat -c %s $@) bytes (static, musl)"

$(MKIMG_BIN): $(patsubst %.c,$(BUILD)/host/%.o,$(MKIMG_SRC)) $(BUILD)/host/liblivestack.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(RESOLVE_BIN): $(BUILD)/host/modules/resolve.o $(BUILD)/host/liblivestack.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c tests/lib/harness.h $(BUILD)/host/libinit.a $(BUILD)/host/liblivestack.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iinit -Itests/lib -o $@ $< $(BUILD)/host/libinit.a $(BUILD)/host/liblivestack.a

# libFuzzer harnesses (tests/fuzz): lib/ and init/ rebuilt with ASan+UBSan, one binary per parser.
# `make fuzz FUZZ_SECONDS=N` fuzzes each for N s; fuzz-replay runs every corpus and crash input once.
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unknown-pragmas -Ilib -Iinit \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
$(BUILD)/fuzz/obj/%.o: %.c $(LIB_HDR) $(INIT_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(BUILD)/fuzz/libfuzzed.a: $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC) $(INIT_LIBSRC))
	@rm -f $@; ar rcs $@ $^
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/libfuzzed.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/fuzz/libfuzzed.a
fuzz: $(FUZZ_BIN)
	@bash tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)
fuzz-replay: $(FUZZ_BIN)
	@bash tests/fuzz/replay.sh $(FUZZ_BIN)

# The aufs module: built out of tree against linux-headers-KVER, with the host's toolchain
# when the host has them, else in the chroot of their suite (scripts/kchroot.sh);
# KDIR=... on the command line forces the host and those headers.
aufs: $(AUFS_KO)
$(AUFS_KO): $(wildcard aufs/*.c aufs/*.h aufs/probe/*.c aufs/probe.sh aufs/Kbuild aufs/Makefile)
	@$(if $(filter command line environment,$(origin KDIR)),KDIR=$(KDIR)) \
		sh scripts/aufs-build.sh $(KVER) $(BUILD)/aufs/$(KVER)

# Images: the demo ISO (kernel from the cache, our initramfs, the demo root).
images: $(BUILD)/demo/livestack-demo.iso
$(BUILD)/demo/livestack-demo.iso: tools $(DEMO_AUFS) $(DEMO_FOR) \
		$(shell find configs hooks modules -type f 2>/dev/null) \
		scripts/build-demo.sh scripts/busybox.sh scripts/e2fsck.sh
	@sh scripts/build-demo.sh $(BUILD) $(KVER) $(KCACHE) $(UNION)
$(DEMO_FOR):
	@mkdir -p $(dir $@); rm -f $(BUILD)/demo/.for-*; touch $@

# ROOT=busybox (default) or ROOT=debian (Debian 12 with systemd, made with mmdebstrap)
ROOT ?= busybox
demo: deps
	@$(MAKE) --no-print-directory all
	@ROOT=$(ROOT) bash scripts/demo.sh $(BUILD) $(KVER) $(KCACHE)

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh $(BUILD) $(KVER) $(KCACHE)

unit: $(UNIT_BIN)
	@sh tests/lib/run-unit.sh $(UNIT_BIN)

vm: all
	@bash tests/vm/run.sh $(BUILD) $(KVER) $(KCACHE)

aufs-test: all
	@bash tests/aufs/run.sh $(BUILD) $(KVER) $(KCACHE)

# tests/aufs under a KASAN/lockdep/kmemleak kernel built once per machine (long: not in check)
aufs-debug:
	@bash tests/aufs/debug.sh $(BUILD)

# the multi-process stress alone, long: make aufs-stress STRESS_MINUTES=30 (per union and rw fs)
STRESS_MINUTES ?= 5
STRESS_PROCS ?= 4
aufs-stress: aufs
	@AUFS_TEST_ONLY=stress-multiproc AUFS_TEST_MODEL=0 AUFS_TEST_RW=$${AUFS_TEST_RW:-tmpfs} \
	AUFS_TEST_STRESS=$$(( $(STRESS_MINUTES) * 60 )) AUFS_TEST_PROCS=$(STRESS_PROCS) \
	AUFS_TEST_DEADLINE=$$(( $(STRESS_MINUTES) * 60 * 2 + 300 )) \
	AUFS_TEST_BUDGET=$$(( $(STRESS_MINUTES) * 60 * 4 + 900 )) \
	bash tests/aufs/run.sh $(BUILD) $(KVER) $(KCACHE)

check: deps
	@$(MAKE) --no-print-directory all
	@bash tests/lib/check.sh $(BUILD) $(KVER) $(KCACHE)

# Long runs, not in make check: discovery over many boots (DISCOVERY_BOOTS=200 each)
check-discovery: all
	@bash tests/long/discovery.sh $(BUILD) $(KVER) $(KCACHE)

# network boot through the real servers, with the extra routes (UEFI iPXE, a layer
# download cut and resumed): tests/vm/pxe_site.sh with PXE_SITE_EXTRA=1; not in check
check-pxe-extra: all
	@PXE_SITE_EXTRA=1 bash tests/vm/pxe_site.sh $(BUILD) $(KVER) $(KCACHE)

# a fresh Debian 13 host (mmdebstrap root, chroot) runs make deps and make demo; not in check
check-debian13:
	@bash tests/host/debian13.sh $(BUILD)

# aufs on every supported kernel (the host suite's, Debian 13's, sid's): build, load,
# tests/aufs, demo boot, one table (scripts/check-kernels.sh; long: not part of check)
check-kernels: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/check-kernels.sh $(BUILD)

# the CD, USB-persistence and PXE VM scenarios on another suite's kernel (default Debian 13's):
# make check-kernel-vm SUITE=trixie [KERNEL_VM="run:cd-bios persist:usb,fat pxe:pxe-bios"];
# tests/long/kernel-vm.sh, long: not part of check
check-kernel-vm: SUITE ?= trixie
check-kernel-vm: deps
	@$(MAKE) --no-print-directory all
	@bash tests/long/kernel-vm.sh $(SUITE) $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh $(BUILD) $(KVER) $(KCACHE)

# make install: the tools, /init (PREFIX/lib/livestack) and the data files under PREFIX, and the aufs source as a
# DKMS module (SRCDIR/aufs-livestack-VERSION with dkms.conf: DKMS builds it for every
# kernel Debian installs). DESTDIR for a staging root (debian/rules uses it). The
# version is debian/changelog's.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
PREFIX   ?= /usr/local
DATADIR   = $(PREFIX)/share/livestack
# the static /init and shutdown program the images carry (architecture-dependent)
LIBDIR    = $(PREFIX)/lib/livestack
MANDIR    = $(PREFIX)/share/man
SRCDIR   ?= /usr/src
DKMS_SRC  = $(DESTDIR)$(SRCDIR)/aufs-livestack-$(VERSION)
AUFS_DIST = $(filter-out aufs/compat_probe.h aufs/%.mod.c,$(sort $(wildcard aufs/*.c aufs/*.h))) \
	    aufs/Kbuild aufs/Makefile aufs/probe.sh
install: install-tools install-dkms
install-tools: tools
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR)/modules $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(MKIMG_BIN) $(if $(CTL_SRC),$(CTL_BIN)) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(INIT_BIN) $(DESTDIR)$(LIBDIR)/init
	install -m 755 $(SD_BIN) $(DESTDIR)$(LIBDIR)/shutdown
	install -m 644 modules/*.list $(DESTDIR)$(DATADIR)/modules/
	cp -R configs hooks $(DESTDIR)$(DATADIR)/
	for m in docs/*.[578]; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
install-dkms:
	@[ -n "$(VERSION)" ] || { echo "install: no version in debian/changelog" >&2; exit 1; }
	install -d $(DKMS_SRC)/probe
	install -m 644 $(AUFS_DIST) $(DKMS_SRC)/
	install -m 644 aufs/probe/*.c $(DKMS_SRC)/probe/
	sed 's/@VERSION@/$(VERSION)/' aufs/dkms.conf.in > $(DKMS_SRC)/dkms.conf

# make deb: livestack_VERSION_amd64.deb and aufs-livestack-dkms_VERSION_all.deb in
# BUILD/debpkg, built by dpkg-buildpackage from a copy of the tree (git's files, as they
# are now), then checked with lintian (tags explained in debian/README.source)
DEBDIR = $(BUILD)/debpkg
deb:
	@[ -n "$(VERSION)" ] || { echo "deb: no version in debian/changelog" >&2; exit 1; }
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/livestack-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' | \
		xargs -0 cp --parents -t $(DEBDIR)/livestack-$(VERSION)
	cd $(DEBDIR)/livestack-$(VERSION) && dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || \
		{ tail -n 30 ../build.log; echo "deb: dpkg-buildpackage failed (log: $(DEBDIR)/build.log)" >&2; exit 1; }
	@ls -l $(DEBDIR)/*.deb
	@if command -v lintian >/dev/null; then \
		lintian --info $(DEBDIR)/livestack_$(VERSION)_amd64.changes | tee $(DEBDIR)/lintian.log; \
	else echo "deb: lintian not installed (make deps): not checked"; fi

# the packages installed into a fresh Debian 12 root: DKMS builds aufs, the installed
# tools make an ISO (no build tree), QEMU boots it to an aufs root (long: not in check)
check-deb: deb
	@bash tests/host/deb.sh $(BUILD) $(DEBDIR)

# the same in a Debian 13 root: trixie's linux-image-amd64 and headers, its dkms
check-deb-trixie: deb
	@DEB_SUITE=trixie bash tests/host/deb.sh $(BUILD) $(DEBDIR)

clean:
	rm -rf $(BUILD)/host $(BUILD)/musl $(BUILD)/bin $(BUILD)/tests $(BUILD)/demo $(BUILD)/aufs \
		$(BUILD)/initramfs
	-$(MAKE) -C aufs clean KDIR=$(KDIR) >/dev/null 2>&1
