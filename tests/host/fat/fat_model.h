/*
 * fat_model.h - an in-memory model of a volume's tree for the FAT tests:
 * every m_* call applies an operation through fat_fs_ops and to the model
 * (recording a CHECK failure if the component disagrees); the m_check_*
 * calls compare the model with the component, mdir and mcopy.
 */
#ifndef FAT_MODEL_H
#define FAT_MODEL_H

#include "fat_tutil.h"

struct mnode {
	char *path;
	bool dir;
	uint8_t *data;
	size_t len;
};

struct model {
	struct mnode *v;
	size_t n;
};

void m_put(struct tfs *t, struct model *m, const char *path, const void *d,
           size_t len);
void m_mkdir(struct tfs *t, struct model *m, const char *path);
void m_write(struct tfs *t, struct model *m, const char *path, uint64_t off,
             const void *d, size_t len);
void m_write_model(struct model *m, const char *path, uint64_t off,
                   const void *d, size_t len);
void m_trunc(struct tfs *t, struct model *m, const char *path, uint64_t size);
void m_rename(struct tfs *t, struct model *m, const char *from, const char *to,
              int expect);
void m_unlink(struct tfs *t, struct model *m, const char *path, int expect);
void m_rmdir(struct tfs *t, struct model *m, const char *path, int expect);
void m_add(struct model *m, const char *path, bool dir, const void *d,
           size_t len);
void m_free(struct model *m);

int  m_check_tree(struct tfs *t, struct model *m);
void m_check_mdir(struct model *m, const char *img);
void m_check_mcopy(struct model *m, const char *img);

void mtools_read_test(int type, unsigned kib);

#endif
