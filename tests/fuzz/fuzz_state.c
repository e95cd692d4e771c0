/*
 * berth's state.json (oci/state_json.c), which every command after create
 * reads: parse, then what the commands derive from it — the saved cgroup
 * paths (cgroups/path.c), the State `berth state` prints and hooks read,
 * the `list` array — and a serialize/parse round trip that must be stable.
 */
#include <stdlib.h>
#include <string.h>

#include "oci/state_json.h"
#include "tests/fuzz/fuzz.h"
#include "util/cleanup.h"

/* serialize(parse(serialize(s))) == serialize(s), or abort. */
static void round_trip(const struct oci_state *s)
{
	struct berth_error err = {0};
	_cleanup_free_ char *once = NULL, *twice = NULL;
	if (oci_state_serialize(s, &once, &err) < 0)
		return;
	_cleanup_oci_state_ struct oci_state *again = NULL;
	if (oci_state_parse(once, &again, &err) < 0)
		abort(); /* berth cannot read what it wrote */
	if (oci_state_serialize(again, &twice, &err) < 0 ||
	    strcmp(once, twice) != 0)
		abort();
}

static void outputs(const struct oci_state *s)
{
	struct berth_error err = {0};
	for (int st = OCI_STATUS_CREATING; st <= OCI_STATUS_PAUSED + 1; st++) {
		_cleanup_free_ char *pretty = NULL, *compact = NULL;
		_cleanup_free_ char *hook = NULL;
		(void)oci_state_to_json(s, st, true, &pretty, &err);
		(void)oci_state_to_json(s, st, false, &compact, &err);
		(void)oci_state_hook_json(s, st, &hook, &err);
	}
	const struct oci_state *list[2] = {s, s};
	enum oci_status sts[2] = {OCI_STATUS_RUNNING, OCI_STATUS_STOPPED};
	_cleanup_free_ char *json = NULL;
	(void)oci_state_list_json(list, sts, 2, &json, &err);
	char buf[40];
	(void)oci_format_rfc3339nano(s->created, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser takes a NUL-terminated text (state_load reads the file
	 * so); an exact-size copy lets ASan see any read past it. */
	_cleanup_free_ char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct berth_error err = {0};
	_cleanup_oci_state_ struct oci_state *s = NULL;
	if (oci_state_parse(text, &s, &err) < 0)
		return 0;
	fuzz_cgroups_saved(s->cgroup_path);
	outputs(s);
	round_trip(s);
	return 0;
}
