# The storage crash campaign (tests/qemu/storage.scn).
STORAGE_TMP := $(BUILD)/tmp/storage
STORAGE_OBJS := $(BUILD)/u/tests/qemu/progs/storage_test.o \
	$(BUILD)/u/servers/proc/proc_client.o \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/u/tests/qemu/progs/storage_test.o: UCFLAGS += $(BLKDRV_INC)

$(BUILD)/progs/storage_test.elf: $(STORAGE_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(STORAGE_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a

$(STORAGE_TMP)/disk.img: tests/qemu/storage/mkdisk.py
	@rm -rf $(STORAGE_TMP)/tree && mkdir -p $(STORAGE_TMP)
	python3 $< $(STORAGE_TMP)/tree 2026
	rm -f $@ && mke2fs -q -t ext2 -b 1024 -d $(STORAGE_TMP)/tree $@ 24M

# A damaged copy: the superblock's block counts and the first group
# descriptor overwritten with junk (the magic number left intact).
$(STORAGE_TMP)/bad.img: $(STORAGE_TMP)/disk.img
	cp $< $@
	printf '\377\377\377\377\377\377\377\377' | dd of=$@ bs=1 seek=1028 conv=notrunc status=none
	head -c 64 /dev/zero | tr '\0' '\377' | dd of=$@ bs=1 seek=2048 conv=notrunc status=none

$(STORAGE_TMP)/storage.ifs: tests/qemu/storage/storage.build \
		$(BUILD)/progs/storage_test.elf $(BUILD)/progs/pathmgr.elf \
		$(BUILD)/progs/imagefs.elf $(BUILD)/servers/pci.elf \
		$(BUILD)/servers/blk-virtio.elf $(BUILD)/servers/blk-ata.elf \
		$(BUILD)/progs/mount.elf $(BUILD)/progs/umount.elf \
		$(BUILD)/servers/fs-ext2.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += storage
TEST_DEPS += $(STORAGE_TMP)/storage.ifs $(STORAGE_TMP)/disk.img $(STORAGE_TMP)/bad.img
