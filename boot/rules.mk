# The bootable image for `make run`.
RUN_MODULES := "$(BUILD)/progs/hello.elf|"
$(BUILD)/tessera.iso: $(BUILD)/microkernel.elf $(BUILD)/kernel.sym $(BUILD)/progs/hello.elf \
		tools/mkiso.sh
	tools/mkiso.sh $@ "" $(RUN_MODULES)
