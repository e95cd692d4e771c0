/*
 * The container process state for seccomp agents.  See oci/seccomp_state.h.
 */
#include "oci/seccomp_state.h"

#include <errno.h>
#include <stdlib.h>

#include "oci/config.h"
#include "oci/jansson.h"

static inline void cleanup_json_decref(json_t **j)
{
	json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_json_decref)))

int oci_seccomp_state_json(const char *metadata, pid_t pid,
			   const char *state_json, char **ret_json,
			   struct berth_error *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *state = json_loads(
	    state_json ? state_json : "", JSON_REJECT_DUPLICATES, &jerr);
	if (state == NULL || !json_is_object(state))
		return berth_err_msg(err, EINVAL,
				     "container state: not a JSON object%s%s",
				     state ? "" : ": ", state ? "" : jerr.text);

	/* In the order of specs-go's ContainerProcessState. */
	_cleanup_json_ json_t *o =
	    json_pack("{s:s, s:[s], s:I}", "ociVersion", OCI_SPEC_VERSION,
		      "fds", "seccompFd", "pid", (json_int_t)pid);
	if (o == NULL)
		return berth_err(err, ENOMEM, "container process state");
	if (metadata != NULL && metadata[0] != '\0' &&
	    json_object_set_new(o, "metadata", json_string(metadata)) < 0)
		return berth_err_msg(err, EINVAL,
				     "listenerMetadata: not valid UTF-8");
	if (json_object_set(o, "state", state) < 0)
		return berth_err(err, ENOMEM, "container process state");
	char *s = json_dumps(o, JSON_COMPACT);
	if (s == NULL)
		return berth_err(err, ENOMEM, "container process state");
	*ret_json = s;
	return 0;
}
