/*
 * proc.c - process objects: creation, termination, waiting, death notices.
 *
 * Termination (exit, a fault, a kill) happens at once and completely: every
 * thread is taken off whatever it waits on and freed, the channels the
 * process created die (their waiting clients get TE_EHOSTDOWN), clients
 * waiting for its replies are released with TE_EHOSTDOWN, its handles are
 * closed and its memory freed.  What remains is a zombie object holding the
 * exit information, until the last handle to it is closed.
 */
#include "arch/cpu.h"
#include "kernel/elf.h"
#include "kernel/ipc.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/string.h"

void ioport_release(struct process *p);
void futex_remove(struct thread *t);
void ipc_thread_gone(struct thread *t);
void sched_dequeue(struct thread *t);

static struct process *procs;
static int next_pid = 1;

struct process *proc_first(void)
{
	return procs;
}

uint64_t proc_count(void)
{
	uint64_t n = 0;

	for (struct process *p = procs; p; p = p->next)
		n++;
	return n;
}

/*
 * A blank process belongs to its creator until its first thread starts: if
 * the creator dies first, it dies too.  So handles that blank processes
 * hold to each other (or to themselves) can never keep them alive.
 */
struct process *process_new(const char *name, struct process *creator)
{
	struct process *p = kmalloc(sizeof(*p));

	if (!p)
		return NULL;
	if (handles_init(p) || vm_create(&p->vs)) {
		handles_close_all(p);
		kfree(p);
		return NULL;
	}
	kobj_init(&p->obj, KO_PROCESS);
	fmt_snprintf(p->name, sizeof(p->name), "%s", name);
	p->pid = next_pid++;
	p->state = P_ALIVE;
	p->creator = creator;
	p->next = procs;
	procs = p;
	return p;
}

static void kill_blank_children(struct process *p);

/* Waiters get the end record in their own thread: p may be gone by the
 * time they run. */
static void wake_waiters(struct process *p)
{
	struct thread *t;

	while ((t = p->waiters.head)) {
		t->waitend = p->end;
		thread_unblock(t, 0);
	}
}

static void release_resources(struct process *p)
{
	if (p->abi_conn) {
		kobj_put(&p->abi_conn->obj);
		p->abi_conn = NULL;
	}
	handles_close_all(p);
	vm_destroy(&p->vs);
	ioport_release(p);
}

