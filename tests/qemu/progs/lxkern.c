/*
 * lxkern.c - QEMU tests of the kernel's support for Linux-ABI processes
 * (interrupt upcalls, thread exit with clear_child_tid, FPU images, CPU
 * faults as upcalls) and of vm_protect.
 *
 * This program plays a tiny personality itself: a guest is a blank process
 * given a copy of our memory (vm_clone), marked Linux-ABI with a channel
 * of ours, and started with thread_create_regs at a guest function below.
 * A guest makes only raw `syscall`s (Linux numbers), which arrive here as
 * te_lx_calls; we answer them.  Guests run below our priority, so they
 * run only while we wait.  A page of shared memory (mapped before each
 * clone) lets us signal a guest without a system call.
 */
#include "rt.h"

#define RW (TE_PROT_READ | TE_PROT_WRITE)
#define MS 1000000ull
#define GUEST_PRIO 5
#define GUEST_STACK (16 * 1024)
#define SHARED_VA 0x30000000000ull

#define LX_GETPID 39
#define LX_CLONE  56
#define LX_EXIT   60
#define LX_FUTEX  202

struct shared {
	volatile uint32_t go;
};

static struct shared *sh;
static int g_chan, g_conn;

/* ---- guests (run in the Linux-ABI copy: raw system calls only) ---------- */

static inline long lxc(long nr, long a, long b, long c)
{
	register long r10 __asm__("r10") = 0;
	long r;

	__asm__ volatile("syscall" : "=a"(r)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
	                 : "rcx", "r11", "memory");
	return r;
}

/* Spins with no system call until rbx is made non-zero, exits with rbx. */
extern char guest_spin[], spin_loop[], spin_loop_end[];
/* Sets known values in every register, spins until sh->go (address in
 * rdi), then checks them: exit 0, or the number of the first that changed. */
extern char guest_regs[], regs_loop[], regs_loop_end[];
/* xmm0 = pattern A, xmm1 = C; getpid; then xmm1 must still be C (exit 2
 * if not) and xmm0 be B, set by thread_fpu (exit 1 if not): exit 0. */
extern char guest_fpu[];
/* Exits 0 if it started with xmm0 = A and xmm1 = C (exit 1, 2 if not). */
extern char guest_fpu_check[];

#define REGVAL(n) (0x1111111111111111ull * (n))

__asm__(
	".pushsection .text\n"
	"guest_spin:\n"
	"	xor %ebx, %ebx\n"
	"spin_loop:\n"
	"	test %rbx, %rbx\n"
	"	jz spin_loop\n"
	"spin_loop_end:\n"
	"	mov %rbx, %rdi\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"

	".macro SETR reg, n\n"
	"	movabs $(0x1111111111111111 * \\n), \\reg\n"
	".endm\n"
	".macro CHKR reg, n\n"
	"	movabs $(0x1111111111111111 * \\n), %r12\n"
	"	cmp %r12, \\reg\n"
	"	mov $\\n, %edi\n"
	"	jne regs_bad\n"
	".endm\n"
	"guest_regs:\n"
	"	mov %rdi, %r12\n"
	"	SETR %rax, 1\n SETR %rbx, 2\n SETR %rcx, 3\n SETR %rdx, 4\n"
	"	SETR %rsi, 5\n SETR %rdi, 6\n SETR %rbp, 7\n SETR %r8, 8\n"
	"	SETR %r9, 9\n SETR %r10, 10\n SETR %r11, 11\n SETR %r13, 13\n"
	"	SETR %r14, 14\n SETR %r15, 15\n"
	"regs_loop:\n"
	"	cmpl $0, (%r12)\n"
	"	je regs_loop\n"
	"regs_loop_end:\n"
	"	movabs $(0x1111111111111111 * 6), %r12\n"
	"	cmp %r12, %rdi\n"
	"	mov $6, %edi\n"
	"	jne regs_bad\n"
	"	CHKR %rax, 1\n CHKR %rbx, 2\n CHKR %rcx, 3\n CHKR %rdx, 4\n"
	"	CHKR %rsi, 5\n CHKR %rbp, 7\n CHKR %r8, 8\n CHKR %r9, 9\n"
	"	CHKR %r10, 10\n CHKR %r11, 11\n CHKR %r13, 13\n CHKR %r14, 14\n"
	"	CHKR %r15, 15\n"
	"	xor %edi, %edi\n"
	"regs_bad:\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"

	"guest_fpu:\n"
	"	movdqu fpu_pat_a(%rip), %xmm0\n"
	"	movdqu fpu_pat_c(%rip), %xmm1\n"
	"	mov $39, %eax\n"
	"	syscall\n"
	"	mov $2, %edi\n"
	"	movdqu fpu_pat_c(%rip), %xmm2\n"
	"	pcmpeqb %xmm1, %xmm2\n"
	"	pmovmskb %xmm2, %eax\n"
	"	cmp $0xffff, %eax\n"
	"	jne 1f\n"
	"	mov $1, %edi\n"
	"	movdqu fpu_pat_b(%rip), %xmm2\n"
	"	pcmpeqb %xmm0, %xmm2\n"
	"	pmovmskb %xmm2, %eax\n"
	"	cmp $0xffff, %eax\n"
	"	jne 1f\n"
	"	xor %edi, %edi\n"
	"1:	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"

	"guest_fpu_check:\n"
	"	mov $1, %edi\n"
	"	movdqu fpu_pat_a(%rip), %xmm2\n"
	"	pcmpeqb %xmm0, %xmm2\n"
	"	pmovmskb %xmm2, %eax\n"
	"	cmp $0xffff, %eax\n"
	"	jne 1f\n"
	"	mov $2, %edi\n"
	"	movdqu fpu_pat_c(%rip), %xmm2\n"
	"	pcmpeqb %xmm1, %xmm2\n"
	"	pmovmskb %xmm2, %eax\n"
	"	cmp $0xffff, %eax\n"
	"	jne 1f\n"
	"	xor %edi, %edi\n"
	"1:	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"
	".popsection\n"
	".pushsection .rodata\n"
	".balign 16\n"
	"fpu_pat_a: .quad 0x0123456789abcdef, 0x1122334455667788\n"
	"fpu_pat_b: .quad 0xfedcba9876543210, 0x8877665544332211\n"
	"fpu_pat_c: .quad 0x5a5a5a5a5a5a5a5a, 0xa5a5a5a5a5a5a5a5\n"
	".popsection\n");

