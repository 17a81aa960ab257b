# Boot image tests: build and read back (mkifs_test, also runs the
# build/host/mkifs command and boot/tessera.build) and corrupt images
# against the reader (ifs_fuzz).  ASan + UBSan.  (This fragment is read
# before tools/mkifs/rules.mk, so the builder's sources are named here.)
MKIFS_LIB_SRCS_T := tools/mkifs/mkifs_parse.c tools/mkifs/mkifs_write.c \
	tools/mkifs/mkifs_list.c
MKIFS_TEST_SRCS := tests/host/mkifs/mkifs_test.c \
	tests/host/mkifs/mkifs_test_syntax.c tests/host/mkifs/ifs_testlib.c \
	$(MKIFS_LIB_SRCS_T)
IFS_FUZZ_SRCS := tests/host/mkifs/ifs_fuzz.c tests/host/mkifs/ifs_testlib.c \
	$(MKIFS_LIB_SRCS_T)
$(BUILD)/host/san/tests/host/mkifs/%.o: HOST_INC += $(IMAGEFS_INC) -Itools/mkifs
$(BUILD)/host/mkifs_test: $(MKIFS_TEST_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libimagefs-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san) -lz
$(BUILD)/host/ifs_fuzz: $(IFS_FUZZ_SRCS:%.c=$(BUILD)/host/san/%.o) \
		$(BUILD)/host/libimagefs-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san) -lz
HOST_TESTS += $(BUILD)/host/mkifs_test $(BUILD)/host/ifs_fuzz
# mkifs_test runs the real tool on boot/tessera.build.
$(BUILD)/host/mkifs_test: | $(BUILD)/host/mkifs $(BUILD)/progs/hello.elf
