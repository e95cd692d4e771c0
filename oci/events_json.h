#pragma once
/*
 * The JSON of `berth events` (runc's format) and the resources document of
 * `berth update --resources`.  Plain structs in, JSON out: jansson stays in
 * oci/.
 */
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

/* Parse a linux.resources object (the document `update --resources` reads)
 * into *ret_holder->linux_->resources; @name prefixes errors. */
int oci_resources_parse(const char *json, const char *name,
			struct oci_spec **ret_holder, struct berth_error *err);
