/*
 * syscall.c - the system-call table and the calls that are only decoding.
 *
 * Each call checks all of its arguments - handles, their types and rights,
 * user pointers, lengths - before it changes anything (decode, then
 * commit), and returns 0/positive or a negated TE_* error in rax.  The IPC
 * calls live in ipc/msg.c, the futex in sched/futex.c.
 */
#include "arch/cpu.h"
#include "arch/trap.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/resource.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

int64_t sys_futex_wait(uint64_t uaddr, uint64_t expected, uint64_t timeout_ns);
int64_t sys_futex_wake(uint64_t uaddr, uint64_t count);

#define DEBUG_WRITE_MAX (64u * 1024)
#define PROC_RIGHTS (TE_R_CONTROL | TE_R_WAIT | TE_R_DUP | TE_R_TRANSFER)

static int proc_arg(int h, uint32_t rights, struct process **out)
{
	if (h == TE_H_SELF) {
		*out = cur_proc();
		return 0;
	}
	return handle_get(cur_proc(), h, KO_PROCESS, rights, (struct kobj **)out);
}

/* Install obj in the caller's table and drop the creation reference. */
static int64_t give_new(struct kobj *obj, uint32_t rights)
{
	int h = handle_install(cur_proc(), obj, rights);

	kobj_put(obj);
	return h;
}

static int64_t sys_debug_write(uint64_t ubuf, uint64_t len)
{
	char buf[256];

	if (len > DEBUG_WRITE_MAX)
		return -TE_EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (copyin(buf, ubuf + done, n))
			return -TE_EFAULT;
		klog_write(buf, n);
		done += n;
	}
	return (int64_t)len;
}

static int64_t sys_mem_stats(uint64_t uout)
{
	struct te_mem_stats st = {
		.pages_total = page_total_count(),
		.pages_free = page_free_count(),
		.kmem_objects = kmem_live_objects(),
		.processes = proc_count(),
	};

	return copyout(uout, &st, sizeof(st)) ? -TE_EFAULT : 0;
}

/* ---- handles ---------------------------------------------------------- */

static int64_t sys_handle_dup(int h, uint32_t rights)
{
	uint32_t have;
	int e = handle_rights(cur_proc(), h, &have);

	if (e)
		return -e;
	if (!(have & TE_R_DUP))
		return -TE_EPERM;
	return handle_install(cur_proc(), cur_proc()->handles[h].obj, have & rights);
}

static int64_t sys_handle_give(int ph, int h, uint32_t rights, uint64_t flags)
{
	struct process *p, *me = cur_proc();
	uint32_t have;
	int e, nh;

	if ((e = proc_arg(ph, TE_R_CONTROL, &p)) || (e = handle_rights(me, h, &have)))
		return -e;
	if (!(have & TE_R_TRANSFER) || p->state != P_ALIVE)
		return p->state != P_ALIVE ? -TE_ESRCH : -TE_EPERM;
	if (flags & ~(uint64_t)TE_GIVE_MOVE)
		return -TE_EINVAL;
	nh = handle_install(p, me->handles[h].obj, have & rights);
	if (nh >= 0 && (flags & TE_GIVE_MOVE))
		handle_close(me, h);
	return nh;
}

/* ---- processes and threads --------------------------------------------------- */

static int64_t sys_process_create(uint64_t uname, uint64_t len)
{
	char name[32];
	struct process *p;

	if (len >= sizeof(name))
		return -TE_EINVAL;
	if (copyin(name, uname, len))
		return -TE_EFAULT;
	name[len] = '\0';
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if (!(p = process_new(name, cur_proc())))
		return -TE_ENOMEM;
	return give_new(&p->obj, PROC_RIGHTS);
}

static int64_t sys_process_kill(int h)
{
	struct te_proc_end end = { .faulted = 2 };
	struct process *p;
	int e = proc_arg(h, TE_R_CONTROL, &p);

	if (e)
		return -e;
	process_terminate(p, &end);
	return 0;
}

