#pragma once
/*
 * Pure conversions between linux.resources and the values the kernel's
 * cgroup files take.  No I/O here; unit-tested in tests/unit/test_cgroups.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* cpu.shares (v1, 2..262144) -> cpu.weight (v2, 1..10000), runc's linear
 * rule: 1 + ((shares - 2) * 9999) / 262142, clamped; 0 stays 0 (unset). */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) -> io.weight (1..10000): 1 + (w - 10) * 9999 / 990;
 * 0 stays 0 (unset). */
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* memory.swap (memory + swap, as v1's memsw) -> memory.swap.max, runc's
 * rule: memory -1 and swap unset -> -1; swap -1 -> -1 ("max"); swap unset
 * -> 0 (leave alone, *ret_set false); otherwise swap - limit, which needs a
 * limit and swap >= limit (-EINVAL, message in @err). */
int cg_swap_to_v2(const struct oci_resources *res, int64_t *ret, bool *ret_set,
		  struct berth_error *err);
/* "max" for a negative value, else the decimal number, into @buf. */
const char *cg_num_or_max(int64_t v, char *buf, size_t len);

/* cpu.max "<quota|max> <period>"; period 0 = leave the period out. */
void cg_cpu_max(int64_t quota, bool quota_set, uint64_t period, char *buf,
		size_t len);

/* One io.max line per device of the four blockIO throttle lists, in order of
 * first appearance: "8:0 rbps=1048576 wiops=100" (rate 0 -> "max").  A
 * NULL-terminated malloc'd vector (NULL + -ENOMEM on failure; an empty
 * vector when there are no entries). */
char **cg_io_max_lines(const struct oci_resources *res);

/* A linux.resources.devices rule as a v1 devices.allow/deny line:
 * "c 1:3 rwm", "a *:* rwm", "b 8:* r".  -EINVAL for an unknown type or
 * access letter. */
int cg_device_rule_v1(const struct oci_device_cgroup *rule, char *buf,
		      size_t len, struct berth_error *err);
/* A rule that matches every device with every access ("a" = reset). */
bool cg_device_rule_is_all(const struct oci_device_cgroup *rule);

/* Parse a cpu/node list "0-3,7" into a bitmap of @nbits bits (bit i of
 * bits[i / 64]).  -EINVAL on a syntax error, -ERANGE for a number >= nbits. */
int cg_cpulist_parse(const char *s, uint64_t *bits, size_t nbits);
/* Check that the list @want only names members of @have (e.g. the host's
 * online CPUs).  0, or -EINVAL with "CPU 7 is not available (host: 0-1)"
 * in @err (@what: "CPU" or "memory node"). */
int cg_cpulist_check(const char *want, const char *have, const char *what,
		     struct berth_error *err);
