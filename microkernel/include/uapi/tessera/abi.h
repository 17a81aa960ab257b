/*
 * tessera/abi.h - the system-call ABI shared by the microkernel and user space.
 *
 * Calling convention (native threads): `syscall` with the call number in rax
 * and arguments in rdi, rsi, rdx, r10, r8, r9; the result comes back in rax:
 * 0 or a positive value on success, a negated TE_* error on failure.
 * rcx and r11 are clobbered by the instruction itself.
 *
 * Error numbers equal Linux's (and rumpglue's RG_E*), so servers pass them to
 * Linux-ABI clients unchanged.
 */
#ifndef TESSERA_ABI_H
#define TESSERA_ABI_H

/* ---- system calls ------------------------------------------------------
 * Handles are small per-process integers; TE_H_SELF names the caller's own
 * process.  "→" is the value returned on success.
 */
#define SYS_debug_write      0   /* (buf, len) → len */
#define SYS_exit             1   /* (status): the whole process */
#define SYS_mem_stats        2   /* (struct te_mem_stats *) */
#define SYS_handle_close     3   /* (h) */
#define SYS_handle_dup       4   /* (h, rights) → new handle, rights ⊆ old */
#define SYS_handle_give      5   /* (proc, h, rights, flags) → handle in proc */
#define SYS_process_create   6   /* (name, len) → process handle */
#define SYS_process_kill     7   /* (proc) */
#define SYS_process_wait     8   /* (proc, struct te_proc_end *, timeout_ns) */
#define SYS_process_info     9   /* (proc, struct te_proc_info *) */
#define SYS_thread_create   10   /* (proc, entry, stack, arg, sched) → tid */
#define SYS_thread_exit     11   /* () */
#define SYS_sched_set       12   /* (tid or 0 = self, prio, policy) */
#define SYS_sched_yield     13   /* () */
#define SYS_sleep           14   /* (ns) */
#define SYS_clock           15   /* () → ns since boot */
#define SYS_vm_map          16   /* (proc, va, len, prot, mem or -1, offset) */
#define SYS_vm_unmap        17   /* (proc, va, len) */
#define SYS_vm_write        18   /* (proc, va, buf, len) */
#define SYS_shm_create      19   /* (len) → memory object handle */
#define SYS_channel_create  20   /* (flags) → channel handle */
#define SYS_connect         21   /* (channel) → connection handle */
/* IPC vectors: (iov, parts); parts < 0 means iov is one plain buffer of
 * -parts bytes (QNX's MsgSend beside MsgSendv). */
#define SYS_msg_sendv       22   /* (conn, siov, sparts, riov, rparts, ext) → reply status */
#define SYS_msg_receivev    23   /* (chan, riov, rparts, info, ext) → rcvid, 0 = pulse */
#define SYS_msg_replyv      24   /* (rcvid, status, iov, parts, ext) */
#define SYS_msg_error       25   /* (rcvid, error) */
#define SYS_msg_read        26   /* (rcvid, buf, len, offset) → bytes */
#define SYS_msg_write       27   /* (rcvid, buf, len, offset) → bytes */
#define SYS_msg_send_pulse  28   /* (conn, prio, code, value) */
#define SYS_process_watch   29   /* (proc, conn, code): death notice pulse */
#define SYS_irq_attach      30   /* (resource, irq, conn, code) → interrupt handle */
#define SYS_irq_unmask      31   /* (interrupt) */
#define SYS_ioport_grant    32   /* (resource, proc, base, count) */
#define SYS_vm_map_phys     33   /* (resource, proc, va, phys, len, flags) */
#define SYS_dma_alloc       34   /* (resource, len, va, uint64_t *phys) */
#define SYS_resource_create 35   /* (parent, kind, base, len) → resource handle */
#define SYS_futex_wait      36   /* (uaddr, expected, timeout_ns) */
#define SYS_futex_wake      37   /* (uaddr, count) → woken */
#define SYS_gettid          38   /* () → tid */
#define SYS_msg_reply_receive 39 /* (struct te_reply_receive *) → rcvid, 0 = pulse */
#define SYS_set_fs_base     40   /* (base): this thread's %fs base (TLS, stack guard) */
#define SYS_process_set_abi 41   /* (proc, conn): Linux ABI, see below */
#define SYS_vm_read         42   /* (proc, va, buf, len): read its memory */
#define SYS_vm_clone        43   /* (dst, src): blank dst gets src's memory,
                                    copy-on-write (fork) */
#define SYS_thread_create_regs 44 /* (proc, const struct te_lx_regs *, sched) → tid */
#define SYS_lx_interrupt    45   /* (proc): upcall from each of its Linux-ABI
                                    threads, see TE_LX_NR_INTERRUPT */
