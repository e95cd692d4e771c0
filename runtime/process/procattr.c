#include "runtime/process/procattr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/process/lsm.h"
#include "util/cleanup.h"
#include "util/util.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))
/* Upper bounds for ids in a list: NR_CPUS is at most 8192 and
 * MAX_NUMNODES at most 1024 in today's kernels; leave headroom. */
#define CPU_ID_LIMIT  65536u
#define NODE_ID_LIMIT 4096u

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

#define MPOL_DEFAULT_	       0
#define MPOL_PREFERRED_	       1
#define MPOL_LOCAL_	       4
#define MPOL_F_STATIC_NODES_   (1 << 15)
#define MPOL_F_RELATIVE_NODES_ (1 << 14)

#define SCHED_ISO_	4 /* reserved, never implemented */
#define SCHED_DEADLINE_ 6

#define SYS_CPU	 "/sys/devices/system/cpu/"
#define SYS_NODE "/sys/devices/system/node/"

/* ---- id lists ("0-3,7") ---- */

/* Read one decimal number at *p (below @limit) and advance *p. */
static int parse_num(const char **p, unsigned int limit, unsigned int *ret,
		     struct berth_error *err)
{
	const char *s = *p;
	if (*s < '0' || *s > '9') {
		if (*s == '\0')
			return berth_err_msg(err, EINVAL,
					     "expected a number at the end");
		if (*s == ',')
			return berth_err_msg(err, EINVAL, "empty element");
		return berth_err_msg(err, EINVAL, "expected a number at \"%s\"",
				     s);
	}
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if (v < limit) /* saturate: stays >= limit once there */
			v = v * 10 + (unsigned long)(*s - '0');
	if (v >= limit)
		return berth_err_msg(err, ERANGE,
				     "%.*s is too large (limit %u)",
				     (int)(s - *p), *p, limit - 1);
	*p = s;
	*ret = (unsigned int)v;
	return 0;
}

/* Walk the list; set bits in @bits when it is not NULL. *ret_max is the
 * highest id (-1 for an empty list). */
static int scan_list(const char *s, unsigned int limit, unsigned long *bits,
		     long *ret_max, struct berth_error *err)
{
	long max = -1;
	const char *p = s;
	while (*p != '\0') {
		unsigned int lo, hi;
		int r = parse_num(&p, limit, &lo, err);
		if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			p++;
			r = parse_num(&p, limit, &hi, err);
			if (r < 0)
				return r;
			if (hi < lo)
				return berth_err_msg(err, EINVAL,
						     "range %u-%u is reversed",
						     lo, hi);
		}
		if (*p != '\0' && *p != ',')
			return berth_err_msg(err, EINVAL, "unexpected \"%s\"",
					     p);
		if (*p == ',' && *++p == '\0')
			return berth_err_msg(err, EINVAL,
					     "expected a number at the end");
		for (unsigned int i = lo; bits != NULL && i <= hi; i++)
			bits[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
		if ((long)hi > max)
			max = hi;
	}
	*ret_max = max;
	return 0;
}

int procattr_parse_list(const char *s, unsigned int limit,
			struct procattr_idset *ret, struct berth_error *err)
{
	long max;
	int r = scan_list(s, limit, NULL, &max, err);
	if (r < 0)
		return r;
	struct procattr_idset set = {0};
	if (max >= 0) {
		size_t words = (size_t)max / BITS_PER_LONG + 1;
		set.bits = calloc(words, sizeof(unsigned long));
		if (set.bits == NULL)
			return berth_err(err, ENOMEM, "parse \"%s\"", s);
		set.nbits = words * BITS_PER_LONG;
		scan_list(s, limit, set.bits, &max, err);
	}
	*ret = set;
	return 0;
}

bool procattr_idset_has(const struct procattr_idset *s, unsigned int id)
{
	if (s->bits == NULL || id >= s->nbits)
		return false;
	return (s->bits[id / BITS_PER_LONG] >> (id % BITS_PER_LONG)) & 1;
}

int procattr_idset_first_missing(const struct procattr_idset *s,
				 const struct procattr_idset *host)
{
	for (size_t i = 0; i < s->nbits; i++)
		if (procattr_idset_has(s, (unsigned int)i) &&
		    !procattr_idset_has(host, (unsigned int)i))
			return (int)i;
	return -1;
}

