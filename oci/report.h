#pragma once
/*
 * The report of a supervised foreground run (`run --report`, `sandbox
 * --report`): how the container ended and what it used.  A plain struct
 * the runtime fills; its JSON is written here (jansson stays in oci/).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Why the run ended; the first of these that holds, in this order. */
enum oci_end_reason {
	OCI_END_EXIT,	      /* "exit": the command exited by itself */
	OCI_END_SIGNAL,	      /* "signal": a signal not berth's killed it */
	OCI_END_TIMEOUT,      /* "timeout": berth killed it at --timeout */
	OCI_END_OOM,	      /* "oom": the OOM killer killed a process */
	OCI_END_PIDS_LIMIT,   /* "pids-limit": a fork failed at pids.max */
	OCI_END_OUTPUT_LIMIT, /* "output-limit": past --output-limit */
	OCI_END_INTERRUPTED,  /* "interrupted": berth got SIGTERM/INT/HUP */
};

/* "exit", "signal", "timeout", "oom", "pids-limit", "output-limit",
 * "interrupted". */
const char *oci_end_reason_name(enum oci_end_reason r);

struct oci_report {
	enum oci_end_reason reason;
	/* The container's first process (the --init's child with --init):
	 * exited with exit_code, or killed by signal. */
	bool signaled;
	int exit_code;	  /* valid when !signaled */
	int signal;	  /* valid when signaled */
	int status;	  /* what berth exits with: exit_code or 128+signal */
	int berth_signal; /* interrupted: the signal berth got */
	double wall_s;	  /* from start to the end of the last process */
	double user_s, system_s; /* the whole cgroup's CPU time */
	bool cpu_known;		 /* the cgroup reported CPU time */
	uint64_t memory_peak;	 /* bytes, v1 max_usage_in_bytes / v2 peak */
	bool memory_peak_known;
	uint64_t pids_peak;	/* pids.peak, else the most berth saw */
	bool pids_peak_sampled; /* no pids.peak: sampled, a lower bound */
	bool pids_peak_known;
	uint64_t oom_kills;	  /* memory oom_kill */
	uint64_t pids_limit_hits; /* pids.events max */
	bool output_counted;	  /* stdout/stderr went through berth */
	uint64_t stdout_bytes, stderr_bytes; /* relayed (cut at the limit) */
	/* berth sandbox --overlay: entries (files, dirs, whiteouts) in the
	 * overlays' upper layers, i.e. what the build changed outside its
	 * writable binds. */
	bool files_changed_known;
	uint64_t files_changed;
	double timeout; /* the limits asked for; 0: none */
	uint64_t output_limit;
};

/* The report as a JSON object (malloc'd, one line, no newline):
 *   {"reason": "timeout", "exit_code": null, "signal": "SIGKILL",
 *    "status": 137, "wall_s": 60.01, "user_s": 1.2, "system_s": 0.3,
 *    "memory_peak_bytes": 222298112, "pids_peak": 31,
 *    "pids_peak_sampled": false, "oom_kills": 0, "pids_limit_hits": 0,
 *    "stdout_bytes": 120, "stderr_bytes": 0, "timeout_s": 60,
 *    "output_limit_bytes": null, "berth_signal": null,
 *    "files_changed": null}
 * Unknown values are null. */
int oci_report_json(const struct oci_report *r, char **ret_json,
		    struct berth_error *err);
