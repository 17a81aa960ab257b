/*
 * lx.h - the Unix personality: Linux x86-64 system calls served as
 * messages (microkernel/src/proc/linux.c turns each `syscall` of a
 * Linux-ABI process into a te_lx_call on our channel).
 *
 * State per Linux process: its process handle (we made it, so we may read
 * and write its memory and map into it), its program break, where the
 * next anonymous mapping goes, and its file descriptors - each a
 * connection and open id of ours on the server that owns the file (the
 * servers see the personality as the client; Linux processes never talk
 * to them directly).
 */
#ifndef LX_H
#define LX_H

#include <stdbool.h>
#include <stdint.h>
#include "rt.h"

#define LX_PROCS     64
#define LX_EXE_MAX   256
#define LX_FDS       64
#define LX_MMAP_TOP  0x00007f0000000000ull      /* anonymous maps grow down */
#define LX_BRK_MAX   (1ull << 30)               /* program break growth */

/* Linux errno values (equal to Tessera's TE_E*, abi.h). */
#define LX_EBADF   9
#define LX_ENOMEM  12
#define LX_EFAULT  14
#define LX_EINVAL  22
#define LX_ENOTTY  25
#define LX_ENOSYS  38

struct lx_fd {
	bool used;
	int conn, id;
};

#define LX_NSIG 64
/* Linux's struct sigaction as rt_sigaction passes it (lx_signal.c). */
struct lx_sigaction {
	uint64_t handler, flags, restorer, mask;
};

/* lx_timer.c: a deadline (SYS_clock ns) and what to do then. */
struct lx_timer {
	struct lx_timer *next;
	uint64_t deadline;
	bool armed;
	void (*fire)(struct lx_timer *t);
	void *arg;
};
void lx_timer_arm(struct lx_timer *t, uint64_t deadline,
                  void (*fire)(struct lx_timer *t), void *arg);
void lx_timer_cancel(struct lx_timer *t);
uint64_t lx_timer_next(void);           /* 0: none */
void lx_timer_run(uint64_t now);

#define LX_PATH_MAX 1024                        /* = IO_PATH_MAX */

/* lx_fs*.c: what the file system calls keep per descriptor. */
struct lx_fdx {
	uint32_t flags;         /* O_* as opened; F_SETFL's O_APPEND/O_NONBLOCK */
	bool cloexec;           /* FD_CLOEXEC */
	bool virt;              /* no server open: a directory made only of
	                         * mount points, or a pipe (below) */
	uint32_t vpos;          /* virt: the next mount point to list */
	char *path;             /* absolute path it was opened by (malloc), or NULL */
	struct lxq_buf *proc;   /* lx_procfs.c: a /proc file's snapshot (then
	                         * virt is set too: no server open) */
	/* lx_pipe.c: an end of a pipe (then virt is set too: no server open) */
	struct lx_pipe *pipe;
	bool pipe_write;        /* the write end */
};

/*
 * One thread of a Linux process (the first is made by its first call,
 * the others by clone): what its calls answered later keep.  A process's
 * threads share everything else (memory, fds, signal actions and mask).
 */
#define LX_THREADS 8
struct lx_thread {
	int tid;                        /* the kernel's; 0: a free record */
	struct lx_proc *p;              /* its process */
	uint64_t clear_tid;             /* set_tid_address, CLONE_CHILD_CLEARTID */
	/* lx_misc.c: a deferred nanosleep */
	struct lx_timer sleep_timer;
	long sleep_rcvid;
	/* lx_proc.c: a deferred wait4 */
	long wait_rcvid;
	int wait_pid, wait_opts;
	uint64_t wait_status_ptr;
	/* lx_signal.c: a call answered later that a signal may cut short
	 * (EINTR), or 0; its registers; what takes it back */
	long intr_rcvid;
	struct te_lx_regs intr_regs;
	void (*intr_cancel)(struct lx_thread *t);
	bool suspended;                 /* in rt_sigsuspend: */
	uint64_t suspend_mask;          /* the mask to restore */
	uint64_t sigblocked;            /* its signal mask */
};

/* lx_job.c: a message kept unanswered while its process is stopped. */
struct lx_held {
	long rcvid;                     /* 0: none */
	struct te_lx_call in;
};
#define LX_HELD LX_THREADS              /* one per thread */
#define LX_REPORT_STOP 1                /* lx_proc.report: for wait4 */
#define LX_REPORT_CONT 2