void procattr_idset_free(struct procattr_idset *s)
{
	free(s->bits);
	s->bits = NULL;
	s->nbits = 0;
}

/* A host list file (/sys/devices/system/cpu/online, ...): the set, and
 * the text without its newline for messages. */
static int read_host_list(const char *path, unsigned int limit,
			  struct procattr_idset *ret_set, char **ret_text,
			  struct berth_error *err)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(AT_FDCWD, path, &buf, NULL);
	if (r < 0)
		return berth_err(err, r, "read %s", path);
	buf[strcspn(buf, "\n")] = '\0';
	r = procattr_parse_list(buf, limit, ret_set, err);
	if (r < 0)
		return berth_err_ctx(err, "%s \"%s\"", path, buf);
	*ret_text = TAKE_PTR(buf);
	return 0;
}

/* ---- parent: the plan ---- */

static const char *str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static int plan_personality(const struct oci_personality *pers,
			    struct procattr_plan *plan, struct berth_error *err)
{
	if (pers == NULL)
		return 0;
	/* runtime-spec 1.3.0: "Currently no flag values are supported." */
	if (pers->flags != NULL && pers->flags[0] != NULL)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.personality.flags[0] "
		    "\"%s\": no personality flags are "
		    "supported (the runtime-spec defines none)",
		    pers->flags[0]);
	plan->personality_set = true;
	plan->domain = pers->domain;
	plan->persona =
	    strcmp(pers->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
	return 0;
}

static const struct {
	const char *name;
	uint64_t bit;
} sched_flag_bits[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static int sched_flags(char *const *names, uint64_t *ret,
		       struct berth_error *err)
{
	uint64_t flags = 0;
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		size_t j = 0;
		while (j < ARRAY_SIZE(sched_flag_bits) &&
		       strcmp(names[i], sched_flag_bits[j].name) != 0)
			j++;
		if (j == ARRAY_SIZE(sched_flag_bits))
			return berth_err_msg(
			    err, EINVAL,
			    "config.json: .process.scheduler.flags[%zu]: "
			    "unknown scheduler flag \"%s\"",
			    i, names[i]);
		flags |= sched_flag_bits[j].bit;
	}
	*ret = flags;
	return 0;
}

static int check_sched_values(const struct oci_scheduler *s, int64_t prio,
			      struct berth_error *err)
{
	int pol = s->policy_num;
	if (pol == SCHED_ISO_)
		return berth_err_msg(err, ENOTSUP,
				     "config.json: .process.scheduler.policy: "
				     "%s is not implemented by Linux",
				     s->policy);
	if (pol == SCHED_FIFO || pol == SCHED_RR) {
		int lo = sched_get_priority_min(pol);
		int hi = sched_get_priority_max(pol);
		if (prio < lo || prio > hi)
			return berth_err_msg(
			    err, EINVAL,
			    "config.json: .process.scheduler.priority: %s "
			    "needs a priority in %d-%d, not %lld",
			    s->policy, lo, hi, (long long)prio);
	} else if (prio != 0) {
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .process.scheduler.priority: "
		    "%s takes no priority (only SCHED_FIFO and "
		    "SCHED_RR do), got %lld",
		    s->policy, (long long)prio);
	}
	if (pol == SCHED_DEADLINE_ &&
	    (s->runtime.v > s->deadline.v ||
	     (s->period.v != 0 && s->deadline.v > s->period.v)))
		return berth_err_msg(err, EINVAL,
				     "config.json: .process.scheduler: "
				     "SCHED_DEADLINE needs runtime <= deadline "
				     "<= period");
	return 0;
}

static int plan_scheduler(const struct oci_scheduler *s,
			  struct procattr_plan *plan, struct berth_error *err)
{
	if (!s->set)
		return 0;
	int64_t prio = s->priority.set ? s->priority.v : 0;
	int r = check_sched_values(s, prio, err);
	if (r < 0)
		return r;
	struct procattr_sched_attr *a = &plan->sched;
	*a = (struct procattr_sched_attr){
	    .size = sizeof(*a),
	    .sched_policy = (uint32_t)s->policy_num,
	    .sched_nice = s->nice.set ? (int32_t)s->nice.v : 0,
	    .sched_priority = (uint32_t)prio,
	    .sched_runtime = s->runtime.v,
	    .sched_deadline = s->deadline.v,
	    .sched_period = s->period.v,
	};
	r = sched_flags(s->flags, &a->sched_flags, err);
	if (r < 0)
		return r;
	plan->sched_set = true;
	plan->sched_policy = s->policy;
	return 0;
}

