#pragma once
/*
 * config.json (OCI runtime-spec v1.3.0) as plain C structs.
 *
 * The parser (oci/config*.c, see oci/config_internal.h) is the only code
 * that sees jansson for config.json; everything else reads these structs.
 * One oci_spec_free() releases a whole spec.
 *
 * Conventions:
 *  - strings are malloc'd char *, NULL when absent;
 *  - string lists are NULL-terminated char ** (NULL when absent);
 *  - arrays of structs are a pointer plus an _n count;
 *  - optional scalars use struct oci_opt_* with a .set flag, so "absent"
 *    and "zero" differ, as the spec requires (e.g. oomScoreAdj 0).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define OCI_SPEC_VERSION "1.3.0"

struct oci_opt_i64 {
	bool set;
	int64_t v;
};
struct oci_opt_u64 {
	bool set;
	uint64_t v;
};
struct oci_opt_bool {
	bool set;
	bool v;
};

struct oci_kv {
	char *key;
	char *value;
};

/* ---- process ---- */

struct oci_rlimit {
	char *type;   /* "RLIMIT_NOFILE" */
	int resource; /* resolved RLIMIT_* number */
	uint64_t soft, hard;
};

struct oci_capabilities {
	char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_user {
	uint32_t uid, gid;
	struct oci_opt_u64 umask;
	uint32_t *additional_gids;
	size_t additional_gids_n;
	char *username; /* windows only; kept, unused */
};

struct oci_scheduler {
	bool set;
	char *policy;	/* SCHED_OTHER, SCHED_FIFO, ... */
	int policy_num; /* resolved */
	struct oci_opt_i64 nice, priority;
	char **flags; /* SCHED_FLAG_* names */
	struct oci_opt_u64 runtime, deadline, period;
};

struct oci_io_priority {
	bool set;
	char *class; /* IOPRIO_CLASS_RT / BE / IDLE */
	int class_num;
	int64_t priority;
};

struct oci_exec_cpu_affinity {
	char *initial, *final; /* cpu lists "0-3,7" */
};

struct oci_process {
	bool terminal;
	struct {
		bool set;
		uint32_t height, width;
	} console_size;
	char *cwd;
	char **env;
	char **args;
	char *command_line; /* windows only */
	struct oci_rlimit *rlimits;
	size_t rlimits_n;
	char *apparmor_profile;
	struct oci_capabilities *capabilities; /* NULL: none configured */
	bool no_new_privileges;
	struct oci_opt_i64 oom_score_adj;
	struct oci_scheduler scheduler;
	char *selinux_label;
	struct oci_io_priority io_priority;
	struct oci_exec_cpu_affinity exec_cpu_affinity;
	struct oci_user user;
};

/* ---- root, mounts, hooks ---- */

struct oci_root {
	char *path; /* as written in config.json */
	bool readonly;
};

struct oci_id_mapping {
	uint32_t container_id, host_id, size;
};

struct oci_mount {
	char *destination;
	char *source;
	char *type;
	char **options;
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t uid_mappings_n, gid_mappings_n;
};

struct oci_hook {
	char *path;
	char **args;
	char **env;
	struct oci_opt_i64 timeout; /* seconds, > 0 when set */
};

struct oci_hook_list {
	struct oci_hook *v;
	size_t n;
};

struct oci_hooks {
	struct oci_hook_list prestart, create_runtime, create_container,
	    start_container, poststart, poststop;
};

/* ---- linux ---- */

enum oci_ns_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_COUNT,
};

struct oci_namespace {
	enum oci_ns_type type;
	char *path; /* NULL: create a new one */
};

struct oci_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_device {
	char *type; /* "c", "b", "u", "p" */
	char *path;
	int64_t major, minor;
	struct oci_opt_u64 file_mode;
	struct oci_opt_u64 uid, gid;
};

struct oci_net_device {
	char *host_name; /* the key in linux.netDevices */
	char *name;	 /* name inside the container (defaults to key) */
};

struct oci_device_cgroup {
	bool allow;
	char *type;			 /* "a", "c", "b" or NULL (= all) */
	struct oci_opt_i64 major, minor; /* unset = wildcard */
	char *access;			 /* "rwm" subset, NULL = all */
};

struct oci_weight_device {
	int64_t major, minor;
	struct oci_opt_u64 weight, leaf_weight;
};

