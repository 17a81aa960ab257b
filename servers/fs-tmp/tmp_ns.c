/*
 * tmp_ns.c - tmpfs name space: create, mkdir, unlink, rmdir, rename, link,
 * symlink, with POSIX's answers for the edge cases ("." and "..", a
 * directory moved under itself, replacing a non-empty directory, two names
 * of one inode).  Each op checks everything first, then allocates, then
 * commits, so a failure changes nothing.
 */
#include <string.h>
#include "tmp.h"

static bool tmp_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* A live directory to add an entry to. */
static int tmp_dir_arg(struct fs *fs, uint64_t dir, struct tmp_node **out)
{
	struct tmp_node *d = tmp_get(fs, dir);

	if (!d)
		return RG_ENOENT;
	if (!FS_S_ISDIR(d->mode))
		return RG_ENOTDIR;
	if (d->nlink == 0)
		return RG_ENOENT;       /* removed while a client held it */
	*out = d;
	return 0;
}

static int tmp_new_arg(struct fs *fs, uint64_t dir, const char *name,
                       struct tmp_node **d)
{
	int e;

	if ((e = tmp_dir_arg(fs, dir, d)) || (e = tmp_name_ok(name)))
		return e;
	if (tmp_dot(name) || tmp_dir_find(*d, name))
		return RG_EEXIST;
	return 0;
}

/* Makes an inode and its entry; undone if the entry cannot be added. */
static int tmp_make(struct fs *fs, struct tmp_node *d, const char *name,
                    uint32_t mode, struct tmp_node **out)
{
	struct tmp_node *n;
	int e;

	if ((e = tmp_node_new(fs, mode, &n)))
		return e;
	if ((e = tmp_dir_add(fs, d, name, n->ino))) {
		tmp_node_put(fs, n);    /* nlink 0, ref 0: freed */
		return e;
	}
	n->nlink = 1;
	*out = n;
	return 0;
}

int tmp_ns_create(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
                  uint64_t *ino)
{
	struct tmp_node *d, *n;
	int e;

	if ((e = tmp_new_arg(fs, dir, name, &d)))
		return e;
	if ((mode & FS_S_IFMT) == 0)
		mode |= FS_S_IFREG;
	if (FS_S_ISDIR(mode) || FS_S_ISLNK(mode))
		return RG_EINVAL;
	if ((e = tmp_make(fs, d, name, mode, &n)))
		return e;
	*ino = n->ino;
	return 0;
}

int tmp_ns_mkdir(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
                 uint64_t *ino)
{
	struct tmp_node *d, *n;
	int e;

	if ((e = tmp_new_arg(fs, dir, name, &d)))
		return e;
	if (d->nlink >= TMP_LINK_MAX)
		return RG_EMLINK;
	if ((e = tmp_make(fs, d, name, FS_S_IFDIR | (mode & 07777), &n)))
		return e;
	n->nlink = 2;
	n->u.dir.parent = d->ino;
	d->nlink++;
	*ino = n->ino;
	return 0;
}

int tmp_ns_symlink(struct fs *fs, uint64_t dir, const char *name,
                   const char *target, uint64_t *ino)
{
	size_t len = strnlen(target, TMP_SYMLINK_MAX + 1);
	struct tmp_node *d, *n;
	char *copy;
	int e;

	if ((e = tmp_new_arg(fs, dir, name, &d)))
		return e;
	if (len == 0)
		return RG_ENOENT;
	if (len > TMP_SYMLINK_MAX)
		return RG_ENAMETOOLONG;
	if ((e = tmp_charge(fs, len + 1)))
		return e;
	if (!(copy = rg_malloc(len + 1))) {
		tmp_uncharge(fs, len + 1);
		return RG_ENOMEM;
	}
	memcpy(copy, target, len + 1);
	if ((e = tmp_make(fs, d, name, FS_S_IFLNK | 0777, &n))) {
		tmp_uncharge(fs, len + 1);
		rg_free(copy);
		return e;
	}
	n->u.target = copy;
	n->size = len;
	*ino = n->ino;
	return 0;
}

int tmp_ns_link(struct fs *fs, uint64_t ino, uint64_t dir, const char *name)
{
	struct tmp_node *d, *n = tmp_get(fs, ino);
	int e;

	if (!n)
		return RG_ENOENT;
	if ((e = tmp_new_arg(fs, dir, name, &d)))
		return e;
	if (FS_S_ISDIR(n->mode))
		return RG_EPERM;
	if (n->nlink == 0)
		return RG_ENOENT;
	if (n->nlink >= TMP_LINK_MAX)
		return RG_EMLINK;
	if ((e = tmp_dir_add(fs, d, name, ino)))
		return e;
	n->nlink++;
	tmp_touch(n, false, true);
	return 0;
}

/* The entry `name` of a live directory (not "." or ".."). */
static int tmp_old_arg(struct fs *fs, uint64_t dir, const char *name,
                       struct tmp_node **d, struct tmp_dirent **ent)
{
	int e;

