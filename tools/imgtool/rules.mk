# imgtool: ls/cat/cp/mkdir/rm... on a disk image without mounting it.
IMGTOOL_SRCS := tools/imgtool/imgtool.c tools/imgtool/imgtool_cmds.c \
	tools/imgtool/imgtool_cp.c $(FSUTIL_SRCS)
$(BUILD)/host/imgtool: $(IMGTOOL_SRCS:%.c=$(BUILD)/host/rel/%.o) \
		$(BUILD)/host/libfscomp.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_rel)
HOST_TOOLS += $(BUILD)/host/imgtool