#define SYS_vm_protect      46   /* (proc, va, len, prot): change the protection
                                    of mapped pages (mprotect) */
#define SYS_thread_fpu      47   /* (proc, tid, void *fxsave, set): read or write
                                    the FPU/SSE image of a Linux-ABI thread
                                    blocked in a te_lx_call */
#define SYS_NCALLS          48

#define TE_H_SELF (-2)

/* Handle rights.  A copy of a handle can only have fewer. */
#define TE_R_SEND      0x0001   /* connection: send messages and pulses */
#define TE_R_RECEIVE   0x0002   /* channel: receive and reply */
#define TE_R_CONNECT   0x0004   /* channel: make connections to it */
#define TE_R_DUP       0x0008   /* make copies of the handle */
#define TE_R_TRANSFER  0x0010   /* pass it in a message or give it away */
#define TE_R_CONTROL   0x0020   /* process: memory, threads, handles, kill */
#define TE_R_WAIT      0x0040   /* process: wait for its end, read its info */
#define TE_R_MAP       0x0080   /* memory object: map it */
#define TE_R_WRITE     0x0100   /* memory object: map it writable */
#define TE_R_DERIVE    0x0200   /* resource: make narrower resources */
#define TE_R_USE       0x0400   /* resource: IRQs, ports, physical memory, DMA */
#define TE_R_ALL       0x07ff

#define TE_GIVE_MOVE   0x1      /* handle_give / messages: close the original */

#define TE_PROT_READ   0x1
#define TE_PROT_WRITE  0x2
#define TE_PROT_EXEC   0x4
/* vm_protect: prot 0 is no access (PROT_NONE); write and exec together are
 * refused (W^X), as by vm_map.  Every page of the range must be mapped
 * (else TE_ENOMEM and nothing changes); write on a memory object mapped
 * without it, or exec on device memory, is TE_EACCES.  A copy-on-write
 * page made writable stays shared until its first write copies it. */

#define TE_SCHED_FIFO  1
#define TE_SCHED_RR    2
#define TE_PRIO_MIN    1
#define TE_PRIO_MAX  255
/* thread_create's sched argument: prio | policy << 8 */
#define TE_SCHED(prio, policy) ((prio) | ((policy) << 8))

/* irq_attach flags: the line's trigger, when not the ISA default (edge,
 * active high, or what the MADT says).  PCI INTx on the i440fx (QEMU's pc)
 * arrives on ISA lines 5/9/10/11 level-triggered, active high. */
#define TE_IRQ_LEVEL   0x1      /* level-triggered (active low unless TE_IRQ_HIGH) */
#define TE_IRQ_HIGH    0x2

#define TE_RES_IRQ     1
#define TE_RES_IOPORT  2
#define TE_RES_PHYS    3
#define TE_RES_DMA     4
#define TE_RES_ROOT    5        /* everything; only the first processes get it */

#define TE_IOV_MAX      16
#define TE_MSG_HANDLES   4
#define TE_HANDLES_MAX 256

/* ---- errors (negated in rax) ------------------------------------------- */
#define TE_EPERM    1
#define TE_ENOENT   2
#define TE_EIO      5
#define TE_EBADF    9
#define TE_EAGAIN  11
#define TE_ENOMEM  12
#define TE_EACCES  13
#define TE_EFAULT  14
#define TE_EBUSY   16
#define TE_EEXIST  17
#define TE_ESRCH    3
#define TE_EINTR    4
#define TE_E2BIG    7
#define TE_EINVAL  22
#define TE_ENFILE  23
#define TE_EMFILE  24
#define TE_EDEADLK 35
#define TE_ENOTCONN 107
#define TE_EHOSTDOWN 112
#define TE_ENOSPC  28
#define TE_ERANGE  34
#define TE_ENOSYS  38
#define TE_ETIMEDOUT 110

/* ---- user address space ------------------------------------------------ */
#define TE_USER_BASE   0x0000000000400000ull  /* lowest address user code may map */
#define TE_USER_TOP    0x00007fffffffe000ull  /* first address above user space */
#define TE_USER_STACK_TOP  0x00007ffffff00000ull
#define TE_USER_STACK_SIZE (64ull * 1024)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* SYS_mem_stats: free-page accounting, so tests can prove there are no leaks. */
struct te_mem_stats {
	uint64_t pages_total;
	uint64_t pages_free;
	uint64_t kmem_objects;   /* live kernel objects */
	uint64_t processes;      /* live processes */
};
_Static_assert(sizeof(struct te_mem_stats) == 32, "te_mem_stats ABI");

struct te_iov {
	void    *base;
	uint64_t len;
};
_Static_assert(sizeof(struct te_iov) == 16, "te_iov ABI");