static void plan_ioprio(const struct oci_io_priority *io,
			struct procattr_plan *plan)
{
	if (!io->set)
		return;
	plan->ioprio_set = true;
	plan->ioprio_class = io->class;
	plan->ioprio =
	    (io->class_num << IOPRIO_CLASS_SHIFT) | (int)io->priority;
}

/* Parse one execCPUAffinity list and check it against the online CPUs. */
static int plan_cpus(const char *field, const char *s,
		     const struct procattr_idset *online,
		     const char *online_text, struct procattr_idset *ret,
		     struct berth_error *err)
{
	int r = procattr_parse_list(s, CPU_ID_LIMIT, ret, err);
	if (r < 0)
		return berth_err_ctx(
		    err, "config.json: .process.execCPUAffinity.%s \"%s\"",
		    field, s);
	int missing = procattr_idset_first_missing(ret, online);
	if (missing >= 0)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .process.execCPUAffinity.%s \"%s\": CPU %d "
		    "is not online on this host (online: %s)",
		    field, s, missing, online_text);
	return 0;
}

static int plan_affinity(const struct oci_exec_cpu_affinity *aff,
			 struct procattr_plan *plan, struct berth_error *err)
{
	const char *initial = str_or_null(aff->initial);
	const char *final = str_or_null(aff->final);
	if (initial == NULL && final == NULL)
		return 0;
	struct procattr_idset online = {0};
	_cleanup_free_ char *text = NULL;
	int r =
	    read_host_list(SYS_CPU "online", CPU_ID_LIMIT, &online, &text, err);
	if (r == 0 && initial != NULL)
		r = plan_cpus("initial", initial, &online, text,
			      &plan->cpus_initial, err);
	if (r == 0 && final != NULL)
		r = plan_cpus("final", final, &online, text, &plan->cpus_final,
			      err);
	procattr_idset_free(&online);
	if (r < 0)
		return r;
	plan->cpus_initial_str = initial;
	plan->cpus_final_str = final;
	if (initial != NULL && final == NULL) {
		/* "If omitted or empty, the container's default CPU affinity"
		 * is used: every CPU, which the kernel clips to the cpuset. */
		_cleanup_free_ char *ptext = NULL;
		r = read_host_list(SYS_CPU "possible", CPU_ID_LIMIT,
				   &plan->cpus_final, &ptext, err);
		if (r < 0)
			return r;
		plan->final_reset = true;
	}
	return 0;
}

static const struct {
	const char *name;
	int bit;
} mpol_flag_bits[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

static int mpol_flags(char *const *names, int *ret, struct berth_error *err)
{
	int flags = 0;
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		size_t j = 0;
		while (j < ARRAY_SIZE(mpol_flag_bits) &&
		       strcmp(names[i], mpol_flag_bits[j].name) != 0)
			j++;
		if (j == ARRAY_SIZE(mpol_flag_bits))
			return berth_err_msg(
			    err, EINVAL,
			    "config.json: .linux.memoryPolicy.flags[%zu]: "
			    "unknown memory policy flag \"%s\"",
			    i, names[i]);
		flags |= mpol_flag_bits[j].bit;
	}
	if ((flags & MPOL_F_STATIC_NODES_) && (flags & MPOL_F_RELATIVE_NODES_))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.memoryPolicy.flags: "
		    "MPOL_F_STATIC_NODES and "
		    "MPOL_F_RELATIVE_NODES exclude each other");
	*ret = flags;
	return 0;
}

/* How many nodes a mode takes: MPOL_DEFAULT and MPOL_LOCAL none,
 * MPOL_PREFERRED any number (none = local), the others at least one. */
static int check_mpol_nodes(const struct oci_memory_policy *m,
			    const struct procattr_idset *nodes,
			    struct berth_error *err)
{
	bool empty = nodes->bits == NULL;
	if ((m->mode_num == MPOL_DEFAULT_ || m->mode_num == MPOL_LOCAL_) &&
	    !empty)
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.memoryPolicy.nodes "
				     "\"%s\": %s takes no nodes",
				     m->nodes, m->mode);
	if (m->mode_num != MPOL_DEFAULT_ && m->mode_num != MPOL_LOCAL_ &&
	    m->mode_num != MPOL_PREFERRED_ && empty)
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.memoryPolicy.nodes: "
				     "%s needs at least one node",
				     m->mode);
	return 0;
}

