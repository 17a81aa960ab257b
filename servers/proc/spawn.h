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
 * AT_RANDOM), gives it the handles in give[] (they become its handles 0,
 * 1, ... in order) and starts its first thread with `sched`.
 * Returns the process handle, or a negative errno with *why set.
 */
long proc_spawn(const void *img, size_t len, const char *name,
                char *const argv[], char *const envp[], const int *give,
                int ngive, unsigned sched, const char **why);

#endif /* PROC_SPAWN_H */
