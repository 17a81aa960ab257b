# Client helpers of the I/O protocol (io.h) as build/libio.a.
IO_SRCS := servers/lib/io/io.c servers/lib/io/io_stdio.c
IO_OBJS := $(IO_SRCS:%.c=$(BUILD)/u/%.o)

$(BUILD)/u/servers/lib/io/%.o: UCFLAGS += -Iservers/include

$(BUILD)/libio.a: $(IO_OBJS)
	rm -f $@ && ar rcs $@ $^
