/* pause, resume, ps, update, events: the commands on a container's cgroup
 * (runc's flags). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "runtime/container.h"
#include "util/cleanup.h"
#include "util/util.h"

static int one_id(struct cli *cli, int argc, char **argv, const char *usage,
		  const char **ret_id)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;
	while ((c = getopt_long_only(argc, argv, "h", opts, NULL)) != -1) {
		fputs(usage, c == 'h' ? stdout : stderr);
		if (c == 'h')
			exit(0);
		return -1;
	}
	if (optind != argc - 1) {
		cli_error(cli, "%s: expected exactly one container ID",
			  argv[0]);
		return -1;
	}
	*ret_id = argv[optind];
	return 0;
}

static int freeze_cmd(struct cli *cli, int argc, char **argv, bool pause)
{
	const char *id;
	if (one_id(cli, argc, argv,
		   pause ? "usage: berth pause ID\n"
			 : "usage: berth resume ID\n",
		   &id) < 0)
		return 1;
	struct berth_error err = {0};
	int r = pause ? rt_pause(&cli->ctx, id, &err)
		      : rt_resume(&cli->ctx, id, &err);
	if (r < 0) {
		cli_error(cli, "%s %s: %s", argv[0], id, err.msg);
		return 1;
	}
	return 0;
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
	return freeze_cmd(cli, argc, argv, true);
}

int cmd_resume(struct cli *cli, int argc, char **argv)
{
	return freeze_cmd(cli, argc, argv, false);
}

/* runc's table: the host's `ps -ef` lines of the container's processes. */
static int ps_table(const pid_t *pids, size_t n)
{
	FILE *p = popen("ps -ef", "re");
	if (p == NULL)
		return -errno;
	char line[4096];
	bool header = true;
	while (fgets(line, sizeof(line), p) != NULL) {
		long pid = 0;
		if (!header && sscanf(line, "%*s %ld", &pid) != 1)
			continue;
		bool ours = header;
		for (size_t i = 0; !ours && i < n; i++)
			ours = pids[i] == (pid_t)pid;
		if (ours)
			fputs(line, stdout);
		header = false;
	}
	return pclose(p) == 0 ? 0 : -EIO;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] = "usage: berth ps [--format table|json] ID\n";
	bool json = false;
	int c;
	while ((c = getopt_long_only(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f' && (strcmp(optarg, "json") == 0 ||
				 strcmp(optarg, "table") == 0)) {
			json = strcmp(optarg, "json") == 0;
			continue;
		}
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	if (optind >= argc) {
		cli_error(cli, "ps: expected a container ID");
		return 1;
	}
	const char *id = argv[optind];
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	struct berth_error err = {0};
	if (rt_ps(&cli->ctx, id, &pids, &n, &err) < 0) {
		cli_error(cli, "ps %s: %s", id, err.msg);
		return 1;
	}
	if (!json)
		return ps_table(pids, n) < 0 ? 1 : 0;
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	fputs("]\n", stdout);
	return 0;
}
