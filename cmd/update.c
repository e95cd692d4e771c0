/* update and events. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "oci/events_json.h"
#include "runtime/container.h"
#include "util/cleanup.h"
#include "util/util.h"

/* "512", "100m", "1G", "64kb": bytes, as runc's --memory takes them
 * (powers of 1024); "-1" is unlimited.  -EINVAL: not a size; -ERANGE:
 * more than INT64_MAX bytes. */
static int parse_size(const char *s, long long *ret)
{
	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	size_t nd = strspn(s, "0123456789");
	static const char *const units[] = {"",	  "b", "k",  "kb", "m",
					    "mb", "g", "gb", "t",  "tb"};
	static const int shift[] = {0, 0, 10, 10, 20, 20, 30, 30, 40, 40};
	size_t u = 0;
	while (u < sizeof(units) / sizeof(units[0]) &&
	       strcasecmp(s + nd, units[u]) != 0)
		u++;
	if (nd == 0 || nd > 64 || u == sizeof(units) / sizeof(units[0]))
		return -EINVAL;
	char num[65];
	memcpy(num, s, nd);
	num[nd] = '\0';
	long long v;
	int r = parse_ll(num, 0, LLONG_MAX >> shift[u], &v);
	if (r < 0)
		return r;
	*ret = v << shift[u];
	return 0;
}

enum kind { K_SIZE, K_NUM, K_TEXT, K_KMEM, K_RDT };

/* runc's update flags, each with its linux.resources field and, for
 * numbers, the range berth takes (the kernel's where it has one). */
static const struct uflag {
	const char *name;
	enum kind kind;
	const char *section, *key;
	long long min, max;
} uflags[] = {
    {"memory", K_SIZE, "memory", "limit", -1, LLONG_MAX},
    {"memory-swap", K_SIZE, "memory", "swap", -1, LLONG_MAX},
    {"memory-reservation", K_SIZE, "memory", "reservation", -1, LLONG_MAX},
    {"kernel-memory", K_KMEM, "memory", "kernel", 0, 0},
    {"kernel-memory-tcp", K_KMEM, "memory", "kernelTCP", 0, 0},
    /* cpu.shares: the kernel's 2..262144; 0 is runc's "unset" */
    {"cpu-share", K_NUM, "cpu", "shares", 0, 262144},
    {"cpu-shares", K_NUM, "cpu", "shares", 0, 262144}, /* older spelling */
    {"cpu-quota", K_NUM, "cpu", "quota", -1, LLONG_MAX},
    /* CFS: 1 ms .. 1 s */
    {"cpu-period", K_NUM, "cpu", "period", 1000, 1000000},
    {"cpu-burst", K_NUM, "cpu", "burst", 0, LLONG_MAX},
    {"cpu-rt-period", K_NUM, "cpu", "realtimePeriod", 1, INT32_MAX},
    {"cpu-rt-runtime", K_NUM, "cpu", "realtimeRuntime", -1, LLONG_MAX},
    {"cpu-idle", K_NUM, "cpu", "idle", 0, 1},
    {"cpuset-cpus", K_TEXT, "cpu", "cpus", 0, 0},
    {"cpuset-mems", K_TEXT, "cpu", "mems", 0, 0},
    {"pids-limit", K_NUM, "pids", "limit", -1, LLONG_MAX},
    {"blkio-weight", K_NUM, "blockIO", "weight", 10, 1000},
    {"l3-cache-schema", K_RDT, NULL, NULL, 0, 0},
    {"mem-bw-schema", K_RDT, NULL, NULL, 0, 0},
};
#define N_UFLAGS (sizeof(uflags) / sizeof(uflags[0]))

/* What the host or berth cannot do, named by its flag; NULL when fine. */
static const char *refusal(const struct uflag *f)
{
	if (f->kind == K_KMEM && strcmp(f->key, "kernel") == 0)
		return "kernel memory limits are not enforced by Linux 5.16 "
		       "and later, nor by cgroup v2 (runc ignores the flag)";
	if (f->kind == K_KMEM)
		return "a TCP buffer limit is not supported by berth (runc "
		       "ignores the flag)";
	if (f->kind == K_RDT && access("/sys/fs/resctrl/info", F_OK) < 0)
		return "Intel RDT is not available on this host (no resctrl "
		       "filesystem at /sys/fs/resctrl)";
	if (f->kind == K_RDT)
		return "Intel RDT is not supported by berth yet";
	return NULL;
}

/* The flags given, in order: their values as data. */
struct update_flags {
	const struct uflag *f[64];
	struct oci_update_value v[65]; /* + the implied swap */
	int n;
};

