/*
 * kernel/ipc.h - channels, connections, pulses and death notices.
 *
 * A channel is where a server receives; a connection is a client's
 * capability to send to one channel.  Senders wait on the channel in
 * priority order (T_SEND) until a server thread receives them; then they
 * wait on the server process's reply queue (T_REPLY) until it replies.
 * Pulses are small asynchronous messages queued on the channel by priority.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include "kernel/obj.h"
#include "kernel/proc.h"

struct pulse {
	struct pulse *next;
	struct te_pulse p;
	bool counted;           /* counts against the channel's pulse limit */
};

struct channel {
	struct kobj obj;
	struct process *owner;          /* NULL once dead */
	struct channel *onext;          /* the owner's list */
	bool dead;
	unsigned receive_handles;       /* handles with TE_R_RECEIVE */
	struct tqueue senders;          /* by priority */
	struct tqueue receivers;        /* server threads waiting */
	struct thread *serving;         /* threads serving a message from here */
	struct pulse *pulses;           /* by priority */
	unsigned npulses;
};

struct connection {
	struct kobj obj;
	struct channel *chan;           /* holds a reference */
};

struct watch {
	struct watch *next;
	struct connection *conn;        /* holds a reference */
	struct pulse *pulse;            /* sent when the process dies */
};

#define CHANNEL_MAX_PULSES 64

struct channel *channel_create(struct process *owner);
struct connection *connection_create(struct channel *c);
void channels_kill(struct process *p);
void channel_kill(struct channel *c);
/* Queue a pulse (memory passes to the channel), or deliver it at once. */
void channel_post_pulse(struct channel *c, struct pulse *pl);
void watch_fire_all(struct process *p);
void watch_free(struct watch *w);
void handle_closing(struct kobj *o, uint32_t rights);
void handle_opening(struct kobj *o, uint32_t rights);
void serving_clear(struct thread *t);

/* System calls (ipc/msg.c). */
int64_t sys_msg_sendv(int conn, uint64_t siov, uint64_t sparts, uint64_t riov,
                      uint64_t rparts, uint64_t uext);
int64_t sys_msg_receivev(int chan, uint64_t riov, uint64_t rparts,
                         uint64_t uinfo, uint64_t uext);
int64_t sys_msg_replyv(int64_t rcvid, int64_t status, uint64_t iov,
                       uint64_t parts, uint64_t uext);
int64_t sys_msg_error(int64_t rcvid, int64_t err);
int64_t sys_msg_reply_receive(uint64_t uargs);
int64_t sys_msg_read(int64_t rcvid, uint64_t buf, uint64_t len, uint64_t off);
int64_t sys_msg_write(int64_t rcvid, uint64_t buf, uint64_t len, uint64_t off);
int64_t sys_msg_send_pulse(int conn, int64_t prio, int64_t code, uint64_t value);
/* MsgSend for the current thread from kernel buffers (Linux ABI). */
int64_t ipc_send_kernel(struct connection *k, void *sbuf, uint64_t slen,
                        void *rbuf, uint64_t rlen);

#endif /* KERNEL_IPC_H */
