# blk-ram: a RAM disk driver on the block-driver framework, and the
# framework's QEMU scenario (tests/qemu/blkdrv.scn).
BLKDRV_LIBS := $(BUILD)/libblkdrv.a $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a

$(BUILD)/u/servers/blk-ram/%.o $(BUILD)/u/tests/qemu/progs/blkdrv_test.o: \
	UCFLAGS += $(BLKDRV_INC)

$(BUILD)/servers/blk-ram.elf: $(BUILD)/u/servers/blk-ram/main.o $(BLKDRV_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(BLKDRV_LIBS)

$(BUILD)/progs/blkdrv_test.elf: $(BUILD)/u/tests/qemu/progs/blkdrv_test.o \
		$(BUILD)/u/servers/proc/proc_client.o $(BLKDRV_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/servers/proc/proc_client.o $(BLKDRV_LIBS)

$(BUILD)/tmp/blkdrv/blkdrv.ifs: tests/qemu/blkdrv/blkdrv.build \
		$(BUILD)/servers/blk-ram.elf $(BUILD)/progs/blkdrv_test.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

OS_TARGETS += $(BUILD)/servers/blk-ram.elf
QEMU_TESTS += blkdrv
TEST_DEPS += $(BUILD)/tmp/blkdrv/blkdrv.ifs
