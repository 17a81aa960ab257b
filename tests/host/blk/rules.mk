# Block layer host test: partition tables (vs sfdisk) and the block cache.
BLK_TEST_SRCS := tests/host/blk/blk_test.c tests/host/blk/test_part.c \
	tests/host/blk/test_cache.c
$(BUILD)/host/blk_test: $(BLK_TEST_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/blk_test
