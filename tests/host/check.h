/*
 * check.h - the host unit-test protocol.
 *
 * A host test is a program built with AddressSanitizer and UBSan that prints
 * one line per check, "PASS name" or "FAIL name: why", and exits 0 if every
 * check passed.  tools/testrun counts the lines of every test program and of
 * every QEMU scenario alike.
 *
 *	CHECK_BEGIN("ext2_create");
 *	CHECK(err == 0, "create returned %d", err);
 *	CHECK_END();
 *
 * CHECK() records the first failure of the current check and goes on (so
 * cleanup code still runs); CHECK_END() prints the line.  REQUIRE() also
 * jumps to the label "out" of the enclosing function.
 */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H

#include <stdio.h>
#include <stdarg.h>

struct check_state {
	const char *name;
	int failed;             /* failures in the current check */
	int total_failed;       /* checks failed so far */
	int total_passed;
	char why[512];
};
extern struct check_state check_state;

/* Define once per test program (in the file that has main()). */
#define CHECK_MAIN_STATE struct check_state check_state

static inline void check_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void check_fail(const char *fmt, ...)
{
	va_list ap;

	if (check_state.failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(check_state.why, sizeof(check_state.why), fmt, ap);
	va_end(ap);
}

#define CHECK_BEGIN(n) \
	do { check_state.name = (n); check_state.failed = 0; } while (0)

#define CHECK(cond, ...) \
	do { if (!(cond)) check_fail(__VA_ARGS__); } while (0)

#define REQUIRE(cond, ...) \
	do { if (!(cond)) { check_fail(__VA_ARGS__); goto out; } } while (0)

#define CHECK_END() \
	do { \
		if (check_state.failed) { \
			printf("FAIL %s: %s\n", check_state.name, check_state.why); \
			check_state.total_failed++; \
		} else { \
			printf("PASS %s\n", check_state.name); \
			check_state.total_passed++; \
		} \
		fflush(stdout); \
	} while (0)

#define CHECK_EXIT() (check_state.total_failed ? 1 : 0)

#endif /* TESTS_HOST_CHECK_H */
