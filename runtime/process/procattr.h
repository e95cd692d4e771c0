#pragma once
/*
 * Process attributes the kernel keeps across execve: linux.personality,
 * process.scheduler, process.ioPriority, process.execCPUAffinity,
 * linux.memoryPolicy, and the LSM exec labels (runtime/lsm.h).
 *
 * The parent builds a plan before clone (procattr_plan_build(): every list
 * parsed, every value checked against this host); the child applies it in
 * three steps:
 *
 *   procattr_apply_early()  right after clone: execCPUAffinity.initial
 *   procattr_apply()        as root, before the capability drop:
 *                           personality, scheduler, I/O priority, memory
 *                           policy
 *   procattr_apply_final()  right before execve: execCPUAffinity.final,
 *                           AppArmor/SELinux exec labels
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* A set of small non-negative ids (CPUs, NUMA nodes) as a kernel bitmap:
 * whole unsigned longs, bit n of word n / BITS_PER_LONG. */
struct procattr_idset {
	unsigned long *bits; /* malloc'd; NULL when empty */
	size_t nbits;	     /* bits allocated: a multiple of the word size */
};

/* Parse a list like "0-3,7" (the kernel's cpulist format without strides)
 * into @ret. Ids must be below @limit. "" gives an empty set. On error the
 * message says what is wrong, without the JSON path (the caller adds it):
 * `"1-": expected a number after "-"`. */
int procattr_parse_list(const char *s, unsigned int limit,
			struct procattr_idset *ret, struct berth_error *err);
bool procattr_idset_has(const struct procattr_idset *s, unsigned int id);
/* The lowest id in @s that is not in @host, or -1 when @s ⊆ @host. */
int procattr_idset_first_missing(const struct procattr_idset *s,
				 const struct procattr_idset *host);
void procattr_idset_free(struct procattr_idset *s);

/* struct sched_attr as sched_setattr(2) takes it (SCHED_ATTR_SIZE_VER1). */
struct procattr_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

struct procattr_plan {
	bool personality_set;
	unsigned long persona; /* PER_LINUX / PER_LINUX32 */
	const char *domain;

	bool sched_set;
	struct procattr_sched_attr sched;
	const char *sched_policy; /* name, for messages */

	bool ioprio_set;
	int ioprio; /* IOPRIO_PRIO_VALUE(class, level) */
	const char *ioprio_class;

	bool mpol_set;
	int mpol_mode; /* mode | MPOL_F_* flags */
	const char *mpol_mode_name, *mpol_nodes;
	struct procattr_idset mpol_nodemask;

	/* execCPUAffinity: initial applied early, final right before exec.
	 * When initial is set and final is not, final_reset makes the child
	 * widen its affinity again (to every CPU; the kernel keeps it inside
	 * the cpuset), as runc does. */
	struct procattr_idset cpus_initial, cpus_final;
	const char *cpus_initial_str, *cpus_final_str;
	bool final_reset;

	const char *apparmor_profile, *selinux_label; /* NULL when unset */
};

/* Parent, before clone: parse and check everything. Errors name the JSON
 * path: `config.json: .process.execCPUAffinity.final "0-9": CPU 2 is not
 * online on this host (online: 0-1)`. The plan points into @p and @l, which
 * must outlive it. */
int procattr_plan_build(const struct oci_process *p, const struct oci_linux *l,
			struct procattr_plan *plan, struct berth_error *err);
void procattr_plan_free(struct procattr_plan *plan);
/* procattr_plan_build() then procattr_plan_free(): only the checks. */
int procattr_check(const struct oci_spec *spec, struct berth_error *err);

/* Child. Errors name the field and the call:
 * `process.scheduler: sched_setattr SCHED_FIFO priority 50: Operation not
 * permitted`. */
int procattr_apply_early(const struct procattr_plan *plan,
			 struct berth_error *err);
int procattr_apply(const struct procattr_plan *plan, struct berth_error *err);
int procattr_apply_final(const struct procattr_plan *plan,
			 struct berth_error *err);
