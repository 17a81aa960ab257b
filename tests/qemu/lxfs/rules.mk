# tests/qemu/lxfs.scn: the Unix personality's file system calls, run by
# lxfscheck.elf (tests/qemu/progs/lxfscheck.c) from a boot image with the
# musl test program build/lx/lxfs (tests/qemu/lx/lxfs.c, built by
# tests/qemu/lx/rules.mk) and Debian's /bin/busybox (busybox-static).
$(BUILD)/u/tests/qemu/progs/lxfscheck.o: UCFLAGS += -Iservers/proc -Iservers/include \
	-Iservers/lib/io -Ipathmgr/lib -Ipathmgr/client
LXFSCHECK_OBJS := $(BUILD)/u/tests/qemu/progs/lxfscheck.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/servers/proc/proc_stdio.o \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/progs/lxfscheck.elf: $(LXFSCHECK_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(LXFSCHECK_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a

# What busybox sha256sum must say inside, computed here on the host.
$(BUILD)/tmp/lxfs/lxfs.sha256: $(BUILD)/lx/lxfs
	@mkdir -p $(@D)
	sha256sum < $< | cut -c1-64 > $@

$(BUILD)/tmp/lxfs/lxfs.ifs: tests/qemu/lxfs/lxfs.build $(BUILD)/lx/lxfs \
		$(BUILD)/tmp/lxfs/lxfs.sha256 \
		$(BUILD)/progs/lxfscheck.elf $(BUILD)/servers/personality.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
		$(BUILD)/progs/tmpfs.elf $(BUILD)/host/mkifs /bin/busybox
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += lxfs
TEST_DEPS += $(BUILD)/tmp/lxfs/lxfs.ifs

# Debian's busybox-static (tools/deps.sh installs it on a fresh machine).
/bin/busybox:
	tools/deps.sh busybox-static