/* The flag's value into @v, or an error naming the flag. */
static int flag_value(struct cli *cli, const struct uflag *f, const char *arg,
		      struct oci_update_value *v)
{
	*v = (struct oci_update_value){.section = f->section, .key = f->key};
	if (f->kind == K_TEXT) {
		v->is_text = true;
		v->text = arg;
		return 0;
	}
	int r = f->kind == K_SIZE ? parse_size(arg, &v->num)
				  : parse_ll(arg, f->min, f->max, &v->num);
	if (r == -ERANGE && f->kind == K_SIZE)
		cli_error(cli,
			  "update: --%s: invalid value \"%s\": out of range "
			  "(-1, or at most %lld bytes)",
			  f->name, arg, LLONG_MAX);
	else if (r == -ERANGE)
		cli_error(cli,
			  "update: --%s: invalid value \"%s\": out of range "
			  "(%lld to %lld)",
			  f->name, arg, f->min, f->max);
	else if (r < 0)
		cli_error(cli, "update: --%s: invalid value \"%s\"", f->name,
			  arg);
	return r;
}

/* runc: an unlimited memory without a swap flag means both. */
static void implied_swap(struct update_flags *u)
{
	int mem = -1;
	for (int i = 0; i < u->n; i++) {
		if (strcmp(u->f[i]->key, "swap") == 0 &&
		    strcmp(u->f[i]->section, "memory") == 0)
			return;
		if (strcmp(u->f[i]->name, "memory") == 0)
			mem = i;
	}
	if (mem >= 0 && u->v[mem].num == -1)
		u->v[u->n] = (struct oci_update_value){
		    .section = "memory", .key = "swap", .num = -1};
}

static const char update_help[] =
    "usage: berth update [options] ID\n"
    "  --resources, -r FILE     a linux.resources JSON object (- for "
    "stdin);\n"
    "                           the other options are then ignored\n"
    "  --memory N               memory limit in bytes (k, m, g, t "
    "suffixes; -1: none)\n"
    "  --memory-swap N          memory + swap limit (-1: unlimited swap)\n"
    "  --memory-reservation N   soft limit (v1 soft_limit_in_bytes, v2 "
    "memory.low)\n"
    "  --cpu-share N            CPU shares (v2: converted to cpu.weight)\n"
    "  --cpu-quota N            --cpu-period N   --cpu-burst N   (usecs)\n"
    "  --cpu-rt-runtime N       --cpu-rt-period N   (usecs; cgroup v1)\n"
    "  --cpu-idle 0|1           SCHED_IDLE for the cgroup\n"
    "  --cpuset-cpus LIST       --cpuset-mems LIST\n"
    "  --pids-limit N           --blkio-weight N (10..1000)\n"
    "  --kernel-memory, --kernel-memory-tcp, --l3-cache-schema, "
    "--mem-bw-schema:\n"
    "                           refused with the reason (berth(1))\n";

/* The --resources document: @path, or stdin for "-". */
static int read_resources(struct cli *cli, const char *path,
			  struct oci_resources **ret)
{
	bool in = strcmp(path, "-") == 0;
	const char *name = in ? "stdin" : path;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct berth_error err = {0};
	int r = in ? read_user_fd(0, BERTH_FILE_MAX, "stdin", &buf, &len, &err)
		   : read_user_file(AT_FDCWD, path, BERTH_FILE_MAX,
				    "--resources", &buf, &len, &err);
	if (r == 0)
		r = oci_resources_parse(buf, len, name, ret, &err);
	if (r < 0)
		cli_error(cli, "update: --resources: %s", err.msg);
	return r;
}

/* One flag: checked now, so a bad value is named before anything runs. */
static int take_flag(struct cli *cli, struct update_flags *u,
		     const struct uflag *f, const char *arg)
{
	const char *no = refusal(f);
	if (no != NULL) {
		cli_error(cli, "update: --%s: %s", f->name, no);
		return -1;
	}
	if (u->n == (int)(sizeof(u->f) / sizeof(u->f[0]))) {
		cli_error(cli, "update: too many options");
		return -1;
	}
	if (flag_value(cli, f, arg, &u->v[u->n]) < 0)
		return -1;
	u->f[u->n++] = f;
	return 0;
}

/* The flag whose field an error names ("linux.resources.cpu.idle",
 * ".cpu.idle"), to name the flag in front of it. */
