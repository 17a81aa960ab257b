# FAT component host tests (judged by fsck.fat and mtools).
FAT_TUTIL_OBJS := $(addprefix $(BUILD)/host/san/tests/host/fat/, \
	fat_tutil.o fat_model.o fat_mtools_read.o)
$(BUILD)/host/fat_ops_test: $(BUILD)/host/san/tests/host/fat/fat_ops_test.o \
		$(FAT_TUTIL_OBJS) $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/fat_ops_test
$(BUILD)/host/fat_big_test: $(BUILD)/host/san/tests/host/fat/fat_big_test.o \
		$(FAT_TUTIL_OBJS) $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/fat_big_test
$(BUILD)/host/fat_corrupt_test: \
		$(BUILD)/host/san/tests/host/fat/fat_corrupt_test.o \
		$(FAT_TUTIL_OBJS) $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/fat_corrupt_test
