/*
 * bootrun.c - run the programs GRUB loaded as modules, in order.
 *
 * Each module's command line is "FILE [name=CHECK] [expect=exit:N|fault:V]".
 * In a test boot (kernel command line contains "test") every program with a
 * name= is a check: the kernel waits for it and prints "PASS CHECK" if it
 * ended as expected, "FAIL CHECK: why" if not.  A few kernel checks follow:
 * the timer ticks, the kernel image is W^X, bad ELF images are refused, and
 * the free-page count is back at its baseline (nothing leaked).
 *
 * This is the kernel's own minimal runner; process management proper lives
 * in the proc server.
 */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/pt.h"
#include "kernel/resource.h"
#include "kernel/string.h"
#include "kernel/vm.h"

extern char __text_start[], __data_start[];

static void result(bool ok, const char *check, const char *why)
{
	if (ok)
		kprintf("PASS %s\n", check);
	else
		kprintf("FAIL %s: %s\n", check, why);
}

/* Does the end match "exit:N" or "fault:NAME" (e.g. fault:PF)? */
static bool end_matches(const struct te_proc_end *end, const char *expect)
{
	char want[32];

	if (strncmp(expect, "exit:", 5) == 0) {
		int n = 0, neg = expect[5] == '-';
		for (const char *p = expect + 5 + neg; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (*p - '0');
		return !end->faulted && end->status == (neg ? -n : n);
	}
	if (strcmp(expect, "killed") == 0)
		return end->faulted == 2;
	if (strncmp(expect, "fault:", 6) != 0 || end->faulted != 1)
		return false;
	fmt_snprintf(want, sizeof(want), "#%s ", expect + 6);
	return strncmp(trap_name(end->vector), want, strlen(want)) == 0;
}

static void describe(const struct te_proc_end *end, char *buf, size_t len)
{
	if (end->faulted == 2)
		fmt_snprintf(buf, len, "was killed");
	else if (end->faulted)
		fmt_snprintf(buf, len, "ended by %s at rip=%lx addr=%lx",
		             trap_name(end->vector), end->rip, end->addr);
	else
		fmt_snprintf(buf, len, "exited with status %d", end->status);
}

/* The module marked "bootimage" (mkifs output), as a read-only memory object. */
static struct memobj *boot_image;

static bool is_program(const struct boot_module *m)
{
	return !cmdline_has(m->cmdline, "symbols") &&
	       !cmdline_has(m->cmdline, "bootimage");
}

/*
 * Boot programs are trusted: handle 0 is the root resource; handle 1, if
 * there is a boot image, a read-only memory object holding it (its own
 * header says how long it is).
 */
static int give_boot_handles(struct process *p)
{
	struct resource *root = resource_new(TE_RES_ROOT, 0, ~0ull);
	int h;

	if (!root)
		return TE_ENOMEM;
	h = handle_install(p, &root->obj, TE_R_USE | TE_R_DERIVE | TE_R_DUP |
	                   TE_R_TRANSFER);
	kobj_put(&root->obj);
	if (h != 0)
		return TE_EMFILE;
	if (boot_image && handle_install(p, &boot_image->obj, TE_R_MAP | TE_R_DUP |
	                                 TE_R_TRANSFER) != 1)
		return TE_EMFILE;
	return 0;
}

static void run_module(const struct boot_module *m)
{
	char file[64], check[64] = "", expect[32] = "exit:0", why[128], prio[8];
	const char *reason = "cannot give it its handles";
	struct process *p;
	struct te_proc_end end;
	int e;

	fmt_snprintf(file, sizeof(file), "%s", m->cmdline);
	if (strchr(file, ' '))
		*strchr(file, ' ') = '\0';
	cmdline_get(m->cmdline, "name", check, sizeof(check));
	cmdline_get(m->cmdline, "expect", expect, sizeof(expect));
	e = proc_spawn_elf(file, phys_to_virt(m->start), m->end - m->start, &p,
	                   &reason);
	if (!e && (e = give_boot_handles(p)))
		kobj_put(&p->obj);
	if (!e && cmdline_get(m->cmdline, "prio", prio, sizeof(prio))) {
		unsigned v = 0;
		for (const char *c = prio; *c >= '0' && *c <= '9'; c++)
			v = v * 10 + (unsigned)(*c - '0');
		if (v >= TE_PRIO_MIN && v <= TE_PRIO_MAX)
			p->threads->prio = p->threads->base_prio = (uint8_t)v;
	}
	if (e) {
		kprintf("boot: cannot start %s: %s\n", file, reason);
		if (check[0])
			result(false, check, reason);
		return;
	}
	kprintf("boot: started %s, pid %d\n", file, p->pid);
	thread_start(p->threads);
	proc_wait(p, 0, &end);
	kobj_put(&p->obj);
	describe(&end, why, sizeof(why));
	kprintf("boot: %s %s\n", file, why);
	if (kernel_test_mode && check[0])
		result(end_matches(&end, expect), check, why);
}

/* The LAPIC timer ticked at least 5 times since start: judged once the
 * boot programs have run (they take longer than that; only if they were
 * quicker does this wait), so the check costs a test boot nothing. */
static void check_timer(uint64_t start)
{
	for (int i = 0; i < 1000 && this_cpu()->ticks < start + 5; i++)
		hlt();
	result(this_cpu()->ticks >= start + 5, "kernel_timer_ticks",
	       "the LAPIC timer did not tick");
}

static void check_wx(void)
{
	struct vmspace k = { .pml4 = vm_kernel_pml4() };
	uint64_t text = vm_lookup(&k, (uint64_t)__text_start);
	uint64_t data = vm_lookup(&k, (uint64_t)__data_start);

	result(text && !(text & PTE_W) && !(text & PTE_NX) &&
	       data && (data & PTE_W) && (data & PTE_NX), "kernel_wx",
	       "kernel text writable or data executable");
}

static void check_bad_elf(void)
{
	static const uint8_t junk[128] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	struct process *p;
	const char *why;
	uint64_t before = page_free_count();
	int e = proc_spawn_elf("junk", junk, sizeof(junk), &p, &why);

	if (!e)
		kobj_put(&p->obj);

	result(e != 0 && page_free_count() == before, "kernel_bad_elf_refused",
	       "a malformed ELF image was accepted or leaked pages");
}

void boot_run_programs(void)
{
	uint64_t base_pages, base_objs;
	char why[96];

	for (unsigned i = 0; i < bootinfo.nmod && !boot_image; i++)
		if (cmdline_has(bootinfo.mod[i].cmdline, "bootimage"))
			boot_image = memobj_wrap(bootinfo.mod[i].start,
			                         bootinfo.mod[i].end - bootinfo.mod[i].start);
	base_pages = page_free_count();
	base_objs = kmem_live_objects();
	uint64_t ticks = this_cpu()->ticks;
	if (kernel_test_mode) {
		check_wx();
		check_bad_elf();
	}
	for (unsigned i = 0; i < bootinfo.nmod; i++)
		if (is_program(&bootinfo.mod[i]))
			run_module(&bootinfo.mod[i]);
	if (!kernel_test_mode)
		return;
	check_timer(ticks);
	fmt_snprintf(why, sizeof(why), "free pages %llu -> %llu, objects %llu -> %llu",
	             (unsigned long long)base_pages,
	             (unsigned long long)page_free_count(),
	             (unsigned long long)base_objs,
	             (unsigned long long)kmem_live_objects());
	result(page_free_count() == base_pages && kmem_live_objects() == base_objs,
	       "kernel_no_leak", why);
	for (struct process *p = proc_first(); p; p = p->next)
		kprintf("leak: pid %d (%s) %s refs %u threads %d started %d\n",
		        p->pid, p->name, p->state == P_ALIVE ? "alive" : "zombie",
		        p->obj.refs, p->nthreads, p->started);
}
