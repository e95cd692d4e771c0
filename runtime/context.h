#pragma once
/*
 * What every runtime call gets explicitly: where state lives and how to
 * report warnings.  The library never prints; it calls ctx->log.
 */
#include <stdbool.h>

enum rt_log_level {
	RT_LOG_ERROR,
	RT_LOG_WARN,
	RT_LOG_INFO,
	RT_LOG_DEBUG,
};

/* Why berth runs rootless (runtime/rootless.h), as runc decides it. */
enum rt_rootless_reason {
	RT_ROOTLESS_NO,	   /* euid 0 in the initial user namespace */
	RT_ROOTLESS_EUID,  /* the effective uid is not 0 */
	RT_ROOTLESS_USERNS /* "root" inside a user namespace not the initial one
			    * (podman's rootless mode) */
};

typedef void (*rt_log_fn)(void *data, enum rt_log_level level, const char *msg);

struct rt_context {
	const char *root; /* state root, default /run/berth */
	rt_log_fn log;	  /* may be NULL */
	void *log_data;
	bool debug;
	/* --systemd-cgroup: cgroupsPath is "slice:prefix:name", which berth
	 * maps to cgroupfs (cgroups/systemd.h) */
	bool systemd_cgroup;
	/* Set once at startup (rt_rootless_detect): no privilege outside the
	 * user namespace berth runs in; cgroups may not be writable.
	 * @rootless_reason is the fact; @rootless follows it unless runc's
	 * --rootless true|false overrides it, and decides only what berth
	 * does without a cgroup (rt_rootless_cgroup_fallback). */
	bool rootless;
	enum rt_rootless_reason rootless_reason;
};

void rt_log(const struct rt_context *ctx, enum rt_log_level level,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
