#include "oci/events_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/jansson.h"
#include "util/cleanup.h"

static int dump(json_t *root, char **ret_json, struct berth_error *err)
{
	if (root == NULL)
		return berth_err(err, ENOMEM, "encode event");
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		return berth_err(err, ENOMEM, "encode event");
	*ret_json = s;
	return 0;
}

static json_t *mem_entry(uint64_t usage, uint64_t max, uint64_t limit,
			 uint64_t failcnt)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "limit", (json_int_t)limit,
			 "usage", (json_int_t)usage, "max", (json_int_t)max,
			 "failcnt", (json_int_t)failcnt);
}

static json_t *stats_data(const struct oci_stats *st)
{
	json_t *cpu = json_pack(
	    "{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}", "usage", "total",
	    (json_int_t)st->cpu.total, "kernel", (json_int_t)st->cpu.kernel,
	    "user", (json_int_t)st->cpu.user, "throttling", "periods",
	    (json_int_t)st->cpu.periods, "throttledPeriods",
	    (json_int_t)st->cpu.throttled_periods, "throttledTime",
	    (json_int_t)st->cpu.throttled_time);
	const typeof(st->memory) *m = &st->memory;
	json_t *mem = json_pack("{s:I, s:o, s:o, s:o}", "cache",
				(json_int_t)m->cache, "usage",
				mem_entry(m->usage.usage, m->usage.max,
					  m->usage.limit, m->usage.failcnt),
				"swap",
				mem_entry(m->swap.usage, m->swap.max,
					  m->swap.limit, m->swap.failcnt),
				"kernel",
				mem_entry(m->kernel.usage, m->kernel.max,
					  m->kernel.limit, m->kernel.failcnt));
	json_t *pids =
	    json_pack("{s:I, s:I}", "current", (json_int_t)st->pids.current,
		      "limit", (json_int_t)st->pids.limit);
	return json_pack("{s:o, s:o, s:o, s:{}, s:{}}", "cpu", cpu, "memory",
			 mem, "pids", pids, "blkio", "hugetlb");
}

int oci_stats_event_json(const char *id, const struct oci_stats *st,
			 char **ret_json, struct berth_error *err)
{
	json_t *data = stats_data(st);
	if (data == NULL)
		return berth_err(err, ENOMEM, "encode stats");
	return dump(json_pack("{s:s, s:s, s:o}", "type", "stats", "id", id,
			      "data", data),
		    ret_json, err);
}

int oci_event_json(const char *type, const char *id, char **ret_json,
		   struct berth_error *err)
{
	return dump(json_pack("{s:s, s:s}", "type", type, "id", id), ret_json,
		    err);
}
