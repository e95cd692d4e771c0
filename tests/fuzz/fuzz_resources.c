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
	_cleanup_free_ char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct berth_error err = {0};
	struct oci_spec *holder = NULL;
	if (oci_resources_parse(text, "--resources", &holder, &err) < 0)
		return 0;
	fuzz_resources(holder->linux_->resources);
	oci_spec_free(holder);
	return 0;
}
