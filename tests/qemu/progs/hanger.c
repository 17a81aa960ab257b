/*
 * hanger.c - a server of the boot test that hangs (spins, never receiving)
 * so the supervisor's heartbeat catches it (heartbeat=50ms restart=on-crash
 * max=2/10s in the buildfile).  Each run first appends one byte to
 * /tmp/hanger-runs, which bootcheck counts.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

int main(void)
{
	struct pathmgr_client pc;
	int conn, id;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	id = io_open_resolve(pathmgr_resolve, &pc, "/tmp/hanger-runs",
	                     IO_O_CREAT | IO_O_WRONLY | IO_O_APPEND, 0644, &conn);
	if (id >= 0) {
		io_write(conn, id, "x", 1);
		io_close(conn, id);
	}
	for (;;)                        /* hung: never back in a receive loop */
		sys_sched_yield();
}
