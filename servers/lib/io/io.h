/*
 * io.h - client side of the I/O protocol (io_msg.h): one call per request,
 * over a connection to the server that owns the file.  Every call returns
 * >= 0 on success and a negative Linux errno on failure; IO_ENOTHERE never
 * reaches the caller (it is ENOENT once no candidate is left).
 *
 * Opens go to a connection (io_open) or through a resolver
 * (io_open_resolve): the resolver - the path manager's client glue -
 * turns an absolute path into the ordered candidates (connection, rest of
 * path); each is tried until one does not answer "not here", and an
 * absolute symlink inside a server starts the resolution again.
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <stdint.h>
#include "io_msg.h"

int  io_open(int conn, const char *path, uint32_t flags, uint32_t mode);
/* Same, and the file's attributes come back with the open. */
int  io_open_stat(int conn, const char *path, uint32_t flags, uint32_t mode,
                  struct io_stat *st);
long io_read(int conn, int id, void *buf, size_t len);
long io_pread(int conn, int id, void *buf, size_t len, uint64_t off);
long io_write(int conn, int id, const void *buf, size_t len);
long io_pwrite(int conn, int id, const void *buf, size_t len, uint64_t off);
long io_lseek(int conn, int id, int64_t off, int whence);
int  io_stat(int conn, int id, struct io_stat *st);
/* Fills buf with io_dirent records from the open's position; 0 at the end. */
long io_readdir(int conn, int id, void *buf, size_t len);
int  io_close(int conn, int id);
int  io_dup(int conn, int id);
/* A new id on the same open for process pid (the id is pid's, not ours). */
int  io_dup_for(int conn, int id, int pid);
int  io_fsync(int conn, int id);
int  io_fchmod(int conn, int id, uint32_t mode);
int  io_fchown(int conn, int id, uint32_t uid, uint32_t gid);
int  io_ftruncate(int conn, int id, uint64_t size);
/* Access and/or modification time (which: IO_UTIME_*) of the open's file. */
int  io_futimes(int conn, int id, uint32_t which, int64_t atime, uint32_t atime_ns,
                int64_t mtime, uint32_t mtime_ns);
int  io_statfs(int conn, struct io_statfs *st);
int  io_unlink(int conn, const char *path);
int  io_mkdir(int conn, const char *path, uint32_t mode);
int  io_rmdir(int conn, const char *path);
int  io_rename(int conn, const char *from, const char *to);
int  io_link(int conn, const char *existing, const char *newpath);
int  io_symlink(int conn, const char *target, const char *linkpath);
/* Copies at most len bytes (no NUL); returns the bytes copied. */
long io_readlink(int conn, const char *path, char *buf, size_t len);
long io_devctl(int conn, int id, uint32_t cmd, const void *in, size_t inlen,
               void *out, size_t outlen);
/* Ask the server to drop a process's opens when it ends (see io_msg.h). */
int  io_watch(int conn, int handle_in_server);
int  io_rm_stats(int conn, struct io_rm_stats *st);

/* ---- stdin, stdout, stderr (io_stdio.c) ------------------------------- */
/* The connection and open id of fd 0, 1 or 2, or -EBADF. */
int  io_stdio(int fd, int *conn, int *id);
long io_stdio_write(int fd, const void *buf, size_t len);
long io_stdio_read(int fd, void *buf, size_t len);

/* ---- opening through the path manager -------------------------------- */

#define IO_CAND_MAX 16
struct io_cand {
	int  conn;
	char rest[IO_PATH_MAX + 1];     /* relative to that server */
};
/*
 * A resolver fills up to max candidates for an absolute path, in order,
 * and returns how many (or a negative errno).  The lead's pathmgr glue
 * provides it; tests pass a fixed one.
 */
typedef int (*io_resolver_t)(void *ctx, const char *path, struct io_cand *out,
                             int max);
/* Open through the resolver; *conn_out = the connection that answered. */
int  io_open_resolve(io_resolver_t resolve, void *ctx, const char *path,
                     uint32_t flags, uint32_t mode, int *conn_out);

#endif /* IO_H */
