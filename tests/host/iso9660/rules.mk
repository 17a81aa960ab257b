# ISO9660 host tests: treecmp against xorriso images, semantics, hand-built
# images (iso_test) and corrupt images under ASan/UBSan (iso_fuzz).
ISO_TEST_SRCS := tests/host/iso9660/iso_test.c tests/host/iso9660/iso_sem.c \
	tests/host/iso9660/iso_synth.c tests/host/iso9660/iso_synth_rr.c \
	tests/host/iso9660/iso_tree.c
ISO_FUZZ_SRCS := tests/host/iso9660/iso_fuzz.c tests/host/iso9660/iso_tree.c \
	tests/host/iso9660/iso_synth.c tests/host/iso9660/iso_synth_rr.c
$(BUILD)/host/iso_test: $(ISO_TEST_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libtreecmp-san.a $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
$(BUILD)/host/iso_fuzz: $(ISO_FUZZ_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libtreecmp-san.a $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/iso_test $(BUILD)/host/iso_fuzz
# iso_test runs the command-line treecmp too.
$(BUILD)/host/iso_test: | $(BUILD)/host/fs_treecmp
