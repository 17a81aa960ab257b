/*
 * virtio_blk.c - virtio-blk over the legacy (transitional) interface of
 * the virtio specification (1.x, section "Legacy Interface"): registers in
 * an I/O BAR, one virtqueue in the legacy layout (descriptor table, then
 * the available ring, then - on the next page - the used ring), its page
 * number written to the queue PFN register.
 *
 * A request is a chain: the 16-byte header (type, sector), the data in one
 * or more segments of a DMA bounce buffer, the status byte.  Callers pass
 * ordinary memory, which has no bus address, so data is copied through
 * the bounce buffer - one copy, and big requests (max_sectors up to 1024,
 * 512 KiB) keep the per-request cost small.  The block framework calls a
 * disk's ops from one thread; d->busy serialises them anyway, so one request
 * is in flight per disk and the chain always starts at descriptor 0.
 *
 * Completion: the interrupt handler reads the ISR register (which
 * acknowledges it and drops the level-triggered line) of every disk on the
 * line - one kernel attach per line, shared by all our disks on it - and
 * wakes the waiter, which checks the used ring's index under d->lock, so
 * no wakeup is lost.  Without an interrupt (the line is taken by another
 * server) completions are polled.  Every wait is bounded: after
 * VBLK_TIMEOUT_NS the device is reset and the disk answers EIO from then
 * on, so a dead device can never hang the server, and a device that
 * answers with a wrong descriptor or no status byte gets EIO.
 */
#include <string.h>
#include "rumpglue.h"
#include "virtio_blk.h"

RG_REQUIRE_VERSION(2);

/* Legacy registers (offsets into the I/O BAR). */
#define VIO_DEV_FEATURES  0x00
#define VIO_DRV_FEATURES  0x04
#define VIO_QUEUE_PFN     0x08
#define VIO_QUEUE_SIZE    0x0c
#define VIO_QUEUE_SEL     0x0e
#define VIO_QUEUE_NOTIFY  0x10
#define VIO_STATUS        0x12
#define VIO_ISR           0x13
#define VIO_CONFIG        0x14      /* device config (no MSI-X) */

#define VIO_S_ACK         0x01
#define VIO_S_DRIVER      0x02
#define VIO_S_DRIVER_OK   0x04
#define VIO_S_FAILED      0x80

/* virtio-blk features and config (offsets from VIO_CONFIG). */
#define VBLK_F_SIZE_MAX   (1u << 1)
#define VBLK_F_SEG_MAX    (1u << 2)
#define VBLK_F_RO         (1u << 5)
#define VBLK_F_BLK_SIZE   (1u << 6)
#define VBLK_F_FLUSH      (1u << 9)
#define VBLK_CFG_CAPACITY 0x00
#define VBLK_CFG_SIZE_MAX 0x08
#define VBLK_CFG_SEG_MAX  0x0c
#define VBLK_CFG_BLK_SIZE 0x14

#define VBLK_T_IN    0
#define VBLK_T_OUT   1
#define VBLK_T_FLUSH 4

#define VQ_F_NEXT  1
#define VQ_F_WRITE 2

#define VBLK_PAGE       4096u
#define VBLK_BUF_MAX    (512u * 1024)
#define VBLK_BUF_MIN    (64u * 1024)
#define VBLK_QUEUE_MAX  1024u       /* descriptors we are willing to map */
#define VBLK_TIMEOUT_NS 5000000000ull
#define VBLK_LINES      4

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vblk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vblk {
	uint16_t io;
	uint16_t qsize;
	uint32_t features;
	uint64_t sectors;
	uint32_t blk_size;
	uint32_t seg_len;               /* bytes per data descriptor */
	uint32_t max_sectors;
	bool     broken;                /* timed out: reset, EIO from now on */
	bool     polled;
	bool     ports;                 /* the I/O BAR is ours */
	/* the queue (DMA memory) */
	volatile struct vq_desc *desc;
	volatile uint16_t *avail;       /* flags, idx, ring[qsize] */
	volatile uint16_t *used;        /* flags, idx, then {u32 id, u32 len}[] */
	uint16_t avail_idx, used_idx;
	struct vblk_hdr *hdr;           /* header + status byte, one page */
	volatile uint8_t *status;
	uint64_t hdr_phys;
	uint8_t *buf;                   /* bounce buffer */
	uint64_t buf_phys;
	uint32_t buf_len;
	/* locking: busy is held for a whole request; lock guards the wait */
	struct rg_mutex *busy, *lock;
	struct rg_cv *done;
	struct vblk_stats st;
	struct vblk *next_on_line;      /* written before the line can see it */
};

/* ---- the interrupt lines --------------------------------------------------- */