/* Nodes must exist on this host: online ones, or (MPOL_F_STATIC_NODES)
 * possible ones. Relative nodes are indices into the allowed set: any. */
static int check_host_nodes(const struct oci_memory_policy *m, int flags,
			    const struct procattr_idset *nodes,
			    struct berth_error *err)
{
	struct stat st;
	if (stat(SYS_NODE, &st) < 0)
		return berth_err_msg(err, ENOTSUP,
				     "config.json: .linux.memoryPolicy: this "
				     "kernel has no NUMA support (no %s)",
				     SYS_NODE);
	if (nodes->bits == NULL || (flags & MPOL_F_RELATIVE_NODES_))
		return 0;
	bool statik = flags & MPOL_F_STATIC_NODES_;
	const char *which = statik ? "possible" : "online";
	struct procattr_idset host = {0};
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, SYS_NODE "%s", which) < 0)
		return berth_err(err, ENOMEM, "linux.memoryPolicy");
	int r = read_host_list(path, NODE_ID_LIMIT, &host, &text, err);
	if (r < 0)
		return berth_err_ctx(err, "config.json: .linux.memoryPolicy");
	int missing = procattr_idset_first_missing(nodes, &host);
	procattr_idset_free(&host);
	if (missing >= 0)
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.memoryPolicy.nodes "
				     "\"%s\": node %d is not %s on this host "
				     "(%s: %s)",
				     m->nodes, missing, which, which, text);
	return 0;
}

static int plan_mempolicy(const struct oci_memory_policy *m,
			  struct procattr_plan *plan, struct berth_error *err)
{
	if (m == NULL)
		return 0;
	int flags = 0;
	int r = mpol_flags(m->flags, &flags, err);
	if (r < 0)
		return r;
	const char *nodes = m->nodes != NULL ? m->nodes : "";
	r = procattr_parse_list(nodes, NODE_ID_LIMIT, &plan->mpol_nodemask,
				err);
	if (r < 0)
		return berth_err_ctx(
		    err, "config.json: .linux.memoryPolicy.nodes \"%s\"",
		    nodes);
	r = check_mpol_nodes(m, &plan->mpol_nodemask, err);
	if (r == 0)
		r = check_host_nodes(m, flags, &plan->mpol_nodemask, err);
	if (r < 0)
		return r;
	plan->mpol_set = true;
	plan->mpol_mode = m->mode_num | flags;
	plan->mpol_mode_name = m->mode;
	plan->mpol_nodes = nodes;
	return 0;
}

static int plan_build(const struct oci_process *p, const struct oci_linux *l,
		      struct procattr_plan *plan, struct berth_error *err)
{
	int r = 0;
	if (l != NULL)
		r = plan_personality(l->personality, plan, err);
	if (r == 0 && l != NULL)
		r = plan_mempolicy(l->memory_policy, plan, err);
	if (r < 0 || p == NULL)
		return r;
	r = plan_scheduler(&p->scheduler, plan, err);
	if (r < 0)
		return r;
	plan_ioprio(&p->io_priority, plan);
	r = plan_affinity(&p->exec_cpu_affinity, plan, err);
	if (r < 0)
		return r;
	/* The kernel refuses to narrow a deadline task's CPUs (EBUSY). */
	if (plan->sched_set && plan->sched.sched_policy == SCHED_DEADLINE_ &&
	    plan->cpus_final.bits != NULL)
		return berth_err_msg(err, EINVAL,
				     "config.json: .process.execCPUAffinity: "
				     "cannot be combined with SCHED_DEADLINE "
				     "in .process.scheduler");
	plan->apparmor_profile = str_or_null(p->apparmor_profile);
	plan->selinux_label = str_or_null(p->selinux_label);
	return lsm_check(p, l, err);
}

int procattr_plan_build(const struct oci_process *p, const struct oci_linux *l,
			struct procattr_plan *plan, struct berth_error *err)
{
	struct procattr_plan tmp = {0};
	int r = plan_build(p, l, &tmp, err);
	if (r < 0) {
		procattr_plan_free(&tmp);
		return r;
	}
	*plan = tmp;
	return 0;
}

