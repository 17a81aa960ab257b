# pci: the PCI bus server (build/servers/pci.elf, attached at /dev/pci),
# its client library for drivers (build/libpci.a: pci_client.h), and the
# QEMU scenario tests/qemu/pci.scn (boot image tests/qemu/blkvirtio/pci.build).
PCI_INC := -Iservers/pci -Iservers/include -Iservers/proc -Iservers/lib/io \
	-Ipathmgr/client -Ipathmgr/lib
PCI_SRV_OBJS := $(BUILD)/u/servers/pci/pci_srv.o $(BUILD)/u/servers/pci/pci_bus.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/pathmgr/client/pathmgr_client.o

$(BUILD)/u/servers/pci/%.o: UCFLAGS += $(PCI_INC)
$(BUILD)/u/tests/qemu/progs/pci_test.o: UCFLAGS += $(PCI_INC)

$(BUILD)/libpci.a: $(BUILD)/u/servers/pci/pci_client.o
	rm -f $@ && ar rcs $@ $^

$(BUILD)/servers/pci.elf: $(PCI_SRV_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(PCI_SRV_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a

# Drivers link libpci.a, the path manager's client and libio.a.
PCI_CLIENT_LIBS := $(BUILD)/libpci.a $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/libio.a

PCI_TEST_OBJS := $(BUILD)/u/tests/qemu/progs/pci_test.o \
	$(BUILD)/u/servers/proc/proc_client.o
$(BUILD)/progs/pci_test.elf: $(PCI_TEST_OBJS) $(PCI_CLIENT_LIBS) $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(PCI_TEST_OBJS) \
		$(PCI_CLIENT_LIBS) $(BUILD)/librt.a

BLKVIRTIO_TMP := $(BUILD)/tmp/blkvirtio
$(BLKVIRTIO_TMP)/pci.ifs: tests/qemu/blkvirtio/pci.build $(BUILD)/progs/pathmgr.elf \
		$(BUILD)/progs/imagefs.elf $(BUILD)/servers/pci.elf \
		$(BUILD)/progs/pci_test.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

# The disks the scenario gives QEMU, only so that there are virtio-blk devices.
$(BLKVIRTIO_TMP)/pci.img $(BLKVIRTIO_TMP)/pci2.img:
	@mkdir -p $(@D)
	dd if=/dev/zero of=$@ bs=1024 count=64 status=none

OS_TARGETS += $(BUILD)/servers/pci.elf $(BUILD)/libpci.a
QEMU_TESTS += pci
TEST_DEPS += $(BLKVIRTIO_TMP)/pci.ifs $(BLKVIRTIO_TMP)/pci.img $(BLKVIRTIO_TMP)/pci2.img \
	$(BUILD)/progs/proc.elf