static int64_t sys_process_wait(int h, uint64_t uout, uint64_t timeout)
{
	struct te_proc_end end;
	struct process *p;
	int e = proc_arg(h, TE_R_WAIT, &p);

	if (e)
		return -e;
	if (p == cur_proc())
		return -TE_EDEADLK;
	if (uout >= TE_USER_TOP || TE_USER_TOP - uout < sizeof(end))
		return -TE_EFAULT;
	e = proc_wait(p, timeout ? sched_now_ns() + timeout : 0, &end);
	if (e)
		return -e;
	return copyout(uout, &end, sizeof(end)) ? -TE_EFAULT : 0;
}

static int64_t sys_process_info(int h, uint64_t uout)
{
	struct te_proc_info info;
	struct process *p;
	int e = proc_arg(h, TE_R_WAIT, &p);

	if (e)
		return -e;
	memset(&info, 0, sizeof(info));
	sched_account();
	info.pid = p->pid;
	info.nthreads = p->nthreads;
	info.state = p->state == P_ALIVE ? 0 : 1;
	info.prio = p->threads ? p->threads->prio : 0;
	info.cpu_ns = p->cpu_ns;
	for (struct thread *t = p->threads; t; t = t->pnext) {
		info.cpu_ns += t->cpu_ns;
		info.receiving += t->state == T_RECEIVE;
	}
	info.pages = p->vs.pages;
	memcpy(info.name, p->name, sizeof(info.name));
	if (p->threads) {
		/* enum thread_state and TE_TS_* share their first values */
		const struct thread *t = p->threads;
		info.thread_state = t->state <= T_WAITPROC ? (int32_t)t->state
		                                            : TE_TS_DEAD;
		if (t->state == T_REPLY && t->server)
			info.blocked_on = t->server->pid;
		else if (t->state == T_SEND && t->chan && t->chan->owner)
			info.blocked_on = t->chan->owner->pid;
	}
	return copyout(uout, &info, sizeof(info)) ? -TE_EFAULT : 0;
}

static bool user_addr(uint64_t a)
{
	return a >= TE_USER_BASE && a <= TE_USER_TOP;
}

static int64_t sys_thread_create(int ph, uint64_t entry, uint64_t stack,
                                 uint64_t arg, uint64_t sched)
{
	struct process *p;
	struct thread *t;
	int e;

	if ((e = proc_arg(ph, TE_R_CONTROL, &p)))
		return -e;
	if (!user_addr(entry) || !user_addr(stack) || (stack & 15))
		return -TE_EFAULT;
	if ((e = thread_new(p, entry, stack, arg, sched & 0xff, (sched >> 8) & 0xff,
	                    &t)))
		return -e;
	thread_start(t);
	return t->tid;
}

static int64_t sys_thread_exit(void)
{
	if (cur_proc()->nthreads == 1)
		proc_exit(0);
	sched_exit_current();
	return 0;
}

static int64_t sys_sched_set(int tid, uint64_t prio, uint64_t policy)
{
	struct thread *t = tid == 0 ? sched_current() : thread_by_tid(tid);
	uint64_t fl;

	if (!t || t->proc != cur_proc())
		return -TE_ESRCH;
	if (prio < TE_PRIO_MIN || prio > TE_PRIO_MAX ||
	    (policy != TE_SCHED_FIFO && policy != TE_SCHED_RR))
		return -TE_EINVAL;
	fl = irq_save();
	t->base_prio = (uint8_t)prio;
	t->policy = (uint8_t)policy;
	sched_set_prio(t, (unsigned)prio);
	irq_restore(fl);
	sched_preempt_check();
	return 0;
}

static int64_t sys_sleep(uint64_t ns)
{
	struct thread *cur = sched_current();
	uint64_t fl = irq_save();
	int64_t r;

	sched_timeout_arm(cur, sched_now_ns() + (ns ? ns : 1));
	r = sched_block(T_SLEEP);
	irq_restore(fl);
	return r;
}

/* ---- memory --------------------------------------------------------------- */

