/* oci/report, runtime/supervise/report: the report of a supervised run --
 * its JSON, its human line, how the reason is decided (issue 12). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/report.h"
#include "runtime/supervise/report.h"
#include "testutil.h"

static struct oci_report timeout_report(void)
{
	struct oci_report r = {
	    .signaled = true,
	    .signal = SIGKILL,
	    .status = 137,
	    .wall_s = 60.04,
	    .cpu_known = true,
	    .user_s = 1.5,
	    .system_s = 0.25,
	    .memory_peak = 212ULL << 20,
	    .memory_peak_known = true,
	    .pids_peak = 31,
	    .pids_peak_known = true,
	    .output_counted = true,
	    .stdout_bytes = 120,
	    .timeout = 60,
	};
	rt_report_decide(&r, OCI_END_TIMEOUT);
	return r;
}

Test(report, json_has_every_field)
{
	struct oci_report r = timeout_report();
	char *json = NULL;
	struct berth_error err = {0};
	cr_assert_eq(oci_report_json(&r, &json, &err), 0, "%s", err.msg);
	cr_assert_str_eq(
	    json, "{\"reason\":\"timeout\",\"exit_code\":null,"
		  "\"signal\":\"SIGKILL\",\"status\":137,\"wall_s\":60.04,"
		  "\"user_s\":1.5,\"system_s\":0.25,"
		  "\"memory_peak_bytes\":222298112,\"pids_peak\":31,"
		  "\"pids_peak_sampled\":false,\"oom_kills\":0,"
		  "\"pids_limit_hits\":0,\"stdout_bytes\":120,"
		  "\"stderr_bytes\":0,\"timeout_s\":60.0,"
		  "\"output_limit_bytes\":null,\"berth_signal\":null,"
		  "\"files_changed\":null}");
	free(json);
}

Test(report, json_unknown_values_are_null)
{
	struct oci_report r = {.exit_code = 2, .status = 2};
	rt_report_decide(&r, OCI_END_EXIT);
	char *json = NULL;
	struct berth_error err = {0};
	cr_assert_eq(oci_report_json(&r, &json, &err), 0);
	cr_assert(strstr(json, "\"reason\":\"exit\",\"exit_code\":2,"
			       "\"signal\":null") != NULL,
		  "%s", json);
	cr_assert(strstr(json, "\"user_s\":null,\"system_s\":null,"
			       "\"memory_peak_bytes\":null,\"pids_peak\":null,"
			       "\"pids_peak_sampled\":null") != NULL,
		  "%s", json);
	cr_assert(strstr(json, "\"stdout_bytes\":null,\"stderr_bytes\":null") !=
		      NULL,
		  "%s", json);
	free(json);
}

Test(report, reason_names)
{
	cr_assert_str_eq(oci_end_reason_name(OCI_END_PIDS_LIMIT), "pids-limit");
	cr_assert_str_eq(oci_end_reason_name(OCI_END_OUTPUT_LIMIT),
			 "output-limit");
	cr_assert_str_eq(oci_end_reason_name(OCI_END_INTERRUPTED),
			 "interrupted");
	cr_assert_str_eq(oci_end_reason_name((enum oci_end_reason)99),
			 "unknown");
}

Test(report, line_timeout)
{
	struct oci_report r = timeout_report();
	char buf[256];
	rt_report_line(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf,
			 "killed by the timeout after 60.0 s (peak 212 MiB, "
			 "31 pids)");
}

Test(report, line_shapes)
{
	char buf[256];
	struct oci_report r = {.exit_code = 2, .status = 2, .wall_s = 3.42};
	rt_report_decide(&r, OCI_END_EXIT);
	rt_report_line(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "exited with status 2 after 3.4 s");
	r = (struct oci_report){.signaled = true,
				.signal = SIGSEGV,
				.status = 139,
				.wall_s = 0.1,
				.memory_peak = 1258291,
				.memory_peak_known = true,
				.pids_peak = 1,
				.pids_peak_known = true};
	rt_report_decide(&r, OCI_END_EXIT);
	rt_report_line(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "killed by SIGSEGV after 0.1 s (peak 1.2 MiB, "
			      "1 pid)");
	r.berth_signal = SIGTERM;
	rt_report_decide(&r, OCI_END_INTERRUPTED);
	rt_report_line(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "killed: berth got SIGTERM after 0.1 s (peak "
			      "1.2 MiB, 1 pid)");
	r = (struct oci_report){.status = 137,
				.output_limit = 1000,
				.pids_peak = 4,
				.pids_peak_known = true};
	rt_report_decide(&r, OCI_END_OUTPUT_LIMIT);
	rt_report_line(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "killed at the output limit of 1000 bytes after "
			      "0.0 s (peak 4 pids)");
}

Test(report, decide_order)
{
	/* What berth did wins; then OOM, then the pids limit -- both only
	 * when the command failed; then a signal. */
	struct oci_report r = {.status = 137,
			       .signaled = true,
			       .signal = 9,
			       .oom_kills = 1,
			       .pids_limit_hits = 3};
	rt_report_decide(&r, OCI_END_TIMEOUT);
	cr_assert_eq(r.reason, OCI_END_TIMEOUT);
	rt_report_decide(&r, OCI_END_EXIT);
	cr_assert_eq(r.reason, OCI_END_OOM);
	r.oom_kills = 0;
	rt_report_decide(&r, OCI_END_EXIT);
	cr_assert_eq(r.reason, OCI_END_PIDS_LIMIT);
	r.pids_limit_hits = 0;
	rt_report_decide(&r, OCI_END_EXIT);
	cr_assert_eq(r.reason, OCI_END_SIGNAL);
	r = (struct oci_report){.status = 0, .oom_kills = 2};
	rt_report_decide(&r, OCI_END_EXIT);
	cr_assert_eq(r.reason, OCI_END_EXIT,
		     "a build that survived an OOM "
		     "kill of a child exited");
}

Test(report, write_file)
{
	char dir[] = "/tmp/berth-test-report.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/r.json", dir);
	struct oci_report r = timeout_report();
	struct berth_error err = {0};
	cr_assert_eq(rt_report_write(&r, path, &err), 0, "%s", err.msg);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	char buf[1024] = "";
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert(strncmp(buf, "{\"reason\":\"timeout\"", 19) == 0, "%s", buf);
	cr_assert_eq(buf[strlen(buf) - 1], '\n');
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/r.json", dir);
	cr_assert_lt(rt_report_write(&r, path, &err), 0);
	cr_assert(strstr(err.msg, "write the report") != NULL, "%s", err.msg);
	rmdir(dir);
}
