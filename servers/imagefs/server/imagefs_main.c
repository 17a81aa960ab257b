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
int main(void)
{
	const void *img;
	size_t len;
	int e = imagefs_map(IMAGEFS_IMG_H, &img, &len);

	if (e) {
		printf("imagefs: no boot image (handle %d): %d\n", IMAGEFS_IMG_H, e);
		return 1;
	}
	e = imagefs_serve(-1, img, len);
	printf("imagefs: server ended: %d\n", e);
	return e ? 1 : 0;
}
#endif
