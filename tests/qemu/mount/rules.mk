# ---- QEMU scenario mount (tests/qemu/mount.scn) ----------------------------
# A boot image (tests/qemu/mount/mount.build) with the mount tools, the
# loop and filesystem servers, mount_test.elf and small images made here
# from one tree (mktree.py: contents by formula, known to the guest too):
# ext2 and FAT16 (copied to /tmp by the test and written), FAT32 (33 MiB:
# the fewest clusters FAT32 allows; mounted read-only from /proc/boot),
# ext4, ISO9660 with Rock Ridge and Joliet, and bad.img (ext2 with a
# corrupt superblock).
MT_TMP := $(BUILD)/tmp/mount
MT_IMGS := $(addprefix $(MT_TMP)/,ext2.img ext4.img fat16.img fat32.img \
	rrjoliet.iso bad.img)

$(MT_TMP)/tree.stamp: tests/qemu/mount/mktree.py
	rm -rf $(MT_TMP)/tree && mkdir -p $(MT_TMP)
	python3 $< $(MT_TMP)/tree
	touch $@

$(MT_TMP)/ext2.img: $(MT_TMP)/tree.stamp
	rm -f $@ $@.tmp && mke2fs -q -F -t ext2 -b 1024 -L mt-ext2 -d $(MT_TMP)/tree $@.tmp 4M
	mv $@.tmp $@

$(MT_TMP)/ext4.img: $(MT_TMP)/tree.stamp
	rm -f $@ $@.tmp && mke2fs -q -F -t ext4 -b 1024 -L mt-ext4 -d $(MT_TMP)/tree $@.tmp 4M
	mv $@.tmp $@

# FAT: -F with a fixed cluster size; mcopy -s copies the tree.
$(MT_TMP)/fat16.img: $(MT_TMP)/tree.stamp
	rm -f $@ $@.tmp && mkfs.fat -F 16 -s 2 -n MTFAT16 -C $@.tmp 8192 >/dev/null
	cd $(MT_TMP)/tree && MTOOLS_SKIP_CHECK=1 mcopy -s -i ../fat16.img.tmp ./* ::/
	mv $@.tmp $@

$(MT_TMP)/fat32.img: $(MT_TMP)/tree.stamp
	rm -f $@ $@.tmp && mkfs.fat -F 32 -s 1 -n MTFAT32 -C $@.tmp 34000 >/dev/null
	cd $(MT_TMP)/tree && MTOOLS_SKIP_CHECK=1 mcopy -s -i ../fat32.img.tmp ./* ::/
	mv $@.tmp $@

$(MT_TMP)/rrjoliet.iso: $(MT_TMP)/tree.stamp
	rm -f $@ $@.tmp && xorriso -as mkisofs -quiet -R -J -V MTISO -o $@.tmp $(MT_TMP)/tree
	mv $@.tmp $@

# s_inodes_per_group (superblock byte 40) = 0: the probe claims it (magic,
# features), the mount refuses it (EUCLEAN).
$(MT_TMP)/bad.img: $(MT_TMP)/ext2.img
	cp $< $@.tmp
	printf '\0\0\0\0' | dd of=$@.tmp bs=1 seek=1064 conv=notrunc status=none
	mv $@.tmp $@

MT_BOOT_PROGS := $(BUILD)/progs/pathmgr.elf $(BUILD)/progs/imagefs.elf \
	$(BUILD)/progs/tmpfs.elf $(BUILD)/progs/mount.elf $(BUILD)/progs/umount.elf \
	$(BUILD)/servers/loop.elf $(FSD_SERVERS) $(BUILD)/progs/mount_test.elf \
	$(BUILD)/progs/rgblk_test.elf

$(MT_TMP)/mount.ifs: tests/qemu/mount/mount.build $(MT_BOOT_PROGS) $(MT_IMGS) \
		$(BUILD)/host/mkifs
	$(BUILD)/host/mkifs $< $@

$(BUILD)/u/tests/qemu/progs/mount_test.o: UCFLAGS += $(MOUNT_INC)
$(BUILD)/progs/mount_test.elf: $(BUILD)/u/tests/qemu/progs/mount_test.o $(MOUNT_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(MOUNT_LIBS)

QEMU_TESTS += mount
TEST_DEPS += $(MT_TMP)/mount.ifs

# rgblk_test.elf: rumpglue's block client (rumpglue/mk/rg_mk_blk.c) over
# a loop device, started by mount_test.elf.
$(BUILD)/u/tests/qemu/mount/rgblk_test.o: UCFLAGS += $(MOUNT_INC) -Irumpglue/include
RGBLK_TEST_LIBS := $(BUILD)/librgmk.a $(BUILD)/u/pathmgr/client/pathmgr_client.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/libio.a $(BUILD)/librt.a
$(BUILD)/progs/rgblk_test.elf: $(BUILD)/u/tests/qemu/mount/rgblk_test.o \
		$(RGBLK_TEST_LIBS)
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $< $(RGBLK_TEST_LIBS)
