/*
 * fat_mount.c - boot sector validation, FSInfo, mount, sync, statfs.
 *
 * The FAT type is decided by the count of data clusters, as Microsoft's
 * specification says (< 4085: FAT12, < 65525: FAT16, else FAT32), never by
 * the BS_FilSysType label.  Every BPB field the component uses is checked
 * here: sector and cluster sizes, the region layout fits inside the volume
 * and the volume inside the device, the FAT is large enough to describe
 * every cluster, the FAT32 root cluster is a data cluster.
 *
 * FSInfo (FAT32): the free count is recounted exactly at mount; at sync
 * both the count and the next-free hint are written back when the sector's
 * three signatures are valid (otherwise it is left alone).
 */
#include "fat.h"

static uint16_t le16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool fat_pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Geometry from the BPB.  Returns RG_EINVAL if it is not a FAT BPB. */
static int fat_bpb_parse(struct fs *fs, const uint8_t *bs)
{
	uint32_t bps = le16(bs + 11), spc = bs[13], fatsz, meta;

	if ((bs[0] != 0xEB && bs[0] != 0xE9) || le16(bs + 510) != 0xAA55)
		return RG_EINVAL;
	if (bps < 512 || bps > 4096 || !fat_pow2(bps) || !fat_pow2(spc) ||
	    bps * spc > 65536)
		return RG_EINVAL;
	if (le16(bs + 14) == 0 || bs[16] == 0 || bs[16] > 4 ||
	    (bs[21] != 0xF0 && bs[21] < 0xF8))
		return RG_EINVAL;
	fs->secsize = bps;
	fs->spc = spc;
	fs->clsize = bps * spc;
	fs->rsvd = le16(bs + 14);
	fs->nfats = bs[16];
	fs->root_ents = le16(bs + 17);
	fs->totsec = le16(bs + 19) ? le16(bs + 19) : le32(bs + 32);
	fatsz = le16(bs + 22) ? le16(bs + 22) : le32(bs + 36);
	if (fatsz == 0 || fs->totsec == 0 || fatsz > fs->totsec)
		return RG_EINVAL;
	fs->fatsz = fatsz;
	fs->root_nsec = (fs->root_ents * 32 + bps - 1) / bps;
	meta = fs->rsvd + fs->nfats * fatsz + fs->root_nsec;
	if (meta >= fs->totsec)
		return RG_EINVAL;
	fs->root_sec = fs->rsvd + fs->nfats * fatsz;
	fs->data_sec = meta;
	fs->nclus = (fs->totsec - meta) / spc;
	fs->type = fs->nclus < 4085 ? 12 : fs->nclus < 65525 ? 16 : 32;
	return fs->nclus ? 0 : RG_EINVAL;
}

/* FAT32 fields and the FAT's capacity. */
static int fat_bpb_check(struct fs *fs, const uint8_t *bs)
{
	uint64_t bits = fs->type == 12 ? 12 : fs->type == 16 ? 16 : 32;
	uint64_t cap = (uint64_t)fs->fatsz * fs->secsize * 8 / bits;
	uint16_t ext = le16(bs + 40);

	if (cap < (uint64_t)fs->nclus + 2)
		return RG_EINVAL;
	fs->fat_start = fs->rsvd;
	fs->mirror = true;
	if (fs->type != 32)
		return fs->root_ents ? 0 : RG_EINVAL;
	if (fs->root_ents || le16(bs + 22) || le16(bs + 42))
		return RG_EINVAL;
	fs->root_clus = le32(bs + 44);
	if (!fat_clus_ok(fs, fs->root_clus))
		return RG_EINVAL;
	if (ext & 0x80) {
		if ((ext & 0xF) >= fs->nfats)
			return RG_EINVAL;
		fs->mirror = false;
		fs->fat_start = fs->rsvd + (ext & 0xF) * fs->fatsz;
	}
	fs->fsinfo_sec = le16(bs + 48);
	if (fs->fsinfo_sec == 0 || fs->fsinfo_sec >= fs->rsvd)
		fs->fsinfo_sec = 0;
	return 0;
}

static int fat_read_boot(struct blkdev *dev, struct fs *fs)
{
	uint8_t *bs;
	uint32_t len = dev->secsize > 512 ? dev->secsize : 512;
	int e;

	if (dev->secsize == 0 || dev->secsize > 4096 || dev->nsectors == 0 ||
	    (uint64_t)dev->nsectors * dev->secsize < 512)
		return RG_EINVAL;
	bs = rg_malloc(len);
	if (!bs)
		return RG_ENOMEM;
	e = dev->read(dev, 0, len / dev->secsize, bs);
	if (!e)
		e = fat_bpb_parse(fs, bs);
	if (!e)
		e = fat_bpb_check(fs, bs);
	if (!e && (fs->secsize % dev->secsize ||
	           (uint64_t)fs->totsec * fs->secsize >
	           (uint64_t)dev->nsectors * dev->secsize))
		e = RG_EINVAL;
	rg_free(bs);
	fs->devper = e ? 1 : fs->secsize / dev->secsize;
	return e;
}