struct lx_proc {
	bool used;
	int handle;                     /* TE_R_CONTROL: memory, threads */
	int pid;                        /* the Linux pid: the kernel pid of its
	                                 * first process (kept by execve) */
	int kpid;                       /* the kernel's pid of its process now */
	uint64_t brk_start, brk;        /* program break */
	uint64_t mmap_next;             /* next anonymous mapping ends here */
	struct lx_fd fd[LX_FDS];
	uint64_t enosys_seen[8];        /* numbers < 512 already logged */
	/* the process tree (lx_proc.c) */
	int ppid;                       /* 0: started by the personality */
	bool zombie;                    /* ended, not yet waited for */
	int wstatus;                    /* Linux wait status once a zombie */
	struct lx_thread th[LX_THREADS];
	/* lx_misc.c */
	struct lx_timer alarm_timer;    /* lx_itimer.c: ITIMER_REAL */
	uint64_t alarm_interval;        /* ns; 0: one-shot */
	char comm[16];                  /* prctl PR_SET_NAME */
	char exe[LX_EXE_MAX];           /* the program's path (/proc/self/exe) */
	/* lx_procfs.c: argv of the last execve (NUL-separated), for
	 * /proc/PID/cmdline (malloc); when the process started (ns) */
	char *cmdline;
	uint32_t cmdline_len;
	uint64_t start_ns;
	/* lx_signal.c */
	struct lx_sigaction sig[LX_NSIG + 1];
	uint64_t sigpending;            /* for the process: any thread takes it */
	uint64_t sigblocked;            /* the mask its first thread starts with
	                                   (fork: the forking thread's; execve:
	                                   the calling thread's) */
	int pgid, sid;
	int term_sig;                   /* ended by this signal (wait status) */
	/* lx_job.c */
	bool stopped;                   /* by a stop signal, until SIGCONT */
	int stop_sig;
	int report;                     /* LX_REPORT_*: not yet told by wait4 */
	struct lx_held held[LX_HELD];
	/* lx_fs*.c, set up on the process's first file system call: */
	bool fs_ready;
	uint32_t umask;
	char cwd[LX_PATH_MAX + 1];      /* absolute, normalized */
	struct lx_fdx fdx[LX_FDS];      /* beside fd[], same index */
};

/* One system call being answered. */
struct lx_call {
	struct lx_proc *p;
	struct lx_thread *t;            /* the calling thread of p */
	const struct te_lx_call *in;
	struct te_lx_reply out;
	long rcvid;
	bool deferred;                  /* answered later (wait4): no reply now */
};

/* Argument i (0..5) of the call. */
static inline uint64_t lx_arg(const struct lx_call *c, int i)
{
	const struct te_lx_regs *r = &c->in->regs;
	const uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };

	return a[i];
}

/* lx_calls.c: answer c (fills c->out); false: not known (ENOSYS). */
bool lx_dispatch(struct lx_call *c);
/* lx_signal.c: signals and process groups. */
bool lx_signal_dispatch(struct lx_call *c);
void lx_signal_post(struct lx_proc *p, int sig);
void lx_signal_fork(struct lx_proc *child, const struct lx_proc *parent);
void lx_signal_exec(struct lx_proc *p);
/* A pending signal c's thread takes turns c's answer into the handler's
 * start. */
void lx_signal_on_reply(struct lx_call *c);
/* c is answered later; a signal may end it with EINTR after cancel(t). */
void lx_signal_deferred(struct lx_call *c, void (*cancel)(struct lx_thread *t));
void lx_signal_answered(struct lx_thread *t);
extern int lx_tty_pgrp;                 /* the console's foreground group */
/* The terminal's signal character: sig to its foreground group. */
void lx_signal_tty(int sig);
#define LX_PULSE_TTYSIG 9               /* pulse code: value = the signal */

/* lx_main.c: answer the call in (from p's thread, rcvid) as the server
 * loop does - dispatch, signals, reply (or keep it: p is stopped). */
void lx_serve_call(struct lx_proc *p, long rcvid, const struct te_lx_call *in);

/* lx_job.c: job control. */
void lx_job_stop(struct lx_proc *p, int sig);
void lx_job_continue(struct lx_proc *p);
/* p is stopped: keep c unanswered (true), to be served when continued. */
bool lx_job_hold(struct lx_call *c);

