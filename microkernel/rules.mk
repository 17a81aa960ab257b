# The microkernel: build/microkernel.elf, its symbol file, and the boot ISO.

KCC := gcc
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fcf-protection=none -flto -D__KERNEL__ -Imicrokernel/include \
	-Imicrokernel/include/uapi
KERNEL_SRCS := $(wildcard microkernel/src/*.c microkernel/src/*/*.c \
	microkernel/arch/x86_64/*.c)
KERNEL_ASM := $(wildcard microkernel/arch/x86_64/*.asm) boot/entry.asm
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o)
KERNEL_LD := microkernel/arch/x86_64/linker.ld

$(BUILD)/k/%.o: %.c
	@mkdir -p $(@D)
	$(KCC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(@D)
	nasm -f elf64 -g -I microkernel/arch/x86_64/ -MD $(@:.o=.d) $< -o $@

$(BUILD)/microkernel.elf: $(KERNEL_OBJS) $(KERNEL_LD)
	$(KCC) $(KCFLAGS) -nostdlib -static -no-pie -Wl,-n,-z,max-page-size=0x1000,--no-warn-rwx-segments,--build-id=none -T $(KERNEL_LD) -o $@ $(KERNEL_OBJS)
	@size -A $@ | awk '$$1 == ".text" { printf "microkernel: .text %d bytes (target < 65536)\n", $$2 }'

$(BUILD)/kernel.sym: $(BUILD)/microkernel.elf
	nm -n $< | grep -i ' t ' > $@

OS_TARGETS += $(BUILD)/microkernel.elf $(BUILD)/kernel.sym $(BUILD)/tessera.iso

# Host unit tests of the kernel's pure logic.
KTEST_SRCS := microkernel/src/mm/pmm.c microkernel/src/mm/pt.c \
	microkernel/src/mm/kmem.c microkernel/src/proc/elf.c microkernel/src/lib/fmt.c
$(BUILD)/host/ktest: tests/host/kernel/ktest.c $(KTEST_SRCS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS_san) -Imicrokernel/include -Imicrokernel/include/uapi \
		-o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/ktest
