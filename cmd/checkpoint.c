/* checkpoint, restore: runc's flags over runtime/checkpoint/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "runtime/checkpoint/checkpoint.h"
#include "util/cleanup.h"
#include "util/util.h"

enum {
	OPT_IMAGE = 256,
	OPT_WORK,
	OPT_LEAVE,
	OPT_TCP,
	OPT_UNIX,
	OPT_SHELL,
	OPT_LOCKS,
	OPT_PRE,
	OPT_PARENT,
	OPT_CGMODE,
	OPT_EMPTY,
	OPT_DEDUP,
	OPT_LAZY,
	OPT_PAGE_SERVER,
	OPT_STATUS_FD,
	OPT_BUNDLE = 'b',
	OPT_DETACH = 'd',
	OPT_PID_FILE = 300,
	OPT_CONSOLE,
	OPT_NO_PIVOT,
	OPT_NO_SUBREAPER,
	OPT_HELP = 'h',
};

static const char common_help[] =
    "  --image-path DIR        CRIU's images (default: ./checkpoint)\n"
    "  --work-path DIR         CRIU's logs (default: the image path)\n"
    "  --tcp-established       allow open TCP connections\n"
    "  --ext-unix-sk           allow external unix sockets\n"
    "  --shell-job             allow a shell job (a terminal of the caller)\n"
    "  --file-locks            handle file locks\n"
    "  --manage-cgroups-mode M soft (default), full, strict or ignore\n"
    "  --empty-ns NS           create NS (network) empty, not restored\n"
    "  --auto-dedup            deduplicate with the parent's images\n";
static const char checkpoint_help[] =
    "usage: berth checkpoint [options] ID\n"
    "  --leave-running         keep the container running afterwards\n"
    "  --pre-dump              dump memory only, keep it running\n"
    "  --parent-path DIR       the previous pre-dump (relative to the\n"
    "                          image path)\n";
static const char restore_help[] =
    "usage: berth restore [options] ID\n"
    "  --bundle, -b DIR        the bundle (default: current directory)\n"
    "  --detach, -d            return once the container is restored\n"
    "  --pid-file FILE         write the restored process's pid to FILE\n"
    "  --console-socket SOCK   refused: a terminal cannot be restored\n"
    "  --no-pivot              accepted (CRIU does the pivot)\n";

static const struct option common_opts[] = {
    {"image-path", required_argument, NULL, OPT_IMAGE},
    {"work-path", required_argument, NULL, OPT_WORK},
    {"tcp-established", no_argument, NULL, OPT_TCP},
    {"ext-unix-sk", no_argument, NULL, OPT_UNIX},
    {"shell-job", no_argument, NULL, OPT_SHELL},
    {"file-locks", no_argument, NULL, OPT_LOCKS},
    {"manage-cgroups-mode", required_argument, NULL, OPT_CGMODE},
    {"empty-ns", required_argument, NULL, OPT_EMPTY},
    {"auto-dedup", no_argument, NULL, OPT_DEDUP},
    {"lazy-pages", no_argument, NULL, OPT_LAZY},
    {"page-server", required_argument, NULL, OPT_PAGE_SERVER},
    {"status-fd", required_argument, NULL, OPT_STATUS_FD},
    {"leave-running", no_argument, NULL, OPT_LEAVE},
    {"pre-dump", no_argument, NULL, OPT_PRE},
    {"parent-path", required_argument, NULL, OPT_PARENT},
    {"bundle", required_argument, NULL, OPT_BUNDLE},
    {"detach", no_argument, NULL, OPT_DETACH},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
    {"help", no_argument, NULL, OPT_HELP},
    {0},
};

static int refuse(struct cli *cli, const char *cmd, const char *flag)
{
	cli_error(cli, "%s: %s is not supported by berth (docs/checkpoint.md)",
		  cmd, flag);
	return -1;
}

static int check_mode(struct cli *cli, const char *m)
{
	static const char *const ok[] = {"soft", "full", "strict", "ignore"};
	for (size_t i = 0; i < 4; i++)
		if (strcmp(m, ok[i]) == 0)
			return 0;
	cli_error(cli,
		  "--manage-cgroups-mode: expected soft, full, strict or "
		  "ignore, got \"%s\"",
		  m);
	return -1;
}

/* The options both commands have; 1: not one of them. */
static int common_opt(struct cli *cli, int c, struct rt_criu_opts *o)
{
	switch (c) {
	case OPT_IMAGE:
		o->image_path = optarg;
		return 0;
	case OPT_WORK:
		o->work_path = optarg;
		return 0;
	case OPT_TCP:
		o->tcp_established = true;
		return 0;
	case OPT_UNIX:
		o->ext_unix_sk = true;
		return 0;
	case OPT_SHELL:
		o->shell_job = true;
		return 0;
	case OPT_LOCKS:
		o->file_locks = true;
		return 0;
	case OPT_DEDUP:
		o->auto_dedup = true;
		return 0;
	case OPT_CGMODE:
		o->manage_cgroups_mode = optarg;
		return check_mode(cli, optarg);
	case OPT_EMPTY:
		if (strcmp(optarg, "network") != 0) {
			cli_error(cli, "--empty-ns: only network, got \"%s\"",
				  optarg);
			return -1;
		}
		return strv_push(&o->empty_ns, "network") < 0 ? -1 : 0;
	}
	return 1;
}

