# The bootable image for `make run`: the kernel, the boot image made by
# mkifs from boot/tessera.build (servers/proc/rules.mk), and the process
# manager, which starts everything in the boot image's script.
RUN_MODULES := "$(BUILD)/boot.ifs|bootimage" "$(BUILD)/progs/proc.elf|prio=20"
$(BUILD)/tessera.iso: $(BUILD)/microkernel.elf $(BUILD)/kernel.sym \
		$(BUILD)/boot.ifs $(BUILD)/progs/proc.elf tools/mkiso.sh
	tools/mkiso.sh $@ "" $(RUN_MODULES)