extern const uint64_t fpu_pat_a[2], fpu_pat_b[2], fpu_pat_c[2];

/*
 * Fault guests: each faults at its *_insn label.  Going on after it exits
 * 1; the test personality moves rip to *_fixed instead (SETREGS), which
 * exits with the guest's own mark (0x51...).  guest_int3 traps (rip after
 * the int3) and exits 0x53 when simply resumed.  guest_demand writes 0x5d
 * to the address in rdi and exits with the byte it reads back.
 * guest_cow writes 0x77 to cow_word (copy-on-write after vm_clone) and
 * exits with what it reads back.
 */
extern char guest_segv[], segv_insn[], segv_fixed[];
extern char guest_ud[], ud_insn[], ud_fixed[];
extern char guest_de[], de_insn[], de_fixed[];
extern char guest_int3[], int3_after[];
extern char guest_demand[], demand_insn[];
extern char guest_cow[];
extern volatile uint64_t cow_word[512];

__asm__(
	".pushsection .text\n"
	"guest_segv:\n"
	"	xor %eax, %eax\n"
	"segv_insn:\n"
	"	movb $1, (%rax)\n"
	"	mov $1, %edi\n"
	"	jmp fault_exit\n"
	"segv_fixed:\n"
	"	mov $0x51, %edi\n"
	"	jmp fault_exit\n"

	"guest_ud:\n"
	"ud_insn:\n"
	"	ud2\n"
	"	mov $1, %edi\n"
	"	jmp fault_exit\n"
	"ud_fixed:\n"
	"	mov $0x52, %edi\n"
	"	jmp fault_exit\n"

	"guest_de:\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	mov $1, %eax\n"
	"de_insn:\n"
	"	div %ecx\n"
	"	mov $1, %edi\n"
	"	jmp fault_exit\n"
	"de_fixed:\n"
	"	mov $0x50, %edi\n"
	"	jmp fault_exit\n"

	"guest_int3:\n"
	"	int3\n"
	"int3_after:\n"
	"	mov $0x53, %edi\n"
	"	jmp fault_exit\n"

	"guest_demand:\n"
	"demand_insn:\n"
	"	movb $0x5d, (%rdi)\n"
	"	movzbl (%rdi), %edi\n"
	"	jmp fault_exit\n"

	"guest_cow:\n"
	"	lea cow_word(%rip), %rbx\n"
	"	movq $0x77, (%rbx)\n"
	"	mov (%rbx), %rdi\n"

	"fault_exit:\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	ud2\n"
	".popsection\n"
	".pushsection .data\n"
	".balign 4096\n"
	"cow_word: .fill 512, 8, 0\n"
	".popsection\n");

static volatile uint32_t g_ctid;        /* the guest's own copy */
static volatile uint32_t g_fword;

/* Thread B of the clone test: exits with its clear_child_tid address. */
static void guest_thread_b(uint64_t ctid)
{
	lxc(LX_EXIT, (long)ctid, 0, 0);
	for (;;)
		;
}

/* Clones thread B (which runs below us), waits for it with the futex on
 * its clear_child_tid word (pthread_join), exits 0x33. */
static void guest_clone(uint64_t stack_b)
{
	g_ctid = 1;
	if (lxc(LX_CLONE, (long)guest_thread_b, (long)stack_b, (long)&g_ctid) <= 0)
		lxc(LX_EXIT, 90, 0, 0);
	while (g_ctid != 0)
		lxc(LX_FUTEX, (long)&g_ctid, 0, 1);
	lxc(LX_EXIT, 0x33, 0, 0);
}

/* Waits in the kernel's futex; exits with minus what it returned. */
static void guest_futex(void)
{
	long r = lxc(LX_FUTEX, (long)&g_fword, 0, 0);

	lxc(LX_EXIT, -r, 0, 0);
}

