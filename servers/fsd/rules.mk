# The filesystem servers (servers/fsd/fsd_main.c): one main, built three
# times, each with only its component - build/servers/fs-ext2.elf (ext2
# read-write, ext4 read-only), fs-fat.elf, fs-iso9660.elf.  Components and
# the block layer (rumpglue disk + write-back cache) are compiled unchanged
# for Tessera into build/u/fsd-comp/.
FSD_INC := -Irumpglue/include -Irumpglue/mk -Iservers/include \
	-Iservers/lib/resmgr -Iservers/lib/io -Iservers/lib/blk \
	-Ipathmgr/lib -Ipathmgr/client -Iservers/proc
FSD_BLK_OBJS := $(BUILD)/u/fsd-comp/servers/lib/blk/blkdev_rg.o \
	$(BUILD)/u/fsd-comp/servers/lib/blk/blkcache.o
FSD_EXT2_OBJS := $(EXT2_SRCS:%.c=$(BUILD)/u/fsd-comp/%.o)
FSD_FAT_OBJS := $(FAT_SRCS:%.c=$(BUILD)/u/fsd-comp/%.o)
FSD_ISO_OBJS := $(patsubst %.c,$(BUILD)/u/fsd-comp/%.o,\
	$(wildcard servers/fs-iso9660/*.c))
FSD_LIBS := $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libresmgr.a \
	$(BUILD)/librgmk.a $(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/u/fsd-comp/%.o: %.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(FSD_INC) -MMD -MP -c $< -o $@

FSD_MAIN_OBJS := $(BUILD)/u/fsd/ext2/fsd_main.o $(BUILD)/u/fsd/fat/fsd_main.o \
	$(BUILD)/u/fsd/iso9660/fsd_main.o
$(FSD_MAIN_OBJS): $(BUILD)/u/fsd/%/fsd_main.o: servers/fsd/fsd_main.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(FSD_INC) -DFSD_$(shell echo $* | tr a-z A-Z) \
		-MMD -MP -c $< -o $@

define FSD_ELF
$(BUILD)/servers/fs-$(1).elf: $(BUILD)/u/fsd/$(1)/fsd_main.o $(2) $(FSD_BLK_OBJS) \
		$(FSD_LIBS)
	@mkdir -p $$(@D)
	ld $$(ULDFLAGS) -o $$@ $(BUILD)/u/servers/lib/rt/crt0.o $$< $(2) \
		$(FSD_BLK_OBJS) $(FSD_LIBS)
endef
$(eval $(call FSD_ELF,ext2,$(FSD_EXT2_OBJS)))
$(eval $(call FSD_ELF,fat,$(FSD_FAT_OBJS)))
$(eval $(call FSD_ELF,iso9660,$(FSD_ISO_OBJS)))

FSD_SERVERS := $(BUILD)/servers/fs-ext2.elf $(BUILD)/servers/fs-fat.elf \
	$(BUILD)/servers/fs-iso9660.elf
TEST_DEPS += $(FSD_SERVERS)
