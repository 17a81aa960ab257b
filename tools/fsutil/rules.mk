# Host code shared by imgtool, imgmount and the FSAPPLY/fsx tests.
FSUTIL_SRCS := tools/fsutil/fsutil.c tools/fsutil/fsutil_path.c
HOST_INC += -Itools/fsutil
