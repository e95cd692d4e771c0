/*
 * The process of `berth exec`: the JSON of `exec --process FILE`
 * (oci_process_parse) and, the same input read as a config.json, the
 * container's process with runc's exec flags applied on top
 * (oci_process_patched); then the plan exec builds from either
 * (process_plan_build: capabilities, environment, rlimits, scheduler,
 * I/O priority, CPU affinity).
 */
#include "oci/process.h"
#include "runtime/process/setup.h"
#include "tests/fuzz/fuzz.h"

static const struct rt_context ctx = {.root = "/nonexistent/berth-fuzz"};

static void plan(const struct oci_process *p)
{
	struct berth_error err = {0};
	struct process_plan pp;
	if (process_plan_build(&ctx, p, NULL, 2, &pp, &err) == 0)
		process_plan_free(&pp);
}

/* Every flag of `berth exec` set. */
static void patched(const uint8_t *data, size_t size)
{
	static char *args[] = {"sh", "-c", "echo hi", NULL};
	static char *env[] = {"PATH=/usr/bin", "NEW=1", "TERM", NULL};
	static char *caps[] = {"CAP_SYS_ADMIN", "CAP_NET_RAW", NULL};
	static uint32_t gids[] = {10, 20};
	const struct oci_process_patch patch = {
	    .args = args,
	    .terminal = true,
	    .cwd = "/tmp",
	    .env = env,
	    .user_set = true,
	    .uid = 1000,
	    .gid = 1000,
	    .additional_gids = gids,
	    .additional_gids_n = 2,
	    .caps = caps,
	    .no_new_privs = true,
	    .apparmor = "unconfined",
	    .selinux = "system_u:system_r:container_t:s0",
	};
	struct berth_error err = {0};
	struct oci_process *p = NULL;
	if (oci_process_patched((const char *)data, size, &patch, &p, &err) < 0)
		return;
	plan(p);
	oci_process_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = {0};
	struct oci_process *p = NULL;
	if (oci_process_parse((const char *)data, size, "process.json", &p,
			      &err) == 0) {
		plan(p);
		oci_process_free(p);
	}
	patched(data, size);
	return 0;
}
