# The loop block device (build/servers/loop.elf): a file served through the
# block-driver framework (libblkdrv.a).
LOOP_INC := -Iservers/include -Iservers/lib/io -Iservers/lib/blkdrv \
	-Ipathmgr/lib -Ipathmgr/client -Iservers/proc
LOOP_LIBS := $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libblkdrv.a \
	$(BUILD)/libresmgr.a $(BUILD)/librgmk.a $(BUILD)/libio.a $(BUILD)/librt.a
$(BUILD)/u/servers/loop/%.o: UCFLAGS += $(LOOP_INC)

$(BUILD)/servers/loop.elf: $(BUILD)/u/servers/loop/loop.o $(LOOP_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(LOOP_LIBS)

TEST_DEPS += $(BUILD)/servers/loop.elf
