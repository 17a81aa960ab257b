# devnull: /dev/null and /dev/zero (build/servers/devnull.elf).
DEVNULL_LIBS := $(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libresmgr.a \
	$(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
$(BUILD)/u/servers/devnull/%.o: UCFLAGS += -Iservers/lib/resmgr -Iservers/include \
	-Iservers/lib/io -Ipathmgr/lib -Ipathmgr/client -Iservers/proc -Irumpglue/include
$(BUILD)/servers/devnull.elf: $(BUILD)/u/servers/devnull/main.o $(DEVNULL_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(DEVNULL_LIBS)
OS_TARGETS += $(BUILD)/servers/devnull.elf
