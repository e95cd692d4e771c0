#pragma once
/*
 * The report of a supervised run (oci/report.h): built from the cgroup's
 * counters, written as JSON, said in one human line.
 */
#include <stddef.h>

#include "cgroups/cgroups.h"
#include "oci/report.h"
#include "util/error.h"

/* The human line, without a prefix or newline, e.g.
 *   "killed by the timeout after 60.0 s (peak 212 MiB, 31 pids)"
 *   "exited with status 2 after 3.4 s (peak 20 MiB, 5 pids)"
 *   "killed by SIGSEGV after 0.1 s (peak 1.2 MiB, 1 pid)"
 *   "killed by the OOM killer after 2.0 s (peak 64 MiB, 3 pids)"
 *   "stopped at the pids limit after 0.5 s (peak 2 MiB, 10 pids)"
 *   "killed at the output limit of 1000 bytes after 0.2 s (...)"
 *   "killed: berth got SIGTERM after 1.0 s (...)"
 * Truncated to @len - 1 characters. */
void rt_report_line(const struct oci_report *r, char *buf, size_t len);

/* Write the JSON (and a newline) to @path atomically, mode 0644. */
int rt_report_write(const struct oci_report *r, const char *path,
		    struct berth_error *err);

/* Fill the cgroup's part of @r (CPU time, memory and pids peaks, OOM kills,
 * pids-limit hits) from cg_stats(); what the host does not report stays
 * unknown.  @pids_seen: the most pids berth sampled (0: none). */
void rt_report_add_cgroup(struct oci_report *r, struct cg_manager *cg,
			  uint64_t pids_seen);

/* Decide r->reason from what berth did (@berth_reason: TIMEOUT,
 * OUTPUT_LIMIT, INTERRUPTED, or EXIT for nothing) and the counters. */
void rt_report_decide(struct oci_report *r, enum oci_end_reason berth_reason);
