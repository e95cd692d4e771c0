/*
 * The linux.resources document of `berth update --resources FILE`
 * (oci_resources_parse, oci/events_json.c) and the cgroup conversions
 * the update applies (cgroups/convert.c, cgroups/bpf_devices.c).  The
 * update flags (--memory, --cpuset-cpus, ...) are parsed in cmd/update.c,
 * outside the library; what they produce goes through this same parser.
 */
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "oci/events_json.h"
#include "tests/fuzz/fuzz.h"
#include "util/cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = {0};
	struct oci_resources *res = NULL;
	if (oci_resources_parse((const char *)data, size, "--resources", &res,
				&err) < 0)
		return 0;
	fuzz_resources(res);
	oci_resources_free(res);
	return 0;
}
