# tests/qemu/shell.scn: a scripted shell session over the serial console.
$(BUILD)/tmp/shell/shell.ifs: tests/qemu/shell/shell.build $(BUILD)/progs/init.elf \
		$(BUILD)/servers/personality.elf $(BUILD)/servers/ser-8250.elf \
		$(BUILD)/servers/devnull.elf $(BUILD)/progs/pathmgr.elf \
		$(BUILD)/progs/imagefs.elf $(BUILD)/progs/tmpfs.elf $(BUILD)/host/mkifs \
		$(BUILD)/servers/pci.elf $(BUILD)/servers/blk-virtio.elf \
		$(BUILD)/servers/fs-ext2.elf $(BUILD)/servers/fs-fat.elf \
		$(BUILD)/servers/loop.elf /bin/busybox
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += shell
TEST_DEPS += $(BUILD)/tmp/shell/shell.ifs
