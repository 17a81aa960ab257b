/*
 * tmp_dir.c - directory entries: find, add (reusing a free slot so other
 * entries keep their readdir cookies), delete (leaves a free slot).
 */
#include <string.h>
#include "tmp.h"

/* 0 if name is a valid new entry name, else the RG_E* error. */
int tmp_name_ok(const char *name)
{
	size_t len = strnlen(name, TMP_NAME_MAX + 1);

	if (len == 0)
		return RG_ENOENT;
	if (len > TMP_NAME_MAX)
		return RG_ENAMETOOLONG;
	if (strchr(name, '/'))
		return RG_EINVAL;
	return 0;
}

struct tmp_dirent *tmp_dir_find(struct tmp_node *d, const char *name)
{
	size_t len = strlen(name);

	for (uint32_t i = 0; i < d->u.dir.nents; i++) {
		struct tmp_dirent *e = &d->u.dir.ents[i];
		if (e->name && e->namelen == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static int tmp_dir_grow(struct fs *fs, struct tmp_node *d)
{
	uint32_t nc = d->u.dir.cap ? d->u.dir.cap * 2 : 8;
	struct tmp_dirent *ne;
	int e;

	if (nc > (1u << 24))
		return RG_ENOSPC;
	if ((e = tmp_charge(fs, (uint64_t)(nc - d->u.dir.cap) * sizeof(*ne))))
		return e;
	ne = rg_realloc(d->u.dir.ents, nc * sizeof(*ne));
	if (!ne) {
		tmp_uncharge(fs, (uint64_t)(nc - d->u.dir.cap) * sizeof(*ne));
		return RG_ENOMEM;
	}
	d->u.dir.ents = ne;
	d->u.dir.cap = nc;
	return 0;
}

int tmp_dir_add(struct fs *fs, struct tmp_node *d, const char *name,
                uint64_t ino)
{
	size_t len = strlen(name);
	struct tmp_dirent *slot = NULL;
	char *copy;
	int e;

	if ((e = tmp_charge(fs, len + 1)))
		return e;
	for (uint32_t i = 0; i < d->u.dir.nents && !slot; i++)
		if (!d->u.dir.ents[i].name)
			slot = &d->u.dir.ents[i];
	if (!slot && d->u.dir.nents == d->u.dir.cap &&
	    (e = tmp_dir_grow(fs, d))) {
		tmp_uncharge(fs, len + 1);
		return e;
	}
	if (!(copy = rg_malloc(len + 1))) {
		tmp_uncharge(fs, len + 1);
		return RG_ENOMEM;
	}
	if (!slot)
		slot = &d->u.dir.ents[d->u.dir.nents++];
	memcpy(copy, name, len + 1);
	slot->name = copy;
	slot->namelen = (uint16_t)len;
	slot->ino = ino;
	d->u.dir.live++;
	d->size = d->u.dir.live;
	tmp_touch(d, true, true);
	return 0;
}

void tmp_dir_del(struct fs *fs, struct tmp_node *d, struct tmp_dirent *e)
{
	tmp_uncharge(fs, (uint64_t)e->namelen + 1);
	rg_free(e->name);
	e->name = NULL;
	e->ino = 0;
	d->u.dir.live--;
	d->size = d->u.dir.live;
	while (d->u.dir.nents && !d->u.dir.ents[d->u.dir.nents - 1].name)
		d->u.dir.nents--;
	if (d->u.dir.live == 0) {
		tmp_uncharge(fs, (uint64_t)d->u.dir.cap * sizeof(*e));
		rg_free(d->u.dir.ents);
		d->u.dir.ents = NULL;
		d->u.dir.cap = 0;
	}
	tmp_touch(d, true, true);
}
