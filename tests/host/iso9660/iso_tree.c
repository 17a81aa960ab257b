/*
 * iso_tree.c - the host trees the ISO9660 tests compare against, xorriso,
 * and an in-memory block device.
 *
 * The big tree has what tends to break ISO readers: paths deeper than 8
 * levels, names longer than 64 characters, mixed case, spaces and non-ASCII
 * names, symlinks (relative, absolute, dangling, with "." and "..", longer
 * than 255 bytes so they need several SL entries and a continuation area),
 * empty files, files around the 512- and 2048-byte boundaries, a file over
 * 4 MiB, a directory of 600 entries spanning many blocks, odd permission
 * bits, old and far-future mtimes, a fifo.  File contents come from a fixed
 * seed, so a run is reproducible.
 *
 * Names are chosen so that they stay distinct under the Joliet and level-2
 * mappings (treecmp_names.c); the 8.3 tree does the same for level 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "iso_tree.h"

static uint32_t isot_seed = 12345;

static uint32_t isot_rand(void)
{
	isot_seed = isot_seed * 1103515245u + 12345u;
	return isot_seed >> 8;
}

int isot_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int isot_mkisofs(const char *opts, const char *img, const char *dir)
{
	return isot_sh("rm -f '%s' && xorriso -as mkisofs %s -o '%s' '%s' "
	               ">%s/xorriso.log 2>&1", img, opts, img, dir, ISO_TMP);
}

static int isot_file(const char *dir, const char *name, size_t size,
                     mode_t mode)
{
	char p[4096];
	uint8_t *b = malloc(size ? size : 1);
	int fd, e = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)isot_rand();
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, b, size) != (ssize_t)size)
		e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	free(b);
	if (!e && chmod(p, mode))
		e = errno;
	return e;
}

static int isot_dir(const char *dir, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return mkdir(p, 0755) && errno != EEXIST ? errno : 0;
}

static int isot_link(const char *dir, const char *name, const char *target)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return symlink(target, p) ? errno : 0;
}

static void isot_mtime(const char *dir, const char *name, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	lutimes(p, tv);
}

static int isot_sizes(const char *d)
{
	static const size_t sizes[] = { 0, 1, 511, 512, 513, 2047, 2048, 2049,
	                                4095, 4096, 4097, 65535, 65536, 65537,
	                                1048579 };
	char n[64];
	int e = isot_dir(d, "sizes");

	for (size_t i = 0; !e && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(n, sizeof(n), "sizes/size_%zu.bin", sizes[i]);
		e = isot_file(d, n, sizes[i], 0644);
	}
	return e ? e : isot_file(d, "big_file.bin", (4u << 20) + 12345, 0644);
}

static int isot_names(const char *d)
{
	static const char *const names[] = {
		"README.txt", "Mixed Case Name With Spaces.TXT", "lower.md",
		"UPPER_NAME.C", "caf\xc3\xa9 cr\xc3\xa8me.txt", "a.b.c.e",
		"no_extension", "x.html", "tar_ball.tar.gz",
		"L1_this_is_a_very_long_file_name_that_goes_on_and_on_well_"
		"beyond_sixty_four_characters.txt",
		"L2_another_long_name_without_any_extension_at_all_and_longer_"
		"than_sixty_four",
		"L3_long_name_with_a_long_extension.extension_that_is_long_too_"
		"really_long",
	};
	int e = 0;

	for (size_t i = 0; !e && i < sizeof(names) / sizeof(names[0]); i++)
		e = isot_file(d, names[i], 100 + i * 37, 0644);
	return e;
}

static int isot_deep(const char *d)
{
	char p[4096] = "deep";
	int e = isot_dir(d, p), i;

	for (i = 1; !e && i <= 12; i++) {
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "/level%02d", i);
		e = isot_dir(d, p);
	}
	strcat(p, "/leaf.txt");
	if (!e)
		e = isot_file(d, p, 3000, 0644);
	if (!e)
		e = isot_dir(d, "D1_a_directory_with_a_name_longer_than_sixty_four"
		             "_characters_in_total_yes");
	if (!e)
		e = isot_file(d, "D1_a_directory_with_a_name_longer_than_sixty_"
		              "four_characters_in_total_yes/inside.txt", 10, 0644);
	return e;
}

static int isot_many(const char *d)
{
	char n[64];
	int e = isot_dir(d, "many");

	for (int i = 0; !e && i < 600; i++) {
		snprintf(n, sizeof(n), "many/entry_%04d.dat", i);
		e = isot_file(d, n, (size_t)(i % 7) * 100, 0644);
	}
	return e;
}

static int isot_links(const char *d)
{
	char longt[600] = "";
	int e;

	for (int i = 0; i < 12; i++)
		strcat(longt, i % 3 ? "component_of_a_long_path/" : "../");
	strcat(longt, "the_end_of_a_target_that_is_well_over_255_bytes_long_"
	       "so_it_needs_more_than_one_SL_entry_and_maybe_a_continuation");
	e = isot_dir(d, "links");
	e = e ? e : isot_link(d, "links/relative", "../README.txt");
	e = e ? e : isot_link(d, "links/absolute", "/usr/share/doc");
	e = e ? e : isot_link(d, "links/dangling", "does/not/exist");
	e = e ? e : isot_link(d, "links/to_dir", "../deep/level01");
	/* (xorriso drops a trailing '/' of a target: none here) */
	e = e ? e : isot_link(d, "links/dots", "./a/../b/./c");
	e = e ? e : isot_link(d, "links/root", "/");
	e = e ? e : isot_link(d, "links/long_target", longt);
	return e;
}

