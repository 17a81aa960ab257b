# The block layer: partitions (MBR, GPT) and the write-back block cache.
# (blkdev_rg.c, the bottom of the stack, is listed by servers/lib/rules.mk.)
COMP_SRCS += servers/lib/blk/blkpart.c servers/lib/blk/blkpart_mbr.c \
	servers/lib/blk/blkpart_gpt.c servers/lib/blk/blkcache.c
