/* update and events. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>

#include "cmd/cli.h"
#include "runtime/container.h"
#include "util/cleanup.h"
#include "util/util.h"

/* "512", "100m", "1G", "64kb": bytes, as runc's --memory takes them. */
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

enum {
	U_RESOURCES = 256,
	U_MEMORY,
	U_SWAP,
	U_SHARES,
	U_QUOTA,
	U_PERIOD,
	U_CPUS,
	U_MEMS,
	U_PIDS,
	U_BLKIO,
};

/* One flag into the JSON resources document being built in @f. */
static int add_flag(FILE *f[4], int c, const char *arg)
{
	long long v = 0;
	bool is_size = c == U_MEMORY || c == U_SWAP;
	bool is_num = !is_size && c != U_CPUS && c != U_MEMS;
	if ((is_size && parse_size(arg, &v) < 0) ||
	    (is_num && parse_size(arg, &v) < 0))
		return -EINVAL;
	switch (c) {
	case U_MEMORY:
		return fprintf(f[0], ",\"limit\":%lld", v);
	case U_SWAP:
		return fprintf(f[0], ",\"swap\":%lld", v);
	case U_SHARES:
		return fprintf(f[1], ",\"shares\":%lld", v);
	case U_QUOTA:
		return fprintf(f[1], ",\"quota\":%lld", v);
	case U_PERIOD:
		return fprintf(f[1], ",\"period\":%lld", v);
	case U_CPUS:
		return fprintf(f[1], ",\"cpus\":\"%s\"", arg);
	case U_MEMS:
		return fprintf(f[1], ",\"mems\":\"%s\"", arg);
	case U_PIDS:
		return fprintf(f[2], ",\"limit\":%lld", v);
	default:
		return fprintf(f[3], ",\"weight\":%lld", v);
	}
}

static void close_section(FILE *out, FILE *f, char *buf, const char *name,
			  bool *first)
{
	fclose(f);
	if (buf[0] == '\0')
		return;
	fprintf(out, "%s\"%s\":{%s}", *first ? "" : ",", name, buf + 1);
	*first = false;
}

/* The flags as a linux.resources JSON document. */
static char *flags_document(int n, const int *codes, char **args)
{
	char *buf[4] = {0}, *out = NULL;
	size_t len[4], olen;
	FILE *f[4];
	for (int i = 0; i < 4; i++)
		f[i] = open_memstream(&buf[i], &len[i]);
	for (int i = 0; i < n; i++)
		if (add_flag(f, codes[i], args[i]) < 0)
			return NULL; /* checked by the caller first */
	FILE *o = open_memstream(&out, &olen);
	static const char *names[] = {"memory", "cpu", "pids", "blockIO"};
	bool first = true;
	fputc('{', o);
	for (int i = 0; i < 4; i++) {
		fflush(f[i]);
		close_section(o, f[i], buf[i], names[i], &first);
		free(buf[i]);
	}
	fputc('}', o);
	fclose(o);
	return out;
}

static const char update_help[] =
    "usage: berth update [options] ID\n"
    "  --resources FILE     a linux.resources JSON object (- for stdin)\n"
    "  --memory N           memory limit in bytes (k, m, g, t suffixes)\n"
    "  --memory-swap N      memory + swap limit\n"
    "  --cpu-shares N       --cpu-quota N   --cpu-period N\n"
    "  --cpuset-cpus LIST   --cpuset-mems LIST\n"
    "  --pids-limit N       --blkio-weight N\n";

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

int cmd_update(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"resources", required_argument, NULL, U_RESOURCES},
	    {"r", required_argument, NULL, U_RESOURCES},
	    {"memory", required_argument, NULL, U_MEMORY},
	    {"memory-swap", required_argument, NULL, U_SWAP},
	    {"cpu-shares", required_argument, NULL, U_SHARES},
	    {"cpu-quota", required_argument, NULL, U_QUOTA},
	    {"cpu-period", required_argument, NULL, U_PERIOD},
	    {"cpuset-cpus", required_argument, NULL, U_CPUS},
	    {"cpuset-mems", required_argument, NULL, U_MEMS},
	    {"pids-limit", required_argument, NULL, U_PIDS},
	    {"blkio-weight", required_argument, NULL, U_BLKIO},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int codes[16], n = 0, c;
	char *args[16];
	const char *file = NULL;
	int li = 0;
	while ((c = getopt_long_only(argc, argv, "h", opts, &li)) != -1) {
		long long v;
		if (c == U_RESOURCES) {
			file = optarg;
		} else if (c >= U_MEMORY && n < 16) {
			bool text = c == U_CPUS || c == U_MEMS;
			if (!text && parse_size(optarg, &v) < 0) {
				cli_error(cli,
					  "update: --%s: not a number: \"%s\"",
					  opts[li].name, optarg);
				return 1;
			}
			codes[n] = c;
			args[n++] = optarg;
		} else {
			fputs(update_help, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 1;
		}
	}
	if (optind != argc - 1) {
		cli_error(cli, "update: expected exactly one container ID");
		return 1;
	}
	const char *id = argv[optind];
	_cleanup_free_ char *doc =
	    file ? read_resources(cli, file) : flags_document(n, codes, args);
	if (doc == NULL)
		return 1;
	struct berth_error err = {0};
	if (rt_update(&cli->ctx, id, doc, file ? "--resources" : "update flags",
		      &err) < 0) {
		cli_error(cli, "update %s: %s", id, err.msg);
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
	while ((c = getopt_long_only(argc, argv, "h", opts, NULL)) != -1) {
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
