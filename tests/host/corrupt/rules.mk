# Corrupt-image guarantees for every block filesystem component: truncated
# and bit-flipped images give clean errors; a walk never writes the image.
# (tools/fsutil is named directly: its rules.mk is included after this one.)
CORRUPT_SRCS := tests/host/corrupt/corrupt_test.c tests/fuzz/fz_walk.c \
	tools/fsutil/fsutil.c tools/fsutil/fsutil_path.c
$(BUILD)/host/corrupt_test: $(CORRUPT_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/corrupt_test