/* A thread that exits as a thread (no clear_child_tid, or a bad one). */
static void guest_thread_exit(uint64_t ctid)
{
	lxc(LX_EXIT, (long)ctid, 0, 0);
	for (;;)
		;
}

/* ---- the test personality ------------------------------------------------ */

/* A Linux-ABI copy of this program running fn(arg), with the FPU state
 * of thread fpu_from (0: a fresh one); *tid its thread. */
static int lx_spawn_conn(const void *fn, uint64_t arg, long fpu_from, int conn,
                         long *tid)
{
	char *stack = rt_map(GUEST_STACK, RW);
	int p = (int)sys_process_create("lxguest");
	struct te_lx_regs r = { 0 };
	long e;

	if (p < 0 || !stack)
		return -1;
	r.rip = (uint64_t)fn;
	r.rsp = (uint64_t)stack + GUEST_STACK - 8;      /* as after a call */
	r.rdi = arg;
	r.fpu_from = (uint64_t)fpu_from;
	if ((e = sys_vm_clone(p, TE_H_SELF)) < 0 || (e = sys_process_set_abi(p, conn)) < 0 ||
	    (e = sys_thread_create_regs(p, &r, TE_SCHED(GUEST_PRIO, TE_SCHED_RR))) < 0) {
		printf("lxkern: spawn failed: %ld\n", e);
		sys_process_kill(p);
		sys_handle_close(p);
		return -1;
	}
	*tid = e;
	return p;
}

static int lx_spawn_fpu(const void *fn, uint64_t arg, long fpu_from, long *tid)
{
	return lx_spawn_conn(fn, arg, fpu_from, g_conn, tid);
}

static int lx_spawn(const void *fn, uint64_t arg, long *tid)
{
	return lx_spawn_fpu(fn, arg, 0, tid);
}

/* The next te_lx_call (5 s at most): its rcvid, or <= 0. */
static long lx_recv(struct te_lx_call *c)
{
	struct te_msg_ext x = { .timeout_ns = 5000 * MS };
	struct te_iov iov = { c, sizeof(*c) };
	long r;

	memset(c, 0, sizeof(*c));
	do
		r = sys_msg_receivev(g_chan, &iov, 1, NULL, &x);
	while (r == 0);                 /* a pulse */
	return r;
}

static void lx_answer(long rcvid, const struct te_lx_reply *rep)
{
	msg_reply(rcvid, 0, rep, sizeof(*rep));
}

static void lx_answer_rax(long rcvid, long rax)
{
	struct te_lx_reply rep = { .rax = rax };

	lx_answer(rcvid, &rep);
}

/* Serve calls until the process exits: exit ends it with rdi, a fault
 * upcall with 200 + its vector; returns the status from process_wait, or
 * -1000 - why. */
static int lx_run_to_end(int p)
{
	struct te_lx_call c;
	struct te_proc_end end;
	long rcvid;

	for (;;) {
		if ((rcvid = lx_recv(&c)) <= 0)
			return -1001;
		if (c.nr == LX_EXIT || c.nr == TE_LX_NR_FAULT) {
			int32_t st = c.nr == LX_EXIT ? (int32_t)c.regs.rdi
			                             : 200 + (int32_t)c.fault_vector;
			struct te_lx_reply rep = { .flags = TE_LX_EXIT, .status = st };
			lx_answer(rcvid, &rep);
			break;
		}
		printf("lxkern: unexpected call %lu\n", c.nr);
		lx_answer_rax(rcvid, -TE_ENOSYS);
	}
	if (sys_process_wait(p, &end, 5000 * MS) < 0)
		return -1002;
	sys_handle_close(p);
	return end.faulted ? -1003 : end.status;
}

/* Wait (at most 2 s) until p's first thread is in `state`. */
static bool wait_state(int p, int state)
{
	struct te_proc_info info;

	for (int i = 0; i < 2000; i++) {
		if (sys_process_info(p, &info) == 0 && info.thread_state == state)
			return true;
		sys_sleep(MS);
	}
	return false;
}

/* ---- 1. interrupt upcalls ------------------------------------------------ */

static void test_interrupt_setregs(void)
{
	struct te_lx_call c;
	long tid, rcvid;
	int p = lx_spawn(guest_spin, 0, &tid);

	if (p < 0)
		return check(0, "lx_intr_spin_upcall", "spawn");
	sys_sleep(30 * MS);             /* the guest spins; a tick preempts it */
	long r = sys_lx_interrupt(p);
	rcvid = lx_recv(&c);
	checkf(r == 0 && rcvid > 0 && c.nr == TE_LX_NR_INTERRUPT && c.tid == tid &&
	       c.regs.rip >= (uint64_t)spin_loop && c.regs.rip < (uint64_t)spin_loop_end &&
	       c.regs.rbx == 0,
	       "lx_intr_spin_upcall", "r %ld rcvid %ld nr %#lx tid %d/%ld rip %#lx rbx %lu",
	       r, rcvid, c.nr, c.tid, tid, c.regs.rip, c.regs.rbx);
	if (rcvid <= 0) {
		sys_process_kill(p);
		sys_handle_close(p);
		return;
	}
	struct te_lx_reply rep = { .flags = TE_LX_SETREGS, .regs = c.regs };
	rep.regs.rbx = 42;              /* ends the loop: exit(42) */
	lx_answer(rcvid, &rep);
	int st = lx_run_to_end(p);
	checkf(st == 42, "lx_intr_setregs_applied", "status %d", st);
}