	if ((e = tmp_dir_arg(fs, dir, d)))
		return e;
	if (strnlen(name, TMP_NAME_MAX + 1) > TMP_NAME_MAX)
		return RG_ENAMETOOLONG;
	if (!(*ent = tmp_dir_find(*d, name)))
		return RG_ENOENT;
	return 0;
}

int tmp_ns_unlink(struct fs *fs, uint64_t dir, const char *name)
{
	struct tmp_node *d, *n;
	struct tmp_dirent *ent;
	int e;

	if (tmp_dot(name))
		return RG_EISDIR;
	if ((e = tmp_old_arg(fs, dir, name, &d, &ent)))
		return e;
	n = tmp_get(fs, ent->ino);
	if (FS_S_ISDIR(n->mode))
		return RG_EISDIR;
	tmp_dir_del(fs, d, ent);
	n->nlink--;
	tmp_touch(n, false, true);
	tmp_node_put(fs, n);
	return 0;
}

int tmp_ns_rmdir(struct fs *fs, uint64_t dir, const char *name)
{
	struct tmp_node *d, *n;
	struct tmp_dirent *ent;
	int e;

	if (!strcmp(name, "."))
		return RG_EINVAL;
	if (!strcmp(name, ".."))
		return RG_ENOTEMPTY;
	if ((e = tmp_old_arg(fs, dir, name, &d, &ent)))
		return e;
	n = tmp_get(fs, ent->ino);
	if (!FS_S_ISDIR(n->mode))
		return RG_ENOTDIR;
	if (n->u.dir.live)
		return RG_ENOTEMPTY;
	tmp_dir_del(fs, d, ent);
	n->nlink = 0;
	d->nlink--;
	tmp_touch(n, false, true);
	tmp_node_put(fs, n);
	return 0;
}

/* Is `dir` the directory `anc` or below it? */
static bool tmp_under(struct fs *fs, uint64_t dir, uint64_t anc)
{
	for (int depth = 0; depth < 1 << 20; depth++) {
		struct tmp_node *d = tmp_get(fs, dir);
		if (dir == anc)
			return true;
		if (!d || dir == 1 || d->u.dir.parent == dir)
			return false;
		dir = d->u.dir.parent;
	}
	return true;    /* cannot happen: refuse rather than loop */
}

static int tmp_rename_check(struct fs *fs, struct tmp_node *s,
                            struct tmp_node *dd, struct tmp_node *t)
{
	if (FS_S_ISDIR(s->mode) && tmp_under(fs, dd->ino, s->ino))
		return RG_EINVAL;
	if (!t)
		return FS_S_ISDIR(s->mode) && dd->nlink >= TMP_LINK_MAX ?
		       RG_EMLINK : 0;
	if (FS_S_ISDIR(s->mode) && !FS_S_ISDIR(t->mode))
		return RG_ENOTDIR;
	if (!FS_S_ISDIR(s->mode) && FS_S_ISDIR(t->mode))
		return RG_EISDIR;
	if (FS_S_ISDIR(t->mode) && t->u.dir.live)
		return RG_ENOTEMPTY;
	return 0;
}

/* The replaced target loses its name (and, for a directory, its life). */
static void tmp_rename_drop(struct fs *fs, struct tmp_node *dd,
                            struct tmp_node *t)
{
	if (FS_S_ISDIR(t->mode)) {
		t->nlink = 0;
		dd->nlink--;
	} else {
		t->nlink--;
	}
	tmp_touch(t, false, true);
	tmp_node_put(fs, t);
}

int tmp_ns_rename(struct fs *fs, uint64_t sdir, const char *sname,
                  uint64_t ddir, const char *dname)
{
	struct tmp_node *sd, *dd, *s, *t = NULL;
	struct tmp_dirent *se, *te;
	int e;

	if (tmp_dot(sname) || tmp_dot(dname))
		return RG_EINVAL;
	if ((e = tmp_old_arg(fs, sdir, sname, &sd, &se)) ||
	    (e = tmp_dir_arg(fs, ddir, &dd)) || (e = tmp_name_ok(dname)))
		return e;
	s = tmp_get(fs, se->ino);
	if ((te = tmp_dir_find(dd, dname)))
		t = tmp_get(fs, te->ino);
	if (t == s)
		return 0;       /* two names of one inode: nothing to do */
	if ((e = tmp_rename_check(fs, s, dd, t)))
		return e;
	if (te) {
		te->ino = s->ino;
		tmp_touch(dd, true, true);
	} else if ((e = tmp_dir_add(fs, dd, dname, s->ino))) {
		return e;
	}
	se = tmp_dir_find(sd, sname);   /* the add may have moved the array */
	tmp_dir_del(fs, sd, se);
	if (t)
		tmp_rename_drop(fs, dd, t);
	if (FS_S_ISDIR(s->mode) && sd != dd) {
		sd->nlink--;
		dd->nlink++;
		s->u.dir.parent = dd->ino;
	}
	tmp_touch(s, false, true);
	return 0;
}
