#pragma once
/*
 * The supervision flags of `run` (and `sandbox`): --init, --timeout,
 * --output-limit, --report, --kill-on-signal; runtime/supervise/.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cmd/cli.h"
#include "oci/report.h"
#include "runtime/supervise/supervise.h"

struct cli_supervise {
	struct rt_supervise sv;
	struct oci_report report;
	const char *report_path; /* NULL: none */
	bool any;		 /* a flag was given */
};

/* getopt values of the flags (after lifecycle.c's own). */
enum {
	OPT_SV_INIT = 512,
	OPT_SV_TIMEOUT,
	OPT_SV_OUTPUT_LIMIT,
	OPT_SV_REPORT,
	OPT_SV_KILL_ON_SIGNAL,
};

/* The long options, for a getopt table ({0}-terminated, in place: copy
 * CLI_SUPERVISE_OPTIONS into the table). */
#define CLI_SUPERVISE_OPTIONS                                                  \
	{"init", no_argument, NULL, OPT_SV_INIT},                              \
	    {"timeout", required_argument, NULL, OPT_SV_TIMEOUT},              \
	    {"output-limit", required_argument, NULL, OPT_SV_OUTPUT_LIMIT},    \
	    {"report", required_argument, NULL, OPT_SV_REPORT},                \
	{                                                                      \
		"kill-on-signal", no_argument, NULL, OPT_SV_KILL_ON_SIGNAL     \
	}
extern const char cli_supervise_help[];

/* One of the flags (@c from getopt): 1 taken, 0 not one of them, -1 bad
 * value (said with cli_error). */
int cli_supervise_opt(struct cli *cli, int c, const char *arg,
		      struct cli_supervise *s);

/* "60", "0.5": seconds, more than 0. */
int cli_parse_seconds(struct cli *cli, const char *flag, const char *s,
		      double *ret);
/* "1000", "64K", "10M", "1G" (powers of 1024): more than 0. */
int cli_parse_bytes(struct cli *cli, const char *flag, const char *s,
		    uint64_t *ret);

/* After the run: write --report FILE (a failure is said, status 1). */
int cli_supervise_finish(struct cli *cli, struct cli_supervise *s);
