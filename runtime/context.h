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

typedef void (*rt_log_fn)(void *data, enum rt_log_level level, const char *msg);

struct rt_context {
	const char *root; /* state root, default /run/berth */
	rt_log_fn log;	  /* may be NULL */
	void *log_data;
	bool debug;
	/* --systemd-cgroup: cgroupsPath is "slice:prefix:name", which berth
	 * maps to cgroupfs (cgroups/systemd.h) */
	bool systemd_cgroup;
};

void rt_log(const struct rt_context *ctx, enum rt_log_level level,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
