/* Crash points (crash.h): compiled only with -DBERTH_CRASH_POINTS. */
#include "util/crash.h"

#ifdef BERTH_CRASH_POINTS

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The linker's bounds of the sections CRASH_POINT and CRASH_STEPS fill
 * (weak: a binary without any has none). */
extern const char *const __start_berth_crash[] __attribute__((weak));
extern const char *const __stop_berth_crash[] __attribute__((weak));
extern const struct crash_steps *const __start_berth_crash_steps[]
    __attribute__((weak));
extern const struct crash_steps *const __stop_berth_crash_steps[]
    __attribute__((weak));

void crash_at(const char *name)
{
	const char *want = getenv("BERTH_CRASH_AT");
	if (want != NULL && strcmp(want, name) == 0)
		raise(SIGKILL);
}

static void step_name(char *buf, size_t len, const char *prefix,
		      const char *step, const char *unnamed)
{
	snprintf(buf, len, "%s:%s", prefix, step != NULL ? step : unnamed);
	for (char *p = buf; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
}

void crash_at_step(const char *prefix, const char *step, const char *unnamed)
{
	char name[128];
	if (getenv("BERTH_CRASH_AT") == NULL)
		return;
	step_name(name, sizeof(name), prefix, step, unnamed);
	crash_at(name);
}

void crash_points_each(void (*cb)(const char *name, void *data), void *data)
{
	for (const char *const *p = __start_berth_crash; p < __stop_berth_crash;
	     p++)
		cb(*p, data);
	for (const struct crash_steps *const *sp = __start_berth_crash_steps;
	     sp < __stop_berth_crash_steps; sp++)
		for (size_t i = 0, n = (*sp)->n; i < n; i++) {
			const struct crash_steps *s = *sp;
			const char *const *np =
			    (const void *)((const char *)s->first_name +
					   i * s->stride);
			char name[128];
			step_name(name, sizeof(name), s->prefix, *np,
				  s->unnamed);
			cb(name, data);
		}
}

#endif