struct oci_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct oci_hugepage_limit {
	char *page_size;
	uint64_t limit;
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

struct oci_rdma {
	char *device;
	struct oci_opt_u64 hca_handles, hca_objects;
};

struct oci_resources {
	struct oci_device_cgroup *devices;
	size_t devices_n;
	struct {
		struct oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
		struct oci_opt_u64 swappiness;
		struct oci_opt_bool disable_oom_killer, use_hierarchy,
		    check_before_update;
	} memory;
	struct {
		struct oci_opt_u64 shares, period, realtime_period;
		struct oci_opt_i64 quota, realtime_runtime, idle;
		struct oci_opt_u64 burst;
		char *cpus, *mems;
	} cpu;
	struct {
		struct oci_opt_i64 limit;
	} pids;
	struct {
		struct oci_opt_u64 weight, leaf_weight;
		struct oci_weight_device *weight_device;
		size_t weight_device_n;
		struct oci_throttle_device *throttle_read_bps,
		    *throttle_write_bps, *throttle_read_iops,
		    *throttle_write_iops;
		size_t throttle_read_bps_n, throttle_write_bps_n,
		    throttle_read_iops_n, throttle_write_iops_n;
	} block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t hugepage_limits_n;
	struct {
		struct oci_opt_u64 class_id;
		struct oci_net_priority *priorities;
		size_t priorities_n;
	} network;
	struct oci_rdma *rdma;
	size_t rdma_n;
	struct oci_kv *unified;
	size_t unified_n;
};

enum oci_seccomp_op {
	OCI_SCMP_CMP_NE,
	OCI_SCMP_CMP_LT,
	OCI_SCMP_CMP_LE,
	OCI_SCMP_CMP_EQ,
	OCI_SCMP_CMP_GE,
	OCI_SCMP_CMP_GT,
	OCI_SCMP_CMP_MASKED_EQ,
};

enum oci_seccomp_action {
	OCI_SCMP_ACT_KILL, /* = KILL_THREAD */
	OCI_SCMP_ACT_KILL_PROCESS,
	OCI_SCMP_ACT_KILL_THREAD,
	OCI_SCMP_ACT_TRAP,
	OCI_SCMP_ACT_ERRNO,
	OCI_SCMP_ACT_TRACE,
	OCI_SCMP_ACT_ALLOW,
	OCI_SCMP_ACT_LOG,
	OCI_SCMP_ACT_NOTIFY,
};

struct oci_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
	char **names;
	enum oci_seccomp_action action;
	struct oci_opt_u64 errno_ret;
	struct oci_seccomp_arg *args;
	size_t args_n;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action;
	struct oci_opt_u64 default_errno_ret;
	char **architectures; /* SCMP_ARCH_* names */
	char **flags;	      /* SECCOMP_FILTER_FLAG_* names */
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t syscalls_n;
};

struct oci_personality {
	char *domain; /* LINUX or LINUX32 */
	char **flags;
};

struct oci_intel_rdt {
	char *clos_id, *l3_cache_schema, *mem_bw_schema;
	char **schemata;
	struct oci_opt_bool enable_monitoring;
};

struct oci_memory_policy {
	char *mode; /* MPOL_* */
	int mode_num;
	char *nodes;
	char **flags; /* MPOL_F_* */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t namespaces_n;
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t uid_mappings_n, gid_mappings_n;
	struct {
		struct oci_time_offset monotonic, boottime;
	} time_offsets;
	struct oci_device *devices;
	size_t devices_n;
	struct oci_net_device *net_devices;
	size_t net_devices_n;
	char *cgroups_path;
	struct oci_resources *resources; /* NULL when absent */
	char *rootfs_propagation;
	struct oci_seccomp *seccomp; /* NULL when absent */
	struct oci_kv *sysctl;
	size_t sysctl_n;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct oci_personality *personality;
	struct oci_intel_rdt *intel_rdt;
	struct oci_memory_policy *memory_policy;
};

struct oci_spec {
	char *oci_version;
	struct oci_process *process; /* NULL when absent */
	struct oci_root root;
	char *hostname;
	char *domainname;
	struct oci_mount *mounts;
	size_t mounts_n;
	struct oci_hooks hooks;
	struct oci_kv *annotations;
	size_t annotations_n;
	struct oci_linux *linux_; /* NULL when absent */
};

/* Parse and validate config.json from @path.  On failure, @err holds one line
 * naming the JSON path and what was expected, e.g.
 * "config.json: .process.args[1]: expected a string". */
int oci_spec_load(const char *path, struct oci_spec **ret_spec,
		  struct berth_error *err);
/* oci_spec_load, also handing back the file's text exactly as parsed (to
 * keep a copy of the very config the container was made from). */
int oci_spec_load_raw(const char *path, struct oci_spec **ret_spec,
		      char **ret_json, size_t *ret_len,
		      struct berth_error *err);
/* The same from a buffer; @name is used in messages ("config.json"). */
int oci_spec_parse(const char *json, size_t len, const char *name,
		   struct oci_spec **ret_spec, struct berth_error *err);
void oci_spec_free(struct oci_spec *spec);

/* The namespace entry of @type, or NULL when the config has none. */
/* Why @s cannot be a hostname or domainname (the kernel's 64 bytes, RFC
 * 1123's letters, digits, hyphens and dots in labels of 1-63), or NULL. */
const char *oci_hostname_invalid(const char *s);

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec,
					       enum oci_ns_type type);
const char *oci_ns_type_name(enum oci_ns_type type);

/* The maskedPaths and readonlyPaths of `spec` (runc's), NULL-ended; the
 * sandbox uses them too. */
extern const char *const oci_default_masked_paths[];
extern const char *const oci_default_readonly_paths[];

/* The default config.json that `berth spec` writes (runc's default,
 * busybox-friendly), as a malloc'd pretty-printed JSON string. */
int oci_spec_default_json(bool rootless, char **ret_json,
			  struct berth_error *err);