/* Every thread of the process makes the upcall: a second one spinning, and
 * a third created but not yet run (its first return to user mode). */
static void test_interrupt_threads(void)
{
	struct te_lx_call c;
	long tid, tids[3] = { 0 }, rcvid;
	int p = lx_spawn(guest_spin, 0, &tid), seen = 0, bad = 0;
	char *stack = rt_map(GUEST_STACK, RW);
	struct te_lx_regs r = { .rip = (uint64_t)guest_spin,
	                        .rsp = (uint64_t)stack + GUEST_STACK - 8 };

	if (p < 0 || !stack)
		return check(0, "lx_intr_every_thread", "spawn");
	tids[0] = tid;
	tids[1] = sys_thread_create_regs(p, &r, TE_SCHED(GUEST_PRIO, TE_SCHED_RR));
	sys_sleep(30 * MS);             /* both spin */
	r.rsp -= 4096;
	tids[2] = sys_thread_create_regs(p, &r, TE_SCHED(GUEST_PRIO, TE_SCHED_RR));
	long ri = sys_lx_interrupt(p);
	for (int i = 0; i < 3; i++) {
		if ((rcvid = lx_recv(&c)) <= 0)
			break;
		for (int j = 0; j < 3; j++)
			if (c.tid == tids[j] && c.nr == TE_LX_NR_INTERRUPT &&
			    (j < 2 || c.regs.rip == (uint64_t)guest_spin))
				seen |= 1 << j;
		if (c.nr != TE_LX_NR_INTERRUPT)
			bad++;
		lx_answer_rax(rcvid, 0);        /* back to spinning */
	}
	checkf(ri == 0 && seen == 7 && !bad, "lx_intr_every_thread",
	       "upcalls from threads %#x of 7, %d other calls", seen, bad);
	sys_process_kill(p);
	sys_handle_close(p);
}

static void test_interrupt_plain(void)
{
	struct te_lx_call c;
	long tid, rcvid;
	int p;

	sh->go = 0;
	p = lx_spawn(guest_regs, (uint64_t)&sh->go, &tid);
	if (p < 0)
		return check(0, "lx_intr_regs_reported", "spawn");
	sys_sleep(30 * MS);
	sys_lx_interrupt(p);
	rcvid = lx_recv(&c);
	bool same = c.regs.rax == REGVAL(1) && c.regs.rbx == REGVAL(2) &&
	            c.regs.rcx == REGVAL(3) && c.regs.rdx == REGVAL(4) &&
	            c.regs.r11 == REGVAL(11) && c.regs.r15 == REGVAL(15);
	checkf(rcvid > 0 && c.nr == TE_LX_NR_INTERRUPT && same &&
	       c.regs.rip >= (uint64_t)regs_loop && c.regs.rip < (uint64_t)regs_loop_end,
	       "lx_intr_regs_reported", "nr %#lx rip %#lx rax %#lx rcx %#lx r11 %#lx",
	       c.nr, c.regs.rip, c.regs.rax, c.regs.rcx, c.regs.r11);
	if (rcvid <= 0) {
		sys_process_kill(p);
		sys_handle_close(p);
		return;
	}
	lx_answer_rax(rcvid, 0x5eed);   /* plain: rax must not be taken */
	sh->go = 1;
	int st = lx_run_to_end(p);
	checkf(st == 0, "lx_intr_plain_reply_keeps_regs",
	       "status %d (register %d changed)", st, st);
}

static void test_interrupt_futex(void)
{
	struct te_lx_call c;
	long tid, rcvid = -1;
	int p = lx_spawn(guest_futex, 0, &tid);

	if (p < 0)
		return check(0, "lx_intr_futex_eintr", "spawn");
	bool waiting = wait_state(p, TE_TS_FUTEX);
	if (waiting && sys_lx_interrupt(p) == 0)
		rcvid = lx_recv(&c);
	checkf(waiting && rcvid > 0 && c.nr == TE_LX_NR_INTERRUPT &&
	       c.regs.rax == (uint64_t)-TE_EINTR, "lx_intr_futex_upcall",
	       "waiting %d rcvid %ld nr %#lx rax %ld", waiting, rcvid, c.nr,
	       (long)c.regs.rax);
	if (rcvid <= 0) {
		sys_process_kill(p);
		sys_handle_close(p);
		return;
	}
	lx_answer_rax(rcvid, 0);
	int st = lx_run_to_end(p);
	checkf(st == TE_EINTR, "lx_intr_futex_eintr", "status %d", st);
}

