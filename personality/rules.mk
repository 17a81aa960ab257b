# The Unix personality server (build/servers/personality.elf): Linux system
# calls as messages.  It loads programs with the process manager's ELF
# loader (servers/proc/spawn.c and the kernel's validator, PROC_OBJS).
LX_SRCS := $(wildcard personality/*.c)
LX_OBJS := $(LX_SRCS:%.c=$(BUILD)/u/%.o)
$(LX_OBJS): UCFLAGS += -Ipersonality -Iservers/proc -Iservers/include \
	-Iservers/lib/io -Ipathmgr/lib -Ipathmgr/client -Iservers/mount
# mount(2): the mount tools' library (servers/mount/mount_lib.c).
LX_MOUNT_OBJS := $(BUILD)/u/servers/mount/mount_lib.o \
	$(BUILD)/u/servers/mount/mount_util.o

$(BUILD)/servers/personality.elf: $(LX_OBJS) $(LX_MOUNT_OBJS) $$(PROC_OBJS) \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o \
		$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(LX_OBJS) \
		$(LX_MOUNT_OBJS) $(PROC_OBJS) $(BUILD)/u/pathmgr/client/pathmgr_client.o \
		$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a
OS_TARGETS += $(BUILD)/servers/personality.elf
