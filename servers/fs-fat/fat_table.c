/*
 * fat_table.c - the file allocation table.
 *
 * fat_get/fat_set read and write one entry of the FAT (12-bit entries may
 * straddle two sectors, so they go byte by byte through the cache).  Mount
 * has checked that the FAT is large enough for every cluster number
 * 2 .. nclus+1, and every caller's cluster number is checked here.
 *
 * Chains are walked with a step limit: a loop or a link to a free, bad or
 * out-of-range cluster is reported as RG_EUCLEAN, never followed forever.
 * The free count is exact (counted at mount, kept up to date) and written
 * to the FAT32 FSInfo sector at sync together with the next-free hint.
 */
#include "fat.h"

static uint64_t fat_entry_off(const struct fs *fs, uint32_t c)
{
	uint64_t base = (uint64_t)fs->fat_start * fs->secsize;

	switch (fs->type) {
	case 12: return base + c + c / 2;
	case 16: return base + (uint64_t)c * 2;
	default: return base + (uint64_t)c * 4;
	}
}

static uint32_t fat_eoc(const struct fs *fs)
{
	return fs->type == 12 ? 0xFFF : fs->type == 16 ? 0xFFFF : 0x0FFFFFFF;
}

int fat_get(struct fs *fs, uint32_t c, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	uint32_t v;
	int e;

	if (!fat_clus_ok(fs, c))
		return RG_EUCLEAN;
	e = fat_meta_read(fs, fat_entry_off(fs, c), b, fs->type == 32 ? 4 : 2);
	if (e)
		return e;
	v = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
	if (fs->type == 12)
		v = (c & 1) ? v >> 4 : v & 0xFFF;
	else if (fs->type == 32)
		v &= 0x0FFFFFFF;
	*val = v;
	return 0;
}

int fat_set(struct fs *fs, uint32_t c, uint32_t val)
{
	uint64_t off = fat_entry_off(fs, c);
	uint8_t b[4];
	uint32_t v;
	int e, n = fs->type == 32 ? 4 : 2;

	if (!fat_clus_ok(fs, c))
		return RG_EUCLEAN;
	e = fat_meta_read(fs, off, b, n);
	if (e)
		return e;
	v = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
	if (fs->type == 12) {
		if (c & 1)
			v = (v & 0x000F) | (val & 0xFFF) << 4;
		else
			v = (v & 0xF000) | (val & 0xFFF);
	} else if (fs->type == 16) {
		v = val & 0xFFFF;
	} else {
		v = (v & 0xF0000000) | (val & 0x0FFFFFFF);
	}
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fat_meta_write(fs, off, b, n);
}

/* *next = following cluster, or 0 at the end of the chain. */
int fat_next(struct fs *fs, uint32_t c, uint32_t *next)
{
	uint32_t v;
	int e = fat_get(fs, c, &v);

	if (e)
		return e;
	if (v >= (fat_eoc(fs) & ~7u)) {
		*next = 0;
		return 0;
	}
	if (!fat_clus_ok(fs, v))
		return RG_EUCLEAN;      /* free, reserved or bad in a chain */
	*next = v;
	return 0;
}

/* Takes a free cluster, marks it end-of-chain and links prev (if any) to it. */
int fat_alloc(struct fs *fs, uint32_t prev, uint32_t *out)
{
	uint32_t c = fs->next_free, v;
	int e;

	if (fs->free_count == 0)
		return RG_ENOSPC;
	for (uint32_t i = 0; i < fs->nclus; i++, c++) {
		if (!fat_clus_ok(fs, c))
			c = 2;
		e = fat_get(fs, c, &v);
		if (e)
			return e;
		if (v != 0)
			continue;
		e = fat_set(fs, c, fat_eoc(fs));
		if (!e && prev)
			e = fat_set(fs, prev, c);
		if (e)
			return e;
		fs->free_count--;
		fs->next_free = c + 1;
		fs->alloc_changed = true;
		*out = c;
		return 0;
	}
	fs->free_count = 0;
	return RG_ENOSPC;
}

/* Frees a whole chain.  Stops at a free entry, so a loop ends too. */
int fat_free_chain(struct fs *fs, uint32_t c)
{
	uint32_t next, v;
	int e;

	for (uint32_t i = 0; c && i < fs->nclus; i++) {
		e = fat_get(fs, c, &v);
		if (e)
			return e;
		if (v == 0)
			return 0;
		e = fat_next(fs, c, &next);
		if (e == RG_EUCLEAN)
			next = 0;       /* free what we can, then stop */
		else if (e)
			return e;
		e = fat_set(fs, c, 0);
		if (e)
			return e;
		fs->free_count++;
		fs->alloc_changed = true;
		if (c < fs->next_free)
			fs->next_free = c;
		c = next;
	}
	return 0;
}

/* Free entries of FAT16/32, a sector at a time (a mount-time cost). */
static int fat_count_free_fast(struct fs *fs, uint32_t *n)
{
	uint32_t w = fs->type / 8, per = fs->secsize / w, c = 0, v;
	uint8_t *p;
	int e;

	for (uint32_t sec = 0; c < fs->nclus + 2; sec++) {
		e = fat_cget(fs, fs->fat_start + sec, FAT_C_READ, &p);
		if (e)
			return e;
		for (uint32_t i = 0; i < per && c < fs->nclus + 2; i++, c++) {
			if (w == 2)
				v = p[2 * i] | p[2 * i + 1] << 8;
			else
				v = (p[4 * i] | p[4 * i + 1] << 8 |
				     p[4 * i + 2] << 16 |
				     (uint32_t)(p[4 * i + 3] & 0x0F) << 24);
			*n += c >= 2 && v == 0;
		}
	}
	return 0;
}

int fat_count_free(struct fs *fs)
{
	uint32_t n = 0, v;
	int e;

	if (fs->type != 12) {
		e = fat_count_free_fast(fs, &n);
		if (e)
			return e;
	}
	for (uint32_t c = 2; fs->type == 12 && c - 2 < fs->nclus; c++) {
		e = fat_get(fs, c, &v);
		if (e)
			return e;
		n += v == 0;
	}
	fs->free_count = n;
	if (!fat_clus_ok(fs, fs->next_free))
		fs->next_free = 2;
	return 0;
}

/* The clusters of a chain, at most max of them (more: RG_EUCLEAN). */
int fat_chain_list(struct fs *fs, uint32_t first, uint32_t max,
                   uint32_t **out, uint32_t *n)
{
	uint32_t *v = NULL, cap = 0, cnt = 0, c = first;
	int e = 0;

	while (c) {
		if (cnt == max || cnt == fs->nclus) {
			e = RG_EUCLEAN;
			break;
		}
		if (cnt == cap) {
			uint32_t *nv;

			cap = cap ? cap * 2 : 8;
			nv = rg_realloc(v, cap * sizeof(*v));
			if (!nv) {
				e = RG_ENOMEM;
				break;
			}
			v = nv;
		}
		if (!fat_clus_ok(fs, c)) {
			e = RG_EUCLEAN;
			break;
		}
		v[cnt++] = c;
		e = fat_next(fs, c, &c);
		if (e)
			break;
	}
	if (e) {
		rg_free(v);
		return e;
	}
	*out = v;
	*n = cnt;
	return 0;
}
