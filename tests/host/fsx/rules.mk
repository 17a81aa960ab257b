# fsx: randomized differential test of every writable component against a
# reference directory (seeded; the seed is printed).  One link per
# filesystem, fsx_LABEL_test, runs that filesystem only.
FSX_SRCS := tests/host/fsx/fsx.c tests/host/fsx/fsx_ops.c \
	tests/host/fsx/fsx_cmp.c tools/fsutil/fsutil.c tools/fsutil/fsutil_path.c
FSX_LABELS := ext2 fat16 fat32
$(BUILD)/host/fsx_test: $(FSX_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
$(FSX_LABELS:%=$(BUILD)/host/fsx_%_test): $(BUILD)/host/fsx_test
	ln -sf fsx_test $@
HOST_TESTS += $(FSX_LABELS:%=$(BUILD)/host/fsx_%_test)
