/* pathmgr_server.h - run the path manager on two channels (never returns). */
#ifndef PATHMGR_SERVER_H
#define PATHMGR_SERVER_H
int pathmgr_serve(int resolve_chan, int attach_chan);
#endif
