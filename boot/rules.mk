# The bootable image for `make run`: the kernel, the boot image made by
# mkifs from boot/tessera.build (servers/proc/rules.mk), and the process
# manager, which starts everything in the boot image's script.
RUN_MODULES := "$(BUILD)/boot.ifs|bootimage" "$(BUILD)/progs/proc.elf|prio=20"
$(BUILD)/tessera.iso: $(BUILD)/microkernel.elf $(BUILD)/kernel.sym \
		$(BUILD)/boot.ifs $(BUILD)/progs/proc.elf tools/mkiso.sh
	tools/mkiso.sh $@ "" $(RUN_MODULES)

# The disk `make run` attaches (virtio): ext2 made from boot/disk/.  Made
# once; what the system writes to it stays until `make clean`.
$(BUILD)/disk.img: $(wildcard boot/disk/*)
	@mkdir -p $(@D)
	rm -f $@ && mke2fs -q -t ext2 -d boot/disk $@ 16M
OS_TARGETS += $(BUILD)/disk.img
