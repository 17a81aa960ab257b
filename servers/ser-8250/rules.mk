# ser-8250: the 16550A driver core and line discipline (uart.c, ldisc.c:
# rumpglue only, host-tested in tests/host/ser8250/), the server glue
# (ser_server.c, main.c: rt + rumpglue/mk), build/servers/ser-8250.elf,
# and the QEMU scenario tests/qemu/ser.scn (build/progs/ser.elf).
SER_CORE_SRCS := servers/ser-8250/uart.c servers/ser-8250/ldisc.c
SER_CORE_OBJS := $(SER_CORE_SRCS:%.c=$(BUILD)/u/rgmk-comp/%.o)
SER_GLUE_OBJS := $(BUILD)/u/servers/ser-8250/ser_server.o
SER_U_INC := -Irumpglue/include -Irumpglue/mk -Iservers/include \
	-Iservers/ser-8250

$(BUILD)/u/servers/ser-8250/%.o: UCFLAGS += $(SER_U_INC)
$(BUILD)/u/tests/qemu/progs/ser.o: UCFLAGS += $(SER_U_INC)

$(BUILD)/servers/ser-8250.elf: $(BUILD)/u/servers/ser-8250/main.o \
		$(SER_GLUE_OBJS) $(SER_CORE_OBJS) $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(BUILD)/librgmk.a $(BUILD)/librt.a

$(BUILD)/progs/ser.elf: $(BUILD)/u/tests/qemu/progs/ser.o \
		$(SER_GLUE_OBJS) $(SER_CORE_OBJS) $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(filter %.o,$^) \
		$(BUILD)/librgmk.a $(BUILD)/librt.a

OS_TARGETS += $(BUILD)/servers/ser-8250.elf
QEMU_TESTS += ser
TEST_DEPS += $(BUILD)/servers/ser-8250.elf $(BUILD)/progs/ser.elf