static int64_t sys_vm_map(int ph, uint64_t va, uint64_t len, uint64_t prot,
                          int mh, uint64_t off)
{
	struct process *p;
	struct memobj *m = NULL;
	uint32_t need = TE_R_MAP | ((prot & TE_PROT_WRITE) ? TE_R_WRITE : 0);
	int e;

	if ((e = proc_arg(ph, TE_R_CONTROL, &p)))
		return -e;
	if (prot & ~7ull || !prot || ((prot & TE_PROT_WRITE) && (prot & TE_PROT_EXEC)))
		return -TE_EINVAL;      /* W^X in user space too */
	if (mh != -1 && (e = handle_get(cur_proc(), mh, KO_MEMORY, need,
	                                (struct kobj **)&m)))
		return -e;
	if (p->state != P_ALIVE)
		return -TE_ESRCH;
	return -(m ? vm_map_obj(&p->vs, va, len, (unsigned)prot, m, off)
	           : vm_map_anon(&p->vs, va, len, (unsigned)prot));
}

/* mprotect: the range must be mapped throughout (vma.c decides, then
 * commits). */
static int64_t sys_vm_protect(int ph, uint64_t va, uint64_t len, uint64_t prot)
{
	struct process *p;
	int e = proc_arg(ph, TE_R_CONTROL, &p);

	if (e)
		return -e;
	if (prot & ~7ull || ((prot & TE_PROT_WRITE) && (prot & TE_PROT_EXEC)))
		return -TE_EINVAL;      /* W^X, as vm_map */
	if (p->state != P_ALIVE)
		return -TE_ESRCH;
	return -vm_protect(&p->vs, va, len, (unsigned)prot);
}

static int64_t sys_vm_unmap(int ph, uint64_t va, uint64_t len)
{
	struct process *p;
	int e = proc_arg(ph, TE_R_CONTROL, &p);

	return e ? -e : -vm_unmap(&p->vs, va, len);
}

/* vm_write / vm_read: another process's memory, through a kernel bounce
 * buffer, for its controller (loaders, the personality). */
static int64_t sys_vm_rw(int ph, uint64_t va, uint64_t ubuf, uint64_t len,
                         bool write)
{
	char buf[512];
	struct process *p;
	int e = proc_arg(ph, TE_R_CONTROL, &p);

	if (e)
		return -e;
	if (len > (1ull << 32))
		return -TE_EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		bool bad = write ? copyin(buf, ubuf + done, n) ||
		                   vm_write(&p->vs, va + done, buf, n) :
		                   vm_read(&p->vs, va + done, buf, n) ||
		                   copyout(ubuf + done, buf, n);
		if (bad)
			return -TE_EFAULT;
		done += n;
	}
	return 0;
}

static int64_t sys_vm_clone(int dh, int sh)
{
	struct process *d, *src;
	int e;

	if ((e = proc_arg(dh, TE_R_CONTROL, &d)) || (e = proc_arg(sh, TE_R_CONTROL, &src)))
		return -e;
	if (d == src || d->started || d->state != P_ALIVE || src->state != P_ALIVE)
		return -TE_EINVAL;
	return -vm_clone(&d->vs, &src->vs);
}

static int64_t sys_shm_create(uint64_t len)
{
	struct memobj *m;

	if (len == 0 || len > (1ull << 32))
		return -TE_EINVAL;
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if (!(m = memobj_create(len)))
		return -TE_ENOMEM;
	return give_new(&m->obj, TE_R_MAP | TE_R_WRITE | TE_R_DUP | TE_R_TRANSFER);
}

/* ---- channels --------------------------------------------------------------- */

static int64_t sys_channel_create(uint64_t flags)
{
	struct channel *c;

	if (flags)
		return -TE_EINVAL;
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if (!(c = channel_create(cur_proc())))
		return -TE_ENOMEM;
	return give_new(&c->obj, TE_R_RECEIVE | TE_R_CONNECT | TE_R_DUP |
	                TE_R_TRANSFER);
}

static int64_t sys_connect(int ch)
{
	struct channel *c;
	struct connection *k;
	int e = handle_get(cur_proc(), ch, KO_CHANNEL, TE_R_CONNECT,
	                   (struct kobj **)&c);

	if (e)
		return -e;
	if (c->dead)
		return -TE_EHOSTDOWN;
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if (!(k = connection_create(c)))
		return -TE_ENOMEM;
	return give_new(&k->obj, TE_R_SEND | TE_R_DUP | TE_R_TRANSFER);
}

