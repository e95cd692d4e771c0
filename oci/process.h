#pragma once
/*
 * A process object on its own, for `exec`: parsed from an OCI process JSON
 * (`exec --process FILE`, what engines pass), or built from the container's
 * own process (config.json) with runc's exec flags applied on top.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* runc's `exec ARGS...` flags, applied to the container's process. */
struct oci_process_patch {
	char **args;	   /* required: replaces process.args */
	bool terminal;	   /* --tty */
	const char *cwd;   /* --cwd; NULL: the container's */
	char **env;	   /* --env NAME=value: replaces or adds */
	bool user_set;	   /* --user UID[:GID] */
	uint32_t uid, gid; /* gid 0 when only a UID was given, as runc */
	uint32_t *additional_gids; /* --additional-gids, replace the list */
	size_t additional_gids_n;
	char **caps;	   /* --cap: added to bounding, effective, permitted */
	bool no_new_privs; /* --no-new-privs: set (never cleared) */
	const char *apparmor, *selinux; /* --apparmor, --process-label */
};

/* Parse a process object (the JSON text @json of @len bytes; @name names
 * it in errors: `process.json: .args: expected an array`). */
int oci_process_parse(const char *json, size_t len, const char *name,
		      struct oci_process **ret, struct berth_error *err);
/* Read and parse the file @path. */
int oci_process_load(const char *path, struct oci_process **ret,
		     struct berth_error *err);
/* The "process" object of @config_json (a config.json's text) with @patch
 * applied, parsed and checked as a process object. */
int oci_process_patched(const char *config_json, size_t len,
			const struct oci_process_patch *patch,
			struct oci_process **ret, struct berth_error *err);
void oci_process_free(struct oci_process *p);
