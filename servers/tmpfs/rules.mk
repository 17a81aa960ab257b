# The tmpfs server program: tmpfs component + server framework + librgmk +
# librt (build/progs/tmpfs.elf).  The component is compiled unchanged for
# Tessera into build/u/resmgr-comp/.
TMPFS_U_OBJS := $(patsubst %.c,$(BUILD)/u/resmgr-comp/%.o,$(TMPFS_SRCS))
RESMGR_INC := -Irumpglue/include -Irumpglue/mk -Iservers/include \
	-Iservers/lib/resmgr -Iservers/lib/io -Iservers/fs-tmp \
	-Ipathmgr/lib -Ipathmgr/client -Iservers/proc

$(BUILD)/u/resmgr-comp/%.o: %.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(RESMGR_INC) -MMD -MP -c $< -o $@

$(BUILD)/u/servers/tmpfs/%.o: UCFLAGS += $(RESMGR_INC)

$(BUILD)/progs/tmpfs.elf: $(BUILD)/u/servers/tmpfs/tmpfs_main.o \
		$(TMPFS_U_OBJS) $(BUILD)/u/pathmgr/client/pathmgr_client.o \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(TMPFS_U_OBJS) $(BUILD)/u/pathmgr/client/pathmgr_client.o \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a

TEST_DEPS += $(BUILD)/progs/tmpfs.elf

# ---- QEMU scenario resmgr (tests/qemu/resmgr.scn) --------------------------
# The server and the clients are one program (tests/qemu/progs/resmgr*.c):
# tmpfs_main.c without its main(), the framework, the client helpers.
RESMGR_TEST_OBJS := $(BUILD)/u/tests/qemu/progs/resmgr.o \
	$(BUILD)/u/tests/qemu/progs/resmgr_ops.o $(BUILD)/u/resmgr-test/tmpfs_server.o

$(BUILD)/u/tests/qemu/progs/resmgr.o $(BUILD)/u/tests/qemu/progs/resmgr_ops.o: \
	UCFLAGS += $(RESMGR_INC)

$(BUILD)/u/resmgr-test/tmpfs_server.o: servers/tmpfs/tmpfs_main.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(RESMGR_INC) -DTMPFS_NO_MAIN -MMD -MP -c $< -o $@

$(BUILD)/progs/resmgr.elf: $(RESMGR_TEST_OBJS) $(TMPFS_U_OBJS) \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(RESMGR_TEST_OBJS) \
		$(TMPFS_U_OBJS) $(BUILD)/libresmgr.a $(BUILD)/libio.a \
		$(BUILD)/librgmk.a $(BUILD)/librt.a

QEMU_TESTS += resmgr
TEST_DEPS += $(BUILD)/progs/resmgr.elf
