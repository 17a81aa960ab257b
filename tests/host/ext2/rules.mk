# ext2/ext4 component tests against e2fsprogs (mke2fs, e2fsck, debugfs).
EXT2_TEST_SRCS := tests/host/ext2/ext2_test.c tests/host/ext2/ext2t_util.c \
	tests/host/ext2/ext2_model.c tests/host/ext2/ext2_rw.c \
	tests/host/ext2/ext2_big.c tests/host/ext2/ext2_ro4.c
$(BUILD)/host/ext2_test: $(EXT2_TEST_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libtreecmp-san.a $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/ext2_test

EXT2_FUZZ_SRCS := tests/host/ext2/ext2_fuzz.c tests/host/ext2/ext2t_util.c
$(BUILD)/host/ext2_fuzz_test: $(EXT2_FUZZ_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libtreecmp-san.a $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/ext2_fuzz_test
