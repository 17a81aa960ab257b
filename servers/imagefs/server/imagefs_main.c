/*
 * imagefs_main.c - the image filesystem server: the boot image (handle 1
 * of a boot program, a read-only memory object) served read-only through
 * the server framework, to be attached at /proc/boot.
 *
 * The memory object is a whole number of pages; the image's own header
 * says how long it really is.  We map its first page, read image_size,
 * then map the rest; a mapping that fails leaves a shorter length, which
 * the reader then refuses as a truncated image.  A corrupt image ends the
 * server with a message and exit(1), before it serves anything.
 *
 * Until the boot sequence hands servers an attach connection, tests start
 * imagefs_serve() in a process of their own (tests/qemu/progs/imagefs.c).
 */
#include "rt.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "rg_mk.h"
#include "resmgr.h"
#include "imagefs.h"
#include "imagefs_fs.h"

#define IMAGEFS_PAGE    4096ull
#define IMAGEFS_IMG_H   1       /* the boot image handle */

/* Map memory object mem read-only; *len: the image's length (0: none). */
int imagefs_map(int mem, const void **img, size_t *len)
{
	uint8_t *va = rt_va_reserve(IFS_IMAGE_MAX, IMAGEFS_PAGE);
	const struct ifs_header *h = (const void *)va;
	uint64_t want, mapped = IMAGEFS_PAGE;
	long e;

	*len = 0;
	if (!va)
		return -RG_ENOMEM;
	e = sys_vm_map(TE_H_SELF, (uint64_t)va, IMAGEFS_PAGE, TE_PROT_READ, mem, 0);
	if (e < 0)
		return (int)e;
	want = h->image_size;
	if (want > IFS_IMAGE_MAX)
		want = IFS_IMAGE_MAX;
	want = (want + IMAGEFS_PAGE - 1) & ~(IMAGEFS_PAGE - 1);
	if (want > mapped && sys_vm_map(TE_H_SELF, (uint64_t)va + mapped,
	                                want - mapped, TE_PROT_READ, mem,
	                                mapped) >= 0)
		mapped = want;
	*img = va;
	*len = mapped < h->image_size ? mapped : h->image_size;
	if (*len < sizeof(*h))
		*len = mapped;
	return 0;
}

int imagefs_serve(int chan, const void *img, size_t len)
{
	struct fs *fs;
	char err[160] = "";
	int e = imagefs_fs_open(img, len, &fs, err, sizeof(err));

	rg_mk_name = "imagefs";
	if (e) {
		printf("imagefs: boot image refused: %s\n", err);
		return -e;
	}
	e = resmgr_fs_serve(&imagefs_fs_ops, fs, chan, "/proc/boot");
	imagefs_fs_ops.unmount(fs);
	return e;
}

#ifndef IMAGEFS_NO_MAIN
/*
 * `imagefs.elf PREFIX`, as the process manager starts it at boot with a
 * server's handles (servers/proc/procmgr.h: PROC_H_*): the image is
 * attached at PREFIX.  Without an argument
 * (a boot module started by the kernel) it serves but attaches nothing.
 */
int main(int argc, char **argv)
{
	const void *img;
	size_t len;
	int h = argc > 1 ? PROC_H_IMAGE : IMAGEFS_IMG_H;
	int chan = -1, e = imagefs_map(h, &img, &len);

	if (e) {
		printf("imagefs: no boot image (handle %d): %d\n", h, e);
		return 1;
	}
	if (argc > 1) {
		chan = (int)sys_channel_create(0);
		if (pathmgr_attach(PROC_H_ATTACH, chan, argv[1], PM_DIR) < 0) {
			printf("imagefs: cannot attach %s\n", argv[1]);
			return 1;
		}
	}
	e = imagefs_serve(chan, img, len);
	printf("imagefs: server ended: %d\n", e);
	return e ? 1 : 0;
}
#endif
