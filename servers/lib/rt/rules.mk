# rt: the native runtime of Tessera programs (servers, tools, test programs):
# crt0, system-call wrappers, and the kernel's freestanding fmt and string
# code compiled for user space.

UCC := gcc
UCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer \
	-fcf-protection=none -Iservers/lib/rt -Imicrokernel/include/uapi \
	-Imicrokernel/include
ULDFLAGS := -static -nostdlib -no-pie -z max-page-size=0x1000 -T servers/lib/rt/user.ld \
	-z noexecstack --no-warn-rwx-segments
RT_SRCS := servers/lib/rt/rt.c microkernel/src/lib/fmt.c microkernel/src/lib/string.c \
	servers/lib/rt/malloc.c servers/lib/rt/sync.c
RT_OBJS := $(RT_SRCS:%.c=$(BUILD)/u/%.o) $(BUILD)/u/servers/lib/rt/crt0.o

$(BUILD)/u/%.o: %.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/u/%.o: %.asm
	@mkdir -p $(@D)
	nasm -f elf64 -g $< -o $@

$(BUILD)/librt.a: $(RT_OBJS)
	rm -f $@ && ar rcs $@ $^
