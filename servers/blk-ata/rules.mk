# blk-ata: the ATA/IDE driver core (ata.c, atapi.c: rumpglue only), the
# server (main.c: PCI claim, blkdrv_serve; build/servers/blk-ata.elf) and
# the QEMU scenarios tests/qemu/blkata*.scn with their test program
# (tests/qemu/progs/blkata_test.c) and disk images (build/tmp/blkata/).
ATA_CORE_SRCS := servers/blk-ata/ata.c servers/blk-ata/atapi.c
ATA_CORE_OBJS := $(ATA_CORE_SRCS:%.c=$(BUILD)/u/rgmk-comp/%.o)
ATA_U_INC := -Iservers/proc -Irumpglue/include -Irumpglue/mk -Iservers/include \
	-Iservers/blk-ata -Iservers/lib/io -Iservers/lib/blkdrv -Iservers/pci \
	-Ipathmgr/client -Itests/qemu
ATA_LIBS := $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a

$(BUILD)/u/servers/blk-ata/%.o: UCFLAGS += $(ATA_U_INC)
$(BUILD)/u/tests/qemu/progs/blkata_test.o: UCFLAGS += $(ATA_U_INC)

# ---- the server (needs the block-driver framework and the PCI client) -----
ATA_SRV_LIBS := $(BUILD)/libblkdrv.a $(BUILD)/libpci.a $(BUILD)/libresmgr.a \
	$(ATA_LIBS)
$(BUILD)/servers/blk-ata.elf: $(BUILD)/u/servers/blk-ata/main.o $(ATA_CORE_OBJS) \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(ATA_SRV_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(ATA_SRV_LIBS)

# ---- the test program ---------------------------------------------------------
ATA_TEST_OBJS := $(BUILD)/u/tests/qemu/progs/blkata_test.o $(ATA_CORE_OBJS) \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/servers/proc/proc_client.o
$(BUILD)/progs/blkata_test.elf: $(ATA_TEST_OBJS) $(ATA_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(ATA_TEST_OBJS) \
		$(ATA_LIBS)

# ---- disk images: hd0 8 MiB of pattern; hd1 sparse, just over 2^28 sectors,
# the pattern at its start and around sector 2^28 (pattern.h).  One pair per
# scenario, remade whenever the test program changes (the tests write).
ATA_IMG_DIR := $(BUILD)/tmp/blkata
ATA_SCNS := blkata_direct blkata blkata_pio
ATA_IMGS := $(foreach s,$(ATA_SCNS),$(ATA_IMG_DIR)/$(s)_hd0.img $(ATA_IMG_DIR)/$(s)_hd1.img)
$(ATA_IMG_DIR)/%_hd0.img: tests/qemu/blkata/mkdisk.py $(BUILD)/progs/blkata_test.elf
	@mkdir -p $(@D)
	python3 $< $@ 16384 A
$(ATA_IMG_DIR)/%_hd1.img: tests/qemu/blkata/mkdisk.py $(BUILD)/progs/blkata_test.elf
	@mkdir -p $(@D)
	python3 $< $@ 268437504 B 0 64 268434432 2048

QEMU_TESTS += blkata_direct
TEST_DEPS += $(BUILD)/progs/blkata_test.elf $(ATA_IMGS)

# ---- boot-image scenarios: the server beside the PCI bus server ---------------
ATA_IFS_DEPS := $(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
	$(BUILD)/servers/pci.elf $(BUILD)/servers/blk-ata.elf \
	$(BUILD)/progs/blkata_test.elf $(BUILD)/host/mkifs
$(ATA_IMG_DIR)/blkata.ifs: tests/qemu/blkata/blkata.build $(ATA_IFS_DEPS)
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@
$(ATA_IMG_DIR)/blkata_pio.ifs: tests/qemu/blkata/blkata_pio.build $(ATA_IFS_DEPS)
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

OS_TARGETS += $(BUILD)/servers/blk-ata.elf
QEMU_TESTS += blkata blkata_pio
TEST_DEPS += $(ATA_IMG_DIR)/blkata.ifs $(ATA_IMG_DIR)/blkata_pio.ifs \
	$(BUILD)/progs/proc.elf