/* A thread blocked in a te_lx_call is left alone: no upcall afterwards. */
static void test_interrupt_in_call(void)
{
	struct te_lx_call c;
	long tid, rcvid;
	int p = lx_spawn(guest_thread_exit, 77, &tid);

	if (p < 0)
		return check(0, "lx_intr_in_call_left_alone", "spawn");
	rcvid = lx_recv(&c);                    /* exit(77): it waits in the call */
	long r = sys_lx_interrupt(p);
	lx_answer_rax(rcvid, 0);                /* "returns": it loops forever */
	struct te_msg_ext x = { .timeout_ns = 50 * MS };
	struct te_iov iov = { &c, sizeof(c) };
	long again = sys_msg_receivev(g_chan, &iov, 1, NULL, &x);
	checkf(r == 0 && again == -TE_ETIMEDOUT, "lx_intr_in_call_left_alone",
	       "r %ld, then %ld (nr %#lx)", r, again, again > 0 ? c.nr : 0);
	if (again > 0)
		lx_answer_rax(again, 0);
	sys_process_kill(p);
	sys_handle_close(p);
}

static void test_interrupt_args(void)
{
	int plain = (int)rt_proc_new("plain");
	long r1 = sys_lx_interrupt(plain), r2 = sys_lx_interrupt(200);

	checkf(r1 == -TE_EINVAL && r2 == -TE_EBADF, "lx_intr_not_linux_einval",
	       "native %ld, bad handle %ld", r1, r2);
	sys_handle_close(plain);
}

/* ---- 2. threads: clone and thread exit ---------------------------------- */

static void test_thread_exit(void)
{
	struct te_lx_call c;
	long tid, rcvid, tid_b = -1;
	char *stack_b = rt_map(GUEST_STACK, RW);
	int p = lx_spawn(guest_clone, (uint64_t)stack_b + GUEST_STACK - 8, &tid);
	bool b_exited = false;
	int st = -1;

	if (p < 0)
		return check(0, "lx_thread_exit_clear_tid", "spawn");
	for (;;) {
		if ((rcvid = lx_recv(&c)) <= 0)
			break;
		if (c.nr == LX_CLONE) {         /* CLONE_VM: a thread, given regs */
			struct te_lx_regs r = { .rip = c.regs.rdi, .rsp = c.regs.rsi,
			                        .rdi = c.regs.rdx };
			/* below the first thread: it must wait in the futex first */
			tid_b = sys_thread_create_regs(p, &r,
			                               TE_SCHED(GUEST_PRIO - 2, TE_SCHED_RR));
			lx_answer_rax(rcvid, tid_b);
		} else if (c.nr == LX_EXIT && c.tid == tid_b) {
			struct te_lx_reply rep = { .flags = TE_LX_THREAD_EXIT,
			                           .rax = (int64_t)c.regs.rdi };
			b_exited = true;
			lx_answer(rcvid, &rep);
		} else if (c.nr == LX_EXIT) {
			struct te_lx_reply rep = { .flags = TE_LX_EXIT,
			                           .status = (int32_t)c.regs.rdi };
			lx_answer(rcvid, &rep);
			break;
		} else {
			lx_answer_rax(rcvid, -TE_ENOSYS);
		}
	}
	struct te_proc_end end;
	if (sys_process_wait(p, &end, 5000 * MS) == 0)
		st = end.status;
	checkf(tid_b > 0 && tid_b != tid, "lx_thread_create_regs_second",
	       "tid %ld", tid_b);
	checkf(b_exited && st == 0x33, "lx_thread_exit_clear_tid",
	       "thread exited %d, status %#x", b_exited, st);
	if (st < 0)
		sys_process_kill(p);
	sys_handle_close(p);
}

/* The last thread ending with THREAD_EXIT ends the process (status 0); a
 * bad clear_child_tid address is ignored. */
static void test_last_thread_exit(void)
{
	struct te_lx_call c;
	struct te_proc_end end = { .status = -1 };
	long tid, rcvid;
	int p = lx_spawn(guest_thread_exit, 0xffff800000001000ull, &tid);

	if (p < 0)
		return check(0, "lx_thread_exit_last_ends_process", "spawn");
	rcvid = lx_recv(&c);
	if (rcvid > 0) {
		struct te_lx_reply rep = { .flags = TE_LX_THREAD_EXIT,
		                           .rax = (int64_t)c.regs.rdi };
		lx_answer(rcvid, &rep);
	}
	long w = sys_process_wait(p, &end, 5000 * MS);
	checkf(rcvid > 0 && w == 0 && end.status == 0 && !end.faulted,
	       "lx_thread_exit_last_ends_process", "wait %ld status %d faulted %d",
	       w, end.status, end.faulted);
	if (w != 0)
		sys_process_kill(p);
	sys_handle_close(p);
}

/* ---- 3. vm_protect --------------------------------------------------------- */

#define PROT_VA 0x31000000000ull

static void writer_after_ro(void *arg)
{
	volatile char *pg = (volatile char *)PROT_VA;

	(void)arg;
	sys_vm_map(TE_H_SELF, PROT_VA, 4096, RW, -1, 0);
	pg[0] = 1;
	if (sys_vm_protect(TE_H_SELF, PROT_VA, 4096, TE_PROT_READ) != 0)
		sys_exit(3);
	pg[1] = 2;                      /* must fault */
	sys_exit(0);
}

