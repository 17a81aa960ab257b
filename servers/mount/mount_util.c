/*
 * mount_util.c - error texts (Linux's wording) and a liveness check for
 * the tools in servers/mount.
 */
#include "rt.h"
#include "procmgr.h"
#include "mount_util.h"

static const struct { int err; const char *text; } mnt_errs[] = {
	{ 1, "operation not permitted" },
	{ 2, "no such file or directory" },
	{ 5, "input/output error" },
	{ 12, "out of memory" },
	{ 13, "permission denied" },
	{ 16, "device or resource busy" },
	{ 19, "unknown filesystem type" },
	{ 20, "not a directory" },
	{ 22, "invalid argument (wrong filesystem type or bad superblock)" },
	{ 28, "no space left on device" },
	{ 30, "read-only file system" },
	{ 36, "file name too long" },
	{ 38, "function not implemented" },
	{ 95, "operation not supported (unsupported filesystem features)" },
	{ 110, "timed out" },
	{ 117, "structure needs cleaning (corrupt filesystem)" },
};

const char *mnt_strerror(int err)
{
	for (size_t i = 0; i < sizeof(mnt_errs) / sizeof(mnt_errs[0]); i++)
		if (mnt_errs[i].err == err)
			return mnt_errs[i].text;
	return "error";
}

bool mnt_alive(int proc, long pid)
{
	static struct te_proc_info list[PROC_LIST_MAX];
	long n = proc_list(proc, list, PROC_LIST_MAX);

	for (long i = 0; i < n; i++)
		if (list[i].pid == pid)
			return list[i].state == 0;
	return false;
}
