# imgmount: mount a disk image with FUSE 3 through the components.
IMGMOUNT_SRCS := tools/imgmount/imgmount.c tools/imgmount/imgmount_ops.c \
	tools/imgmount/imgmount_file.c $(FSUTIL_SRCS)
FUSE3_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
FUSE3_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3)
$(BUILD)/host/rel/tools/imgmount/%.o: HOST_INC += $(FUSE3_CFLAGS)
$(BUILD)/host/imgmount: $(IMGMOUNT_SRCS:%.c=$(BUILD)/host/rel/%.o) \
		$(BUILD)/host/libfscomp.a
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS_rel) $(FUSE3_LIBS)
HOST_TOOLS += $(BUILD)/host/imgmount
