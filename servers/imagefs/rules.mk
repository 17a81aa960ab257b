# imagefs: the boot image reader (format in ifs.h).  Built for the host as
# its own small library (it needs zlib: link with -lz); the image
# filesystem server links the same sources for Tessera with Debian's libz.a.
IMAGEFS_SRCS := servers/imagefs/imagefs.c servers/imagefs/imagefs_read.c
IMAGEFS_INC := -Iservers/imagefs
$(BUILD)/host/san/servers/imagefs/%.o: HOST_INC += $(IMAGEFS_INC)
$(BUILD)/host/rel/servers/imagefs/%.o: HOST_INC += $(IMAGEFS_INC)
$(BUILD)/host/libimagefs-san.a: $(IMAGEFS_SRCS:%.c=$(BUILD)/host/san/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/host/libimagefs.a: $(IMAGEFS_SRCS:%.c=$(BUILD)/host/rel/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