static int checkpoint_opt(struct cli *cli, int c, struct rt_criu_opts *o)
{
	switch (c) {
	case OPT_LEAVE:
		o->leave_running = true;
		return 0;
	case OPT_PRE:
		o->pre_dump = true;
		return 0;
	case OPT_PARENT:
		o->parent_path = optarg;
		return 0;
	case OPT_LAZY:
		return refuse(cli, "checkpoint", "--lazy-pages");
	case OPT_PAGE_SERVER:
		return refuse(cli, "checkpoint", "--page-server");
	case OPT_STATUS_FD:
		return refuse(cli, "checkpoint", "--status-fd");
	case OPT_HELP:
		printf("%s%s", checkpoint_help, common_help);
		exit(0);
	}
	cli_error(cli, "checkpoint: unknown option (berth checkpoint --help)");
	return -1;
}

static int only_id(struct cli *cli, const char *cmd, int argc)
{
	if (optind == argc - 1)
		return 0;
	cli_error(cli,
		  "%s: expected exactly one container ID (berth %s --help)",
		  cmd, cmd);
	return -1;
}

int cmd_checkpoint(struct cli *cli, int argc, char **argv)
{
	struct rt_criu_opts o = {.criu = cli->criu};
	_cleanup_strv_ char **empty = NULL;
	int c, r = 0;
	while (r == 0 && (c = cli_getopt(cli, argc, argv, "h", common_opts,
					 false)) != -1) {
		if (c == '?')
			return 2;
		r = common_opt(cli, c, &o);
		if (r == 1)
			r = checkpoint_opt(cli, c, &o);
	}
	empty = o.empty_ns;
	if (r < 0 || only_id(cli, "checkpoint", argc) < 0)
		return 2;
	struct berth_error err = {0};
	if (rt_checkpoint(&cli->ctx, argv[optind], &o, &err) < 0) {
		cli_error(cli, "%s", err.msg);
		return 1;
	}
	return 0;
}

static int restore_opt(struct cli *cli, int c, struct rt_create_opts *co)
{
	switch (c) {
	case OPT_BUNDLE:
		co->bundle = optarg;
		return 0;
	case OPT_DETACH:
		co->detach = true;
		return 0;
	case OPT_PID_FILE:
		co->pid_file = optarg;
		return 0;
	case OPT_CONSOLE:
		co->console_socket = optarg;
		return refuse(cli, "restore", "--console-socket (a terminal)");
	case OPT_NO_PIVOT:
		co->no_pivot = true;
		return 0;
	case OPT_NO_SUBREAPER:
		return 0;
	case OPT_LAZY:
		return refuse(cli, "restore", "--lazy-pages");
	case OPT_HELP:
		printf("%s%s", restore_help, common_help);
		exit(0);
	}
	cli_error(cli, "restore: unknown option (berth restore --help)");
	return -1;
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	struct rt_criu_opts o = {.criu = cli->criu};
	struct rt_create_opts co = {.bundle = "."};
	_cleanup_strv_ char **empty = NULL;
	int c, r = 0;
	while (r == 0 && (c = cli_getopt(cli, argc, argv, "hb:d", common_opts,
					 false)) != -1) {
		if (c == '?')
			return 2;
		r = common_opt(cli, c, &o);
		if (r == 1)
			r = restore_opt(cli, c, &co);
	}
	empty = o.empty_ns;
	if (r < 0 || only_id(cli, "restore", argc) < 0)
		return 2;
	struct berth_error err = {0};
	int status = 0;
	if (rt_restore(&cli->ctx, argv[optind], &o, &co, &status, &err) < 0) {
		cli_error(cli, "%s", err.msg);
		return 1;
	}
	return status;
}