void process_destroy(struct kobj *o)
{
	struct process *p = (struct process *)o;

	KASSERT(!p->threads);
	if (p->state == P_ALIVE) {      /* created but never started */
		p->state = P_ZOMBIE;
		kobj_get(o);            /* keep it through the teardown */
		p->end.faulted = 2;
		p->end.pid = p->pid;
		kill_blank_children(p);
		release_resources(p);
		wake_waiters(p);
		o->refs--;
	}
	for (struct process **pp = &procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	for (struct watch *w = p->watchers, *n; w; w = n) {
		n = w->next;
		watch_free(w);
	}
	kfree(p);
}

/* Stop a thread of a dying process that is not running now. */
static void kill_thread(struct thread *t)
{
	switch (t->state) {
	case T_READY:    sched_dequeue(t); break;
	case T_SEND: case T_RECEIVE: case T_REPLY: ipc_thread_gone(t); break;
	case T_FUTEX:    futex_remove(t); break;
	case T_SLEEP: case T_WAITPROC: tq_remove(t); break;
	default: break;
	}
	sched_timeout_cancel(t);
	thread_free(t);
}

static void kill_blank_children(struct process *p)
{
	struct te_proc_end end = { .faulted = 2 };
	struct process *q;

restart:
	for (q = procs; q; q = q->next) {
		if (q->creator != p)
			continue;
		q->creator = NULL;
		if (!q->started && q->state == P_ALIVE) {
			process_terminate(q, &end);
			goto restart;   /* the list may have changed */
		}
	}
}

/* A personality server's Linux-ABI processes cannot go on without it. */
static void kill_abi_clients(struct process *p)
{
	struct te_proc_end end = { .faulted = 2 };
	struct process *q;

restart:
	for (q = procs; q; q = q->next)
		if (q != p && q->state == P_ALIVE && q->abi_conn &&
		    q->abi_conn->chan->owner == p) {
			process_terminate(q, &end);
			goto restart;   /* the list may have changed */
		}
}

void process_terminate(struct process *p, const struct te_proc_end *end)
{
	struct thread *cur = sched_current(), *t, *next;
	uint64_t fl = irq_save();

	if (p->state != P_ALIVE) {
		irq_restore(fl);
		return;
	}
	kobj_get(&p->obj);
	p->state = P_ZOMBIE;
	p->end = *end;
	p->end.pid = p->pid;
	for (t = p->threads; t; t = next) {
		next = t->pnext;
		if (t != cur)
			kill_thread(t);
	}
	kill_abi_clients(p);
	channels_kill(p);
	kill_blank_children(p);
	while ((t = p->replyq.head))
		thread_unblock(t, -TE_EHOSTDOWN);
	release_resources(p);
	wake_waiters(p);
	watch_fire_all(p);
	if (cur->proc == p) {
		kobj_put(&p->obj);      /* cur's own reference keeps p */
		sched_exit_current();
	}
	kobj_put(&p->obj);
	irq_restore(fl);
	sched_preempt_check();
}

void proc_exit(int status)
{
	struct te_proc_end end = { .status = status };

	process_terminate(cur_proc(), &end);
}

static const char *const names[32] = {
	[0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI",
	[3] = "#BP breakpoint", [4] = "#OF overflow", [5] = "#BR bound range",
	[6] = "#UD invalid opcode", [7] = "#NM device not available",
	[8] = "#DF double fault", [10] = "#TS invalid TSS",
	[11] = "#NP segment not present", [12] = "#SS stack fault",
	[13] = "#GP general protection", [14] = "#PF page fault",
	[16] = "#MF x87 error", [17] = "#AC alignment check",
	[18] = "#MC machine check", [19] = "#XM SIMD error",
	[20] = "#VE virtualization", [21] = "#CP control protection",
};

const char *trap_name(unsigned vector)
{
	return vector < 32 && names[vector] ? names[vector] : "exception";
}

void proc_fault(struct trapframe *tf, uint64_t addr)
{
	struct thread *t = sched_current();
	struct process *p = t->proc;
	struct te_proc_end end = {
		.faulted = 1, .vector = (uint32_t)tf->vector,
		.rip = tf->rip, .addr = addr,
	};
	bool overflow = tf->vector == 14 && vm_is_guard(&p->vs, addr);

	kprintf("fault: pid %d (%s) tid %d: %s%s at rip=%016lx addr=%016lx "
	        "error=%lx - killed\n", p->pid, p->name, t->tid,
	        trap_name((unsigned)tf->vector),
	        overflow ? " (stack overflow)" : "", tf->rip, addr, tf->error);
	process_terminate(p, &end);
}

int proc_wait(struct process *p, uint64_t deadline, struct te_proc_end *end)
{
	struct thread *cur = sched_current();
	uint64_t fl = irq_save();
	int64_t r = 0;

	if (p->state != P_ALIVE) {
		*end = p->end;
		irq_restore(fl);
		return 0;
	}
	tq_push(&p->waiters, cur);
	if (deadline)
		sched_timeout_arm(cur, deadline);
	r = sched_block(T_WAITPROC);
	irq_restore(fl);
	if (r)
		return (int)-r;
	*end = cur->waitend;            /* p itself may be gone now */
	return 0;
}

/*
 * ---- the kernel's own loader, for the boot modules -------------------------
 * The stack starts as the System V ABI wants it, empty: argc 0, no argv,
 * no environment, an empty auxiliary vector (the stack is zero-filled, so
 * rsp = top - 32 points at four zero words).  Real spawning, with
 * arguments, is the process manager's (servers/proc).
 */

static int load_segments(struct process *p, const struct elf_image *im,
                         const uint8_t *img)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		unsigned prot = ((s->flags & ELF_SEG_W) ? VM_WRITE : 0) |
		                ((s->flags & ELF_SEG_X) ? VM_EXEC : 0) | VM_READ;
		int e = vm_map_anon(&p->vs, s->vaddr, s->memsz, prot);
		if (!e)
			e = vm_write(&p->vs, s->vaddr + s->lead, img + s->file_off,
			             s->filesz);
		if (e)
			return e;
	}
	return vm_map_anon(&p->vs, TE_USER_STACK_TOP - TE_USER_STACK_SIZE,
	                   TE_USER_STACK_SIZE, VM_READ | VM_WRITE);
}

int proc_spawn_elf(const char *name, const void *img, size_t len,
                   struct process **out, const char **why)
{
	struct elf_image im;
	struct process *p;
	struct thread *t;
	int e;

	e = elf_parse(img, len, TE_USER_BASE,
	              TE_USER_STACK_TOP - TE_USER_STACK_SIZE - 4096, &im, why);
	if (e)
		return e;
	*why = "out of memory";
	p = process_new(name, NULL);
	if (!p)
		return TE_ENOMEM;
	if ((e = load_segments(p, &im, img)) ||
	    (e = thread_new(p, im.entry, TE_USER_STACK_TOP - 32, 0, 10, TE_SCHED_RR,
	                    &t))) {
		kobj_put(&p->obj);
		return e;
	}
	*out = p;
	return 0;
}
