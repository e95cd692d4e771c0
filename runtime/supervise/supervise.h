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

/* ---- for rt_run() (runtime/run.c) ---- */

#include <sys/types.h>
#include <time.h>

struct cg_manager;

/* One supervised foreground wait. */
struct sv_wait {
	const struct rt_supervise *sv;
	struct cg_manager *cg; /* the container's cgroup, or NULL */
	pid_t pid;	       /* the container's first process */
	int out_fd, err_fd;    /* read ends of the relayed stdout/stderr */
	struct timespec start; /* CLOCK_MONOTONIC, at start */
	/* Results. */
	enum oci_end_reason berth_reason; /* EXIT: berth did not end it */
	int berth_signal;
	int wstatus; /* of pid */
	double wall_s;
	uint64_t out_bytes, err_bytes;
};

/* Pipes for the relayed stdout and stderr (@ret_read, @ret_write; both -1
 * when s does not relay). */
int sv_relay_pipes(const struct rt_supervise *s, int ret_read[2],
		   int ret_write[2], struct berth_error *err);
/* With every signal blocked: wait for w->pid, forwarding signals (or
 * killing the cgroup on SIGTERM/INT/HUP with kill_on_signal), relaying
 * output, enforcing the timeout and the output limit; once it has ended,
 * kill what is left of the cgroup and drain the output.  *@ret_status: the
 * exit code, or 128+N for signal N. */
int sv_wait_foreground(struct sv_wait *w, int *ret_status,
		       struct berth_error *err);
/* Fill s->report (when set) from @w and the cgroup. */
void sv_fill_report(const struct sv_wait *w, int status);
