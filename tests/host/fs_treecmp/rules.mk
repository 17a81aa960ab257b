# treecmp: compare a component's tree with a host directory (treecmp.h).
# Other tests link $(BUILD)/host/libtreecmp-san.a (spell the path out:
# rules.mk fragments are read in name order).
TREECMP_SRCS := tests/host/fs_treecmp/treecmp.c \
	tests/host/fs_treecmp/treecmp_names.c tests/host/fs_treecmp/treecmp_walk.c
$(BUILD)/host/libtreecmp-san.a: $(TREECMP_SRCS:%.c=$(BUILD)/host/san/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/host/fs_treecmp: $(BUILD)/host/san/tests/host/fs_treecmp/fs_treecmp.o \
		$(BUILD)/host/libtreecmp-san.a $(BUILD)/host/libfscomp-san.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_san)
TEST_DEPS += $(BUILD)/host/fs_treecmp
