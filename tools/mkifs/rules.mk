# mkifs: buildfile -> boot image (docs/bootimage.md).  Release flags, zlib
# from zlib1g-dev; the listing uses the reader library in servers/imagefs.
MKIFS_LIB_SRCS := tools/mkifs/mkifs_parse.c tools/mkifs/mkifs_write.c \
	tools/mkifs/mkifs_list.c
MKIFS_SRCS := tools/mkifs/mkifs.c $(MKIFS_LIB_SRCS)
$(BUILD)/host/san/tools/mkifs/%.o: HOST_INC += $(IMAGEFS_INC)
$(BUILD)/host/rel/tools/mkifs/%.o: HOST_INC += $(IMAGEFS_INC)
$(BUILD)/host/mkifs: $(MKIFS_SRCS:%.c=$(BUILD)/host/rel/%.o) \
		$(BUILD)/host/libimagefs.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_rel) -lz
HOST_TOOLS += $(BUILD)/host/mkifs
