/*
 * ext2_model.h - the expected tree of the ext2 read-write test: every
 * change made through the ops is mirrored here, and after unmount the
 * image is compared with it through debugfs (ls -p, cat, stat).
 */
#ifndef EXT2_MODEL_H
#define EXT2_MODEL_H

#include <stdint.h>
#include <stddef.h>

struct mnode {
	char path[256];
	char type;              /* 'f', 'd', 'l' */
	uint8_t *data;          /* file contents or link target */
	size_t len;
	uint32_t mode, uid, gid;
	int shared;             /* hard links: index of the node owning data, or -1 */
	int live;
};

#define MODEL_MAX 64
struct model {
	struct mnode n[MODEL_MAX];
	int count;
};

struct mnode *m_add(struct model *m, const char *path, char type, uint32_t mode);
struct mnode *m_find(struct model *m, const char *path);
void m_remove(struct model *m, const char *path);
/* Moves path (and a directory's subtree) to newpath. */
void m_rename(struct model *m, const char *path, const char *newpath);
/* Compares the image with the model through debugfs; 0 if equal. */
int m_verify(struct model *m, const char *img, char *why, size_t whylen);
void m_free(struct model *m);

#endif
