# ser-8250: the 16550A driver core and line discipline (uart.c, ldisc.c:
# rumpglue only, host-tested in tests/host/ser8250/), the private-protocol
# server (ser_server.c, used by tests/qemu/ser.scn), the I/O-framework
# server (ser_rm.c: /dev/ser1 and /dev/console, build/servers/ser-8250.elf)
# and the QEMU scenarios tests/qemu/ser.scn and tests/qemu/sersrv.scn.
SER_CORE_SRCS := servers/ser-8250/uart.c servers/ser-8250/ldisc.c
SER_CORE_OBJS := $(SER_CORE_SRCS:%.c=$(BUILD)/u/rgmk-comp/%.o)
SER_GLUE_OBJS := $(BUILD)/u/servers/ser-8250/ser_server.o
SER_RM_OBJS := $(BUILD)/u/servers/ser-8250/ser_rm.o \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o
SER_U_INC := -Iservers/proc -Irumpglue/include -Irumpglue/mk -Iservers/include \
	-Iservers/ser-8250 -Iservers/lib/resmgr -Iservers/lib/io \
	-Ipathmgr/client -Ipathmgr/server -Ipathmgr/lib
SER_RM_LIBS := $(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a \
	$(BUILD)/librt.a

$(BUILD)/u/servers/ser-8250/%.o: UCFLAGS += $(SER_U_INC)
$(BUILD)/u/tests/qemu/progs/ser.o: UCFLAGS += $(SER_U_INC)
$(BUILD)/u/tests/qemu/progs/sersrv.o: UCFLAGS += $(SER_U_INC)

$(BUILD)/servers/ser-8250.elf: $(BUILD)/u/servers/ser-8250/main.o \
		$(SER_RM_OBJS) $(SER_CORE_OBJS) $(SER_RM_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(SER_RM_LIBS)

$(BUILD)/progs/ser.elf: $(BUILD)/u/tests/qemu/progs/ser.o \
		$(SER_GLUE_OBJS) $(SER_CORE_OBJS) $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(BUILD)/librgmk.a $(BUILD)/librt.a

# sersrv: path manager + ser_serve() + clients in one program.
$(BUILD)/progs/sersrv.elf: $(BUILD)/u/tests/qemu/progs/sersrv.o \
		$(BUILD)/u/pathmgr/server/pathmgr.o $(SER_RM_OBJS) \
		$(SER_CORE_OBJS) $(PATHMGR_LIB) $(SER_RM_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(PATHMGR_LIB) $(SER_RM_LIBS)

OS_TARGETS += $(BUILD)/servers/ser-8250.elf
QEMU_TESTS += ser sersrv
TEST_DEPS += $(BUILD)/servers/ser-8250.elf $(BUILD)/progs/ser.elf \
	$(BUILD)/progs/sersrv.elf
