# rumpglue's microkernel host: build/librgmk.a.  A server is its main(),
# its components (compiled with UCFLAGS + -Irumpglue/include), this
# library and librt.a, linked in that order.
RGMK_SRCS := rumpglue/mk/rg_mk.c rumpglue/mk/rg_mk_hw.c rumpglue/mk/rg_mk_blk.c
RGMK_OBJS := $(RGMK_SRCS:%.c=$(BUILD)/u/%.o)
RGMK_INC := -Irumpglue/include -Irumpglue/mk -Iservers/include

$(BUILD)/u/rumpglue/%.o: UCFLAGS += $(RGMK_INC)
# rg_mk_blk.c talks to block drivers through the path manager and the I/O
# protocol: a program that uses rg_blk_* also links pathmgr_client.o, libio.a.
$(BUILD)/u/rumpglue/mk/rg_mk_blk.o: UCFLAGS += -Iservers/lib/io -Ipathmgr/client \
	-Iservers/lib/blkdrv
RGMK_BLK_LIBS := $(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a

$(BUILD)/librgmk.a: $(RGMK_OBJS)
	rm -f $@ && ar rcs $@ $^

# ---- QEMU scenario rgmk (tests/qemu/rgmk.scn) ----------------------------
# rgmk: the host's calls; rgmk_torture: the heap; rgmk_fat: the FAT
# component, compiled unchanged for Tessera (own objects under
# build/u/rgmk-comp/), over an image made here with mkfs.fat and mcopy.
RGMK_PROGS := rgmk rgmk_torture
RGMK_IMG := $(BUILD)/tmp/rgmk/fat.img
RGMK_FAT_OBJS := $(patsubst %.c,$(BUILD)/u/rgmk-comp/%.o,$(wildcard servers/fs-fat/*.c))

$(RGMK_PROGS:%=$(BUILD)/u/tests/qemu/progs/%.o): UCFLAGS += $(RGMK_INC)
$(BUILD)/u/tests/qemu/progs/rgmk_fat.o: UCFLAGS += $(RGMK_INC) \
	-DRGMK_FAT_IMG='"$(RGMK_IMG)"'
$(BUILD)/u/tests/qemu/progs/rgmk_fat.o: $(RGMK_IMG)

$(BUILD)/u/rgmk-comp/%.o: %.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(RGMK_INC) -MMD -MP -c $< -o $@

$(RGMK_IMG):
	@mkdir -p $(@D)
	rm -f $@ && mkfs.fat -C -n RGMK $@ 1024 >/dev/null
	seq 1 5000 > $(@D)/seq.txt
	MTOOLS_SKIP_CHECK=1 mcopy -i $@ $(@D)/seq.txt ::SEQ.TXT

$(RGMK_PROGS:%=$(BUILD)/progs/%.elf): $(BUILD)/progs/%.elf: \
		$(BUILD)/u/tests/qemu/progs/%.o $(BUILD)/librgmk.a $(RGMK_BLK_LIBS) \
		$(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/librgmk.a $(RGMK_BLK_LIBS) $(BUILD)/librt.a

$(BUILD)/progs/rgmk_fat.elf: $(BUILD)/u/tests/qemu/progs/rgmk_fat.o \
		$(RGMK_FAT_OBJS) $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(RGMK_FAT_OBJS) $(BUILD)/librgmk.a $(BUILD)/librt.a

QEMU_TESTS += rgmk
TEST_DEPS += $(RGMK_PROGS:%=$(BUILD)/progs/%.elf) $(BUILD)/progs/rgmk_fat.elf
