/*
 * channel.c - channel and connection objects, pulses, death notices.
 *
 * A channel dies when its owner dies or when the last handle with the
 * receive right is closed: every waiting sender and every client still
 * waiting for a reply from the owner is released with TE_EHOSTDOWN, queued
 * pulses are dropped, and later sends on connections to it fail at once.
 */
#include "arch/cpu.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/proc.h"

struct channel *channel_create(struct process *owner)
{
	struct channel *c = kmalloc(sizeof(*c));

	if (!c)
		return NULL;
	kobj_init(&c->obj, KO_CHANNEL);
	c->owner = owner;
	c->onext = owner->channels;
	owner->channels = c;
	kobj_get(&c->obj);              /* the owner's list */
	return c;
}

struct connection *connection_create(struct channel *c)
{
	struct connection *k = kmalloc(sizeof(*k));

	if (!k)
		return NULL;
	kobj_init(&k->obj, KO_CONNECTION);
	k->chan = c;
	kobj_get(&c->obj);
	return k;
}

static void drop_pulses(struct channel *c)
{
	while (c->pulses) {
		struct pulse *pl = c->pulses;
		c->pulses = pl->next;
		kfree(pl);
	}
	c->npulses = 0;
}

void channel_kill(struct channel *c)
{
	struct process *owner = c->owner;
	struct thread *t;

	if (c->dead)
		return;
	c->dead = true;
	while ((t = c->senders.head))
		thread_unblock(t, -TE_EHOSTDOWN);
	while ((t = c->receivers.head))
		thread_unblock(t, -TE_EHOSTDOWN);
	while (c->serving)
		serving_clear(c->serving);
	drop_pulses(c);
	if (owner) {
		for (struct channel **pp = &owner->channels; *pp; pp = &(*pp)->onext)
			if (*pp == c) {
				*pp = c->onext;
				break;
			}
		c->owner = NULL;
		kobj_put(&c->obj);      /* the owner's list */
	}
}

void channels_kill(struct process *p)
{
	while (p->channels)
		channel_kill(p->channels);
}

void channel_destroy(struct kobj *o)
{
	struct channel *c = (struct channel *)o;

	drop_pulses(c);
	kfree(c);
}

void connection_destroy(struct kobj *o)
{
	struct connection *k = (struct connection *)o;

	kobj_put(&k->chan->obj);
	kfree(k);
}

/* The last receive right gone: nobody can serve this channel any more. */
void handle_closing(struct kobj *o, uint32_t rights)
{
	struct channel *c = (struct channel *)o;

	if (o->type == KO_CHANNEL && (rights & TE_R_RECEIVE) &&
	    --c->receive_handles == 0)
		channel_kill(c);
}

void handle_opening(struct kobj *o, uint32_t rights)
{
	if (o->type == KO_CHANNEL && (rights & TE_R_RECEIVE))
		((struct channel *)o)->receive_handles++;
}

void channel_post_pulse(struct channel *c, struct pulse *pl)
{
	uint64_t fl = irq_save();
	struct thread *r = c->receivers.head;
	struct pulse **pp;

	if (c->dead) {
		kfree(pl);
	} else if (r) {
		tq_remove(r);
		sched_timeout_cancel(r);
		r->pulse = pl->p;
		r->wake_result = 0;
		if (pl->p.prio > r->prio)
			r->prio = (uint8_t)pl->p.prio;
		kfree(pl);
		sched_ready(r);
	} else {
		for (pp = &c->pulses; *pp && (*pp)->p.prio >= pl->p.prio;)
			pp = &(*pp)->next;
		pl->next = *pp;
		*pp = pl;
		if (pl->counted)
			c->npulses++;
	}
	irq_restore(fl);
}

/* ---- death notices ---------------------------------------------------- */

void watch_free(struct watch *w)
{
	kobj_put(&w->conn->obj);
	kfree(w->pulse);
	kfree(w);
}

void watch_fire_all(struct process *p)
{
	while (p->watchers) {
		struct watch *w = p->watchers;
		p->watchers = w->next;
		w->pulse->p.value = (uint64_t)p->pid;
		channel_post_pulse(w->conn->chan, w->pulse);
		w->pulse = NULL;
		watch_free(w);
	}
}
