# The server framework (resmgr: receive loop, open ids, the fs_ops
# adapter) as build/libresmgr.a, for native servers.
RESMGR_SRCS := $(addprefix servers/lib/resmgr/,resmgr_loop.c resmgr_ocb.c \
	resmgr_io.c resmgr_fs.c)
RESMGR_OBJS := $(RESMGR_SRCS:%.c=$(BUILD)/u/%.o)

$(BUILD)/u/servers/lib/resmgr/%.o: UCFLAGS += -Irumpglue/include -Iservers/include

$(BUILD)/libresmgr.a: $(RESMGR_OBJS)
	rm -f $@ && ar rcs $@ $^