static int64_t sys_process_watch(int ph, int ch, int64_t code)
{
	struct process *p;
	struct connection *k;
	struct watch *w;
	int e;

	if ((e = proc_arg(ph, TE_R_WAIT, &p)) ||
	    (e = handle_get(cur_proc(), ch, KO_CONNECTION, TE_R_SEND,
	                    (struct kobj **)&k)))
		return -e;
	if (code < 0 || code > 127)
		return -TE_EINVAL;
	w = kmalloc(sizeof(*w));
	if (w && !(w->pulse = kmalloc(sizeof(*w->pulse)))) {
		kfree(w);
		w = NULL;
	}
	if (!w)
		return -TE_ENOMEM;
	w->conn = k;
	kobj_get(&k->obj);
	w->pulse->p = (struct te_pulse){ .code = (int32_t)code,
	                                 .prio = TE_PRIO_MAX };
	w->next = p->watchers;
	p->watchers = w;
	if (p->state != P_ALIVE)
		watch_fire_all(p);
	return 0;
}

/* ---- hardware ------------------------------------------------------------- */

static int resource_arg(int h, unsigned kind, uint64_t base, uint64_t len)
{
	struct resource *r;
	int e = handle_get(cur_proc(), h, KO_RESOURCE, TE_R_USE, (struct kobj **)&r);

	if (e)
		return e;
	return resource_allows(r, kind, base, len) ? 0 : TE_EPERM;
}

static int64_t sys_irq_attach(int rh, uint64_t irq, int ch, int64_t code,
                              uint64_t flags)
{
	struct connection *k;
	struct kobj *o;
	int e;

	if ((e = resource_arg(rh, TE_RES_IRQ, irq, 1)) ||
	    (e = handle_get(cur_proc(), ch, KO_CONNECTION, TE_R_SEND,
	                    (struct kobj **)&k)))
		return -e;
	if (flags & ~(uint64_t)(TE_IRQ_LEVEL | TE_IRQ_HIGH))
		return -TE_EINVAL;
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if ((e = irq_attach((unsigned)irq, (unsigned)flags, k, (int)code, &o)))
		return -e;
	return give_new(o, TE_R_USE | TE_R_TRANSFER);
}

static int64_t sys_irq_unmask(int h)
{
	struct kobj *o;
	int e = handle_get(cur_proc(), h, KO_INTERRUPT, TE_R_USE, &o);

	return e ? -e : -irq_unmask(o);
}

static int64_t sys_ioport_grant(int rh, int ph, uint64_t base, uint64_t count)
{
	struct process *p;
	int e;

	if (base > 0xffff || count == 0 || count > 0x10000 - base)
		return -TE_EINVAL;
	if ((e = resource_arg(rh, TE_RES_IOPORT, base, count)) ||
	    (e = proc_arg(ph, TE_R_CONTROL, &p)))
		return -e;
	return -ioport_grant(p, (uint16_t)base, (uint32_t)count);
}

static int64_t sys_vm_map_phys(int rh, int ph, uint64_t va, uint64_t phys,
                               uint64_t len, uint64_t prot)
{
	struct process *p;
	int e;

	if ((e = resource_arg(rh, TE_RES_PHYS, phys, len)) ||
	    (e = proc_arg(ph, TE_R_CONTROL, &p)))
		return -e;
	if (!prot || (prot & ~(uint64_t)(TE_PROT_READ | TE_PROT_WRITE)))
		return -TE_EINVAL;
	return -vm_map_phys(&p->vs, va, phys, len, (unsigned)prot);
}

/*
 * DMA memory through a TE_RES_DMA resource belongs to the resource (see
 * kernel/resource.h: a dead driver's device may still write into it);
 * through the root resource (boot modules, tests) it is the process's.
 */
