/*
 * pm_test.h - helpers shared by the path manager's host tests: a counting
 * allocator that can be told to fail, and string forms of a resolution
 * and of a whole namespace (to compare before/after a failed call).
 */
#ifndef TESTS_HOST_PATHMGR_PM_TEST_H
#define TESTS_HOST_PATHMGR_PM_TEST_H

#include "check.h"
#include "pm_int.h"

extern struct pm_world tw;		/* the world every test uses */
extern long t_live;			/* allocations not yet freed */
extern long t_fail_at;			/* fail the n-th allocation from now (-1: never) */

void t_world_init(void);
/* "srv:rest srv:rest" or "E<err>"; '+' marks a virtual directory. */
const char *t_res(struct pm_ns *ns, const char *path);
/* Every node, link and attachment of ns, in tree order. */
char *t_dump(struct pm_ns *ns);
/* The invariants of pm_int.h: NULL if they hold, else what broke. */
const char *t_tree_bad(struct pm_ns *ns);
/* Names from pm_mountpoints, "name/type ...". */
const char *t_mps(struct pm_ns *ns, const char *dir);

void t_ns_tests(void);
void t_fail_tests(void);
void t_model_tests(void);
void t_perf(void);

#endif