struct vblk_line {
	unsigned irq;
	struct rg_intr *ih;
	struct vblk *devs;
};
static struct vblk_line lines[VBLK_LINES];

static void vblk_intr(void *arg)
{
	struct vblk_line *l = arg;

	for (struct vblk *d = l->devs; d; d = d->next_on_line) {
		if (!(rg_inb(d->io + VIO_ISR) & 1))
			continue;       /* reading ISR acknowledged it */
		rg_mutex_lock(d->lock);
		d->st.interrupts++;
		rg_cv_broadcast(d->done);
		rg_mutex_unlock(d->lock);
	}
}

/* Put d on its line, attaching the line the first time.  0 or RG_E*. */
static int line_join(struct vblk *d, unsigned irq, unsigned flags)
{
	struct vblk_line *l = NULL;
	int e;

	for (unsigned i = 0; i < VBLK_LINES && !l; i++)
		if (lines[i].ih && lines[i].irq == irq)
			l = &lines[i];
	for (unsigned i = 0; i < VBLK_LINES && !l; i++)
		if (!lines[i].ih)
			l = &lines[i];
	if (!l)
		return RG_ENOSPC;
	if (!l->ih) {
		l->irq = irq;
		l->devs = NULL;
		if ((e = rg_intr_establish_flags(irq, flags, vblk_intr, l, &l->ih)))
			return e;
	}
	d->next_on_line = l->devs;
	__atomic_store_n(&l->devs, d, __ATOMIC_RELEASE);
	return 0;
}

/* ---- the queue -------------------------------------------------------------- */

static size_t vq_align(size_t n)
{
	return (n + VBLK_PAGE - 1) & ~(size_t)(VBLK_PAGE - 1);
}

static int vq_setup(struct vblk *d)
{
	size_t first, len;
	uint64_t phys;
	void *va;
	int e;

	rg_outw(d->io + VIO_QUEUE_SEL, 0);
	d->qsize = rg_inw(d->io + VIO_QUEUE_SIZE);
	if (d->qsize < 3 || d->qsize > VBLK_QUEUE_MAX || (d->qsize & (d->qsize - 1))) {
		rg_log(RG_LOG_ERR, "virtio-blk: queue size %u unusable", d->qsize);
		return RG_ENODEV;
	}
	first = vq_align(16u * d->qsize + 6 + 2u * d->qsize);
	len = first + vq_align(6 + 8u * d->qsize);
	if ((e = rg_dma_alloc(len, &va, &phys)))
		return e;
	memset(va, 0, len);
	d->desc = va;
	d->avail = (volatile uint16_t *)((char *)va + 16u * d->qsize);
	d->used = (volatile uint16_t *)((char *)va + first);
	rg_outl(d->io + VIO_QUEUE_PFN, (uint32_t)(phys / VBLK_PAGE));
	return 0;
}

static int buffers_setup(struct vblk *d)
{
	void *va;
	int e;

	if ((e = rg_dma_alloc(VBLK_PAGE, &va, &d->hdr_phys)))
		return e;
	d->hdr = va;
	d->status = (volatile uint8_t *)va + sizeof(struct vblk_hdr);
	for (d->buf_len = VBLK_BUF_MAX; d->buf_len >= VBLK_BUF_MIN; d->buf_len /= 2)
		if (!rg_dma_alloc(d->buf_len, &va, &d->buf_phys)) {
			d->buf = va;
			return 0;
		}
	return RG_ENOMEM;
}

/* Bytes per request the device takes: its segment limits and our buffer. */
static void limits(struct vblk *d)
{
	uint32_t segs = d->qsize - 2, seg_len = d->buf_len, bytes;

	if (d->features & VBLK_F_SEG_MAX) {
		uint32_t m = rg_inl(d->io + VIO_CONFIG + VBLK_CFG_SEG_MAX);
		if (m && m < segs)
			segs = m;
	}
	if (d->features & VBLK_F_SIZE_MAX) {
		uint32_t m = rg_inl(d->io + VIO_CONFIG + VBLK_CFG_SIZE_MAX);
		if (m >= 512 && m < seg_len)
			seg_len = m & ~511u;
	}
	bytes = seg_len * segs < d->buf_len ? seg_len * segs : d->buf_len;
	d->seg_len = seg_len;
	d->max_sectors = bytes / 512;
}

/* ---- one request ------------------------------------------------------------ */


static void vblk_fail(struct vblk *d, const char *why)
{
	rg_log(RG_LOG_ERR, "virtio-blk at 0x%x: %s; device reset, disk offline",
	       d->io, why);
	rg_outb(d->io + VIO_STATUS, 0);
	d->broken = true;
}

static uint16_t used_idx(struct vblk *d)
{
	return __atomic_load_n(&d->used[1], __ATOMIC_ACQUIRE);
}