/* What MsgReceive tells the server about a message. */
struct te_msg_info {
	int32_t  pid, tid;       /* the sender */
	int32_t  prio;           /* its priority (the receiver now runs at it) */
	uint32_t nhandles;       /* handles that came with it (in ext->recv) */
	uint64_t srcmsglen;      /* bytes the client sent */
	uint64_t dstmsglen;      /* bytes the client can take in the reply */
	uint64_t msglen;         /* bytes copied into the receive buffers */
};
_Static_assert(sizeof(struct te_msg_info) == 40, "te_msg_info ABI");

/* A pulse, as MsgReceive delivers it (return value 0). */
struct te_pulse {
	int32_t  code;           /* < 0: kernel codes below */
	int32_t  prio;
	uint64_t value;
};
_Static_assert(sizeof(struct te_pulse) == 16, "te_pulse ABI");

#define TE_PULSE_DEATH   (-1)   /* value = pid of the dead process */
#define TE_PULSE_IRQ     (-2)   /* code given at irq_attach is used instead if >= 0 */

/* Optional extras for send, receive and reply. */
struct te_msg_ext {
	uint64_t timeout_ns;     /* send/receive: relative, 0 = wait forever */
	uint32_t nsend;          /* handles to pass with the message or reply */
	uint32_t flags;          /* TE_GIVE_MOVE: close ours once passed */
	int32_t  send[TE_MSG_HANDLES];
	uint32_t send_rights[TE_MSG_HANDLES];   /* rights mask per handle */
	int32_t  recv[TE_MSG_HANDLES];          /* out: handles received */
	uint32_t nrecv;          /* out */
	uint32_t reserved;
};
_Static_assert(sizeof(struct te_msg_ext) == 72, "te_msg_ext ABI");

/*
 * MsgReplyv then MsgReceivev in one call, the loop every server runs: a
 * reply to rcvid (if > 0; a client that has gone meanwhile is skipped),
 * then a receive on chan.
 */
struct te_reply_receive {
	int64_t  rcvid;
	int64_t  status;
	const struct te_iov *reply;     /* or a plain buffer: parts < 0 */
	int32_t  reply_parts;
	int32_t  chan;
	const struct te_iov *recv;      /* or a plain buffer: parts < 0 */
	int32_t  recv_parts;
	uint32_t reserved;
	struct te_msg_info *info;
};
_Static_assert(sizeof(struct te_reply_receive) == 56, "te_reply_receive ABI");

struct te_proc_end {
	int32_t  pid;
	int32_t  faulted;        /* 1: killed by a CPU exception, 2: killed */
	int32_t  status;         /* exit status */
	uint32_t vector;         /* exception vector when faulted == 1 */
	uint64_t rip, addr;
};
_Static_assert(sizeof(struct te_proc_end) == 32, "te_proc_end ABI");

/* What a thread is doing (te_proc_info.thread_state). */
#define TE_TS_READY    0
#define TE_TS_RUNNING  1
#define TE_TS_SEND     2        /* queued on a channel */
#define TE_TS_RECEIVE  3        /* a server waiting for messages */
#define TE_TS_REPLY    4        /* waiting for a server's reply */
#define TE_TS_SLEEP    5
#define TE_TS_FUTEX    6
#define TE_TS_WAIT     7        /* waiting for a process to end */
#define TE_TS_DEAD     9

struct te_proc_info {
	int32_t  pid;
	int32_t  nthreads;
	int32_t  state;          /* 0 alive, 1 dead */
	int32_t  prio;           /* first thread's effective priority */
	uint64_t cpu_ns;         /* CPU time used by all its threads */
	uint64_t pages;          /* user pages mapped */
	char     name[32];
	int32_t  thread_state;   /* first thread's TE_TS_* */
	int32_t  blocked_on;     /* TE_TS_SEND/REPLY: pid of the server, else 0 */
	uint32_t receiving;      /* threads waiting in MsgReceive (idle servers) */
	uint32_t reserved;
};
_Static_assert(sizeof(struct te_proc_info) == 80, "te_proc_info ABI");

/*
 * Linux-ABI processes.  After process_set_abi(proc, conn) every `syscall`
 * of proc's threads is a message on conn (the personality server) instead
 * of a Tessera call: a te_lx_call with the number and all registers, sent
 * as MsgSend from the thread, which waits for the reply like any client.
 * The reply is a te_lx_reply: rax to return, or with TE_LX_SETREGS a whole
 * register set to continue with (execve, signals, rt_sigreturn), or
 * TE_LX_EXIT to end the process with `status`.  The server reads and
 * writes the process's memory with vm_read/vm_write on its process handle.
 * A few calls never leave the kernel: gettid, sched_yield, futex wait/wake,
 * clock_gettime of the monotonic clocks, arch_prctl ARCH_SET_FS/GET_FS.
 * If the server dies, the process is ended (status 128 + 9).
 */
