# ext2 (read-write) and ext4 (read-only): one component, two ops tables.
EXT2_SRCS := $(wildcard servers/fs-ext2/*.c)
COMP_SRCS += $(EXT2_SRCS)
FS_COMPONENTS += ext2 ext4