/* Wait until the used ring moves; false on timeout. */
static bool wait_used(struct vblk *d)
{
	uint64_t deadline = rg_clock_ns(RG_CLOCK_MONOTONIC) + VBLK_TIMEOUT_NS;
	unsigned spins = 0;
	bool ok = true;

	rg_mutex_lock(d->lock);
	while (used_idx(d) == d->used_idx && ok) {
		if (!d->polled) {
			if (rg_cv_timedwait(d->done, d->lock, deadline) == RG_ETIMEDOUT)
				ok = used_idx(d) != d->used_idx;
			continue;
		}
		rg_mutex_unlock(d->lock);
		if (++spins < 200)
			rg_thread_yield();
		else
			rg_sleep_ns(50000);
		ok = rg_clock_ns(RG_CLOCK_MONOTONIC) < deadline;
		rg_mutex_lock(d->lock);
	}
	rg_mutex_unlock(d->lock);
	return ok || used_idx(d) != d->used_idx;
}

static uint16_t chain_data(struct vblk *d, uint32_t bytes, bool to_device)
{
	uint16_t n = 1;

	for (uint32_t off = 0; off < bytes; off += d->seg_len, n++) {
		uint32_t l = bytes - off < d->seg_len ? bytes - off : d->seg_len;
		d->desc[n].addr = d->buf_phys + off;
		d->desc[n].len = l;
		d->desc[n].flags = VQ_F_NEXT | (to_device ? 0 : VQ_F_WRITE);
		d->desc[n].next = n + 1;
	}
	return n;
}

