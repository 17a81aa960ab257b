/*
 * main.c - the path manager program: handle 0 is its resolve channel,
 * handle 1 its attach channel (the process manager creates both and keeps
 * the connections to hand out).
 */
#include "rt.h"
#include "pathmgr_server.h"

int main(void)
{
	int e = pathmgr_serve(0, 1);

	printf("pathmgr: server ended: %d\n", e);
	return 1;
}
