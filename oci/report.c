/* The report of a supervised run as JSON. */
#include "oci/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "oci/jansson.h"
#include "util/cleanup.h"
#include "util/util.h"

static const char *const reason_names[] = {
    [OCI_END_EXIT] = "exit",
    [OCI_END_SIGNAL] = "signal",
    [OCI_END_TIMEOUT] = "timeout",
    [OCI_END_OOM] = "oom",
    [OCI_END_PIDS_LIMIT] = "pids-limit",
    [OCI_END_OUTPUT_LIMIT] = "output-limit",
    [OCI_END_INTERRUPTED] = "interrupted",
};

const char *oci_end_reason_name(enum oci_end_reason r)
{
	if ((size_t)r >= ARRAY_SIZE(reason_names))
		return "unknown";
	return reason_names[r];
}

static json_t *u64_or_null(bool known, uint64_t v)
{
	return known ? json_integer((json_int_t)v) : json_null();
}

static json_t *real_or_null(bool known, double v)
{
	return known ? json_real(v) : json_null();
}

/* "SIGKILL", or the number when it has no name. */
static json_t *signal_json(bool known, int sig)
{
	if (!known || sig <= 0)
		return json_null();
	const char *name = signal_name(sig);
	if (name == NULL)
		return json_integer(sig);
	char buf[32];
	snprintf(buf, sizeof(buf), "SIG%s", name);
	return json_string(buf);
}

static int set(json_t *o, const char *key, json_t *v)
{
	return v != NULL ? json_object_set_new(o, key, v) : -1;
}

static int fill(json_t *o, const struct oci_report *r)
{
	int bad = 0;
	bad |= set(o, "reason", json_string(oci_end_reason_name(r->reason)));
	bad |= set(o, "exit_code",
		   r->signaled ? json_null() : json_integer(r->exit_code));
	bad |= set(o, "signal", signal_json(r->signaled, r->signal));
	bad |= set(o, "status", json_integer(r->status));
	bad |= set(o, "wall_s", json_real(r->wall_s));
	bad |= set(o, "user_s", real_or_null(r->cpu_known, r->user_s));
	bad |= set(o, "system_s", real_or_null(r->cpu_known, r->system_s));
	bad |= set(o, "memory_peak_bytes",
		   u64_or_null(r->memory_peak_known, r->memory_peak));
	bad |=
	    set(o, "pids_peak", u64_or_null(r->pids_peak_known, r->pids_peak));
	bad |= set(o, "pids_peak_sampled",
		   r->pids_peak_known ? json_boolean(r->pids_peak_sampled)
				      : json_null());
	bad |= set(o, "oom_kills", json_integer((json_int_t)r->oom_kills));
	bad |= set(o, "pids_limit_hits",
		   json_integer((json_int_t)r->pids_limit_hits));
	bad |= set(o, "stdout_bytes",
		   u64_or_null(r->output_counted, r->stdout_bytes));
	bad |= set(o, "stderr_bytes",
		   u64_or_null(r->output_counted, r->stderr_bytes));
	bad |= set(o, "timeout_s", real_or_null(r->timeout > 0, r->timeout));
	bad |= set(o, "output_limit_bytes",
		   u64_or_null(r->output_limit > 0, r->output_limit));
	bad |= set(o, "berth_signal",
		   signal_json(r->berth_signal > 0, r->berth_signal));
	bad |= set(o, "files_changed",
		   u64_or_null(r->files_changed_known, r->files_changed));
	return bad;
}

int oci_report_json(const struct oci_report *r, char **ret_json,
		    struct berth_error *err)
{
	json_t *o = json_object();
	if (o == NULL || fill(o, r) != 0) {
		json_decref(o);
		return berth_err(err, ENOMEM, "encode the report");
	}
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(6));
	json_decref(o);
	if (s == NULL)
		return berth_err(err, ENOMEM, "encode the report");
	*ret_json = s;
	return 0;
}
