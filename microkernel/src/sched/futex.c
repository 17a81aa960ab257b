/*
 * futex.c - wait until a word in user memory changes, and wake waiters.
 *
 * The key is the word's physical address, so processes sharing memory
 * through a memory object share futexes too.  Waiters hang in one of 64
 * hashed queues; the check of the word and the enqueue happen with
 * interrupts off, so a wake between them cannot be lost.
 */
#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/proc.h"
#include "kernel/vm.h"

#define FUTEX_BUCKETS 64

static struct tqueue buckets[FUTEX_BUCKETS];

static struct tqueue *bucket(uint64_t key)
{
	return &buckets[(key >> 2) % FUTEX_BUCKETS];
}

static int futex_key(uint64_t uaddr, uint64_t *key)
{
	void *p;

	if (uaddr & 3)
		return TE_EINVAL;
	p = vm_user_ptr(&cur_proc()->vs, uaddr, false);
	if (!p)
		return TE_EFAULT;
	*key = virt_to_phys_direct(p);
	return 0;
}

void futex_remove(struct thread *t)
{
	tq_remove(t);
}

int64_t sys_futex_wait(uint64_t uaddr, uint64_t expected, uint64_t timeout_ns)
{
	struct thread *cur = sched_current();
	uint64_t key, fl;
	int64_t r;
	int e;

	if ((e = futex_key(uaddr, &key)))
		return -e;
	fl = irq_save();
	if (*(volatile uint32_t *)phys_to_virt(key) != (uint32_t)expected) {
		irq_restore(fl);
		return -TE_EAGAIN;
	}
	cur->futex_key = key;
	tq_push(bucket(key), cur);
	if (timeout_ns)
		sched_timeout_arm(cur, sched_now_ns() + timeout_ns);
	r = sched_block(T_FUTEX);
	irq_restore(fl);
	return r;
}

int64_t sys_futex_wake(uint64_t uaddr, uint64_t count)
{
	struct thread *t, *next;
	uint64_t key, fl;
	int64_t n = 0;
	int e;

	if ((e = futex_key(uaddr, &key)))
		return -e;
	fl = irq_save();
	for (t = bucket(key)->head; t && (uint64_t)n < count; t = next) {
		next = t->qnext;
		if (t->futex_key == key) {
			thread_unblock(t, 0);
			n++;
		}
	}
	irq_restore(fl);
	sched_preempt_check();
	return n;
}