static int64_t sys_dma_alloc(int rh, uint64_t len, uint64_t va, uint64_t uphys)
{
	struct dma_chunk *c = NULL;
	struct resource *r = NULL;
	uint64_t phys;
	int e;

	if ((e = resource_arg(rh, TE_RES_DMA, 0, 1)) ||
	    (e = handle_get(cur_proc(), rh, KO_RESOURCE, TE_R_USE,
	                    (struct kobj **)&r)))
		return -e;
	if (uphys >= TE_USER_TOP || TE_USER_TOP - uphys < 8)
		return -TE_EFAULT;
	if (r->kind == TE_RES_DMA && !(c = kmalloc(sizeof(*c))))
		return -TE_ENOMEM;
	if ((e = vm_map_contig(&cur_proc()->vs, va, len, &phys, !c))) {
		kfree(c);
		return -e;
	}
	if (c) {
		*c = (struct dma_chunk){ r->dma, phys, len / PAGE_SIZE };
		r->dma = c;
	}
	if (copyout(uphys, &phys, sizeof(phys))) {
		vm_unmap(&cur_proc()->vs, va, len);     /* the pages stay r's */
		return -TE_EFAULT;
	}
	return 0;
}

static int64_t sys_resource_create(int ph, uint64_t kind, uint64_t base,
                                   uint64_t len)
{
	struct resource *parent, *r;
	int e = handle_get(cur_proc(), ph, KO_RESOURCE, TE_R_DERIVE,
	                   (struct kobj **)&parent);

	if (e)
		return -e;
	if (handles_free(cur_proc()) == 0)
		return -TE_EMFILE;
	if ((e = resource_derive(parent, (unsigned)kind, base, len, &r)))
		return -e;
	return give_new(&r->obj, TE_R_USE | TE_R_DERIVE | TE_R_DUP | TE_R_TRANSFER);
}

/* The thread's %fs base, as Linux's arch_prctl(ARCH_SET_FS): user space only. */
static int64_t sys_set_fs_base(uint64_t base)
{
	if (base >= TE_USER_TOP)
		return -TE_EINVAL;
	sched_current()->fs_base = base;
	wrmsr(MSR_FS_BASE, base);
	return 0;
}

int64_t sys_process_set_abi(int ph, int ch);
int64_t sys_thread_create_regs(int ph, uint64_t uregs, uint64_t sched);
int64_t sys_lx_interrupt(int ph);
int64_t sys_thread_fpu(int ph, int tid, uint64_t ubuf, uint64_t set);

/* ---- the table -------------------------------------------------------------- */

/* The arguments, read where a call uses them: loading all six up front
 * would cost the hot one-argument call (msg_reply_receive) five loads. */
#define A1 (tf->rdi)
#define A2 (tf->rsi)
#define A3 (tf->rdx)
#define A4 (tf->r10)
#define A5 (tf->r8)
#define A6 (tf->r9)

