/* The report of a supervised run: counters, the JSON file, the line. */
#include "runtime/supervise/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/util.h"

void rt_report_add_cgroup(struct oci_report *r, struct cg_manager *cg,
			  uint64_t pids_seen)
{
	struct cg_stats st;
	struct berth_error e = {0};
	if (cg_stats(cg, &st, &e) < 0)
		return;
	r->cpu_known =
	    st.cpu.user != 0 || st.cpu.kernel != 0 || st.cpu.total != 0;
	r->user_s = (double)st.cpu.user / 1e9;
	r->system_s = (double)st.cpu.kernel / 1e9;
	r->memory_peak = st.memory.usage.max_usage;
	r->memory_peak_known = st.memory.usage.max_usage != 0;
	r->oom_kills = st.memory.oom_kill;
	r->pids_limit_hits = st.pids.max_events;
	if (st.pids.peak_known) {
		r->pids_peak = st.pids.peak;
		r->pids_peak_known = true;
	} else if (pids_seen > 0) {
		r->pids_peak = pids_seen;
		r->pids_peak_known = r->pids_peak_sampled = true;
	}
}

void rt_report_decide(struct oci_report *r, enum oci_end_reason berth_reason)
{
	bool failed = r->status != 0;
	if (berth_reason != OCI_END_EXIT)
		r->reason = berth_reason;
	else if (failed && r->oom_kills > 0)
		r->reason = OCI_END_OOM;
	else if (failed && r->pids_limit_hits > 0)
		r->reason = OCI_END_PIDS_LIMIT;
	else if (r->signaled)
		r->reason = OCI_END_SIGNAL;
	else
		r->reason = OCI_END_EXIT;
}

int rt_report_write(const struct oci_report *r, const char *path,
		    struct berth_error *err)
{
	_cleanup_free_ char *json = NULL;
	int ret = oci_report_json(r, &json, err);
	if (ret < 0)
		return ret;
	size_t n = strlen(json);
	_cleanup_free_ char *line = malloc(n + 2);
	if (line == NULL)
		return berth_err(err, ENOMEM, "the report");
	memcpy(line, json, n);
	memcpy(line + n, "\n", 2);
	ret = write_file_atomic(path, line, n + 1, 0644);
	return ret < 0 ? berth_err(err, ret, "write the report '%s'", path) : 0;
}

/* "212 MiB", "1.2 MiB", "512 B". */
static void format_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	size_t u = 0;
	while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		d /= 1024;
		u++;
	}
	if (u == 0 || d >= 10)
		snprintf(buf, len, "%.0f %s", d, units[u]);
	else
		snprintf(buf, len, "%.1f %s", d, units[u]);
}

static void format_sig(int sig, char *buf, size_t len)
{
	const char *name = signal_name(sig);
	if (name != NULL)
		snprintf(buf, len, "SIG%s", name);
	else
		snprintf(buf, len, "signal %d", sig);
}

/* How it ended, the head of the line. */
static void format_how(const struct oci_report *r, char *buf, size_t len)
{
	char sig[32];
	switch (r->reason) {
	case OCI_END_TIMEOUT:
		snprintf(buf, len, "killed by the timeout");
		return;
	case OCI_END_OOM:
		snprintf(buf, len, "killed by the OOM killer");
		return;
	case OCI_END_PIDS_LIMIT:
		snprintf(buf, len, "stopped at the pids limit (status %d)",
			 r->status);
		return;
	case OCI_END_OUTPUT_LIMIT:
		snprintf(buf, len,
			 "killed at the output limit of %" PRIu64 " bytes",
			 r->output_limit);
		return;
	case OCI_END_INTERRUPTED:
		format_sig(r->berth_signal, sig, sizeof(sig));
		snprintf(buf, len, "killed: berth got %s", sig);
		return;
	case OCI_END_SIGNAL:
		format_sig(r->signal, sig, sizeof(sig));
		snprintf(buf, len, "killed by %s", sig);
		return;
	case OCI_END_EXIT:
	default:
		snprintf(buf, len, "exited with status %d", r->exit_code);
		return;
	}
}

void rt_report_line(const struct oci_report *r, char *buf, size_t len)
{
	char how[96], mem[32] = "", pids[48] = "";
	format_how(r, how, sizeof(how));
	if (r->memory_peak_known) {
		char sz[24];
		format_size(r->memory_peak, sz, sizeof(sz));
		snprintf(mem, sizeof(mem), "peak %s", sz);
	}
	if (r->pids_peak_known)
		snprintf(pids, sizeof(pids), "%s%" PRIu64 " pid%s",
			 mem[0] ? ", " : "peak ", r->pids_peak,
			 r->pids_peak == 1 ? "" : "s");
	if (mem[0] || pids[0])
		snprintf(buf, len, "%s after %.1f s (%s%s)", how, r->wall_s,
			 mem, pids);
	else
		snprintf(buf, len, "%s after %.1f s", how, r->wall_s);
}
