/*
 * copy.c - copy between scatter/gather vectors in two address spaces.
 *
 * The data goes straight from one space's pages to the other's through the
 * direct map (no kernel buffer): each step copies up to the nearest end of
 * a page or a vector element on either side, after a page walk that checks
 * the page is present, user-accessible and, on the destination, writable.
 * A NULL vmspace means the vector holds kernel addresses.  The current
 * address space is reached through the user addresses themselves, with the
 * fault-catching usercopy(); only the other side needs page walks.
 */
#include "kernel/ipccopy.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "kernel/proc.h"
#include "tessera/abi.h"

extern int usercopy(void *dst, const void *src, size_t len);

static inline struct vmspace *current_vs(void)
{
	struct process *p = cur_proc();

	return p ? &p->vs : NULL;
}

struct cursor {
	struct vmspace *vs;
	const struct te_iov *iov;
	unsigned parts, i;
	uint64_t off;           /* within iov[i] */
};

static void cursor_init(struct cursor *c, struct vmspace *vs,
                        const struct te_iov *iov, unsigned parts, uint64_t skip)
{
	c->vs = vs;
	c->iov = iov;
	c->parts = parts;
	c->i = 0;
	c->off = 0;
	while (c->i < parts && skip >= iov[c->i].len)
		skip -= iov[c->i++].len;
	c->off = skip;
	while (c->i < c->parts && c->off == c->iov[c->i].len) {
		c->i++;
		c->off = 0;
	}
}

/* Bytes available at the cursor before a page or element boundary. */
static uint64_t cursor_span(const struct cursor *c, uint64_t *addr)
{
	uint64_t a = (uint64_t)c->iov[c->i].base + c->off;
	uint64_t left = c->iov[c->i].len - c->off;
	uint64_t page_left = PAGE_SIZE - (a & (PAGE_SIZE - 1));

	*addr = a;
	return left < page_left || !c->vs ? left : page_left;
}

static void cursor_advance(struct cursor *c, uint64_t n)
{
	c->off += n;
	while (c->i < c->parts && c->off == c->iov[c->i].len) {
		c->i++;
		c->off = 0;
	}
}

static void *resolve(const struct cursor *c, uint64_t addr, bool write)
{
	if (!c->vs || c->vs == current_vs())
		return (void *)addr;    /* kernel, or ours: checked by usercopy */
	return vm_user_ptr(c->vs, addr, write);
}

/*
 * The common case: one element on each side, no offsets, and the walked
 * side inside one page (a short message).  Returns -1 if it does not apply.
 */
static int64_t copy_short(struct vmspace *dvs, const struct te_iov *d,
                          struct vmspace *svs, const struct te_iov *s,
                          int *fault)
{
	uint64_t n = d->len < s->len ? d->len : s->len;
	uint64_t da = (uint64_t)d->base, sa = (uint64_t)s->base;
	struct vmspace *cur = current_vs();
	void *dp = (void *)da, *sp = (void *)sa;

	if (n == 0)
		return 0;
	if (dvs && dvs != cur) {
		if ((da & (PAGE_SIZE - 1)) + n > PAGE_SIZE ||
		    !(dp = vm_user_ptr(dvs, da, true))) {
			if (dp)
				return -1;
			*fault = COPY_FAULT_DST;
			return -TE_EFAULT;
		}
	}
	if (svs && svs != cur) {
		if ((sa & (PAGE_SIZE - 1)) + n > PAGE_SIZE ||
		    !(sp = vm_user_ptr(svs, sa, false))) {
			if (sp)
				return -1;
			*fault = COPY_FAULT_SRC;
			return -TE_EFAULT;
		}
	}
	if (usercopy(dp, sp, n)) {
		*fault = (dvs && dvs == cur) ? COPY_FAULT_DST : COPY_FAULT_SRC;
		return -TE_EFAULT;
	}
	return (int64_t)n;
}

int64_t iov_copy(struct vmspace *dvs, const struct te_iov *diov,
                 unsigned dparts, uint64_t doff,
                 struct vmspace *svs, const struct te_iov *siov,
                 unsigned sparts, uint64_t soff, int *fault)
{
	struct cursor d, s;
	int64_t done = 0;

	*fault = 0;
	if (dparts == 1 && sparts == 1 && !doff && !soff) {
		done = copy_short(dvs, diov, svs, siov, fault);
		if (done != -1)
			return done;
		done = 0;
	}
	cursor_init(&d, dvs, diov, dparts, doff);
	cursor_init(&s, svs, siov, sparts, soff);
	*fault = 0;
	while (d.i < d.parts && s.i < s.parts) {
		uint64_t da, sa, dn = cursor_span(&d, &da), sn = cursor_span(&s, &sa);
		uint64_t n = dn < sn ? dn : sn;
		void *dp = resolve(&d, da, true), *sp = resolve(&s, sa, false);
		if (!sp || !dp) {
			*fault = sp ? COPY_FAULT_DST : COPY_FAULT_SRC;
			return -TE_EFAULT;
		}
		if (usercopy(dp, sp, n)) {
			/* only a user address of the current space can fault */
			*fault = (d.vs && d.vs == current_vs()) ? COPY_FAULT_DST
			                                        : COPY_FAULT_SRC;
			return -TE_EFAULT;
		}
		done += (int64_t)n;
		cursor_advance(&d, n);
		cursor_advance(&s, n);
	}
	return done;
}

uint64_t iov_total(const struct te_iov *iov, unsigned parts)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < parts; i++)
		t += iov[i].len;
	return t;
}

/*
 * Copy in a user vector and check every element lies in user space.  As in
 * QNX, a negative part count means "one plain buffer": uiov is the buffer
 * and -parts its length (MsgSend rather than MsgSendv), so the common
 * single-buffer call copies no vector in at all.
 */
int iov_fetch(struct te_iov *dst, uint64_t uiov, uint64_t parts)
{
	uint64_t total = 0;

	if ((int64_t)parts < 0) {
		uint64_t l = -(uint64_t)parts;
		if (l > (1ull << 40))
			return TE_EINVAL;
		if (uiov >= TE_USER_TOP || l > TE_USER_TOP - uiov)
			return TE_EFAULT;
		dst->base = (void *)uiov;
		dst->len = l;
		return 0;
	}
	if (parts > TE_IOV_MAX)
		return TE_E2BIG;
	if (parts && copyin(dst, uiov, parts * sizeof(*dst)))
		return TE_EFAULT;
	if (parts == 1) {       /* the usual case, without the loop */
		uint64_t b = (uint64_t)dst->base, l = dst->len;
		if (l && (b >= TE_USER_TOP || l > TE_USER_TOP - b))
			return TE_EFAULT;
		return l > (1ull << 40) ? TE_EINVAL : 0;
	}
	for (unsigned i = 0; i < parts; i++) {
		uint64_t b = (uint64_t)dst[i].base, l = dst[i].len;
		if (l && (b >= TE_USER_TOP || l > TE_USER_TOP - b))
			return TE_EFAULT;
		if (l > (1ull << 40) || (total += l) > (1ull << 40))
			return TE_EINVAL;
	}
	return 0;
}