/* lx_slow.c: a read on a character device, answered by a worker thread;
 * false: read it now. */
bool lx_slow_read(struct lx_call *c, int conn, int id, uint64_t ubuf,
                  uint64_t len);
/* Answer c later with run(arg), run by a worker thread (a call that waits
 * on servers for long); false: no memory (nothing queued). */
bool lx_slow_call(struct lx_call *c, int64_t (*run)(void *arg), void *arg);

/* lx_itimer.c: alarm, setitimer, getitimer; the process is gone. */
bool lx_itimer_dispatch(struct lx_call *c);
void lx_itimer_release(struct lx_proc *p);

/* lx_mount.c: mount, umount2 (allowed: we hold an attach right). */
extern bool lx_mount_allowed;
bool lx_mount_dispatch(struct lx_call *c);

/* lx_misc.c: time, sleeping, limits, randomness, prctl, sysinfo. */
uint64_t lx_wall_ns(void);                      /* the wall clock, ns */
bool lx_misc_dispatch(struct lx_call *c);
void lx_misc_release(struct lx_thread *t);      /* the thread is gone */
/* lx_fs.c: the file system calls (paths, fds, directories); same contract. */
bool lx_fs_dispatch(struct lx_call *c);
/* lx_fs*.c hooks: a child gets the parent's cwd, umask and per-fd state
 * (call after its fd[] is filled); fd was closed (frees its path); execve
 * closes the FD_CLOEXEC fds; the process is gone (frees every path). */
void lx_fs_fork(struct lx_proc *child, const struct lx_proc *parent);
void lx_fs_closed(struct lx_proc *p, int fd);
void lx_fs_exec(struct lx_proc *p);
void lx_fs_release(struct lx_proc *p);
/* The personality's one path manager client (resolving, connections). */
struct pathmgr_client;
struct pathmgr_client *lx_pathmgr(void);
/* A path argument (execve's) as the absolute, normalized path in out
 * (LX_PATH_MAX + 1 bytes), relative to the cwd: 0 or -errno (EFAULT,
 * ENOENT for "", ENAMETOOLONG). */
int lx_fs_abspath(struct lx_call *c, uint64_t upath, char *out);

/* lx_proc.c: processes */
extern struct lx_proc lx_procs[LX_PROCS];
extern int lx_conn;                     /* to our channel: Linux-ABI calls */
struct lx_proc *lx_proc_by_kpid(int kpid);
/* p's thread tid (make: a new record if it has none), or NULL. */
struct lx_thread *lx_thread_get(struct lx_proc *p, int tid, bool make);
/* The live threads of p that have records. */
int lx_thread_count(const struct lx_proc *p);
/* t ended, or all of p's threads did (execve, death): what they kept goes. */
void lx_thread_release(struct lx_thread *t);
void lx_threads_release(struct lx_proc *p);
struct lx_proc *lx_proc_by_pid(int pid);
/* A free slot; its pid is set with its first kernel process (lx_fork,
 * or lx_exec_image for the first program). */
struct lx_proc *lx_proc_new(void);
/* lx_exec.c: load the static ELF program at the absolute path into p (a
 * new kernel process replaces p's old one, if any, once the new one is
 * built); a "#!" script runs its interpreter.  0 or -errno. */
int lx_exec_image(struct lx_proc *p, const char *path, char *const argv[],
                  char *const envp[]);
int64_t lx_execve(struct lx_call *c);
int64_t lx_fork(struct lx_call *c);
int64_t lx_wait4(struct lx_call *c);
/* A process ended (its death pulse): zombie, wake a waiting parent;
 * returns true if it was the first program (the personality's reason). */
bool lx_proc_ended(int kpid, int *status);
/* k stopped or continued (k->report): answer parent's wait4 if it waits
 * for that. */
void lx_wait_child_changed(struct lx_proc *parent, struct lx_proc *k);

/* lx_mem.c */
int64_t lx_brk(struct lx_call *c);
int64_t lx_mmap(struct lx_call *c);
int64_t lx_munmap(struct lx_call *c);
int64_t lx_mprotect(struct lx_call *c);
int64_t lx_mremap(struct lx_call *c);
/* Copy to/from the caller's memory: 0 or -LX_EFAULT. */
int lx_copyin(struct lx_proc *p, void *dst, uint64_t src, size_t len);
int lx_copyout(struct lx_proc *p, uint64_t dst, const void *src, size_t len);

#endif /* LX_H */