void procattr_plan_free(struct procattr_plan *plan)
{
	if (plan == NULL)
		return;
	procattr_idset_free(&plan->mpol_nodemask);
	procattr_idset_free(&plan->cpus_initial);
	procattr_idset_free(&plan->cpus_final);
}

int procattr_check(const struct oci_spec *spec, struct berth_error *err)
{
	struct procattr_plan plan = {0};
	int r = procattr_plan_build(spec->process, spec->linux_, &plan, err);
	procattr_plan_free(&plan);
	return r;
}

/* ---- child ---- */

static int set_affinity(const char *field, const char *text,
			const struct procattr_idset *cpus,
			struct berth_error *err)
{
	if (sched_setaffinity(0, cpus->nbits / 8, (cpu_set_t *)cpus->bits) < 0)
		return berth_err(
		    err, errno,
		    "process.execCPUAffinity.%s: sched_setaffinity "
		    "\"%s\"",
		    field, text);
	return 0;
}

int procattr_apply_early(const struct procattr_plan *plan,
			 struct berth_error *err)
{
	if (plan->cpus_initial.bits == NULL)
		return 0;
	return set_affinity("initial", plan->cpus_initial_str,
			    &plan->cpus_initial, err);
}

static int apply_scheduler(const struct procattr_plan *plan,
			   struct berth_error *err)
{
	const struct procattr_sched_attr *a = &plan->sched;
	if (syscall(SYS_sched_setattr, 0, a, 0) == 0)
		return 0;
	int e = errno;
	if (a->sched_policy == SCHED_FIFO || a->sched_policy == SCHED_RR)
		return berth_err(err, e,
				 "process.scheduler: sched_setattr %s priority "
				 "%u",
				 plan->sched_policy, a->sched_priority);
	if (a->sched_policy == SCHED_DEADLINE_)
		return berth_err(
		    err, e,
		    "process.scheduler: sched_setattr %s runtime %llu "
		    "deadline %llu period %llu",
		    plan->sched_policy, (unsigned long long)a->sched_runtime,
		    (unsigned long long)a->sched_deadline,
		    (unsigned long long)a->sched_period);
	return berth_err(err, e, "process.scheduler: sched_setattr %s nice %d",
			 plan->sched_policy, a->sched_nice);
}

static int apply_mempolicy(const struct procattr_plan *plan,
			   struct berth_error *err)
{
	const struct procattr_idset *n = &plan->mpol_nodemask;
	unsigned long maxnode = n->bits != NULL ? n->nbits + 1 : 0;
	if (syscall(SYS_set_mempolicy, plan->mpol_mode, n->bits, maxnode) < 0)
		return berth_err(err, errno,
				 "linux.memoryPolicy: set_mempolicy %s nodes "
				 "\"%s\"",
				 plan->mpol_mode_name, plan->mpol_nodes);
	return 0;
}

int procattr_apply(const struct procattr_plan *plan, struct berth_error *err)
{
	if (plan->personality_set && personality(plan->persona) < 0)
		return berth_err(err, errno,
				 "linux.personality: personality %s",
				 plan->domain);
	if (plan->ioprio_set &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, plan->ioprio) < 0)
		return berth_err(
		    err, errno, "process.ioPriority: ioprio_set %s priority %d",
		    plan->ioprio_class,
		    plan->ioprio & ((1 << IOPRIO_CLASS_SHIFT) - 1));
	if (plan->mpol_set) {
		int r = apply_mempolicy(plan, err);
		if (r < 0)
			return r;
	}
	/* Last: under a real-time policy the rest of setup is short. */
	if (plan->sched_set)
		return apply_scheduler(plan, err);
	return 0;
}

int procattr_apply_final(const struct procattr_plan *plan,
			 struct berth_error *err)
{
	if (plan->cpus_final.bits != NULL) {
		const char *text = plan->final_reset ? "all CPUs (reset after "
						       "initial)"
						     : plan->cpus_final_str;
		int r = set_affinity("final", text, &plan->cpus_final, err);
		if (r < 0)
			return r;
	}
	return lsm_set_exec_labels(plan->apparmor_profile, plan->selinux_label,
				   err);
}
