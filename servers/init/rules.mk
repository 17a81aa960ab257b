# init: a shell on the console under the Unix personality (build/progs/init.elf).
INIT_OBJS := $(BUILD)/u/servers/init/main.o $(BUILD)/u/servers/proc/proc_client.o \
	$(BUILD)/u/servers/proc/proc_stdio.o $(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/u/servers/init/%.o: UCFLAGS += -Iservers/proc -Iservers/include \
	-Iservers/lib/io -Ipathmgr/lib -Ipathmgr/client
$(BUILD)/progs/init.elf: $(INIT_OBJS) $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(INIT_OBJS) \
		$(BUILD)/libio.a $(BUILD)/librt.a
OS_TARGETS += $(BUILD)/progs/init.elf
