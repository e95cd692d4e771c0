/*
 * config.json .process: args, env, cwd, user, rlimits, capabilities, console
 * size, scheduler, ioPriority, execCPUAffinity and the rest of the process
 * object, with their names and checks.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci/config_internal.h"

/* ---- env (hooks[].env too) ---- */

int ocp_env_check(struct pctx *c, const char *s)
{
	if (strchr(s, '=') == NULL)
		return ocp_perr(c, "expected \"NAME=value\", got \"%s\"", s);
	return 0;
}

/* ---- rlimits ---- */

static const struct name_val rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {NULL, 0},
};

static int rlimit_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_rlimit *rl = out;

	if (rl->soft > rl->hard)
		return ocp_perr(c,
				"soft limit %" PRIu64
				" is greater than hard limit %" PRIu64,
				rl->soft, rl->hard);
	return 0;
}

static int rlimits_post(struct pctx *c, const struct field *f, void *base)
{
	(void)f;
	const struct oci_process *p = base;

	for (size_t i = 0; i < p->rlimits_n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits[i].resource != p->rlimits[j].resource)
				continue;
			ocp_path_idx(c, i);
			ocp_path_key(c, "type");
			return ocp_perr(c, "duplicate rlimit \"%s\"",
					p->rlimits[i].type);
		}
	}
	return 0;
}

static const struct field rlimit_fields[] = {
    FLD("type", F_STR, struct oci_rlimit, type, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_rlimit, resource), .names = rlimit_names,
	.what = "rlimit type"),
    FLD("soft", F_U64, struct oci_rlimit, soft, .flags = FL_REQ),
    FLD("hard", F_U64, struct oci_rlimit, hard, .flags = FL_REQ),
};
DESC(rlimit_desc, struct oci_rlimit, rlimit_fields, rlimit_check);

/* ---- capabilities ---- */

static int cap_check(struct pctx *c, const char *s)
{
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	cap_value_t v;

	if (strncmp(s, "CAP_", 4) != 0 || strspn(s, upper) != strlen(s) ||
	    cap_from_name(s, &v) < 0)
		return ocp_perr(
		    c,
		    "unknown capability \"%s\" (expected a name like "
		    "CAP_SYS_ADMIN)",
		    s);
	return 0;
}

#define CAPS(k, m) FLD(k, F_STRV, struct oci_capabilities, m, .each = cap_check)
static const struct field caps_fields[] = {
    CAPS("bounding", bounding),	      CAPS("effective", effective),
    CAPS("inheritable", inheritable), CAPS("permitted", permitted),
    CAPS("ambient", ambient),
};
DESC(caps_desc, struct oci_capabilities, caps_fields, NULL);

/* ---- user, consoleSize ---- */

static const struct field user_fields[] = {
    FLD("uid", F_U32, struct oci_user, uid),
    FLD("gid", F_U32, struct oci_user, gid),
    FLD("umask", F_OPT_U32, struct oci_user, umask),
    FLD("additionalGids", F_U32V, struct oci_user, additional_gids,
	.n_off = offsetof(struct oci_user, additional_gids_n)),
    FLD("username", F_STR, struct oci_user, username),
};
DESC(user_desc, struct oci_user, user_fields, NULL);

/* Offsets inside process.console_size, an anonymous struct. */
#define CONSOLE(m)                                                             \
	(offsetof(struct oci_process, console_size.m) -                        \
	 offsetof(struct oci_process, console_size))
static const struct field console_fields[] = {
    {.key = "height", .type = F_U32, .flags = FL_REQ, .off = CONSOLE(height)},
    {.key = "width", .type = F_U32, .flags = FL_REQ, .off = CONSOLE(width)},
};
static const struct objdesc console_desc = {
    console_fields, ARRAY_SIZE(console_fields), 0, NULL};

/* ---- scheduler, ioPriority, execCPUAffinity ---- */

/* Linux values (uapi linux/sched.h); SCHED_ISO is reserved as 4. */
static const struct name_val sched_policies[] = {
    {"SCHED_OTHER", 0},	   {"SCHED_FIFO", 1}, {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},	   {"SCHED_ISO", 4},  {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6}, {NULL, 0},
};

static const struct name_val sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}, {NULL, 0},
};

static const struct name_val ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
    {NULL, 0},
};

static const struct field sched_fields[] = {
    FLD("policy", F_STR, struct oci_scheduler, policy, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_scheduler, policy_num),
	.names = sched_policies, .what = "scheduler policy"),
    FLD("nice", F_OPT_I64, struct oci_scheduler, nice, RANGE(-20, 19)),
    FLD("priority", F_OPT_I64, struct oci_scheduler, priority,
	RANGE(INT32_MIN, INT32_MAX)),
    FLD("flags", F_STRV, struct oci_scheduler, flags, .names = sched_flags,
	.what = "scheduler flag"),
    FLD("runtime", F_OPT_U64, struct oci_scheduler, runtime),
    FLD("deadline", F_OPT_U64, struct oci_scheduler, deadline),
    FLD("period", F_OPT_U64, struct oci_scheduler, period),
};
DESC(sched_desc, struct oci_scheduler, sched_fields, NULL);

static const struct field ioprio_fields[] = {
    FLD("class", F_STR, struct oci_io_priority, class, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_io_priority, class_num),
	.names = ioprio_classes, .what = "I/O priority class"),
    FLD("priority", F_I64, struct oci_io_priority, priority,
	.flags = FL_REQ | FL_RANGE, .min = 0, .max = 7),
};
DESC(ioprio_desc, struct oci_io_priority, ioprio_fields, NULL);

static const struct field affinity_fields[] = {
    FLD("initial", F_STR, struct oci_exec_cpu_affinity, initial),
    FLD("final", F_STR, struct oci_exec_cpu_affinity, final),
};
DESC(affinity_desc, struct oci_exec_cpu_affinity, affinity_fields, NULL);

/* ---- the process object ---- */

#define PROC(k, t, m, ...) FLD(k, t, struct oci_process, m, __VA_ARGS__)
static const struct field process_fields[] = {
    PROC("terminal", F_BOOL, terminal),
    PROC("consoleSize", F_OBJ, console_size, .flags = FL_SET,
	 .desc = &console_desc),
    PROC("cwd", F_STR, cwd, .flags = FL_REQ | FL_ABS),
    PROC("env", F_STRV, env, .each = ocp_env_check),
    PROC("args", F_STRV, args, .flags = FL_REQ | FL_NONEMPTY),
    PROC("commandLine", F_STR, command_line),
    ARR("rlimits", struct oci_process, rlimits, rlimit_desc,
	.post = rlimits_post),
    PROC("apparmorProfile", F_STR, apparmor_profile),
    PROC("capabilities", F_OBJP, capabilities, .desc = &caps_desc),
    PROC("noNewPrivileges", F_BOOL, no_new_privileges),
    PROC("oomScoreAdj", F_OPT_I64, oom_score_adj, RANGE(-1000, 1000)),
    PROC("scheduler", F_OBJ, scheduler, .flags = FL_SET, .desc = &sched_desc),
    PROC("selinuxLabel", F_STR, selinux_label),
    PROC("ioPriority", F_OBJ, io_priority, .flags = FL_SET,
	 .desc = &ioprio_desc),
    PROC("execCPUAffinity", F_OBJ, exec_cpu_affinity, .desc = &affinity_desc),
    PROC("user", F_OBJ, user, .desc = &user_desc),
};
SHARED_DESC(ocp_process_desc, struct oci_process, process_fields, NULL);
