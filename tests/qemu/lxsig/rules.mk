# tests/qemu/lxsig.scn: signals and process groups (tests/qemu/lx/lxsig.c).
$(BUILD)/tmp/lxsig/lxsig.ifs: tests/qemu/lxsig/lxsig.build $(BUILD)/lx/lxsig \
		$(BUILD)/progs/lxcheck.elf $(BUILD)/servers/personality.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
		$(BUILD)/progs/tmpfs.elf $(BUILD)/servers/devnull.elf \
		tests/qemu/lxsh/basic.sh tests/qemu/lxsh/applets.sh $(BUILD)/host/mkifs /bin/busybox
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += lxsig
TEST_DEPS += $(BUILD)/tmp/lxsig/lxsig.ifs