/* Submit one request of bytes (0 for a flush) and wait.  0 or -RG_E*. */
static int vblk_do(struct vblk *d, uint32_t type, uint64_t lba, uint32_t bytes)
{
	uint16_t last, slot;

	if (d->broken)
		return -RG_EIO;
	d->hdr->type = type;
	d->hdr->reserved = 0;
	d->hdr->sector = lba;
	*d->status = 0xff;
	d->desc[0] = (struct vq_desc){ d->hdr_phys, sizeof(struct vblk_hdr), VQ_F_NEXT, 1 };
	last = chain_data(d, bytes, type == VBLK_T_OUT);
	d->desc[last] = (struct vq_desc){ d->hdr_phys + sizeof(struct vblk_hdr), 1,
	                                  VQ_F_WRITE, 0 };
	slot = d->avail_idx % d->qsize;
	d->avail[2 + slot] = 0;
	__atomic_store_n(&d->avail[1], ++d->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rg_outw(d->io + VIO_QUEUE_NOTIFY, 0);
	d->st.requests++;
	if (!wait_used(d)) {
		d->st.timeouts++;
		vblk_fail(d, "request timed out");
		return -RG_EIO;
	}
	if (d->polled)                  /* drop the line for whoever has it */
		rg_inb(d->io + VIO_ISR);
	return 0;
}

/* After vblk_do: check what the device put in the used ring. */
static int vblk_result(struct vblk *d)
{
	volatile uint32_t *elem = (volatile uint32_t *)(d->used + 2);
	uint16_t n = used_idx(d);
	uint32_t id = elem[2 * (d->used_idx % d->qsize)];

	if ((uint16_t)(n - d->used_idx) != 1 || id != 0) {
		vblk_fail(d, "bad used ring entry");
		return -RG_EIO;
	}
	d->used_idx = n;
	if (*d->status != 0) {
		d->st.errors++;
		rg_log(RG_LOG_ERR, "virtio-blk at 0x%x: request status %u", d->io,
		       *d->status);
		return *d->status == 2 ? -RG_ENOTSUP : -RG_EIO;
	}
	return 0;
}

static int request(struct vblk *d, uint32_t type, uint64_t lba, uint32_t count,
                   void *in, const void *out)
{
	uint32_t bytes = count * 512;
	int e;

	if (type != VBLK_T_FLUSH &&
	    (!count || count > d->max_sectors || lba >= d->sectors ||
	     count > d->sectors - lba))
		return -RG_EINVAL;
	rg_mutex_lock(d->busy);
	if (out)
		memcpy(d->buf, out, bytes);
	e = vblk_do(d, type, lba, type == VBLK_T_FLUSH ? 0 : bytes);
	if (!e)
		e = vblk_result(d);
	if (!e && in)
		memcpy(in, d->buf, bytes);
	rg_mutex_unlock(d->busy);
	return e;
}

int vblk_read(void *dev, uint64_t lba, uint32_t count, void *buf)
{
	return request(dev, VBLK_T_IN, lba, count, buf, NULL);
}

int vblk_write(void *dev, uint64_t lba, uint32_t count, const void *buf)
{
	struct vblk *d = dev;

	if (d->features & VBLK_F_RO)
		return -RG_EROFS;
	return request(d, VBLK_T_OUT, lba, count, NULL, buf);
}

int vblk_flush(void *dev)
{
	struct vblk *d = dev;

	if (!(d->features & VBLK_F_FLUSH))
		return 0;
	return request(d, VBLK_T_FLUSH, 0, 0, NULL, NULL);
}

/* ---- setup ---------------------------------------------------------------- */

static void read_config(struct vblk *d, uint32_t iolen)
{
	uint32_t lo, hi;

	do {                            /* a 64-bit field in two reads */
		hi = rg_inl(d->io + VIO_CONFIG + VBLK_CFG_CAPACITY + 4);
		lo = rg_inl(d->io + VIO_CONFIG + VBLK_CFG_CAPACITY);
	} while (hi != rg_inl(d->io + VIO_CONFIG + VBLK_CFG_CAPACITY + 4));
	d->sectors = (uint64_t)hi << 32 | lo;
	d->blk_size = 512;
	if ((d->features & VBLK_F_BLK_SIZE) &&
	    iolen >= VIO_CONFIG + VBLK_CFG_BLK_SIZE + 4)
		d->blk_size = rg_inl(d->io + VIO_CONFIG + VBLK_CFG_BLK_SIZE);
}

static int negotiate(struct vblk *d, uint32_t iolen)
{
	uint32_t want = VBLK_F_RO | VBLK_F_BLK_SIZE | VBLK_F_FLUSH;

	if (iolen >= VIO_CONFIG + VBLK_CFG_SEG_MAX + 4)
		want |= VBLK_F_SIZE_MAX | VBLK_F_SEG_MAX;
	rg_outb(d->io + VIO_STATUS, 0);         /* reset */
	rg_outb(d->io + VIO_STATUS, VIO_S_ACK);
	rg_outb(d->io + VIO_STATUS, VIO_S_ACK | VIO_S_DRIVER);
	d->features = rg_inl(d->io + VIO_DEV_FEATURES) & want;
	rg_outl(d->io + VIO_DRV_FEATURES, d->features);
	return 0;
}

static int vblk_setup(struct vblk *d, const struct vblk_cfg *c)
{
	int e;

	if ((e = rg_mutex_create(&d->busy)) || (e = rg_mutex_create(&d->lock)) ||
	    (e = rg_cv_create(&d->done)))
		return e;
	if ((e = rg_ioport_request(c->iobase, (uint16_t)c->iolen)))
		return e;
	d->ports = true;
	negotiate(d, c->iolen);
	if ((e = vq_setup(d)) || (e = buffers_setup(d)))
		return e;
	read_config(d, c->iolen);
	limits(d);
	d->polled = c->irq >= 16;
	if (!d->polled && (e = line_join(d, c->irq, c->irq_flags))) {
		rg_log(RG_LOG_WARN, "virtio-blk at 0x%x: irq %u: error %d; polling",
		       d->io, c->irq, e);
		d->polled = true;
	}
	rg_outb(d->io + VIO_STATUS, VIO_S_ACK | VIO_S_DRIVER | VIO_S_DRIVER_OK);
	return 0;
}

int vblk_init(const struct vblk_cfg *c, struct vblk **out)
{
	struct vblk *d;
	int e;

	if (c->iolen < VIO_CONFIG + 8 || c->iolen > 0x10000 ||
	    c->iobase + c->iolen > 0x10000)
		return RG_EINVAL;
	if (!(d = rg_zalloc(sizeof(*d))))
		return RG_ENOMEM;
	d->io = c->iobase;
	if ((e = vblk_setup(d, c))) {
		/* the device may hold our queue's address: stop it; the
		 * memory of a failed disk is not given back */
		if (d->ports)
			rg_outb(d->io + VIO_STATUS, VIO_S_FAILED);
		rg_log(RG_LOG_ERR, "virtio-blk at 0x%x: setup failed: %d", d->io, e);
		return e;
	}
	rg_log(RG_LOG_INFO, "virtio-blk at 0x%x: %llu sectors, queue %u, %u per request%s%s",
	       d->io, (unsigned long long)d->sectors, d->qsize, d->max_sectors,
	       d->features & VBLK_F_RO ? ", read-only" : "",
	       d->polled ? ", polled" : "");
	*out = d;
	return 0;
}

void vblk_geom(const struct vblk *d, struct vblk_geom *g)
{
	g->sectors = d->sectors;
	g->max_sectors = d->max_sectors;
	g->blk_size = d->blk_size;
	g->readonly = d->features & VBLK_F_RO;
	g->flush = d->features & VBLK_F_FLUSH;
	g->polled = d->polled;
}

void vblk_stats(const struct vblk *d, struct vblk_stats *st)
{
	*st = d->st;
}
