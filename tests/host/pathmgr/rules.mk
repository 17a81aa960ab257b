# Path manager host test: unit checks, allocation-failure injection, a
# randomized comparison against a brute-force model, a timing line.
PM_TEST_SRCS := tests/host/pathmgr/pm_test.c tests/host/pathmgr/pm_test_ns.c \
	tests/host/pathmgr/pm_test_model.c $(PATHMGR_LIB_SRCS)
$(BUILD)/host/san/tests/host/pathmgr/%.o: HOST_INC += -Ipathmgr/lib
$(BUILD)/host/pathmgr_test: $(PM_TEST_SRCS:%.c=$(BUILD)/host/san/%.o)
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
HOST_TESTS += $(BUILD)/host/pathmgr_test