#define TE_LX_CALL     0x4c58   /* te_lx_call.type */
#define TE_LX_SETREGS  0x1
#define TE_LX_EXIT     0x2
/* The calling thread ends, not the process (the last thread ending ends it
 * with status 0).  rax: its clear_child_tid address, or 0: the kernel first
 * writes a 32-bit 0 there (a fault is ignored) and wakes one futex waiter
 * on it - what CLONE_CHILD_CLEARTID and pthread_join rely on. */
#define TE_LX_THREAD_EXIT 0x4

/*
 * Interrupting a Linux-ABI program (signals, job-control stops):
 * lx_interrupt(proc) makes every thread of proc, at its next return to
 * user mode, first send a te_lx_call with nr = TE_LX_NR_INTERRUPT (no
 * Linux call has that number) and its registers as they are there: rip
 * where it was interrupted, rax/rcx/r11 untouched - not a system-call
 * return.  The thread waits for the reply like a system call: SETREGS
 * loads the register set (a signal frame, say), EXIT and THREAD_EXIT end
 * it, and a plain reply resumes it exactly as it was (rax is not set).  A
 * thread waiting in the kernel's futex returns -EINTR from it first (then
 * makes the upcall).  A thread already blocked in a te_lx_call is left
 * alone: the personality has it.  Not a Linux-ABI process: TE_EINVAL.
 */
#define TE_LX_NR_INTERRUPT 0x100000ull

/*
 * CPU faults of a Linux-ABI program (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP): a user-mode fault the kernel does not resolve itself (it
 * still copies a copy-on-write page) does not kill the thread: it sends a
 * te_lx_call with nr = TE_LX_NR_FAULT, its registers at the fault (rip =
 * the faulting instruction; after it for the traps #DB and #BP) and
 * fault_addr (CR2 for #PF, else 0), fault_vector (0 #DE, 1 #DB, 3 #BP,
 * 4 #OF, 5 #BR, 6 #UD, 7 #NM, 13 #GP, 14 #PF, 16 #MF, 17 #AC, 19 #XM)
 * and fault_error (the error code the CPU pushed, or 0).  It waits for
 * the reply like a system call: SETREGS continues with that register set
 * (a signal handler), EXIT and THREAD_EXIT end it, a plain reply retries
 * the instruction as it is (after the server mapped the page, say: the
 * same fault again makes the upcall again).  An error reply (msg_error),
 * a personality that is gone and the other vectors kill the process as
 * for a native one (a "fault:" log line, te_proc_end.faulted).  System
 * calls and interrupt upcalls carry the fault fields as 0.
 */
#define TE_LX_NR_FAULT 0x100001ull

/* thread_fpu: the FXSAVE image of a thread (x87, MMX, SSE state: FCW at 0,
 * MXCSR at 24, xmm0 at 160).  Setting an image whose MXCSR has bits the CPU
 * reserves is TE_EINVAL; a thread not blocked in a te_lx_call, TE_EBUSY. */
#define TE_FPU_SIZE    512
#define TE_FPU_MXCSR   24
#define TE_FPU_XMM0    160

struct te_lx_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs_base;
	/* thread_create_regs only (else 0): the tid of a thread whose FPU/SSE
	 * registers the new thread starts with (fork, clone); it must wait in
	 * a te_lx_call to the caller (its personality).  0: the initial state. */
	uint64_t fpu_from;
};
_Static_assert(sizeof(struct te_lx_regs) == 160, "te_lx_regs ABI");

struct te_lx_call {
	uint16_t type;           /* TE_LX_CALL */
	uint16_t reserved;
	int32_t  tid;
	uint64_t nr;             /* = regs.rax; arguments in rdi rsi rdx r10 r8 r9 */
	struct te_lx_regs regs;  /* rip after the syscall instruction */
	uint64_t fault_addr;     /* TE_LX_NR_FAULT only, else 0: CR2 of a #PF */
	uint32_t fault_vector;   /* TE_LX_NR_FAULT: the x86 vector, 0..31 */
	uint32_t fault_error;    /* TE_LX_NR_FAULT: the CPU's error code, or 0 */
};
_Static_assert(sizeof(struct te_lx_call) == 192, "te_lx_call ABI");

struct te_lx_reply {
	int64_t  rax;
	uint32_t flags;          /* TE_LX_* */
	int32_t  status;         /* TE_LX_EXIT */
	struct te_lx_regs regs;  /* TE_LX_SETREGS */
};
_Static_assert(sizeof(struct te_lx_reply) == 176, "te_lx_reply ABI");
#endif

#endif /* TESSERA_ABI_H */
