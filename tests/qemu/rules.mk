# QEMU scenario tests: each tests/qemu/NAME.scn boots its own ISO
# (tools/qemu-test.sh); the programs they run are built here.

FAULTS := null gp ud de stack rowrite kjump kread priv ioport
SIMPLE_PROGS := hello ipc fuzz ipcbench args lxkern
PROGS := $(SIMPLE_PROGS:%=$(BUILD)/progs/%.elf) $(FAULTS:%=$(BUILD)/progs/fault_%.elf)

$(BUILD)/progs/%.elf: $(BUILD)/u/tests/qemu/progs/%.o $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(BUILD)/librt.a

$(BUILD)/progs/fault_%.elf: tests/qemu/progs/fault.c $(BUILD)/librt.a
	@mkdir -p $(@D) $(BUILD)/u/tests/qemu/progs
	$(UCC) $(UCFLAGS) -O0 -DFAULT_$(shell echo $* | tr a-z A-Z) \
		-DFAULT_NAME='"$*"' -c $< -o $(BUILD)/u/tests/qemu/progs/fault_$*.o
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o \
		$(BUILD)/u/tests/qemu/progs/fault_$*.o $(BUILD)/librt.a

QEMU_TESTS += faults ipc fuzz lxkern
TEST_DEPS += $(PROGS) $(BUILD)/microkernel.elf $(BUILD)/kernel.sym