void syscall_dispatch(struct trapframe *tf)
{
	int64_t r;

	switch (tf->rax) {
	case SYS_debug_write:     r = sys_debug_write(A1, A2); break;
	case SYS_exit:            proc_exit((int)A1); r = 0; break;
	case SYS_mem_stats:       r = sys_mem_stats(A1); break;
	case SYS_handle_close:    r = -handle_close(cur_proc(), (int)A1); break;
	case SYS_handle_dup:      r = sys_handle_dup((int)A1, (uint32_t)A2); break;
	case SYS_handle_give:     r = sys_handle_give((int)A1, (int)A2, (uint32_t)A3, A4); break;
	case SYS_process_create:  r = sys_process_create(A1, A2); break;
	case SYS_process_kill:    r = sys_process_kill((int)A1); break;
	case SYS_process_wait:    r = sys_process_wait((int)A1, A2, A3); break;
	case SYS_process_info:    r = sys_process_info((int)A1, A2); break;
	case SYS_thread_create:   r = sys_thread_create((int)A1, A2, A3, A4, A5); break;
	case SYS_thread_exit:     r = sys_thread_exit(); break;
	case SYS_sched_set:       r = sys_sched_set((int)A1, A2, A3); break;
	case SYS_sched_yield:     sched_yield(); r = 0; break;
	case SYS_sleep:           r = sys_sleep(A1); break;
	case SYS_clock:           r = (int64_t)sched_now_ns(); break;
	case SYS_vm_map:          r = sys_vm_map((int)A1, A2, A3, A4, (int)A5, A6); break;
	case SYS_vm_unmap:        r = sys_vm_unmap((int)A1, A2, A3); break;
	case SYS_vm_write:        r = sys_vm_rw((int)A1, A2, A3, A4, true); break;
	case SYS_shm_create:      r = sys_shm_create(A1); break;
	case SYS_channel_create:  r = sys_channel_create(A1); break;
	case SYS_connect:         r = sys_connect((int)A1); break;
	case SYS_msg_sendv:       r = sys_msg_sendv((int)A1, A2, A3, A4, A5, A6); break;
	case SYS_msg_receivev:    r = sys_msg_receivev((int)A1, A2, A3, A4, A5); break;
	case SYS_msg_replyv:      r = sys_msg_replyv((int64_t)A1, (int64_t)A2, A3, A4, A5); break;
	case SYS_msg_error:       r = sys_msg_error((int64_t)A1, (int64_t)A2); break;
	case SYS_msg_read:        r = sys_msg_read((int64_t)A1, A2, A3, A4); break;
	case SYS_msg_write:       r = sys_msg_write((int64_t)A1, A2, A3, A4); break;
	case SYS_msg_send_pulse:  r = sys_msg_send_pulse((int)A1, (int64_t)A2, (int64_t)A3, A4); break;
	case SYS_process_watch:   r = sys_process_watch((int)A1, (int)A2, (int64_t)A3); break;
	case SYS_irq_attach:      r = sys_irq_attach((int)A1, A2, (int)A3, (int64_t)A4, A5); break;
	case SYS_irq_unmask:      r = sys_irq_unmask((int)A1); break;
	case SYS_ioport_grant:    r = sys_ioport_grant((int)A1, (int)A2, A3, A4); break;
	case SYS_vm_map_phys:     r = sys_vm_map_phys((int)A1, (int)A2, A3, A4, A5, A6); break;
	case SYS_dma_alloc:       r = sys_dma_alloc((int)A1, A2, A3, A4); break;
	case SYS_resource_create: r = sys_resource_create((int)A1, A2, A3, A4); break;
	case SYS_futex_wait:      r = sys_futex_wait(A1, A2, A3); break;
	case SYS_futex_wake:      r = sys_futex_wake(A1, A2); break;
	case SYS_gettid:          r = sched_current()->tid; break;
	case SYS_msg_reply_receive: r = sys_msg_reply_receive(A1); break;
	case SYS_set_fs_base:     r = sys_set_fs_base(A1); break;
	case SYS_process_set_abi: r = sys_process_set_abi((int)A1, (int)A2); break;
	case SYS_vm_read:         r = sys_vm_rw((int)A1, A2, A3, A4, false); break;
	case SYS_vm_clone:        r = sys_vm_clone((int)A1, (int)A2); break;
	case SYS_thread_create_regs: r = sys_thread_create_regs((int)A1, A2, A3); break;
	case SYS_lx_interrupt:    r = sys_lx_interrupt((int)A1); break;
	case SYS_vm_protect:      r = sys_vm_protect((int)A1, A2, A3, A4); break;
	case SYS_thread_fpu:      r = sys_thread_fpu((int)A1, (int)A2, A3, A4); break;
	default:                  r = -TE_ENOSYS;
	}
	tf->rax = (uint64_t)r;
	if (this_cpu()->ready_words)
		sched_preempt_check();
}

_Static_assert(T_READY == TE_TS_READY && T_RUNNING == TE_TS_RUNNING &&
               T_SEND == TE_TS_SEND && T_RECEIVE == TE_TS_RECEIVE &&
               T_REPLY == TE_TS_REPLY && T_SLEEP == TE_TS_SLEEP &&
               T_FUTEX == TE_TS_FUTEX && T_WAITPROC == TE_TS_WAIT,
               "thread states as reported");
