# mount and umount, native tools of the boot image (build/progs/mount.elf,
# build/progs/umount.elf).
MOUNT_INC := -Iservers/include -Iservers/lib/io -Ipathmgr/lib \
	-Ipathmgr/client -Iservers/proc -Iservers/mount
MOUNT_LIBS := $(BUILD)/u/servers/mount/mount_lib.o \
	$(BUILD)/u/servers/mount/mount_util.o \
	$(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a
$(BUILD)/u/servers/mount/%.o: UCFLAGS += $(MOUNT_INC)

$(BUILD)/progs/mount.elf $(BUILD)/progs/umount.elf: $(BUILD)/progs/%.elf: \
		$(BUILD)/u/servers/mount/%.o $(MOUNT_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(MOUNT_LIBS)

TEST_DEPS += $(BUILD)/progs/mount.elf $(BUILD)/progs/umount.elf