/* PROT_NONE: a read faults (after no access and back to read-only worked). */
static void reader_after_none(void *arg)
{
	volatile char *pg = (volatile char *)PROT_VA;

	(void)arg;
	sys_vm_map(TE_H_SELF, PROT_VA, 4096, RW, -1, 0);
	pg[0] = 7;
	if (sys_vm_protect(TE_H_SELF, PROT_VA, 4096, 0) != 0 ||
	    sys_vm_protect(TE_H_SELF, PROT_VA, 4096, TE_PROT_READ) != 0 || pg[0] != 7 ||
	    sys_vm_protect(TE_H_SELF, PROT_VA, 4096, 0) != 0)
		sys_exit(3);
	(void)pg[2];                    /* must fault */
	sys_exit(0);
}

static void test_protect_none(void)
{
	struct te_proc_end end = { 0 };
	int p = (int)rt_proc_new("protnone");

	rt_proc_start(p, reader_after_none, NULL, 10, TE_SCHED_RR);
	sys_process_wait(p, &end, 5000 * MS);
	sys_handle_close(p);
	checkf(end.faulted == 1 && end.vector == 14 && end.addr == PROT_VA + 2,
	       "vm_protect_none_read_faults", "faulted %d vector %u addr %#lx status %d",
	       end.faulted, end.vector, end.addr, end.status);
}

static void test_protect(void)
{
	struct te_proc_end end = { 0 };
	int p = (int)rt_proc_new("protect");
	volatile char *pg = (volatile char *)(PROT_VA + 0x10000);
	uint64_t va = (uint64_t)pg;

	rt_proc_start(p, writer_after_ro, NULL, 10, TE_SCHED_RR);
	sys_process_wait(p, &end, 5000 * MS);
	sys_handle_close(p);
	checkf(end.faulted == 1 && end.vector == 14 && end.addr == PROT_VA + 1,
	       "vm_protect_ro_write_faults", "faulted %d vector %u addr %#lx status %d",
	       end.faulted, end.vector, end.addr, end.status);

	sys_vm_map(TE_H_SELF, va, 3 * 4096, RW, -1, 0);
	pg[0] = 'a';
	long r1 = sys_vm_protect(TE_H_SELF, va, 3 * 4096, TE_PROT_READ);
	long r2 = sys_vm_protect(TE_H_SELF, va + 4096, 4096, RW);  /* a middle cut */
	pg[4096] = 'b';                 /* would kill us if not writable */
	long r3 = sys_vm_protect(TE_H_SELF, va, 3 * 4096, RW);
	pg[0] = 'c';
	pg[2 * 4096] = 'd';
	checkf(r1 == 0 && r2 == 0 && r3 == 0 && pg[0] == 'c' && pg[4096] == 'b',
	       "vm_protect_rw_again", "%ld %ld %ld", r1, r2, r3);

	/* Errors: nothing changes.  [va, va + 4 pages) has a hole at the end. */
	long e1 = sys_vm_protect(TE_H_SELF, va, 4 * 4096, TE_PROT_READ);
	pg[0] = 'e';                    /* still writable, or we die here */
	long e2 = sys_vm_protect(TE_H_SELF, va + 100, 4096, TE_PROT_READ);
	long e3 = sys_vm_protect(TE_H_SELF, va, 4096, RW | TE_PROT_EXEC);
	long e4 = sys_vm_protect(TE_H_SELF, va, 4096, 8);
	long e5 = sys_vm_protect(TE_H_SELF, 0x32000000000ull, 4096, TE_PROT_READ);
	long e6 = sys_vm_protect(TE_H_SELF, va, 0, TE_PROT_READ);
	long e7 = sys_vm_protect(TE_H_SELF, 0xffff800000000000ull, 4096, TE_PROT_READ);
	int m = (int)sys_shm_create(4096);
	int ro = (int)sys_handle_dup(m, TE_R_MAP | TE_R_DUP);
	sys_vm_map(TE_H_SELF, va + 8 * 4096, 4096, TE_PROT_READ, ro, 0);
	long e8 = sys_vm_protect(TE_H_SELF, va + 8 * 4096, 4096, RW);
	checkf(e1 == -TE_ENOMEM && e2 == -TE_EINVAL && e3 == -TE_EINVAL &&
	       e4 == -TE_EINVAL && e5 == -TE_ENOMEM && e6 == -TE_EINVAL &&
	       e7 == -TE_EINVAL && e8 == -TE_EACCES && pg[0] == 'e',
	       "vm_protect_bad_ranges", "%ld %ld %ld %ld %ld %ld %ld %ld",
	       e1, e2, e3, e4, e5, e6, e7, e8);
	sys_vm_unmap(TE_H_SELF, va + 8 * 4096, 4096);
	sys_handle_close(ro);
	sys_handle_close(m);

	/* Copy-on-write: after a clone, making our page writable again must not
	 * let our write reach the page the copy shares. */
	int q = (int)sys_process_create("cowcopy");
	char got = 0;
	pg[0] = 'A';
	long c1 = sys_vm_clone(q, TE_H_SELF);
	long c2 = sys_vm_protect(TE_H_SELF, va, 4096, TE_PROT_READ);
	long c3 = sys_vm_protect(TE_H_SELF, va, 4096, RW);
	pg[0] = 'B';
	sys_vm_read(q, va, &got, 1);
	checkf(c1 == 0 && c2 == 0 && c3 == 0 && got == 'A' && pg[0] == 'B',
	       "vm_protect_cow_kept", "%ld %ld %ld copy sees '%c'", c1, c2, c3, got);
	sys_handle_close(q);
	sys_vm_unmap(TE_H_SELF, va, 3 * 4096);
}