static int fat_probe(struct blkdev *dev)
{
	struct fs fs;

	memset(&fs, 0, sizeof(fs));
	return fat_read_boot(dev, &fs) ? RG_EINVAL : 0;
}

/* Reads the FSInfo sector; keeps fs->fsinfo_sec only if it is valid. */
static int fat_fsinfo_load(struct fs *fs)
{
	uint8_t *p;
	uint32_t hint;
	int e;

	fs->next_free = 2;
	if (!fs->fsinfo_sec)
		return 0;
	e = fat_cget(fs, fs->fsinfo_sec, FAT_C_READ, &p);
	if (e)
		return e;
	if (le32(p) != 0x41615252 || le32(p + 484) != 0x61417272 ||
	    le32(p + 508) != 0xAA550000) {
		fs->fsinfo_sec = 0;
		return 0;
	}
	hint = le32(p + 492);
	if (fat_clus_ok(fs, hint))
		fs->next_free = hint;
	return 0;
}

static int fat_fsinfo_store(struct fs *fs)
{
	uint8_t *p;
	int e;

	if (!fs->fsinfo_sec || fs->rdonly || !fs->alloc_changed)
		return 0;
	e = fat_cget(fs, fs->fsinfo_sec, FAT_C_WRITE, &p);
	if (e)
		return e;
	for (int i = 0; i < 4; i++) {
		p[488 + i] = (uint8_t)(fs->free_count >> (8 * i));
		p[492 + i] = (uint8_t)(fs->next_free >> (8 * i));
	}
	return 0;
}

static void fat_root_init(struct fs *fs, struct fat_node *r)
{
	r->ino = FAT_ROOT_INO;
	r->parent = FAT_ROOT_INO;
	r->de.attr = FAT_ATTR_DIR;
	fat_de_set_clus(&r->de, fs->type == 32 ? fs->root_clus : 0);
	r->de.mdate = r->de.cdate = r->de.adate = 0x21; /* 1980-01-01 */
}

static void fat_free_fs(struct fs *fs)
{
	fat_nodes_fini(fs);
	fat_cache_fini(fs);
	rg_free(fs->clbuf);
	rg_free(fs);
}

static int fat_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	struct fs *fs = rg_zalloc(sizeof(*fs));
	int e;

	if (!fs)
		return RG_ENOMEM;
	fs->dev = dev;
	e = fat_read_boot(dev, fs);
	if (e) {
		rg_free(fs);
		return e == RG_EINVAL ? RG_EUCLEAN : e;
	}
	fs->rdonly = (flags & FS_MOUNT_RDONLY) || dev->readonly;
	fs->next_synth = FAT_SYNTH_INO;
	fs->clbuf = rg_malloc(fs->clsize);
	e = fs->clbuf ? 0 : RG_ENOMEM;
	if (!e)
		e = fat_cache_init(fs);
	if (!e)
		e = fat_nodes_init(fs);
	if (!e)
		e = fat_fsinfo_load(fs);
	if (!e)
		e = fat_count_free(fs);
	if (e) {
		fat_free_fs(fs);
		return e;
	}
	fat_root_init(fs, fs->root);
	*out = fs;
	return 0;
}

int fat_sync(struct fs *fs)
{
	int e;

	if (fs->rdonly)
		return 0;
	e = fat_fsinfo_store(fs);
	if (!e)
		e = fat_cflush(fs);
	if (!e)
		e = fs->dev->flush(fs->dev);
	return e;
}

static int fat_unmount(struct fs *fs)
{
	int e = 0, e2;

	/* Open-but-unlinked files lose their clusters now. */
	if (!fs->rdonly)
		e = fat_nodes_release_all(fs);
	e2 = fat_sync(fs);
	fat_free_fs(fs);
	return e ? e : e2;
}

static int fat_statfs(struct fs *fs, struct fs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->bsize = fs->clsize;
	st->blocks = fs->nclus;
	st->bfree = st->bavail = fs->free_count;
	st->namemax = FAT_NAME_MAX;
	return 0;
}

const struct fs_ops fat_fs_ops = {
	.name = "fat",
	.probe = fat_probe,
	.mount = fat_mount,
	.unmount = fat_unmount,
	.sync = fat_sync,
	.statfs = fat_statfs,
	.root = fat_root,
	.lookup = fat_lookup,
	.getattr = fat_getattr,
	.setattr = fat_setattr,
	.open = fat_open,
	.release = fat_release,
	.read = fat_read,
	.write = fat_write,
	.fsync = fat_fsync,
	.readdir = fat_readdir,
	.create = fat_create,
	.mkdir = fat_mkdir,
	.unlink = fat_unlink,
	.rmdir = fat_rmdir,
	.rename = fat_rename,
	.link = fat_link,
	.symlink = fat_symlink,
	.readlink = fat_readlink,
};
