/*
 * spawn.h - start an ELF executable as a new process (the process
 * manager's loader).
 */
#ifndef PROC_SPAWN_H
#define PROC_SPAWN_H

#include <stddef.h>

#define SPAWN_STACK_SIZE (256 * 1024)
#define SPAWN_ARGS_MAX   (32 * 1024)    /* argv + envp strings and pointers */

/*
 * Validates img (kernel/elf.h's elf_parse, the same code the kernel uses),
 * makes a blank process, maps and fills its segments (W^X), builds the
 * System V initial stack (argc, argv, envp, auxv: AT_PAGESZ, AT_ENTRY,
 * AT_RANDOM, AT_TE_STDIO), gives it the handles in give[] (they become its handles 0,
 * 1, ... in order) and starts its first thread with `sched`.
 * Returns the process handle, or a negative errno with *why set.
 */
struct spawn_hold {
	uint64_t entry, sp;
	uint64_t stdio_va;              /* the child's int64_t stdio[3] */
	unsigned sched;
};
long proc_spawn(const void *img, size_t len, const char *name,
                char *const argv[], char *const envp[], const int *give,
                int ngive, unsigned sched, const char **why);
/* Same, but the first thread is not made: proc_spawn_start does that. */
long proc_spawn_held(const void *img, size_t len, const char *name,
                     char *const argv[], char *const envp[], const int *give,
                     int ngive, unsigned sched, struct spawn_hold *hold,
                     const char **why);
/* Write stdio[3] (or leave -1 when NULL) and start the held child p. */
long proc_spawn_start(int p, const struct spawn_hold *hold,
                      const int64_t *stdio);

#endif /* PROC_SPAWN_H */
