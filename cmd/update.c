/* update and events. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "runtime/container.h"
#include "util/cleanup.h"
#include "util/util.h"

/* "512", "100m", "1G", "64kb": bytes, as runc's --memory takes them
 * (powers of 1024); "-1" is unlimited. */
static int parse_size(const char *s, long long *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -EINVAL;
	static const char units[] = "bkmgt";
	const char *u =
	    *end ? strchr(units, tolower((unsigned char)*end)) : units;
	if (u == NULL || (*end && end[1] && strcasecmp(end + 1, "b") != 0))
		return -EINVAL;
	for (long i = 0; i < u - units; i++)
		v *= 1024;
	*ret = v;
	return 0;
}

static int parse_int(const char *s, bool is_unsigned, long long *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || (is_unsigned && v < 0))
		return -EINVAL;
	*ret = v;
	return 0;
}

enum kind { K_SIZE, K_UINT, K_INT, K_TEXT, K_KMEM, K_RDT };
enum section { S_MEMORY, S_CPU, S_PIDS, S_BLKIO, S_N };
static const char *const section_names[S_N] = {"memory", "cpu", "pids",
					       "blockIO"};

/* runc's update flags, each with its linux.resources field. */
static const struct uflag {
	const char *name;
	enum kind kind;
	enum section section;
	const char *key;
} uflags[] = {
    {"memory", K_SIZE, S_MEMORY, "limit"},
    {"memory-swap", K_SIZE, S_MEMORY, "swap"},
    {"memory-reservation", K_SIZE, S_MEMORY, "reservation"},
    {"kernel-memory", K_KMEM, S_MEMORY, "kernel"},
    {"kernel-memory-tcp", K_KMEM, S_MEMORY, "kernelTCP"},
    {"cpu-share", K_UINT, S_CPU, "shares"},
    {"cpu-shares", K_UINT, S_CPU, "shares"}, /* berth's older spelling */
    {"cpu-quota", K_INT, S_CPU, "quota"},
    {"cpu-period", K_UINT, S_CPU, "period"},
    {"cpu-burst", K_UINT, S_CPU, "burst"},
    {"cpu-rt-period", K_UINT, S_CPU, "realtimePeriod"},
    {"cpu-rt-runtime", K_INT, S_CPU, "realtimeRuntime"},
    {"cpu-idle", K_INT, S_CPU, "idle"},
    {"cpuset-cpus", K_TEXT, S_CPU, "cpus"},
    {"cpuset-mems", K_TEXT, S_CPU, "mems"},
    {"pids-limit", K_INT, S_PIDS, "limit"},
    {"blkio-weight", K_UINT, S_BLKIO, "weight"},
    {"l3-cache-schema", K_RDT, S_N, NULL},
    {"mem-bw-schema", K_RDT, S_N, NULL},
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

/* The flag's value as JSON text, or -1 when it is not valid. */
static int flag_value(const struct uflag *f, const char *arg, char *buf,
		      size_t size)
{
	long long v;
	int r = f->kind == K_SIZE   ? parse_size(arg, &v)
		: f->kind == K_TEXT ? 0
				    : parse_int(arg, f->kind == K_UINT, &v);
	if (r < 0 || (f->kind == K_SIZE && v < -1))
		return -1;
	if (f->kind == K_TEXT) {
		if (strpbrk(arg, "\"\\") != NULL)
			return -1;
		snprintf(buf, size, "\"%s\"", arg);
	} else {
		snprintf(buf, size, "%lld", v);
	}
	return 0;
}

/* The flags given, in order; a later one wins over an earlier one. */
struct update_flags {
	const struct uflag *f[64];
	const char *arg[64];
	int n;
};

static bool same_field(const struct uflag *a, const struct uflag *b)
{
	return a->section == b->section && a->key != NULL && b->key != NULL &&
	       strcmp(a->key, b->key) == 0;
}

/* The last occurrence of a field, or -1. */
static int last_of(const struct update_flags *u, const struct uflag *f)
{
	int last = -1;
	for (int i = 0; i < u->n; i++)
		if (same_field(u->f[i], f))
			last = i;
	return last;
}

static void section_json(FILE *o, const struct update_flags *u, enum section s,
			 bool *first_section)
{
	bool first = true;
	for (int i = 0; i < u->n; i++) {
		char val[512];
		if (u->f[i]->section != s || last_of(u, u->f[i]) != i ||
		    flag_value(u->f[i], u->arg[i], val, sizeof(val)) < 0)
			continue;
		if (first)
			fprintf(o, "%s\"%s\":{", *first_section ? "" : ",",
				section_names[s]);
		fprintf(o, "%s\"%s\":%s", first ? "" : ",", u->f[i]->key, val);
		first = *first_section = false;
	}
	/* runc: an unlimited memory without a swap flag means both. */
	static const struct uflag mem = {"memory", K_SIZE, S_MEMORY, "limit"};
	static const struct uflag swap = {"", K_SIZE, S_MEMORY, "swap"};
	int m = s == S_MEMORY ? last_of(u, &mem) : -1;
	if (m >= 0 && last_of(u, &swap) < 0 && strcmp(u->arg[m], "-1") == 0)
		fputs(",\"swap\":-1", o);
	if (!first)
		fputc('}', o);
}

/* The flags as a linux.resources JSON document (each value was checked). */
static char *flags_document(const struct update_flags *u)
{
	char *out = NULL;
	size_t olen;
	FILE *o = open_memstream(&out, &olen);
	if (o == NULL)
		return NULL;
	fputc('{', o);
	bool first = true;
	for (int s = 0; s < S_N; s++)
		section_json(o, u, (enum section)s, &first);
	fputc('}', o);
	fclose(o);
	return out;
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

static char *read_resources(struct cli *cli, const char *path)
{
	char *buf = NULL;
	int r = read_file_at(
	    AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path, &buf, NULL);
	if (r < 0)
		cli_error(cli, "update: --resources '%s': %s", path,
			  BERTH_STRERROR(r));
	return buf;
}

/* One flag: checked now, so a bad value is named before anything runs. */
static int take_flag(struct cli *cli, struct update_flags *u,
		     const struct uflag *f, const char *arg)
{
	char val[512];
	const char *no = refusal(f);
	if (no != NULL) {
		cli_error(cli, "update: --%s: %s", f->name, no);
		return -1;
	}
	if (flag_value(f, arg, val, sizeof(val)) < 0) {
		cli_error(cli, "update: --%s: invalid value \"%s\"", f->name,
			  arg);
		return -1;
	}
	if (u->n == (int)(sizeof(u->f) / sizeof(u->f[0]))) {
		cli_error(cli, "update: too many options");
		return -1;
	}
	u->f[u->n] = f;
	u->arg[u->n++] = arg;
	return 0;
}

/* The flag whose field an error names ("linux.resources.cpu.idle",
 * ".cpu.idle"), to name the flag in front of it. */
static const char *flag_in(const struct update_flags *u, const char *msg)
{
	for (int i = u->n - 1; i >= 0; i--) {
		char path[64];
		snprintf(path, sizeof(path), ".%s.%s",
			 section_names[u->f[i]->section], u->f[i]->key);
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

int cmd_update(struct cli *cli, int argc, char **argv)
{
	struct update_flags u = {0};
	const char *file = NULL;
	int r = parse_update(cli, argc, argv, &u, &file);
	if (r != 0)
		return r > 0 ? 0 : 1;
	const char *id = argv[optind];
	_cleanup_free_ char *doc =
	    file ? read_resources(cli, file) : flags_document(&u);
	if (doc == NULL)
		return 1;
	struct berth_error err = {0};
	if (rt_update(&cli->ctx, id, doc, file ? "--resources" : "update flags",
		      &err) < 0) {
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
			char *end;
			double s = strtod(optarg, &end);
			/* runc takes Go durations: "5s", "500ms", or seconds */
			if (strcmp(end, "ms") == 0)
				s /= 1000;
			else if (*end != '\0' && strcmp(end, "s") != 0)
				s = -1;
			if (s <= 0) {
				cli_error(cli, "events: --interval: \"%s\"",
					  optarg);
				return 1;
			}
			interval_ms = (unsigned)(s * 1000);
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
