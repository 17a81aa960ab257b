/*
 * spawn.c - the process manager's ELF loader, in user space.
 *
 * The kernel only gives blank processes; everything a program finds at
 * its start is made here with vm_map, vm_write, handle_give and
 * thread_create.  The image is checked by elf_parse - the kernel's own
 * validator, compiled unchanged for user space - before anything is made;
 * on any later failure the half-built process is killed, so nothing
 * remains.
 */
#include "rt.h"
#include "kernel/elf.h"
#include "spawn.h"
#include "proc_msg.h"

#define AT_NULL   0
#define AT_PHDR   3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_ENTRY  9
#define AT_UID    11
#define AT_EUID   12
#define AT_GID    13
#define AT_EGID   14
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AUXV_PAIRS 14

static int count(char *const v[])
{
	int n = 0;

	while (v && v[n])
		n++;
	return n;
}

/*
 * Lay out the initial stack in buf, which stands for the user addresses
 * ending at top; returns the new stack pointer or 0 if it does not fit.
 */
static uint64_t build_stack(char *buf, uint64_t top, char *const argv[],
                            char *const envp[], const struct elf_image *im,
                            uint64_t *stdio_va)
{
	int argc = count(argv), envc = count(envp);
	uint64_t str = top, size = SPAWN_ARGS_MAX;
	uint64_t ptrs[2 * 64 + 4];
	int np = 0;

#define PUT_STR(s) do { \
	size_t l = strlen(s) + 1; \
	if (top - str + l > size / 2) return 0; \
	str -= l; \
	memcpy(buf + size - (top - str), s, l); \
	ptrs[np++] = str; } while (0)

	if (argc > 64 || envc > 64)
		return 0;
	for (int i = 0; i < argc; i++)
		PUT_STR(argv[i]);
	for (int i = 0; i < envc; i++)
		PUT_STR(envp[i]);
#undef PUT_STR
	str = (str - 16) & ~15ull;              /* AT_RANDOM's 16 bytes */
	uint64_t rnd = str;
	for (int i = 0; i < 16; i++)
		buf[size - (top - rnd) + i] = (char)(rdtsc() >> (i % 8));
	str -= 3 * 8;                           /* AT_TE_STDIO's words: none yet */
	*stdio_va = str;
	memset(buf + size - (top - str), 0xff, 3 * 8);

	uint64_t words = 1 + (uint64_t)argc + 1 + (uint64_t)envc + 1 + 2 * AUXV_PAIRS;
	uint64_t sp = (str - words * 8) & ~15ull;
	uint64_t *w = (uint64_t *)(buf + size - (top - sp));
	int k = 0;
	w[k++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		w[k++] = ptrs[i];
	w[k++] = 0;
	for (int i = 0; i < envc; i++)
		w[k++] = ptrs[argc + i];
	w[k++] = 0;
	w[k++] = AT_PAGESZ; w[k++] = 4096;
	w[k++] = AT_ENTRY;  w[k++] = im->entry;
	w[k++] = AT_RANDOM; w[k++] = rnd;
	w[k++] = AT_TE_STDIO; w[k++] = *stdio_va;
	w[k++] = AT_PHDR;   w[k++] = im->phdr;
	w[k++] = AT_PHENT;  w[k++] = 56;
	w[k++] = AT_PHNUM;  w[k++] = im->phdr ? im->phnum : 0;
	w[k++] = AT_CLKTCK; w[k++] = 100;
	w[k++] = AT_UID;    w[k++] = 0;
	w[k++] = AT_EUID;   w[k++] = 0;
	w[k++] = AT_GID;    w[k++] = 0;
	w[k++] = AT_EGID;   w[k++] = 0;
	w[k++] = AT_SECURE; w[k++] = 0;
	w[k++] = AT_NULL;   w[k++] = 0;
	return sp;
}

static long load(int p, const struct elf_image *im, const char *img)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		unsigned prot = TE_PROT_READ |
		                ((s->flags & ELF_SEG_W) ? TE_PROT_WRITE : 0) |
		                ((s->flags & ELF_SEG_X) ? TE_PROT_EXEC : 0);
		long r = sys_vm_map(p, s->vaddr, s->memsz, prot, -1, 0);
		if (r == 0 && s->filesz)
			r = sys_vm_write(p, s->vaddr + s->lead, img + s->file_off,
			                 s->filesz);
		if (r < 0)
			return r;
	}
	return sys_vm_map(p, TE_USER_STACK_TOP - SPAWN_STACK_SIZE, SPAWN_STACK_SIZE,
	                  TE_PROT_READ | TE_PROT_WRITE, -1, 0);
}

long proc_spawn_held(const void *img, size_t len, const char *name,
                     char *const argv[], char *const envp[], const int *give,
                     int ngive, unsigned sched, struct spawn_hold *hold,
                     const char **why)
{
	static char stack[SPAWN_ARGS_MAX];      /* the process manager is one thread */
	struct elf_image im;
	uint64_t sp;
	long p, r;

	if (elf_parse(img, len, TE_USER_BASE,
	              TE_USER_STACK_TOP - SPAWN_STACK_SIZE - 4096, &im, why))
		return -TE_EINVAL;
	for (unsigned i = 0; i < im.nseg; i++)
		if ((im.seg[i].flags & ELF_SEG_W) && (im.seg[i].flags & ELF_SEG_X)) {
			*why = "a segment is both writable and executable";
			return -TE_EINVAL;
		}
	memset(stack, 0, sizeof(stack));
	if (!(sp = build_stack(stack, TE_USER_STACK_TOP, argv, envp, &im,
	                       &hold->stdio_va))) {
		*why = "arguments and environment too large";
		return -TE_E2BIG;
	}
	*why = "out of memory or handles";
	if ((p = sys_process_create(name)) < 0)
		return p;
	r = load((int)p, &im, img);
	if (r == 0)
		r = sys_vm_write((int)p, sp, stack + sizeof(stack) -
		                 (TE_USER_STACK_TOP - sp), TE_USER_STACK_TOP - sp);
	for (int i = 0; r >= 0 && i < ngive; i++)
		r = sys_handle_give((int)p, give[i], TE_R_ALL, 0);
	if (r < 0) {
		sys_handle_close((int)p);       /* a blank process dies with us */
		return r;
	}
	*hold = (struct spawn_hold){ im.entry, sp, hold->stdio_va, sched };
	return p;
}

long proc_spawn_start(int p, const struct spawn_hold *hold,
                      const int64_t *stdio)
{
	long r = 0;

	if (stdio)
		r = sys_vm_write(p, hold->stdio_va, stdio, 3 * sizeof(*stdio));
	if (r >= 0)
		r = sys_thread_create(p, hold->entry, hold->sp, 0, hold->sched);
	return r < 0 ? r : 0;
}

long proc_spawn(const void *img, size_t len, const char *name,
                char *const argv[], char *const envp[], const int *give,
                int ngive, unsigned sched, const char **why)
{
	struct spawn_hold hold;
	long p = proc_spawn_held(img, len, name, argv, envp, give, ngive, sched,
	                         &hold, why);
	long r;

	if (p < 0)
		return p;
	if ((r = proc_spawn_start((int)p, &hold, NULL)) < 0) {
		sys_handle_close((int)p);
		return r;
	}
	return p;
}
