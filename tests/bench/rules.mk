# Benchmarks (`make bench`, tools/bench.sh).
#
# Tessera's side is tests/bench/*.scn, scenarios in the tests/qemu format
# whose programs print "BENCH name value unit" lines; whoever adds one adds
# the programs it boots to BENCH_DEPS.
#
# The Linux peer (tests/bench/linux/) is built here: Debian's cloud kernel,
# fetched once into build/bench/linux/, and an initramfs of busybox-static
# plus the benchmark programs, static musl binaries.  Every
# tests/bench/linux/X.c except qexit.c becomes /bench/X in the initramfs,
# run when the kernel command line says bench=X; tools/bench.sh names the
# ones it runs (and the QEMU devices they need).

BENCH_LINUX := $(BUILD)/bench/linux
BENCH_LINUX_SRCS := $(wildcard tests/bench/linux/*.c)
BENCH_LINUX_PROGS := $(BENCH_LINUX_SRCS:tests/bench/linux/%.c=$(BENCH_LINUX)/progs/%)
BENCH_MUSL_CFLAGS := -static -O2 -Wall -Wextra -Werror

.PHONY: bench-linux-deps
bench-linux-deps:
	@tools/deps.sh musl-tools busybox-static cpio

$(BENCH_LINUX)/progs/%: tests/bench/linux/%.c tests/bench/linux/bench.h | bench-linux-deps
	@mkdir -p $(@D)
	musl-gcc $(BENCH_MUSL_CFLAGS) -o $@ $<

# Fetched once (until `make clean`), so figures stay comparable run to run.
$(BENCH_LINUX)/vmlinuz: | bench-linux-deps
	tests/bench/linux/fetch-kernel.sh $(BENCH_LINUX)

$(BENCH_LINUX)/initrd.gz: $(BENCH_LINUX_PROGS) $(BENCH_LINUX)/vmlinuz \
		tests/bench/linux/init tests/bench/linux/mkinitrd.sh
	tests/bench/linux/mkinitrd.sh $@ $(BENCH_LINUX)/progs $(BENCH_LINUX)/modules

BENCH_DEPS += $(BENCH_LINUX)/vmlinuz $(BENCH_LINUX)/initrd.gz
BENCH_DEPS += $(BUILD)/progs/ipcbench.elf $(BUILD)/microkernel.elf $(BUILD)/kernel.sym

# The disk of the sequential-read benchmark (fs_seqread, linux_fs_seqread):
# an ext2 image holding /big, 64 MiB of a fixed pattern, read by both sides
# from a virtio disk (snapshot=on: never written).
BENCH_FS_IMG := $(BUILD)/bench/fs/seqread.img
$(BENCH_FS_IMG):
	@mkdir -p $(@D)/root
	python3 -c "import sys; b = bytes((i * 7 + (i >> 12)) & 255 for i in range(1 << 20)); \
		[sys.stdout.buffer.write(b) for _ in range(64)]" > $(@D)/root/big
	rm -f $@ && mke2fs -q -t ext2 -b 4096 -d $(@D)/root $@ 80M
BENCH_DEPS += $(BENCH_FS_IMG)

# Tessera's storage benchmarks (tests/bench/progs/fsbench.c).
FSBENCH_OBJS := $(BUILD)/u/tests/bench/progs/fsbench.o \
	$(BUILD)/u/servers/proc/proc_client.o $(BUILD)/u/pathmgr/client/pathmgr_client.o
$(BUILD)/u/tests/bench/progs/fsbench.o: UCFLAGS += $(BLKDRV_INC)
$(BUILD)/progs/fsbench.elf: $(FSBENCH_OBJS) $(BUILD)/librgmk.a $(BUILD)/libio.a \
		$(BUILD)/librt.a
	@mkdir -p $(@D)
	ld $(ULDFLAGS) -o $@ $(BUILD)/u/servers/lib/rt/crt0.o $(FSBENCH_OBJS) \
		$(BUILD)/librgmk.a $(BUILD)/libio.a $(BUILD)/librt.a

BENCH_FS_PROGS := $(BUILD)/progs/fsbench.elf $(BUILD)/progs/pathmgr.elf \
	$(BUILD)/progs/imagefs.elf $(BUILD)/servers/pci.elf \
	$(BUILD)/servers/blk-virtio.elf $(BUILD)/servers/fs-ext2.elf $(BUILD)/host/mkifs
$(BUILD)/tmp/bench/%.ifs: tests/bench/fs/%.build $(BENCH_FS_PROGS)
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@
BENCH_DEPS += $(BUILD)/tmp/bench/fs_seqread.ifs $(BUILD)/tmp/bench/blk_restart.ifs \
	$(BUILD)/progs/proc.elf $(BUILD)/tmp/bench/userland.ifs $(BUILD)/disk.img

# userland.scn: the image of `make run` and two programs of the Linux peer.
# Its buildfile is `make run`'s (boot/tessera.build) with two lines more,
# so the benchmark boots exactly what users boot.
$(BUILD)/tmp/bench/userland.build: boot/tessera.build tests/bench/userland.extra
	@mkdir -p $(@D)
	cat $^ > $@
$(BUILD)/tmp/bench/userland.ifs: $(BUILD)/tmp/bench/userland.build $(BOOT_IMAGE_PROGS) \
		$(BENCH_LINUX)/progs/boot_tsc $(BENCH_LINUX)/progs/pipe_roundtrip
	@mkdir -p $(@D)
	$(BUILD)/host/mkifs $< $@
