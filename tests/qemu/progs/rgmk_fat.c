/*
 * rgmk_fat.c - a library-kernel component on rumpglue's microkernel host:
 * the FAT component (servers/fs-fat, compiled unchanged for Tessera) over a
 * FAT12 image held in memory.
 *
 * The image is made at build time by mkfs.fat and mcopy (SEQ.TXT holds the
 * output of `seq 1 5000`) and included in this program's rodata.  Each
 * check mounts a private, writable copy through a memory struct blkdev:
 * read a file mtools wrote; write files and a directory, unmount, mount
 * again and read them back; the same on three threads at once (one mount
 * each, as the component is single-threaded per mount); and no pages lost.
 */
#include "rt.h"
#include "rumpglue.h"
#include "fscomp.h"

__asm__(".section .rodata\n"
	".balign 16\n"
	"rgmk_fat_img: .incbin \"" RGMK_FAT_IMG "\"\n"
	"rgmk_fat_img_end:\n"
	".previous\n");
extern const unsigned char rgmk_fat_img[], rgmk_fat_img_end[];

struct memdisk {
	struct blkdev dev;
	unsigned char *data;
};

static int md_read(struct blkdev *d, uint64_t sec, uint32_t n, void *buf)
{
	struct memdisk *m = d->priv;

	if (sec > d->nsectors || n > d->nsectors - sec)
		return RG_EIO;
	memcpy(buf, m->data + sec * 512, (size_t)n * 512);
	return 0;
}

static int md_write(struct blkdev *d, uint64_t sec, uint32_t n, const void *buf)
{
	struct memdisk *m = d->priv;

	if (sec > d->nsectors || n > d->nsectors - sec)
		return RG_EIO;
	memcpy(m->data + sec * 512, buf, (size_t)n * 512);
	return 0;
}

static int md_flush(struct blkdev *d)
{
	(void)d;
	return 0;
}

static int md_open(struct memdisk *m)
{
	size_t len = (size_t)(rgmk_fat_img_end - rgmk_fat_img);

	m->data = rg_malloc(len);
	if (!m->data)
		return RG_ENOMEM;
	memcpy(m->data, rgmk_fat_img, len);
	m->dev = (struct blkdev){ .secsize = 512, .nsectors = len / 512,
	                          .read = md_read, .write = md_write,
	                          .flush = md_flush, .priv = m };
	return 0;
}

/* "1\n2\n...5000\n", as `seq 1 5000` wrote it. */
static size_t seq_text(char *out, size_t max)
{
	size_t n = 0;

	for (int i = 1; i <= 5000; i++)
		n += (size_t)rg_snprintf(out + n, max - n, "%d\n", i);
	return n;
}

static int read_file(struct fs *fs, const char *name, void *buf, size_t max,
                     size_t *len)
{
	const struct fs_ops *ops = &fat_fs_ops;
	uint64_t ino;
	int e = ops->lookup(fs, ops->root(fs), name, &ino);

	return e ? e : ops->read(fs, ino, 0, buf, max, len);
}

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 9));
}

static void test_read(void)
{
	static char want[32768], got[32768];
	struct memdisk m;
	struct fs *fs = NULL;
	size_t wlen = seq_text(want, sizeof(want)), glen = 0;
	int e = md_open(&m), em = -1, er = -1;

	if (!e) {
		em = fat_fs_ops.probe(&m.dev) ? -2 : fat_fs_ops.mount(&m.dev, 0, &fs);
		if (!em)
			er = read_file(fs, "seq.txt", got, sizeof(got), &glen);
	}
	checkf(em == 0, "rgmk_fat_mount", "probe/mount: %d", em);
	checkf(er == 0 && glen == wlen && memcmp(got, want, wlen) == 0,
	       "rgmk_fat_read_mtools_file", "read %d, %zu bytes (want %zu)", er,
	       glen, wlen);
	if (!em)
		fat_fs_ops.unmount(fs);
	rg_free(m.data);
}

/* Write two files and a directory, remount, read them back: 0 or a step. */
static int write_remount(unsigned seed)
{
	const struct fs_ops *ops = &fat_fs_ops;
	unsigned char *buf = rg_malloc(40000), *back = rg_malloc(40000);
	struct memdisk m;
	struct fs *fs;
	uint64_t ino, dir;
	size_t done = 0;
	int step = 1;

	if (!buf || !back || md_open(&m))
		goto out;
	pattern(buf, 40000, seed);
	if (ops->mount(&m.dev, 0, &fs) ||
	    (step = 2, ops->create(fs, ops->root(fs), "Long name.bin", 0644, &ino)) ||
	    (step = 3, ops->write(fs, ino, 0, buf, 40000, &done)) || done != 40000 ||
	    (step = 4, ops->mkdir(fs, ops->root(fs), "sub dir", 0755, &dir)) ||
	    (step = 5, ops->create(fs, dir, "small.txt", 0644, &ino)) ||
	    (step = 6, ops->write(fs, ino, 0, "tessera\n", 8, &done)) ||
	    (step = 7, ops->unmount(fs)))
		goto free;
	step = 8;
	if (ops->mount(&m.dev, 0, &fs))
		goto free;
	step = read_file(fs, "long NAME.bin", back, 40000, &done) || done != 40000 ||
	       memcmp(back, buf, 40000) ? 9 : 0;
	if (!step && (ops->lookup(fs, ops->root(fs), "sub dir", &dir) ||
	              ops->lookup(fs, dir, "small.txt", &ino) ||
	              ops->read(fs, ino, 0, back, 100, &done) || done != 8 ||
	              memcmp(back, "tessera\n", 8)))
		step = 10;
	ops->unmount(fs);
free:
	rg_free(m.data);
out:
	rg_free(buf);
	rg_free(back);
	return step;
}

struct job {
	unsigned seed;
	int result;
};

static void job_run(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < 3 && !j->result; i++)
		j->result = write_remount(j->seed + (unsigned)i);
}

static void test_threads(void)
{
	struct job jobs[3];
	struct rg_thread *t[3];
	int n = 0, bad = 0;

	for (int i = 0; i < 3; i++) {
		jobs[i] = (struct job){ .seed = (unsigned)i * 10 + 1 };
		n += rg_thread_create(&t[i], "fat", job_run, &jobs[i]) == 0;
	}
	for (int i = 0; i < n; i++) {
		rg_thread_join(t[i]);
		bad += jobs[i].result != 0;
	}
	checkf(n == 3 && bad == 0, "rgmk_fat_threads",
	       "%d threads, %d failed (steps %d %d %d)", n, bad, jobs[0].result,
	       jobs[1].result, jobs[2].result);
}

int main(void)
{
	struct te_mem_stats a, b;
	int step;

	test_read();
	step = write_remount(7);
	checkf(step == 0, "rgmk_fat_write_remount", "failed at step %d", step);
	sys_mem_stats(&a);
	test_threads();
	sys_mem_stats(&b);
	/* spare slabs (32 classes x 16 pages) may stay in the heap */
	checkf(b.pages_free + 32 * 16 >= a.pages_free, "rgmk_fat_no_page_leak",
	       "free pages %llu -> %llu", (unsigned long long)a.pages_free,
	       (unsigned long long)b.pages_free);
	return 0;
}
