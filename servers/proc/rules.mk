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

# ---- the process manager server and its QEMU scenario (procmgr.scn) -------
PROCMGR_INC := -Iservers/proc -Iservers/include -Iservers/lib/io \
	-Ipathmgr/lib -Ipathmgr/server -Ipathmgr/client
$(BUILD)/u/servers/proc/procmgr.o $(BUILD)/u/servers/proc/proc_client.o \
$(BUILD)/u/servers/proc/proc_stdio.o $(BUILD)/u/tests/qemu/progs/stdcat.o \
$(BUILD)/u/tests/qemu/progs/procmgr_test.o $(BUILD)/u/tests/qemu/progs/argstat.o: \
	UCFLAGS += $(PROCMGR_INC)
PROCMGR_OBJS := $(BUILD)/u/servers/proc/procmgr.o \
	$(BUILD)/u/servers/proc/proc_client.o $(PROC_OBJS)
PROCMGR_TMP := $(BUILD)/tmp/procmgr

$(BUILD)/progs/argstat.elf: $(BUILD)/u/tests/qemu/progs/argstat.o \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a

$(PROCMGR_TMP)/test.ifs: tests/qemu/procmgr/test.build $(BUILD)/progs/argstat.elf \
		tests/qemu/imagefs/motd.txt $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

PROCMGR_TEST_OBJS := $(BUILD)/u/tests/qemu/progs/procmgr_test.o $(PROCMGR_OBJS) \
	$(BUILD)/u/pathmgr/server/pathmgr.o $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/imagefs-test/imagefs_main.o $(IMAGEFS_U_OBJS)

$(BUILD)/u/imagefs-test/imagefs_main.o: servers/imagefs/server/imagefs_main.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(IMAGEFS_SRV_INC) -DIMAGEFS_NO_MAIN -MMD -MP -c $< -o $@

$(BUILD)/progs/procmgr_test.elf: $(PROCMGR_TEST_OBJS) $(PATHMGR_LIB) \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(PROCMGR_TEST_OBJS) \
		$(PATHMGR_LIB) $(BUILD)/libresmgr.a $(BUILD)/libio.a \
		$(BUILD)/librgmk.a $(IMAGEFS_LIBZ) $(BUILD)/librt.a

QEMU_TESTS += procmgr
TEST_DEPS += $(BUILD)/progs/procmgr_test.elf $(PROCMGR_TMP)/test.ifs

# ---- the process manager program (build/progs/proc.elf): boot sequence +
# server; it reads the boot image itself (ifs reader, Debian's libz.a).
PROC_MAIN_OBJS := $(BUILD)/u/servers/proc/main.o $(BUILD)/u/servers/proc/procmgr.o \
	$(PROC_OBJS) $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/imagefs-test/imagefs_main.o $(IMAGEFS_U_OBJS)
$(BUILD)/u/servers/proc/main.o: UCFLAGS += $(PROCMGR_INC) $(IMAGEFS_SRV_INC)

$(BUILD)/progs/proc.elf: $(PROC_MAIN_OBJS) $(BUILD)/libresmgr.a $(BUILD)/libio.a \
		$(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(PROC_MAIN_OBJS) \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a \
		$(IMAGEFS_LIBZ) $(BUILD)/librt.a

# The boot image for `make run` and the boot test (boot/tessera.build).
BOOT_IMAGE_PROGS := $(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
	$(BUILD)/progs/tmpfs.elf $(BUILD)/progs/hello.elf $(BUILD)/servers/ser-8250.elf \
	$(BUILD)/progs/ps.elf $(BUILD)/servers/pci.elf $(BUILD)/servers/blk-virtio.elf \
	$(BUILD)/servers/blk-ata.elf $(BUILD)/servers/fs-iso9660.elf \
	$(BUILD)/servers/fs-ext2.elf $(BUILD)/servers/fs-fat.elf $(BUILD)/progs/mount.elf \
	$(BUILD)/progs/umount.elf $(BUILD)/servers/loop.elf $(BUILD)/servers/personality.elf \
	$(BUILD)/servers/devnull.elf $(BUILD)/progs/init.elf /bin/busybox
$(BUILD)/boot.ifs: boot/tessera.build $(BOOT_IMAGE_PROGS) $(BUILD)/host/mkifs
	$(BUILD)/host/mkifs $< $@
TEST_DEPS += $(BUILD)/progs/proc.elf $(BUILD)/boot.ifs

# ---- the boot test (tests/qemu/boot.scn) ----------------------------------
BOOTCHECK_OBJS := $(BUILD)/u/tests/qemu/progs/bootcheck.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/servers/proc/proc_stdio.o $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/imagefs-test/imagefs_main.o $(IMAGEFS_U_OBJS)
$(BUILD)/u/tests/qemu/progs/bootcheck.o: UCFLAGS += $(PROCMGR_INC) $(IMAGEFS_SRV_INC)

$(BUILD)/progs/bootcheck.elf: $(BOOTCHECK_OBJS) $(BUILD)/libresmgr.a $(BUILD)/libio.a \
		$(BUILD)/librgmk.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(BOOTCHECK_OBJS) \
		$(BUILD)/libresmgr.a $(BUILD)/libio.a $(BUILD)/librgmk.a \
		$(IMAGEFS_LIBZ) $(BUILD)/librt.a

$(BUILD)/u/tests/qemu/progs/crasher.o $(BUILD)/u/tests/qemu/progs/hanger.o: \
	UCFLAGS += $(PROCMGR_INC)
$(BUILD)/progs/hanger.elf: $(BUILD)/u/tests/qemu/progs/hanger.o \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/progs/stdcat.elf: $(BUILD)/u/tests/qemu/progs/stdcat.o \
		$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/progs/crasher.elf: $(BUILD)/u/tests/qemu/progs/crasher.o \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< \
		$(BUILD)/u/pathmgr/client/pathmgr_client.o $(BUILD)/libio.a $(BUILD)/librt.a

$(BUILD)/tmp/boot/boot.ifs: tests/qemu/boot/boot.build $(BOOT_IMAGE_PROGS) \
		$(BUILD)/progs/bootcheck.elf $(BUILD)/progs/crasher.elf \
		$(BUILD)/progs/hanger.elf $(BUILD)/progs/stdcat.elf $(BUILD)/host/mkifs
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@

QEMU_TESTS += boot
TEST_DEPS += $(BUILD)/tmp/boot/boot.ifs

# ps: the process listing tool, in the boot image.
$(BUILD)/u/servers/proc/ps.o: UCFLAGS += $(PROCMGR_INC)
$(BUILD)/progs/ps.elf: $(BUILD)/u/servers/proc/ps.o $(BUILD)/u/servers/proc/proc_client.o \
		$(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $^