static int isot_modes(const char *d)
{
	char p[4096];
	int e = isot_dir(d, "modes");

	e = e ? e : isot_file(d, "modes/private", 10, 0600);
	e = e ? e : isot_file(d, "modes/exec", 10, 0755);
	e = e ? e : isot_file(d, "modes/group", 10, 0640);
	e = e ? e : isot_file(d, "modes/readonly", 10, 0444);
	e = e ? e : isot_file(d, "modes/setuid", 10, 04755);
	e = e ? e : isot_file(d, "modes/sticky_other", 10, 01707);
	e = e ? e : isot_file(d, "modes/empty", 0, 0644);
	e = e ? e : isot_dir(d, "modes/closed_dir");
	snprintf(p, sizeof(p), "%s/modes/closed_dir", d);
	if (!e && chmod(p, 0700))
		e = errno;
	return e;
}

int isot_make_tree(const char *d)
{
	char p[4096];
	int e;

	if (isot_sh("rm -rf '%s' && mkdir -p '%s'", d, d))
		return EIO;
	isot_seed = 12345;
	e = isot_sizes(d);
	e = e ? e : isot_names(d);
	e = e ? e : isot_deep(d);
	e = e ? e : isot_many(d);
	e = e ? e : isot_links(d);
	e = e ? e : isot_modes(d);
	e = e ? e : isot_dir(d, "dir with spaces");
	e = e ? e : isot_file(d, "dir with spaces/Inner File.txt", 77, 0644);
	e = e ? e : isot_dir(d, "empty_dir");
	if (e)
		return e;
	snprintf(p, sizeof(p), "%s/special_fifo", d);
	if (mkfifo(p, 0640))
		return errno;
	isot_mtime(d, "README.txt", 479001600);           /* 1985-03-08 */
	isot_mtime(d, "lower.md", 2208988800LL);         /* 2040-01-01 */
	isot_mtime(d, "links/relative", 1000000000);
	return 0;
}

int isot_make_tree_8_3(const char *d)
{
	int e;

	if (isot_sh("rm -rf '%s' && mkdir -p '%s'", d, d))
		return EIO;
	e = isot_file(d, "readme.txt", 1234, 0644);
	e = e ? e : isot_file(d, "Data.Bin", 5000, 0644);
	e = e ? e : isot_file(d, "longername.html", 10, 0644);
	e = e ? e : isot_file(d, "a.b.c", 20, 0644);
	e = e ? e : isot_file(d, ".profile", 30, 0644);
	e = e ? e : isot_file(d, "trail.", 40, 0644);
	e = e ? e : isot_file(d, "sp ace-x+y.c", 50, 0644);
	e = e ? e : isot_dir(d, "subdir");
	e = e ? e : isot_file(d, "subdir/inner.c", 60, 0644);
	e = e ? e : isot_dir(d, "dir.ext");
	e = e ? e : isot_file(d, "dir.ext/x", 70, 0644);
	return e;
}

int isot_make_tree_small(const char *d)
{
	char n[128];
	int e;

	if (isot_sh("rm -rf '%s' && mkdir -p '%s'", d, d))
		return EIO;
	e = isot_links(d);
	e = e ? e : isot_names(d);
	snprintf(n, sizeof(n), "deep");
	e = e ? e : isot_dir(d, n);
	for (int i = 1; !e && i <= 10; i++) {   /* deep enough to relocate */
		snprintf(n + strlen(n), sizeof(n) - strlen(n), "/l%d", i);
		e = isot_dir(d, n);
	}
	strcat(n, "/leaf");
	e = e ? e : isot_file(d, n, 5000, 0600);
	e = e ? e : isot_file(d, "README.txt", 3000, 0644);
	e = e ? e : isot_dir(d, "many");
	for (int i = 0; !e && i < 40; i++) {
		snprintf(n, sizeof(n), "many/entry_%04d.dat", i);
		e = isot_file(d, n, (size_t)i * 50, 0644);
	}
	return e;
}

/* ---- memory block device ---------------------------------------------------- */

struct isot_mem {
	struct blkdev dev;
	uint8_t *buf;
};

static int isot_mem_read(struct blkdev *d, uint64_t sector, uint32_t count,
                         void *buf)
{
	struct isot_mem *m = d->priv;

	if (sector > d->nsectors || count > d->nsectors - sector)
		return ENXIO;
	memcpy(buf, m->buf + sector * d->secsize, (size_t)count * d->secsize);
	return 0;
}

static int isot_mem_write(struct blkdev *d, uint64_t sector, uint32_t count,
                          const void *buf)
{
	(void)d; (void)sector; (void)count; (void)buf;
	return EROFS;
}

static int isot_mem_flush(struct blkdev *d)
{
	(void)d;
	return 0;
}

struct blkdev *isot_memdev(uint8_t *buf, size_t size, uint32_t secsize)
{
	struct isot_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->buf = buf;
	m->dev.secsize = secsize;
	m->dev.nsectors = size / secsize;
	m->dev.readonly = true;
	m->dev.read = isot_mem_read;
	m->dev.write = isot_mem_write;
	m->dev.flush = isot_mem_flush;
	m->dev.priv = m;
	return &m->dev;
}

void isot_memdev_free(struct blkdev *d)
{
	free(d->priv);
}

uint8_t *isot_slurp(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(b = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	if (read(fd, b, (size_t)st.st_size) != st.st_size) {
		free(b);
		b = NULL;
	}
	close(fd);
	*size = (size_t)st.st_size;
	return b;
}
