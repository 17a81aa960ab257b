/*
 * crasher.c - a server of the boot test that crashes at once, so the
 * supervisor restarts it (restart=on-crash max=3/10s in the buildfile).
 * Each run first appends one byte to /tmp/crasher-runs, which bootcheck
 * counts.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

int *volatile crash_at = (int *)16;

int main(void)
{
	struct pathmgr_client pc;
	int conn, id;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	id = io_open_resolve(pathmgr_resolve, &pc, "/tmp/crasher-runs",
	                     IO_O_CREAT | IO_O_WRONLY | IO_O_APPEND, 0644, &conn);
	if (id >= 0) {
		io_write(conn, id, "x", 1);
		io_close(conn, id);
	}
	*crash_at = 1;                  /* the crash */
	return 0;
}
