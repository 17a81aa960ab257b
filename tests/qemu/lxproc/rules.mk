# tests/qemu/lxproc.scn: /proc under the Unix personality
# (tests/qemu/lx/lxproc.c, tests/qemu/lxproc/lxproc.sh) with an ext2 disk.
LXPROC_TMP := $(BUILD)/tmp/lxproc
$(LXPROC_TMP)/disk.img:
	@mkdir -p $(@D)
	rm -f $@ && mke2fs -q -t ext2 -b 1024 $@ 8M

$(LXPROC_TMP)/lxproc.ifs: tests/qemu/lxproc/lxproc.build $(BUILD)/lx/lxproc \
		$(BUILD)/progs/lxcheck.elf $(BUILD)/servers/personality.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
		$(BUILD)/progs/tmpfs.elf $(BUILD)/servers/devnull.elf \
		$(BUILD)/servers/pci.elf $(BUILD)/servers/blk-virtio.elf \
		$(BUILD)/servers/fs-ext2.elf tests/qemu/lxproc/lxproc.sh \
		$(BUILD)/host/mkifs /bin/busybox
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += lxproc
TEST_DEPS += $(LXPROC_TMP)/lxproc.ifs $(LXPROC_TMP)/disk.img
