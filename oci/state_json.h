#pragma once
/*
 * Container state as plain C structs, and the JSON forms it takes:
 *
 *  - berth's own state.json (<root>/<id>/state.json): everything berth
 *    persists between commands; oci_state_serialize() / oci_state_parse();
 *  - the OCI runtime-spec "State" (runtime.md) that `berth state` prints
 *    (with runc's extra fields: rootfs, created, owner) and hooks read on
 *    stdin; oci_state_to_json() / oci_state_hook_json();
 *  - the array `berth list --format json` prints; oci_state_list_json().
 *
 * The struct lives here, not in runtime/, so the dependency arrow stays
 * runtime -> oci.  oci/ is the only place that sees jansson.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

enum oci_status {
	OCI_STATUS_CREATING,
	OCI_STATUS_CREATED,
	OCI_STATUS_RUNNING,
	OCI_STATUS_STOPPED,
	OCI_STATUS_PAUSED,
};

/* "creating", "created", "running", "stopped", "paused"; "unknown" for an
 * out-of-range value. */
const char *oci_status_name(enum oci_status st);

/* What berth persists about one container.  Strings are malloc'd, NULL when
 * unset; one oci_state_free() releases it all. */
struct oci_state {
	char *id;
	char *bundle;	    /* absolute */
	char *rootfs;	    /* absolute */
	pid_t pid;	    /* container process (host pid), 0 if none */
	uint64_t pid_start; /* /proc/<pid>/stat field 22, against PID reuse */
	int64_t created;    /* creation time, unix nanoseconds (UTC) */
	bool creating;	    /* true until create finished */
	bool started;	    /* set by start */
	struct oci_kv *annotations;
	size_t annotations_n;
	char *owner;	   /* user owning the state dir; derived at load, not
			    * stored in state.json */
	char *cgroup_path; /* may be NULL */
	bool use_systemd;  /* created with --systemd-cgroup */
	bool own_pid_ns;   /* the container made its own PID namespace */
};

/* A zeroed state, or NULL on ENOMEM. */
struct oci_state *oci_state_new(void);
void oci_state_free(struct oci_state *s);
static inline void cleanup_oci_statep(struct oci_state **s)
{
	oci_state_free(*s);
}
#define _cleanup_oci_state_ __attribute__((cleanup(cleanup_oci_statep)))

/* Replace s->annotations with a deep copy of @kv[0..n). -ENOMEM or 0. */
int oci_state_set_annotations(struct oci_state *s, const struct oci_kv *kv,
			      size_t n);

/* berth's state.json, compact, NUL-terminated, malloc'd. */
int oci_state_serialize(const struct oci_state *s, char **ret_json,
			struct berth_error *err);
/* Parse berth's state.json; errors name the JSON path:
 * "state.json: .pid: expected integer". */
int oci_state_parse(const char *json, struct oci_state **ret,
		    struct berth_error *err);

/* The state `berth state` prints, field for field as runc does:
 * ociVersion, id, pid (0 when stopped), status, bundle, rootfs, created
 * (RFC 3339 with nanoseconds, UTC), annotations (omitted when empty), owner.
 * @pretty: 2-space indented like runc; otherwise compact.  No trailing
 * newline. */
int oci_state_to_json(const struct oci_state *s, enum oci_status st,
		      bool pretty, char **ret_json, struct berth_error *err);

/* The runtime-spec State that hooks read on stdin, compact: ociVersion, id,
 * status, pid (omitted when stopped), bundle, annotations (omitted when
 * empty) — nothing else. */
int oci_state_hook_json(const struct oci_state *s, enum oci_status st,
			char **ret_json, struct berth_error *err);

/* `berth list --format json`: a compact array of the objects
 * oci_state_to_json() builds, one per @states[i] with status @statuses[i].
 * An empty list gives "[]" (runc prints "null").  No trailing newline. */
int oci_state_list_json(const struct oci_state *const *states,
			const enum oci_status *statuses, size_t n,
			char **ret_json, struct berth_error *err);

/* Format unix nanoseconds as RFC 3339 in UTC with Go's RFC3339Nano rules
 * (trailing zeros of the fraction dropped): "2024-01-02T03:04:05.5Z".
 * @buf must hold at least 40 bytes.  Returns 0 or -EINVAL/-EOVERFLOW. */
int oci_format_rfc3339nano(int64_t ns, char *buf, size_t size);
