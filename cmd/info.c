/* list and spec. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "oci/config.h"
#include "runtime/container.h"
#include "runtime/features.h"
#include "util/cleanup.h"
#include "util/util.h"

/* @s (may be NULL) with its control characters escaped: one cell. */
static const char *cell(const char *s, char *buf, size_t size)
{
	berth_escape(buf, size, s ? s : "");
	return buf;
}

static void print_table(const struct rt_list_entry *v, size_t n)
{
	printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS",
	       "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		const struct oci_state *s = v[i].state;
		char created[64] = "", id[1024], bundle[4096], owner[1024];
		bool known = v[i].status != OCI_STATUS_UNKNOWN;
		if (known)
			oci_format_rfc3339nano(s->created, created,
					       sizeof(created));
		pid_t pid = v[i].status == OCI_STATUS_STOPPED ? 0 : s->pid;
		printf("%-12s %-8d %-10s %-40s %-31s %s\n",
		       cell(s->id, id, sizeof(id)), (int)pid,
		       oci_status_name(v[i].status),
		       cell(s->bundle, bundle, sizeof(bundle)), created,
		       cell(s->owner, owner, sizeof(owner)));
	}
}

static int print_list(struct cli *cli, const struct rt_list_entry *v, size_t n,
		      bool json, bool quiet)
{
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i].state->id);
		return 0;
	}
	if (!json) {
		print_table(v, n);
		return 0;
	}
	_cleanup_free_ const struct oci_state **states =
	    calloc(n + 1, sizeof(*states));
	_cleanup_free_ enum oci_status *st = calloc(n + 1, sizeof(*st));
	if (states == NULL || st == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		states[i] = v[i].state;
		st[i] = v[i].status;
	}
	struct berth_error err = {0};
	_cleanup_free_ char *out = NULL;
	if (oci_state_list_json(states, st, n, &out, &err) < 0) {
		cli_error(cli, "list: %s", err.msg);
		return -1;
	}
	printf("%s\n", out);
	return 0;
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth list [--format table|json] [--quiet]\n"
	    "  --format, -f table|json  a table (default) or a JSON array\n"
	    "  --quiet, -q              print only the ids\n";
	bool json = false, quiet = false;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "f:qh", opts, true)) != -1) {
		if (c == 'f' && (strcmp(optarg, "json") == 0 ||
				 strcmp(optarg, "table") == 0)) {
			json = strcmp(optarg, "json") == 0;
			continue;
		}
		if (c == 'q') {
			quiet = true;
			continue;
		}
		if (c == 'f')
			cli_error(cli,
				  "list: --format: expected table or json, got "
				  "\"%s\"",
				  optarg);
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	struct rt_list_entry *v = NULL;
	size_t n = 0;
	struct berth_error err = {0};
	if (rt_list(&cli->ctx, &v, &n, &err) < 0) {
		cli_error(cli, "list: %s", err.msg);
		return 1;
	}
	int r = print_list(cli, v, n, json, quiet);
	rt_list_free(v, n);
	return r < 0 ? 1 : 0;
}

static int write_spec(struct cli *cli, const char *bundle, bool rootless)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		return -ENOMEM;
	struct stat st;
	if (stat(path, &st) == 0) {
		cli_error(cli, "spec: %s exists; remove it first", path);
		return -EEXIST;
	}
	struct berth_error err = {0};
	_cleanup_free_ char *json = NULL;
	if (oci_spec_default_json(rootless, &json, &err) < 0) {
		cli_error(cli, "spec: %s", err.msg);
		return -1;
	}
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, json, strlen(json)) < 0) {
		cli_error(cli, "spec: write %s: %s", path,
			  BERTH_STRERROR(errno));
		return -1;
	}
	return 0;
}

int cmd_spec(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth spec [--bundle DIR] [--rootless]\n"
	    "  write a default config.json into DIR (default: current "
	    "directory)\n"
	    "  --bundle, -b DIR   where to write config.json\n"
	    "  --rootless         a config for a rootless container\n";
	const char *bundle = ".";
	bool rootless = false;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "b:h", opts, true)) != -1) {
		if (c == 'b') {
			bundle = optarg;
			continue;
		}
		if (c == 'r') {
			rootless = true;
			continue;
		}
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	if (optind != argc) {
		cli_error(cli, "spec: unexpected argument \"%s\"",
			  argv[optind]);
		return 1;
	}
	return write_spec(cli, bundle, rootless) < 0 ? 1 : 0;
}

int cmd_features(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth features\n"
	    "  print the runtime-spec features document (JSON): what this "
	    "berth supports\n";
	int c;
	while ((c = cli_getopt(cli, argc, argv, "h", opts, true)) != -1) {
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	if (optind != argc) {
		cli_error(cli, "features: unexpected argument \"%s\"",
			  argv[optind]);
		return 1;
	}
	struct berth_error err = {0};
	_cleanup_free_ char *json = NULL;
	if (rt_features(&cli->ctx, BERTH_VERSION, cli->commit, &json, &err) <
	    0) {
		cli_error(cli, "features: %s", err.msg);
		return 1;
	}
	printf("%s\n", json);
	return 0;
}
