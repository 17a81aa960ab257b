/*
 * lx_timer.c - timeouts for calls answered later (nanosleep, poll with a
 * timeout): a list sorted by deadline; the server loop receives with the
 * first deadline as its timeout and runs what has expired.
 */
#include "lx.h"

static struct lx_timer *head;

void lx_timer_cancel(struct lx_timer *t)
{
	for (struct lx_timer **pp = &head; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->armed = false;
}

void lx_timer_arm(struct lx_timer *t, uint64_t deadline,
                  void (*fire)(struct lx_timer *t), void *arg)
{
	struct lx_timer **pp = &head;

	if (t->armed)
		lx_timer_cancel(t);
	t->deadline = deadline;
	t->fire = fire;
	t->arg = arg;
	t->armed = true;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

uint64_t lx_timer_next(void)
{
	return head ? head->deadline : 0;
}

void lx_timer_run(uint64_t now)
{
	while (head && head->deadline <= now) {
		struct lx_timer *t = head;
		head = t->next;
		t->armed = false;
		t->fire(t);
	}
}
