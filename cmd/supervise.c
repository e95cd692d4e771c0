/* The supervision flags of `run` (see cmd/supervise.h). */
#include "cmd/supervise.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/supervise/report.h"

const char cli_supervise_help[] =
    "  --init                  a built-in PID 1: reaps zombies, forwards "
    "signals\n"
    "  --timeout SECONDS       kill the whole container after SECONDS\n"
    "  --output-limit BYTES    relay stdout+stderr, kill the container "
    "past BYTES\n"
    "                          (suffixes K, M, G)\n"
    "  --report FILE           write how it ended and what it used (JSON)\n"
    "  --kill-on-signal        SIGTERM/SIGINT/SIGHUP kill the container "
    "instead\n"
    "                          of being forwarded to it\n";

int cli_parse_seconds(struct cli *cli, const char *flag, const char *s,
		      double *ret)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0 ||
	    v > 365.0 * 24 * 3600 || strspn(s, "0123456789.") != strlen(s)) {
		cli_error(cli,
			  "%s: expected seconds (more than 0, at most a year), "
			  "got \"%s\"",
			  flag, s);
		return -1;
	}
	*ret = v;
	return 0;
}

int cli_parse_bytes(struct cli *cli, const char *flag, const char *s,
		    uint64_t *ret)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v =
	    s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
	unsigned shift = 0;
	if (end != NULL && end != s && end[0] != '\0' && end[1] == '\0') {
		const char *u = strchr("KMG", end[0]);
		shift = u != NULL ? 10 * (unsigned)(u - "KMG" + 1) : 0;
		end += u != NULL;
	}
	if (end == NULL || end == s || *end != '\0' || errno != 0 || v == 0 ||
	    v > (UINT64_MAX >> shift)) {
		cli_error(cli,
			  "%s: expected a number of bytes (more than 0; "
			  "suffixes K, M, G), got \"%s\"",
			  flag, s);
		return -1;
	}
	*ret = (uint64_t)v << shift;
	return 0;
}

int cli_supervise_opt(struct cli *cli, int c, const char *arg,
		      struct cli_supervise *s)
{
	int r = 0;
	switch (c) {
	case OPT_SV_INIT:
		s->sv.init = true;
		break;
	case OPT_SV_TIMEOUT:
		r = cli_parse_seconds(cli, "--timeout", arg, &s->sv.timeout);
		break;
	case OPT_SV_OUTPUT_LIMIT:
		r = cli_parse_bytes(cli, "--output-limit", arg,
				    &s->sv.output_limit);
		break;
	case OPT_SV_REPORT:
		s->report_path = arg;
		s->sv.report = &s->report;
		s->sv.relay_output = true; /* to count the bytes */
		break;
	case OPT_SV_KILL_ON_SIGNAL:
		s->sv.kill_on_signal = true;
		break;
	default:
		return 0;
	}
	s->any = true;
	return r < 0 ? -1 : 1;
}

int cli_supervise_finish(struct cli *cli, struct cli_supervise *s)
{
	if (s->report_path == NULL)
		return 0;
	struct berth_error err = {0};
	if (rt_report_write(&s->report, s->report_path, &err) < 0) {
		cli_error(cli, "%s", err.msg);
		return -1;
	}
	return 0;
}
