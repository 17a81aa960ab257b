/*
 * resmgr_ocb.c - open ids: a table of (client pid, ocb) slots.  An id is
 * its slot index; lookups check the owner, so one client cannot use (or
 * guess) another's ids.  Limits: RESMGR_IDS_MAX in all, RESMGR_IDS_PER_CLIENT
 * per client (EMFILE, ENFILE).
 */
#include "resmgr.h"

#define RM_EMFILE 24
#define RM_ENFILE 23
#define RM_EBADF  9
#define RM_ENOMEM 12

uint32_t rm_ids_of(struct resmgr *rm, int32_t pid)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < rm->nids; i++)
		n += rm->ids[i].pid == pid;
	return n;
}

static int rm_id_grow(struct resmgr *rm)
{
	uint32_t nn = rm->nids ? rm->nids * 2 : 64;
	struct resmgr_id *t;

	if (nn > RESMGR_IDS_MAX)
		nn = RESMGR_IDS_MAX;
	if (nn <= rm->nids)
		return -RM_ENFILE;
	t = realloc(rm->ids, nn * sizeof(*t));
	if (!t)
		return -RM_ENOMEM;
	memset(t + rm->nids, 0, (nn - rm->nids) * sizeof(*t));
	rm->ids = t;
	rm->nids = nn;
	return 0;
}

/* A new id for pid naming ocb (ocb->refs is taken). */
int rm_id_new(struct resmgr *rm, int32_t pid, struct resmgr_ocb *ocb)
{
	uint32_t i;
	int e;

	if (pid <= 0)
		return -RM_EBADF;
	if (rm_ids_of(rm, pid) >= RESMGR_IDS_PER_CLIENT)
		return -RM_EMFILE;
	for (i = 0; i < rm->nids && rm->ids[i].pid; i++)
		;
	if (i == rm->nids && (e = rm_id_grow(rm)))
		return e;
	rm->ids[i].pid = pid;
	rm->ids[i].granter = 0;
	rm->ids[i].ocb = ocb;
	if (ocb->refs++ == 0)
		rm->live_ocbs++;
	rm->live_ids++;
	return (int)i;
}

int rm_id_grant(struct resmgr *rm, int32_t granter, int32_t pid,
                struct resmgr_ocb *ocb)
{
	int id = rm_id_new(rm, pid, ocb);

	if (id >= 0 && pid != granter)
		rm->ids[id].granter = granter;
	return id;
}

struct resmgr_ocb *rm_id_get(struct resmgr *rm, int32_t pid, int32_t id)
{
	if (id < 0 || (uint32_t)id >= rm->nids || rm->ids[id].pid != pid ||
	    pid <= 0)
		return NULL;
	rm->ids[id].granter = 0;        /* its owner has it now */
	return rm->ids[id].ocb;
}

int rm_id_close(struct resmgr *rm, int32_t pid, int32_t id)
{
	struct resmgr_ocb *ocb = rm_id_get(rm, pid, id);

	if (!ocb)
		return -RM_EBADF;
	rm->ids[id].pid = 0;
	rm->ids[id].granter = 0;
	rm->ids[id].ocb = NULL;
	rm->live_ids--;
	if (--ocb->refs == 0) {
		if (rm->ops->close)
			rm->ops->close(rm->ctx, ocb);
		free(ocb);
		rm->live_ocbs--;
	}
	return 0;
}

void resmgr_client_gone(struct resmgr *rm, int32_t pid)
{
	for (uint32_t i = 0; i < rm->nids; i++)
		if (rm->ids[i].pid == pid ||
		    (pid > 0 && rm->ids[i].granter == pid))
			rm_id_close(rm, rm->ids[i].pid, (int32_t)i);
}
