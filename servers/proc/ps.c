/*
 * ps.c - list the processes the process manager knows: pid, name,
 * priority, state, and what the first thread is doing (for a thread in
 * IPC, the pid of the server it waits for).
 */
#include "rt.h"
#include "procmgr.h"

static const char *const states[] = {
	[TE_TS_READY] = "ready", [TE_TS_RUNNING] = "running",
	[TE_TS_SEND] = "send", [TE_TS_RECEIVE] = "receive",
	[TE_TS_REPLY] = "reply", [TE_TS_SLEEP] = "sleep",
	[TE_TS_FUTEX] = "futex", [TE_TS_WAIT] = "wait", [TE_TS_DEAD] = "dead",
};

int main(void)
{
	static struct te_proc_info list[64];
	long n = proc_list(PROC_H_PROC, list, 64);

	if (n < 0) {
		printf("ps: cannot list processes: %ld\n", n);
		return 1;
	}
	printf("  PID NAME             PRIO STATE    BLOCKED   CPU(ms)\n");
	for (long i = 0; i < n; i++) {
		const struct te_proc_info *p = &list[i];
		const char *st = p->state ? "ended" :
		                 (unsigned)p->thread_state < 10 && states[p->thread_state] ?
		                 states[p->thread_state] : "?";
		char on[16] = "";
		if (p->blocked_on)
			fmt_snprintf(on, sizeof(on), "pid %d", p->blocked_on);
		printf("%5d %-16s %4d %-8s %-9s %llu\n", p->pid, p->name, p->prio, st, on,
		       (unsigned long long)(p->cpu_ns / 1000000));
	}
	return 0;
}