static const char *flag_in(const struct update_flags *u, const char *msg)
{
	for (int i = u->n - 1; i >= 0; i--) {
		char path[64];
		snprintf(path, sizeof(path), ".%s.%s", u->f[i]->section,
			 u->f[i]->key);
		for (const char *p = strstr(msg, path); p != NULL;
		     p = strstr(p + 1, path))
			if (!isalnum((unsigned char)p[strlen(path)]))
				return u->f[i]->name;
	}
	return NULL;
}

static int parse_update(struct cli *cli, int argc, char **argv,
			struct update_flags *u, const char **ret_file)
{
	struct option opts[N_UFLAGS + 3] = {
	    {"resources", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	};
	for (size_t i = 0; i < N_UFLAGS; i++)
		opts[i + 2] = (struct option){uflags[i].name, required_argument,
					      NULL, 256 + (int)i};
	int c;
	while ((c = cli_getopt(cli, argc, argv, "r:h", opts, true)) != -1) {
		if (c == 'r') {
			*ret_file = optarg;
		} else if (c >= 256) {
			if (take_flag(cli, u, &uflags[c - 256], optarg) < 0)
				return -1;
		} else {
			fputs(update_help, c == 'h' ? stdout : stderr);
			return c == 'h' ? 1 : -1;
		}
	}
	if (optind != argc - 1) {
		cli_error(cli, "update: expected exactly one container ID");
		return -1;
	}
	return 0;
}

/* The document to apply: the --resources file's, or the flags'. */
static int update_document(struct cli *cli, struct update_flags *u,
			   const char *file, struct oci_resources **ret)
{
	if (file != NULL)
		return read_resources(cli, file, ret);
	implied_swap(u);
	size_t n = (size_t)u->n + (u->v[u->n].section != NULL);
	struct berth_error err = {0};
	int r = oci_resources_from_values(u->v, n, "update flags", ret, &err);
	if (r < 0) {
		const char *flag = flag_in(u, err.msg);
		cli_error(cli, "update: %s%s%s%s", flag ? "--" : "",
			  flag ? flag : "", flag ? ": " : "", err.msg);
	}
	return r;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
	struct update_flags u = {0};
	const char *file = NULL;
	int r = parse_update(cli, argc, argv, &u, &file);
	if (r != 0)
		return r > 0 ? 0 : 1;
	const char *id = argv[optind];
	struct oci_resources *res = NULL;
	if (update_document(cli, &u, file, &res) < 0)
		return 1;
	struct berth_error err = {0};
	r = rt_update(&cli->ctx, id, res, file ? file : "update flags", &err);
	oci_resources_free(res);
	if (r < 0) {
		const char *flag = file ? NULL : flag_in(&u, err.msg);
		cli_error(cli, "update %s: %s%s%s%s", id, flag ? "--" : "",
			  flag ? flag : "", flag ? ": " : "", err.msg);
		return 1;
	}
	return 0;
}

static void print_event(void *data, const char *json)
{
	(void)data;
	printf("%s\n", json);
	fflush(stdout);
}

/* runc takes Go durations: "5s", "500ms", "2m", "1h", or seconds; berth
 * from 1 ms to 24 h. */
static int parse_interval(struct cli *cli, const char *arg, unsigned *ret_ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
	    {"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60000}, {"h", 3600000}};
	char *end;
	double v = isdigit((unsigned char)*arg) || *arg == '.'
		       ? strtod(arg, &end)
		       : -1;
	double ms = -1;
	for (size_t i = 0; v >= 0 && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0)
			ms = v * units[i].ms;
	/* "!(ms >= 1)": NaN too */
	if (!(ms >= 1) || ms > 24.0 * 3600000) {
		cli_error(cli,
			  "events: --interval: invalid value \"%s\": "
			  "expected a duration from 1ms to 24h (5s, 500ms)",
			  arg);
		return -1;
	}
	*ret_ms = (unsigned)ms;
	return 0;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth events [--stats] [--interval 5s|500ms|SECONDS] ID\n";
	bool stats = false;
	unsigned interval_ms = 5000;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "h", opts, true)) != -1) {
		if (c == 's') {
			stats = true;
			continue;
		}
		if (c == 'i') {
			if (parse_interval(cli, optarg, &interval_ms) < 0)
				return 1;
			continue;
		}
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	if (optind != argc - 1) {
		cli_error(cli, "events: expected exactly one container ID");
		return 1;
	}
	struct berth_error err = {0};
	if (rt_events(&cli->ctx, argv[optind], stats, interval_ms, print_event,
		      NULL, &err) < 0) {
		cli_error(cli, "events %s: %s", argv[optind], err.msg);
		return 1;
	}
	return 0;
}
