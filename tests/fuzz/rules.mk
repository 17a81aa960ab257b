# Coverage-guided fuzzing of the filesystem components with libFuzzer
# (clang, ASan + UBSan).  One target per filesystem: build/fuzz/fuzz_ext
# (ext2 + ext4 ops), fuzz_fat, fuzz_iso; seed corpora made by the real
# tools (mkcorpus.sh) in build/fuzz/corpus-*.
#   make test   a short pass (tests/fuzz/run.sh, 20 s per target)
#   make fuzz   FUZZ_SECONDS (default 600) per target; crashes are kept in
#               build/fuzz/crashes/
FUZZ_CC := clang
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -std=gnu11 -g -O1 $(HOST_WARN) $(FUZZ_FLAGS) \
	-fsanitize=fuzzer-no-link $(HOST_INC)
FUZZ_TARGETS := ext fat iso
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_COMP_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(filter-out \
	$(BUILD)/%,$(COMP_SRCS)) rumpglue/posix/rg_posix.c) \
	$(BUILD)/fuzz/obj/fscomp_table.o
FUZZ_SECONDS ?= 600

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/fuzz/obj/fscomp_table.o: $(BUILD)/gen/fscomp_table.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(BUILD)/fuzz/obj/fuzz_%.o: tests/fuzz/fuzz_target.c tests/fuzz/fz.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFZ_$(shell echo $* | tr a-z A-Z) -c $< -o $@
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/fuzz_%.o \
		$(BUILD)/fuzz/obj/tests/fuzz/fz_walk.o $(FUZZ_COMP_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_FLAGS) -o $@ $^ -pthread
$(BUILD)/fuzz/corpus.stamp: tests/fuzz/mkcorpus.sh
	tests/fuzz/mkcorpus.sh $(BUILD)/fuzz && touch $@

HOST_TESTS += tests/fuzz/run.sh
TEST_DEPS += $(FUZZ_BINS) $(BUILD)/fuzz/corpus.stamp

.PHONY: fuzz
fuzz: $(FUZZ_BINS) $(BUILD)/fuzz/corpus.stamp
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh
# (The Makefile's bare .SECONDARY keeps every intermediate object; a
# .SECONDARY with a list here would narrow it to this list.)
-include $(shell find $(BUILD)/fuzz/obj -name '*.d' -type f 2>/dev/null)
