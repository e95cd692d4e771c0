#pragma once
/*
 * The JSON of `berth events` (runc's format) and the resources document of
 * `berth update --resources`.  Plain structs in, JSON out: jansson stays in
 * oci/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "util/error.h"

/* What `events` reports, filled by the runtime from the cgroup. */
struct oci_stats {
	struct {
		uint64_t total, kernel, user;
		uint64_t periods, throttled_periods, throttled_time;
	} cpu;
	struct {
		uint64_t cache;
		struct {
			uint64_t usage, max, limit, failcnt;
		} usage, swap, kernel;
	} memory;
	struct {
		uint64_t current, limit;
	} pids;
};

/* {"type":"stats","id":ID,"data":{...}} as runc prints it. */
int oci_stats_event_json(const char *id, const struct oci_stats *st,
			 char **ret_json, struct berth_error *err);
/* {"type":TYPE,"id":ID} (e.g. "oom"). */
int oci_event_json(const char *type, const char *id, char **ret_json,
		   struct berth_error *err);

/* A linux.resources document (`update --resources`): @json, @len bytes
 * of the user's file, parsed and checked as config.json's
 * linux.resources; errors name @name, the file: "res.json: invalid JSON at
 * line 1, column 25: end of file expected", "res.json: .pids.limit:
 * expected an integer". */
int oci_resources_parse(const char *json, size_t len, const char *name,
			struct oci_resources **ret, struct berth_error *err);

/* One value of an `update` flag: linux.resources.SECTION.KEY. */
struct oci_update_value {
	const char *section; /* "memory", "cpu", "pids", "blockIO" */
	const char *key;     /* "limit", "cpus", ... */
	bool is_text;	     /* text, else the integer @num */
	long long num;
	const char *text;
};

/* The values as a linux.resources built as data (a value never becomes
 * JSON syntax), checked like oci_resources_parse(); a later value of the
 * same field wins.  @name ("update flags") prefixes errors. */
int oci_resources_from_values(const struct oci_update_value *v, size_t n,
			      const char *name, struct oci_resources **ret,
			      struct berth_error *err);
void oci_resources_free(struct oci_resources *r);
