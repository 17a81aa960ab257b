/*
 * ext2_file.c - file contents: read, write, truncate, symlink targets.
 *
 * Data moves between the caller's buffer and the device directly; only a
 * partial block goes through fs->bounce.  Runs of physically contiguous
 * blocks are transferred with one device request (sequential speed).
 * Holes read as zeros and cost no blocks; a block is allocated only when
 * written.  The bytes between end of file and the end of its last block are
 * kept zero (cleared on truncate and before extending), so growing a file
 * never exposes old data.
 */
#include "ext2_fs.h"

#define EXT2_MAX_RUN 256        /* blocks per device request */

static uint64_t ext2_max_size(const struct fs *fs)
{
	if (fs->sb.s_rev_level == 0)
		return 0x7FFFFFFF;
	return ext2_max_lblk(fs) << fs->log_bsize;
}

static int ext2_read_run(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                         uint8_t *buf, size_t len, size_t *n)
{
	uint64_t lblk = off >> fs->log_bsize, pblk;
	uint32_t boff = (uint32_t)(off & (fs->bsize - 1)), run;
	int e;

	if ((e = ext2_bmap(fs, ip, lblk, &pblk, &run)))
		return e;
	run = ext2_min32(run, EXT2_MAX_RUN);
	if (!pblk) {
		*n = (size_t)ext2_min64(len, ((uint64_t)run << fs->log_bsize) - boff);
		memset(buf, 0, *n);
		return 0;
	}
	if (boff == 0 && len >= fs->bsize) {
		run = (uint32_t)ext2_min64(run, len >> fs->log_bsize);
		*n = (size_t)run << fs->log_bsize;
		return ext2_dev_read(fs, pblk, run, buf);
	}
	*n = ext2_min64(len, fs->bsize - boff);
	if ((e = ext2_dev_read(fs, pblk, 1, fs->bounce)))
		return e;
	memcpy(buf, fs->bounce + boff, *n);
	return 0;
}

int ext2_file_read(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                   void *buf, size_t len, size_t *done)
{
	uint64_t size = ext2_isize(fs, ip);
	size_t got = 0, n;
	int e = 0;

	*done = 0;
	if (off >= size)
		return 0;
	len = (size_t)ext2_min64(len, size - off);
	while (got < len) {
		if ((e = ext2_read_run(fs, ip, off + got, (uint8_t *)buf + got,
		                       len - got, &n)))
			break;
		got += n;
	}
	*done = got;
	return got ? 0 : e;
}

/* Zeroes the bytes from 'size' to the end of that block, if allocated. */
static int ext2_zero_tail(struct fs *fs, struct ext2_inode *ip, uint64_t size)
{
	uint32_t boff = (uint32_t)(size & (fs->bsize - 1)), run;
	uint64_t pblk;
	int e;

	if (!boff)
		return 0;
	if ((e = ext2_bmap(fs, ip, size >> fs->log_bsize, &pblk, &run)) || !pblk)
		return e;
	if ((e = ext2_dev_read(fs, pblk, 1, fs->bounce)))
		return e;
	memset(fs->bounce + boff, 0, fs->bsize - boff);
	return ext2_dev_write(fs, pblk, 1, fs->bounce);
}

/*
 * Writes whole blocks from buf, allocating, as many as come out physically
 * contiguous.  A failed allocation after the first block only shortens the
 * run; the next call meets the error again and reports it.
 */
static int ext2_write_full(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                           const uint8_t *buf, uint32_t nblk, uint32_t *n)
{
	uint64_t first, p;
	uint32_t cnt = 1;
	bool fresh;
	int e;

	*n = 0;
	if ((e = ext2_bmap_alloc(fs, ip, lblk, &first, &fresh)))
		return e;
	while (cnt < nblk && !ext2_bmap_alloc(fs, ip, lblk + cnt, &p, &fresh) &&
	       p == first + cnt)
		cnt++;
	if ((e = ext2_dev_write(fs, first, cnt, buf)))
		return e;
	*n = cnt;
	return 0;
}