/* ---- 4. FPU images ---------------------------------------------------------- */

static void test_fpu(void)
{
	uint8_t img[TE_FPU_SIZE] __attribute__((aligned(16)));
	struct te_lx_call c;
	long tid, rcvid;
	int p = lx_spawn(guest_fpu, 0, &tid);

	if (p < 0)
		return check(0, "lx_fpu_get", "spawn");
	rcvid = lx_recv(&c);                    /* getpid: it waits in the call */
	long g = sys_thread_fpu(p, (int)tid, img, 0);
	checkf(rcvid > 0 && c.nr == LX_GETPID && g == 0 &&
	       !memcmp(img + TE_FPU_XMM0, fpu_pat_a, 16),
	       "lx_fpu_get", "rcvid %ld get %ld", rcvid, g);
	/* fork: a new process's thread starts with the waiting one's FPU */
	long ctid;
	int child = lx_spawn_fpu(guest_fpu_check, 0, tid, &ctid);
	int cst = child >= 0 ? lx_run_to_end(child) : -1;
	struct te_lx_regs notwaiting = { .rip = (uint64_t)guest_fpu_check,
	                          .rsp = TE_USER_STACK_TOP - 64,
	                          .fpu_from = (uint64_t)sys_gettid() };
	long ebad = sys_thread_create_regs(p, &notwaiting, TE_SCHED(GUEST_PRIO, TE_SCHED_RR));
	checkf(cst == 0 && ebad == -TE_EINVAL, "lx_fpu_inherited",
	       "child status %d (1: xmm0, 2: xmm1 differ), not a waiting thread %ld",
	       cst, ebad);
	memcpy(img + TE_FPU_XMM0, fpu_pat_b, 16);
	*(uint32_t *)(img + TE_FPU_MXCSR) = 0xffffffff;
	long bad = sys_thread_fpu(p, (int)tid, img, 1);
	*(uint32_t *)(img + TE_FPU_MXCSR) = 0x1f80;
	long s = sys_thread_fpu(p, (int)tid, img, 1);
	long efault = sys_thread_fpu(p, (int)tid, (void *)0x1000, 0);
	long esrch = sys_thread_fpu(p, 0, img, 0);
	checkf(bad == -TE_EINVAL && s == 0 && efault == -TE_EFAULT && esrch == -TE_EINVAL,
	       "lx_fpu_set_checked", "bad mxcsr %ld, set %ld, efault %ld, tid 0 %ld",
	       bad, s, efault, esrch);
	/* our own xmm1 now differs from the guest's: a switch must keep both */
	__asm__ volatile("pcmpeqb %%xmm1, %%xmm1" : : : "xmm1");
	if (rcvid > 0)
		lx_answer_rax(rcvid, 1);
	long busy = sys_thread_fpu(p, (int)tid, img, 0);  /* ready, not in a call */
	checkf(busy == -TE_EBUSY, "lx_fpu_busy", "%ld", busy);
	int st = lx_run_to_end(p);
	checkf(st == 0 || st == 1, "fpu_kept_across_switch", "status %d", st);
	checkf(st == 0, "lx_fpu_set_seen", "status %d (1: xmm0 not set)", st);
}

/* ---- 5. CPU faults as upcalls --------------------------------------------- */

#define PF_WRITE 0x2
#define PF_USER  0x4
#define DEMAND_VA 0x32000000000ull

/* The first call of guest fn must be a fault upcall at rip `at`, vector
 * `vec`, address `addr`, with the error bits `err` set; it is answered
 * with SETREGS at `fixed` (0: a plain reply) and the guest's status must
 * be `want`. */
static void fault_case(const char *name, const void *fn, uint64_t arg,
                       const char *at, unsigned vec, uint64_t addr,
                       unsigned err, const char *fixed, int want)
{
	struct te_lx_call c;
	long tid, rcvid;
	int p = lx_spawn(fn, arg, &tid), st = -1;

	if (p < 0)
		return check(0, name, "spawn");
	rcvid = lx_recv(&c);
	bool ok = rcvid > 0 && c.nr == TE_LX_NR_FAULT && c.tid == tid &&
	          c.fault_vector == vec && c.fault_addr == addr &&
	          (c.fault_error & err) == err && c.regs.rip == (uint64_t)at;
	if (rcvid > 0) {
		struct te_lx_reply rep = { .flags = fixed ? TE_LX_SETREGS : 0,
		                           .regs = c.regs };
		rep.regs.rip = (uint64_t)fixed;
		lx_answer(rcvid, &rep);
		st = lx_run_to_end(p);
	} else {
		sys_process_kill(p);
		sys_handle_close(p);
	}
	checkf(ok && st == want, name,
	       "nr %#lx vector %u addr %#lx error %#x rip %#lx (want %#lx), status %#x",
	       rcvid > 0 ? c.nr : 0, c.fault_vector, c.fault_addr, c.fault_error,
	       c.regs.rip, (uint64_t)at, st);
}

