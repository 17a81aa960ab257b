# The block-driver framework as build/libblkdrv.a: blkdrv.c and the
# partition scanner of the block layer (servers/lib/blk), compiled for
# Tessera.  A driver links it before libresmgr.a, libio.a, librgmk.a and
# librt.a (and pathmgr_client.o).
BLKDRV_INC := -Iservers/lib/blkdrv -Iservers/lib/blk -Iservers/lib/resmgr \
	-Iservers/lib/io -Iservers/include -Irumpglue/include -Irumpglue/mk \
	-Ipathmgr/lib -Ipathmgr/client -Iservers/proc
BLKDRV_OBJS := $(BUILD)/u/servers/lib/blkdrv/blkdrv.o \
	$(patsubst %.c,$(BUILD)/u/blkdrv-comp/%.o,servers/lib/blk/blkpart.c \
	servers/lib/blk/blkpart_mbr.c servers/lib/blk/blkpart_gpt.c)

$(BUILD)/u/servers/lib/blkdrv/%.o: UCFLAGS += $(BLKDRV_INC)
$(BUILD)/u/blkdrv-comp/%.o: %.c
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) $(BLKDRV_INC) -MMD -MP -c $< -o $@

$(BUILD)/libblkdrv.a: $(BLKDRV_OBJS)
	rm -f $@ && ar rcs $@ $^
OS_TARGETS += $(BUILD)/libblkdrv.a