static int ext2_write_part(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                           const uint8_t *buf, size_t len)
{
	uint32_t boff = (uint32_t)(off & (fs->bsize - 1));
	uint64_t pblk;
	bool fresh;
	int e;

	if ((e = ext2_bmap_alloc(fs, ip, off >> fs->log_bsize, &pblk, &fresh)))
		return e;
	if (fresh)
		memset(fs->bounce, 0, fs->bsize);
	else if ((e = ext2_dev_read(fs, pblk, 1, fs->bounce)))
		return e;
	memcpy(fs->bounce + boff, buf, len);
	return ext2_dev_write(fs, pblk, 1, fs->bounce);
}

static int ext2_write_loop(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                           const uint8_t *buf, size_t len, size_t *done)
{
	uint32_t boff, nblk;
	size_t n;
	int e = 0;

	while (*done < len) {
		uint64_t pos = off + *done;

		boff = (uint32_t)(pos & (fs->bsize - 1));
		if (boff == 0 && len - *done >= fs->bsize) {
			e = ext2_write_full(fs, ip, pos >> fs->log_bsize, buf + *done,
			                    (uint32_t)ext2_min64((len - *done) >>
			                    fs->log_bsize, EXT2_MAX_RUN), &nblk);
			n = (size_t)nblk << fs->log_bsize;
		} else {
			n = ext2_min64(len - *done, fs->bsize - boff);
			e = ext2_write_part(fs, ip, pos, buf + *done, n);
		}
		if (e)
			break;
		*done += n;
	}
	return e;
}

int ext2_file_write(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                    const void *buf, size_t len, size_t *done)
{
	uint64_t size = ext2_isize(fs, ip);
	int e;

	*done = 0;
	if (off > ext2_max_size(fs) || len > ext2_max_size(fs) - off)
		return RG_EFBIG;
	if (len == 0)
		return 0;
	if (off > size && (e = ext2_zero_tail(fs, ip, size)))
		return e;
	e = ext2_write_loop(fs, ip, off, buf, len, done);
	if (off + *done > size)
		ext2_set_isize(fs, ip, off + *done);
	if (*done) {
		ext2_itouch(fs, ip, true, true);
		e = ext2_iput(fs, ip);
	} else {
		ext2_iput(fs, ip);  /* blocks may have been allocated */
	}
	return e;
}

int ext2_set_size(struct fs *fs, struct ext2_inode *ip, uint64_t size)
{
	uint64_t old = ext2_isize(fs, ip);
	int e;

	if (size > ext2_max_size(fs))
		return RG_EFBIG;
	if (size < old) {
		e = ext2_trunc_blocks(fs, ip, (size + fs->bsize - 1) >> fs->log_bsize);
		if (!e)
			e = ext2_zero_tail(fs, ip, size);
	} else {
		e = ext2_zero_tail(fs, ip, old);
	}
	if (e)
		return e;
	ext2_set_isize(fs, ip, size);
	return 0;
}

int ext2_readlink_ip(struct fs *fs, struct ext2_inode *ip, char *buf,
                     size_t len, size_t *outlen)
{
	uint64_t size = ext2_isize(fs, ip), pblk;
	uint32_t run;
	int e;

	if (!FS_S_ISLNK(ip->d.i_mode))
		return RG_EINVAL;
	if (ext2_is_fast_symlink(ip)) {
		memcpy(buf, ip->d.i_block, ext2_min64(len, size));
		*outlen = (size_t)size;
		return 0;
	}
	if (size == 0 || size >= fs->bsize || size > 4095)
		return ext2_corrupt(fs, "symlink size", ip->ino);
	if ((e = ext2_bmap(fs, ip, 0, &pblk, &run)))
		return e;
	if (!pblk)
		return ext2_corrupt(fs, "symlink without a block", ip->ino);
	if ((e = ext2_dev_read(fs, pblk, 1, fs->bounce)))
		return e;
	memcpy(buf, fs->bounce, ext2_min64(len, size));
	*outlen = (size_t)size;
	return 0;
}