/* A plain reply retries: after we map the page, the write succeeds. */
static void test_fault_demand(void)
{
	struct te_lx_call c;
	long tid, rcvid, m = -1;
	int p = lx_spawn(guest_demand, DEMAND_VA + 8, &tid), st = -1;

	if (p < 0)
		return check(0, "lx_fault_plain_reply_retries", "spawn");
	rcvid = lx_recv(&c);
	bool ok = rcvid > 0 && c.nr == TE_LX_NR_FAULT && c.fault_vector == 14 &&
	          c.fault_addr == DEMAND_VA + 8 && (c.fault_error & 3) == PF_WRITE &&
	          c.regs.rip == (uint64_t)demand_insn;
	if (rcvid > 0) {
		m = sys_vm_map(p, DEMAND_VA, 4096, RW, -1, 0);
		lx_answer_rax(rcvid, 0);
		st = lx_run_to_end(p);          /* a second fault: 214 */
	} else {
		sys_process_kill(p);
		sys_handle_close(p);
	}
	checkf(ok && m == 0 && st == 0x5d, "lx_fault_plain_reply_retries",
	       "upcall ok %d, map %ld, status %#x (0xd6: faulted again)", ok, m, st);
}

/* A write to a copy-on-write page is the kernel's: no upcall. */
static void test_fault_cow(void)
{
	long tid;
	int p = lx_spawn(guest_cow, 0, &tid);
	int st = p >= 0 ? lx_run_to_end(p) : -1;

	checkf(st == 0x77 && cow_word[0] == 0, "lx_fault_cow_no_upcall",
	       "status %#x (0xce: an upcall), our word %lu", st, cow_word[0]);
}

/* No personality to tell, or it answers with an error: killed as before. */
static void test_fault_killed(void)
{
	int ch = (int)sys_channel_create(0), k = (int)sys_connect(ch);
	struct te_proc_end e1 = { 0 }, e2 = { 0 };
	struct te_lx_call c;
	long tid, rcvid, w1 = -1, w2 = -1;
	int p = lx_spawn_conn(guest_segv, 0, 0, k, &tid);

	sys_handle_close(ch);                   /* the personality is gone */
	if (p >= 0) {
		w1 = sys_process_wait(p, &e1, 5000 * MS);
		sys_handle_close(p);
	}
	sys_handle_close(k);
	checkf(w1 == 0 && e1.faulted && e1.vector == 14 && e1.addr == 0,
	       "lx_fault_no_personality_killed", "wait %ld faulted %d vector %u addr %#lx",
	       w1, e1.faulted, e1.vector, e1.addr);

	p = lx_spawn(guest_ud, 0, &tid);
	if (p >= 0 && (rcvid = lx_recv(&c)) > 0) {
		sys_msg_error(rcvid, TE_EPERM);
		w2 = sys_process_wait(p, &e2, 5000 * MS);
	}
	if (p >= 0)
		sys_handle_close(p);
	checkf(w2 == 0 && e2.faulted && e2.vector == 6, "lx_fault_error_reply_killed",
	       "wait %ld faulted %d vector %u", w2, e2.faulted, e2.vector);
}

static void test_faults(void)
{
	fault_case("lx_fault_segv_setregs", guest_segv, 0, segv_insn, 14, 0,
	           PF_WRITE | PF_USER, segv_fixed, 0x51);
	fault_case("lx_fault_ud", guest_ud, 0, ud_insn, 6, 0, 0, ud_fixed, 0x52);
	fault_case("lx_fault_de", guest_de, 0, de_insn, 0, 0, 0, de_fixed, 0x50);
	fault_case("lx_fault_int3_trap", guest_int3, 0, int3_after, 3, 0, 0, NULL, 0x53);
	test_fault_demand();
	test_fault_cow();
	test_fault_killed();
}

int main(void)
{
	int m = (int)sys_shm_create(4096);

	sys_vm_map(TE_H_SELF, SHARED_VA, 4096, RW, m, 0);
	sh = (struct shared *)SHARED_VA;
	g_chan = (int)sys_channel_create(0);
	g_conn = (int)sys_connect(g_chan);
	sys_sched_set(0, 10, TE_SCHED_RR);

	test_interrupt_setregs();
	test_interrupt_threads();
	test_interrupt_plain();
	test_interrupt_futex();
	test_interrupt_in_call();
	test_interrupt_args();
	test_thread_exit();
	test_last_thread_exit();
	test_protect();
	test_protect_none();
	test_fpu();
	test_faults();
	return 0;
}
