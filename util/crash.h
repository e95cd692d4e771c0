#pragma once
/*
 * Crash points: a test-only hook that makes berth SIGKILL itself at a named
 * step, so tests/integration/crash.bats can check that `delete --force`
 * removes whatever a killed command left.
 *
 * Only a build with -DBERTH_CRASH_POINTS (make CRASH_POINTS=1) has them;
 * there CRASH_POINT("create:after-cgroup") raises SIGKILL when the
 * environment has BERTH_CRASH_AT=create:after-cgroup.  In every other build
 * the macros expand to nothing: no code, no data, no getenv.
 *
 * Every name is registered at its call site in the "berth_crash" section,
 * and every step table (runtime/child.c, runtime/exec_child.c) in
 * "berth_crash_steps", so crash_points_each() lists them all without a
 * hand-kept list (`BERTH_CRASH_AT=list berth` prints it).
 */
#include <stddef.h>

#ifdef BERTH_CRASH_POINTS

/* A step table: @n entries of @stride bytes, the first one's name field at
 * @first_name (NULL names print as @unnamed). */
struct crash_steps {
	const char *prefix;
	const char *const *first_name;
	size_t n, stride;
	const char *unnamed;
};

void crash_at(const char *name);
/* "<prefix>:<step name>", spaces as '-': "create-child:masked-paths". */
void crash_at_step(const char *prefix, const char *step, const char *unnamed);
/* Every crash point, in no particular order; @cb's @name is a temporary. */
void crash_points_each(void (*cb)(const char *name, void *data), void *data);

#define CRASH_POINT(name)                                                      \
	do {                                                                   \
		static const char *const crash_point_name_                     \
		    __attribute__((used, section("berth_crash"))) = name;      \
		crash_at(crash_point_name_);                                   \
	} while (0)

/* The section holds pointers (8-byte aligned, so contiguous; the structs
 * themselves may be padded apart). */
#define CRASH_STEPS(pfx, table, count, unnamed_name)                           \
	static const struct crash_steps crash_steps_ = {                       \
	    .prefix = pfx,                                                     \
	    .first_name = &(table)[0].name,                                    \
	    .n = (count),                                                      \
	    .stride = sizeof((table)[0]),                                      \
	    .unnamed = unnamed_name,                                           \
	};                                                                     \
	static const struct crash_steps *const crash_steps_ptr_                \
	    __attribute__((used, section("berth_crash_steps"))) =              \
		&crash_steps_

#define CRASH_STEP(pfx, step, unnamed_name)                                    \
	crash_at_step(pfx, step, unnamed_name)

#else

#define CRASH_POINT(name)			     ((void)0)
#define CRASH_STEPS(pfx, table, count, unnamed_name) struct crash_steps_unused_
#define CRASH_STEP(pfx, step, unnamed_name)	     ((void)0)

#endif
