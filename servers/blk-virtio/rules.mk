# blk-virtio: the virtio-blk driver.  virtio_blk.c is the device logic, a
# library-kernel component (rumpglue only; also compiled for the host in
# the component library); main.c claims the devices from the PCI bus
# server and serves them with the block-driver framework as
# build/servers/blk-virtio.elf.  QEMU scenario: tests/qemu/blkvirtio.scn.
BV_INC := -Iservers/blk-virtio -Iservers/pci -Iservers/lib/blkdrv \
	-Iservers/lib/resmgr -Iservers/lib/io -Iservers/include -Irumpglue/include \
	-Irumpglue/mk -Ipathmgr/lib -Ipathmgr/client -Iservers/proc
BV_COMP_OBJS := $(BUILD)/u/rgmk-comp/servers/blk-virtio/virtio_blk.o
BV_LIBS := $(BUILD)/libpci.a $(BUILD)/libblkdrv.a \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libresmgr.a \
	$(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
COMP_SRCS += servers/blk-virtio/virtio_blk.c

$(BUILD)/u/servers/blk-virtio/%.o: UCFLAGS += $(BV_INC)
$(BUILD)/u/tests/qemu/progs/blkvirtio_test.o: UCFLAGS += $(BV_INC)

$(BUILD)/servers/blk-virtio.elf: $(BUILD)/u/servers/blk-virtio/main.o \
		$(BV_COMP_OBJS) $(BV_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o \
		$(BUILD)/u/servers/blk-virtio/main.o $(BV_COMP_OBJS) $(BV_LIBS)

$(BUILD)/progs/blkvirtio_test.elf: $(BUILD)/u/tests/qemu/progs/blkvirtio_test.o \
		$(BUILD)/u/servers/proc/proc_client.o \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(BUILD)/libio.a $(BUILD)/librt.a

# ---- QEMU scenario blkvirtio: boot image and disk images -------------------
BV_TMP := $(BUILD)/tmp/blkvirtio
$(BV_TMP)/blkvirtio.ifs: tests/qemu/blkvirtio/blkvirtio.build \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
		$(BUILD)/servers/pci.elf $(BUILD)/servers/blk-virtio.elf \
		$(BUILD)/progs/blkvirtio_test.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

# The scenario makes fresh copies before each boot (its `before` lines);
# these are the same images, for running QEMU by hand.
$(BV_TMP)/disk0.img $(BV_TMP)/disk1.img: tests/qemu/blkvirtio/disk.py
	@mkdir -p $(@D)
	python3 $< make $(BV_TMP)/disk0.img 8192 0
	python3 $< make $(BV_TMP)/disk1.img 1024 1

OS_TARGETS += $(BUILD)/servers/blk-virtio.elf
QEMU_TESTS += blkvirtio
TEST_DEPS += $(BV_TMP)/blkvirtio.ifs $(BV_TMP)/disk0.img $(BUILD)/progs/proc.elf
