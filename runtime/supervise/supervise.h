#pragma once
/*
 * Supervision of a foreground container (`run`, `sandbox`): what rt_run()
 * does, beyond waiting, when rt_create_opts.supervise is set.
 *
 * Fate sharing is not an option: every foreground run's container dies with
 * berth (PR_SET_PDEATHSIG(SIGKILL) on its first process, armed just before
 * exec; a watcher process that kills the cgroup and removes the state when
 * berth dies without finishing -- see watch.h).  create, start and run -d
 * never do either.
 */
#include <stdbool.h>
#include <stdint.h>

#include "oci/report.h"

struct rt_supervise {
	/* Seconds until the whole cgroup is killed (cgroup.kill on v2,
	 * freeze, SIGKILL each, thaw on v1); 0: no limit. */
	double timeout;
	/* Bytes of stdout+stderr together; past it the output is cut and
	 * the cgroup killed.  0: no limit. */
	uint64_t output_limit;
	/* Relay the container's stdout and stderr through berth (pipes),
	 * counting bytes; implied by output_limit.  Not with a terminal. */
	bool relay_output;
	/* A built-in PID 1 (init.h): reaps zombies, forwards signals to the
	 * command, exits with its status. */
	bool init;
	/* SIGTERM, SIGINT, SIGHUP to berth kill the cgroup (reason
	 * "interrupted", status 128+N) instead of being forwarded to the
	 * container's first process (runc's way, the default). */
	bool kill_on_signal;
	/* Filled at the end when not NULL, even when rt_run() fails after
	 * the container started. */
	struct oci_report *report;
};

/* 0, or -EINVAL with a message naming the option ("--timeout: must be
 * more than 0 and at most 31536000 seconds"). */
int rt_supervise_check(const struct rt_supervise *s, bool terminal,
		       struct berth_error *err);
