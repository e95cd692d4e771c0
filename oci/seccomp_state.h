#pragma once
/*
 * The "container process state" a runtime sends to a seccomp agent at
 * linux.seccomp.listenerPath (runtime-spec config-linux.md, "Seccomp"; the
 * ContainerProcessState of specs-go/state.go).  Lives in oci/ because it is
 * JSON.
 */
#include <sys/types.h>

#include "util/error.h"

/* Compact JSON, NUL-terminated, malloc'd:
 *   {"ociVersion": OCI_SPEC_VERSION, "fds": ["seccompFd"], "pid": @pid,
 *    "metadata": @metadata, "state": <@state_json parsed>}
 * "metadata" is omitted when @metadata is NULL or empty (Go's omitempty).
 * @state_json must be a JSON object (the runtime-spec State). */
int oci_seccomp_state_json(const char *metadata, pid_t pid,
			   const char *state_json, char **ret_json,
			   struct berth_error *err);
