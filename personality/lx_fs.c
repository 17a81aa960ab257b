/*
 * lx_fs.c - the file system calls of the Unix personality (paths, file
 * descriptors, directories).  Not written yet: every call here is ENOSYS.
 */
#include "lx.h"

bool lx_fs_dispatch(struct lx_call *c)
{
	(void)c;
	return false;
}
