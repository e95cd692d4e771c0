/* Pure conversions between linux.resources values and cgroup file values
 * (convert.h); no I/O. */
#include "cgroups/convert.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/util.h"

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight <= 10)
		return 1;
	if (weight >= 1000)
		return 10000;
	return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_to_v2(const struct oci_resources *res, int64_t *ret, bool *ret_set,
		  struct berth_error *err)
{
	int64_t mem = res->memory.limit.set ? res->memory.limit.v : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.v : 0;

	if (mem == -1 && swap == 0) {
		*ret = -1;
		*ret_set = true;
		return 0;
	}
	if (swap == 0) {
		*ret = 0;
		*ret_set = false;
		return 0;
	}
	if (swap < 0) {
		*ret = -1;
		*ret_set = true;
		return 0;
	}
	if (mem <= 0)
		return berth_err_msg(err, EINVAL,
				     "linux.resources.memory.swap: a swap "
				     "limit needs a memory limit");
	if (swap < mem)
		return berth_err_msg(err, EINVAL,
				     "linux.resources.memory.swap: %" PRId64
				     " is below memory.limit %" PRId64
				     " (swap is memory + swap)",
				     swap, mem);
	*ret = swap - mem;
	*ret_set = true;
	return 0;
}

const char *cg_num_or_max(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

void cg_cpu_max(int64_t quota, bool quota_set, uint64_t period, char *buf,
		size_t len)
{
	char q[32];
	if (quota_set && quota > 0)
		snprintf(q, sizeof(q), "%" PRId64, quota);
	else
		snprintf(q, sizeof(q), "max");
	if (period != 0)
		snprintf(buf, len, "%s %" PRIu64, q, period);
	else
		snprintf(buf, len, "%s", q);
}

struct io_list {
	const char *key;
	const struct oci_throttle_device *v;
	size_t n;
};

/* Append " key=rate" for every entry of @l about @major:@minor. */
static void io_append(char *line, size_t len, const struct io_list *l,
		      int64_t major, int64_t minor)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].major != major || l->v[i].minor != minor)
			continue;
		size_t used = strlen(line);
		if (l->v[i].rate == 0)
			snprintf(line + used, len - used, " %s=max", l->key);
		else
			snprintf(line + used, len - used, " %s=%" PRIu64,
				 l->key, l->v[i].rate);
	}
}

static bool io_seen(char **lines, int64_t major, int64_t minor)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%" PRId64 ":%" PRId64 " ", major,
		 minor);
	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++)
		if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

char **cg_io_max_lines(const struct oci_resources *res)
{
	const struct io_list lists[] = {
	    {"rbps", res->block_io.throttle_read_bps,
	     res->block_io.throttle_read_bps_n},
	    {"wbps", res->block_io.throttle_write_bps,
	     res->block_io.throttle_write_bps_n},
	    {"riops", res->block_io.throttle_read_iops,
	     res->block_io.throttle_read_iops_n},
	    {"wiops", res->block_io.throttle_write_iops,
	     res->block_io.throttle_write_iops_n},
	};
	_cleanup_strv_ char **lines = calloc(1, sizeof(char *));
	if (lines == NULL)
		return NULL;
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		for (size_t i = 0; i < lists[l].n; i++) {
			int64_t ma = lists[l].v[i].major;
			int64_t mi = lists[l].v[i].minor;
			if (io_seen(lines, ma, mi))
				continue;
			char line[256];
			snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64, ma,
				 mi);
			for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
				io_append(line, sizeof(line), &lists[k], ma,
					  mi);
			if (strv_push(&lines, line) < 0)
				return NULL;
		}
	}
	return TAKE_PTR(lines);
}

bool cg_device_rule_is_all(const struct oci_device_cgroup *rule)
{
	bool any_type = rule->type == NULL || strcmp(rule->type, "a") == 0;
	bool all_access =
	    rule->access == NULL || (strchr(rule->access, 'r') != NULL &&
				     strchr(rule->access, 'w') != NULL &&
				     strchr(rule->access, 'm') != NULL);
	bool any_major = !rule->major.set || rule->major.v < 0;
	bool any_minor = !rule->minor.set || rule->minor.v < 0;
	return any_type && all_access && any_major && any_minor;
}

static void dev_num(struct oci_opt_i64 n, char *buf, size_t len)
{
	if (!n.set || n.v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, n.v);
}

int cg_device_rule_v1(const struct oci_device_cgroup *rule, char *buf,
		      size_t len, struct berth_error *err)
{
	const char *type = rule->type != NULL ? rule->type : "a";
	const char *access = rule->access != NULL ? rule->access : "rwm";
	if (strcmp(type, "a") != 0 && strcmp(type, "c") != 0 &&
	    strcmp(type, "b") != 0)
		return berth_err_msg(err, EINVAL,
				     "device type \"%s\": expected a, c or b",
				     type);
	if (access[strspn(access, "rwm")] != '\0')
		return berth_err_msg(err, EINVAL,
				     "device access \"%s\": expected letters "
				     "of rwm",
				     access);
	char ma[32], mi[32];
	dev_num(rule->major, ma, sizeof(ma));
	dev_num(rule->minor, mi, sizeof(mi));
	snprintf(buf, len, "%s %s:%s %s", type, ma, mi, access);
	return 0;
}

static int parse_num(const char **p, unsigned long *ret)
{
	if (**p < '0' || **p > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long v = strtoul(*p, &end, 10);
	if (errno != 0)
		return -ERANGE;
	*p = end;
	*ret = v;
	return 0;
}

int cg_cpulist_parse(const char *s, uint64_t *bits, size_t nbits)
{
	memset(bits, 0, (nbits + 63) / 64 * sizeof(uint64_t));
	const char *p = s;
	while (*p == ' ' || *p == '\n')
		p++;
	while (*p != '\0' && *p != '\n') {
		unsigned long a, b;
		if (parse_num(&p, &a) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (parse_num(&p, &b) < 0 || b < a)
				return -EINVAL;
		}
		if (b >= nbits)
			return -ERANGE;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 64] |= UINT64_C(1) << (i % 64);
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '\n')
			return -EINVAL;
	}
	return 0;
}

#define CPULIST_BITS 8192

int cg_cpulist_check(const char *want, const char *have, const char *what,
		     struct berth_error *err)
{
	uint64_t w[CPULIST_BITS / 64], h[CPULIST_BITS / 64];
	int r = cg_cpulist_parse(want, w, CPULIST_BITS);
	if (r == -ERANGE)
		return berth_err_msg(
		    err, EINVAL, "\"%s\": %s number out of range", want, what);
	if (r < 0)
		return berth_err_msg(err, EINVAL, "\"%s\": not a valid list",
				     want);
	if (cg_cpulist_parse(have, h, CPULIST_BITS) < 0)
		return 0; /* cannot tell: let the kernel decide */
	for (size_t i = 0; i < CPULIST_BITS; i++) {
		uint64_t bit = UINT64_C(1) << (i % 64);
		if ((w[i / 64] & bit) && !(h[i / 64] & bit))
			return berth_err_msg(err, EINVAL,
					     "%s %zu is not available "
					     "(host: %.*s)",
					     what, i, (int)strcspn(have, "\n"),
					     have);
	}
	return 0;
}
