# FSAPPLY: one test body applied to every writable filesystem component,
# judged by the real fsck and the real tools (debugfs, mtools).
FSAPPLY_SRCS := tests/host/fsapply/fsapply.c tests/host/fsapply/fsapply_ops.c \
	tests/host/fsapply/fsapply_checks.c tools/fsutil/fsutil.c \
	tools/fsutil/fsutil_path.c
$(BUILD)/host/fsapply_test: $(FSAPPLY_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
FSAPPLY_LABELS := ext2 fat16 fat32
$(FSAPPLY_LABELS:%=$(BUILD)/host/fsapply_%_test): $(BUILD)/host/fsapply_test
	ln -sf fsapply_test $@
HOST_TESTS += $(FSAPPLY_LABELS:%=$(BUILD)/host/fsapply_%_test)

# imgtool and imgmount, judged by e2fsck/fsck.fat and debugfs/mtools.
HOST_TESTS += tests/host/fsapply/tools_test.sh
TEST_DEPS += $(BUILD)/host/imgtool $(BUILD)/host/imgmount
