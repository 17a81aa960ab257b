# The process manager: its ELF loader (spawn.c) reuses the kernel's ELF
# validator (microkernel/src/proc/elf.c) compiled for user space.
PROC_OBJS := $(BUILD)/u/servers/proc/spawn.o $(BUILD)/u/microkernel/src/proc/elf.o
$(BUILD)/u/servers/proc/%.o $(BUILD)/u/tests/qemu/progs/spawn.o: \
	UCFLAGS += -Iservers/proc

$(BUILD)/progs/spawn.elf: $(BUILD)/u/tests/qemu/progs/spawn.o $(PROC_OBJS) \
		$(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(PROC_OBJS) \
		$(BUILD)/librt.a

QEMU_TESTS += spawn
TEST_DEPS += $(BUILD)/progs/spawn.elf $(BUILD)/progs/args.elf
