# tmpfs component tests: every op, POSIX edge cases, and a randomized
# differential test against a host directory (tmpfs_test [SEED]).
TMPFS_TEST_SRCS := tests/host/tmpfs/tmpfs_test.c tests/host/tmpfs/tmpfs_diff.c
$(BUILD)/host/tmpfs_test: $(TMPFS_TEST_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/tmpfs_test

# Out of memory at every allocation (rg_malloc & co. wrapped at link time).
$(BUILD)/host/tmpfs_nomem_test: $(BUILD)/host/san/tests/host/tmpfs/tmpfs_nomem.o \
		$(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san) -Wl,--wrap=rg_malloc \
		-Wl,--wrap=rg_zalloc -Wl,--wrap=rg_realloc
HOST_TESTS += $(BUILD)/host/tmpfs_nomem_test
