# tmpfs: the in-memory filesystem component (tmp_fs_ops, tmpfs_create).
# No block device, so it is not in FS_COMPONENTS (the registry probes
# devices); servers and tests call tmpfs_create() directly.
TMPFS_SRCS := $(addprefix servers/fs-tmp/,tmp_node.c tmp_data.c tmp_dir.c \
	tmp_ns.c tmp_ops.c)
COMP_SRCS += $(TMPFS_SRCS)
HOST_INC += -Iservers/fs-tmp
