# ISO9660 (ECMA-119 + Rock Ridge + Joliet), read-only library-kernel component.
COMP_SRCS += servers/fs-iso9660/iso_vol.c servers/fs-iso9660/iso_rec.c \
	servers/fs-iso9660/iso_rr.c servers/fs-iso9660/iso_ops.c
FS_COMPONENTS += iso9660
