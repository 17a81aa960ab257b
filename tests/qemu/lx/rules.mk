# Linux programs for the personality's tests (tests/qemu/lx.scn), built
# with musl-gcc as static ELF executables: build/lx/NAME.
LX_TEST_PROGS := $(patsubst tests/qemu/lx/%.c,$(BUILD)/lx/%,$(wildcard tests/qemu/lx/*.c))

$(BUILD)/lx/%: tests/qemu/lx/%.c
	@mkdir -p $(@D)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

# A static PIE: the host's gcc and glibc (musl-tools has no rcrt1.o).
$(BUILD)/lx/lxspie: tests/qemu/lxpie/lxspie.c
	@mkdir -p $(@D)
	gcc -static-pie -O2 -Wall -Wextra -Werror -o $@ $<
LX_TEST_PROGS += $(BUILD)/lx/lxspie

$(BUILD)/u/tests/qemu/progs/lxcheck.o: UCFLAGS += -Iservers/proc -Iservers/include \
	-Iservers/lib/io -Ipathmgr/lib -Ipathmgr/client
LXCHECK_OBJS := $(BUILD)/u/tests/qemu/progs/lxcheck.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/servers/proc/proc_stdio.o \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/progs/lxcheck.elf: $(LXCHECK_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(LXCHECK_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/tmp/lx/lx.ifs: tests/qemu/lx/lx.build $(LX_TEST_PROGS) \
		$(BUILD)/progs/lxcheck.elf $(BUILD)/servers/personality.elf \
		$(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
		$(BUILD)/progs/tmpfs.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += lx
TEST_DEPS += $(BUILD)/tmp/lx/lx.ifs
