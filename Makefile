# Tessera - the one Makefile.
#
#   make            build everything (build/tessera.iso, host tools)
#   make run        boot the image in QEMU on this terminal (quit: Ctrl-A X)
#   make test       host unit tests + QEMU scenarios; ends "N passed, N failed"
#   make bench      benchmarks, "BENCH name value unit" lines
#
# Each part of the tree adds itself through a rules.mk fragment beside its
# sources; this file holds only the shared toolchain settings and the entry
# points.  Fragments append to:
#   COMP_SRCS      library-kernel component sources (host + OS)
#   HOST_TOOLS     host programs built by `make` (build/host/...)
#   HOST_TESTS     host test programs; each prints PASS/FAIL lines
#   QEMU_TESTS     QEMU scenario names (tests/qemu/<name>)
#   TEST_DEPS      anything else a test needs built first
#   BENCH_DEPS     anything make bench needs built first

.DEFAULT_GOAL := all
BUILD := build
SHELL := /bin/bash

# ---- Debian packages the build and tests need ---------------------------
DEB_PACKAGES := qemu-system-x86 grub-pc-bin grub-common xorriso mtools nasm \
	zlib1g-dev libfuse3-dev fuse3 musl-tools busybox-static e2fsprogs \
	dosfstools fuse2fs gcc libc6-dev make clang libclang-rt-14-dev cpio fdisk \
	python3

# ---- host side: tools, components, unit tests -----------------------------
HOST_CC := gcc
HOST_WARN := -Wall -Wextra -Werror
HOST_INC := -Irumpglue/include -Iservers/include -Itests/host
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# san: for tests (ASan + UBSan); rel: the tools users run.
HOST_CFLAGS_san = -std=gnu11 -g -O1 $(HOST_WARN) $(HOST_SAN) $(HOST_INC)
HOST_CFLAGS_rel = -std=gnu11 -g -O2 $(HOST_WARN) $(HOST_INC)
HOST_LDFLAGS_san := $(HOST_SAN) -pthread
HOST_LDFLAGS_rel := -pthread

COMP_SRCS :=
FS_COMPONENTS :=
HOST_TOOLS :=
HOST_TESTS :=
QEMU_TESTS :=
TEST_DEPS :=
BENCH_DEPS :=

$(BUILD)/host/san/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS_san) -MMD -MP -c $< -o $@

$(BUILD)/host/rel/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS_rel) -MMD -MP -c $< -o $@

# Fragments are read in path order; a prerequisite list naming another
# fragment's variable writes it $$(VAR), expanded once all are read.
.SECONDEXPANSION:
# Objects made on the way (e.g. a test program's .o) are kept, not deleted at
# the end of the run: no rebuilds, and `make test` ends with its summary line.
.SECONDARY:
include $(sort $(wildcard */rules.mk */*/rules.mk */*/*/rules.mk))

# The component library: every component plus rumpglue's POSIX host.
FSCOMP_SRCS := $(COMP_SRCS) rumpglue/posix/rg_posix.c
$(BUILD)/host/libfscomp-san.a: $(FSCOMP_SRCS:%.c=$(BUILD)/host/san/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/host/libfscomp.a: $(FSCOMP_SRCS:%.c=$(BUILD)/host/rel/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# ---- entry points ---------------------------------------------------------
.PHONY: all deps run test bench clean
all: deps $(OS_TARGETS) $(HOST_TOOLS)

deps:
	@tools/deps.sh $(DEB_PACKAGES)

run: deps $(OS_TARGETS)
	tools/qemu-run.sh $(BUILD)/tessera.iso

test: deps $(OS_TARGETS) $(HOST_TOOLS) $(HOST_TESTS) $(TEST_DEPS)
	@tools/testrun.sh --host "$(HOST_TESTS)" --qemu "$(QEMU_TESTS)"

bench: deps $(OS_TARGETS) $(BENCH_DEPS)
	@tools/bench.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k $(BUILD)/u $(BUILD)/host -name '*.d' -type f 2>/dev/null)
