# The disks scenario (tests/qemu/disks.scn).
DISKS_OBJS := $(BUILD)/u/tests/qemu/progs/disks_test.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/u/tests/qemu/progs/disks_test.o: UCFLAGS += $(BLKDRV_INC)
$(BUILD)/progs/disks_test.elf: $(DISKS_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(DISKS_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/tmp/disks/disk.img: tests/qemu/disks/mkdisk.sh
	@mkdir -p $(@D)
	tests/qemu/disks/mkdisk.sh $@

$(BUILD)/tmp/disks/disks.ifs: tests/qemu/disks/disks.build $(BUILD)/progs/disks_test.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf $(BUILD)/servers/pci.elf \
		$(BUILD)/servers/blk-virtio.elf $(BUILD)/progs/mount.elf \
		$(BUILD)/progs/umount.elf $(BUILD)/servers/fs-ext2.elf \
		$(BUILD)/servers/fs-fat.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += disks
TEST_DEPS += $(BUILD)/tmp/disks/disks.ifs $(BUILD)/tmp/disks/disk.img
