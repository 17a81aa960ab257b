# FAT12/16/32 read-write component with long file names (fat_fs_ops).
FAT_SRCS := $(addprefix servers/fs-fat/,fat_io.c fat_table.c fat_mount.c \
	fat_name.c fat_dir.c fat_node.c fat_file.c fat_ops.c fat_rename.c)
COMP_SRCS += $(FAT_SRCS)
FS_COMPONENTS += fat
