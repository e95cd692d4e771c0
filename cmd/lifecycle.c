/* create, run, start, kill, delete: the lifecycle commands. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/supervise.h"
#include "runtime/container.h"
#include "util/util.h"

enum {
	OPT_BUNDLE = 'b',
	OPT_PID_FILE = 256,
	OPT_CONSOLE,
	OPT_NO_PIVOT,
	OPT_PRESERVE,
	OPT_NO_KEYRING,
	OPT_KEEP,
	OPT_NO_SUBREAPER,
	OPT_DETACH = 'd',
	OPT_HELP = 'h',
};

static const char create_help[] =
    "usage: berth %s [options] ID\n"
    "  --bundle, -b DIR        the bundle (default: current directory)\n"
    "  --pid-file FILE         write the container process's pid to FILE\n"
    "  --console-socket SOCK   send the pty master to this AF_UNIX socket\n"
    "  --no-pivot              use MS_MOVE + chroot instead of pivot_root\n"
    "  --preserve-fds N        pass fds 3..3+N-1 to the container\n"
    "  --no-new-keyring        keep the caller's session keyring\n";
static const char run_help[] =
    "  --detach, -d            return once the container has started\n"
    "  --keep                  keep the stopped container (foreground)\n"
    "  --no-subreaper          accepted: berth run is never a subreaper\n";

static int only_id(struct cli *cli, const char *cmd, int argc, char **argv,
		   const char **ret_id)
{
	if (optind != argc - 1) {
		cli_error(
		    cli,
		    "%s: expected exactly one container ID (berth %s --help)",
		    cmd, cmd);
		return -1;
	}
	*ret_id = argv[optind];
	return 0;
}

static int parse_int(struct cli *cli, const char *flag, const char *s, int *ret)
{
	long long v;
	int r = parse_ll(s, 0, 65536, &v);
	if (r < 0) {
		cli_error(cli, "%s: expected %s, got \"%s\"", flag,
			  r == -ERANGE ? "at most 65536"
				       : "a non-negative integer",
			  s);
		return -1;
	}
	*ret = (int)v;
	return 0;
}

/* systemd socket activation: fds 3..3+$LISTEN_FDS-1 go to the container,
 * which gets LISTEN_FDS and LISTEN_PID=1 (runc does the same).  As in
 * sd_listen_fds(3) and runc, only when $LISTEN_PID is berth's own pid:
 * otherwise the variables were meant for another process. */
static int listen_fds(struct cli *cli, struct rt_create_opts *o)
{
	const char *s = getenv("LISTEN_FDS");
	const char *pid = getenv("LISTEN_PID");
	char *end = NULL;
	if (s == NULL || *s == '\0' || pid == NULL ||
	    strtol(pid, &end, 10) != (long)getpid() || end == pid || *end)
		return 0;
	return parse_int(cli, "$LISTEN_FDS", s, &o->listen_fds);
}

/* Options only `run` has: 1 taken, 0 not one, -1 bad. */
static int run_opt(struct cli *cli, int c, struct rt_create_opts *o,
		   struct cli_supervise *sv)
{
	switch (c) {
	case OPT_DETACH:
		o->detach = true;
		return 1;
	case OPT_KEEP:
		o->keep = true;
		return 1;
	case OPT_NO_SUBREAPER:
		return 1; /* what berth run always does */
	default:
		return sv != NULL ? cli_supervise_opt(cli, c, optarg, sv) : 0;
	}
}

static bool run_only(int c)
{
	return c == OPT_DETACH || c == OPT_KEEP || c == OPT_NO_SUBREAPER ||
	       (c >= OPT_SV_INIT && c <= OPT_SV_KILL_ON_SIGNAL);
}

static int parse_create(struct cli *cli, struct cli_supervise *sv, int argc,
			char **argv, struct rt_create_opts *o,
			const char **ret_id)
{
	bool run = sv != NULL;
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, OPT_BUNDLE},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE},
	    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	    {"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
	    {"detach", no_argument, NULL, OPT_DETACH},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
	    {"help", no_argument, NULL, OPT_HELP},
	    CLI_SUPERVISE_OPTIONS,
	    {0},
	};
	int c;
	while ((c = cli_getopt(cli, argc, argv, run ? "b:dh" : "b:h", opts,
			       true)) != -1) {
		if (run_only(c) && !run) {
			cli_error(cli, "%s: unknown option '%s'", argv[0],
				  argv[optind - 1]);
			c = '?';
		}
		int taken = run ? run_opt(cli, c, o, sv) : 0;
		if (taken < 0)
			return -1;
		if (taken > 0)
			continue;
		switch (c) {
		case OPT_BUNDLE:
			o->bundle = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_PRESERVE:
			if (parse_int(cli, "--preserve-fds", optarg,
				      &o->preserve_fds) < 0)
				return -1;
			break;
		case OPT_NO_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_HELP:
			printf(create_help, argv[0]);
			if (run)
				printf("%s%s", run_help, cli_supervise_help);
			exit(0);
		default:
			fprintf(stderr, create_help, argv[0]);
			return -1;
		}
	}
	return listen_fds(cli, o) < 0
		   ? -1
		   : only_id(cli, argv[0], argc, argv, ret_id);
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	struct rt_create_opts o = {.bundle = ".",
				   .reexec_sealed = cli_reexec_sealed,
				   .reexec_data = cli};
	const char *id;
	if (parse_create(cli, NULL, argc, argv, &o, &id) < 0)
		return 1;
	struct berth_error err = {0};
	if (rt_create(&cli->ctx, id, &o, &err) < 0) {
		cli_error(cli, "create %s: %s", id, err.msg);
		return 1;
	}
	return 0;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct rt_create_opts o = {.bundle = ".",
				   .reexec_sealed = cli_reexec_sealed,
				   .reexec_data = cli};
	const char *id;
	struct cli_supervise sv = {0};
	if (parse_create(cli, &sv, argc, argv, &o, &id) < 0)
		return 1;
	if (o.detach && (o.keep || sv.any)) {
		cli_error(cli, "run: --%s cannot be used with --detach",
			  o.keep ? "keep"
				 : "init, --timeout, --output-limit, "
				   "--report or --kill-on-signal");
		return 1;
	}
	if (sv.any)
		o.supervise = &sv.sv;
	struct berth_error err = {0};
	int status = 0;
	if (rt_run(&cli->ctx, id, &o, &status, &err) < 0) {
		cli_error(cli, "run %s: %s", id, err.msg);
		return status ? status : 1;
	}
	if (cli_supervise_finish(cli, &sv) < 0 && status == 0)
		status = 1;
	return status;
}

/* Commands with no options but --help and one ID. */
static int simple_args(struct cli *cli, int argc, char **argv,
		       const char *usage_tail, const char **ret_id)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;
	while ((c = cli_getopt(cli, argc, argv, "h", opts, true)) != -1) {
		if (c == 'h') {
			printf("usage: berth %s ID%s\n", argv[0], usage_tail);
			exit(0);
		}
		fprintf(stderr, "usage: berth %s ID%s\n", argv[0], usage_tail);
		return -1;
	}
	return only_id(cli, argv[0], argc, argv, ret_id);
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	const char *id;
	if (simple_args(cli, argc, argv, "", &id) < 0)
		return 1;
	struct berth_error err = {0};
	if (rt_start(&cli->ctx, id, &err) < 0) {
		cli_error(cli, "start %s: %s", id, err.msg);
		return 1;
	}
	return 0;
}

int cmd_state(struct cli *cli, int argc, char **argv)
{
	const char *id;
	if (simple_args(cli, argc, argv, "", &id) < 0)
		return 1;
	struct berth_error err = {0};
	char *json = NULL;
	if (rt_state(&cli->ctx, id, &json, &err) < 0) {
		cli_error(cli, "state %s: %s", id, err.msg);
		return 1;
	}
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth kill [--all] ID [SIGNAL]\n"
	    "  SIGNAL: a name with or without SIG (TERM, SIGKILL) or a number; "
	    "default TERM\n"
	    "  --all, -a   signal every process of the container\n";
	bool all = false;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "ah", opts, true)) != -1) {
		if (c == 'a') {
			all = true;
			continue;
		}
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	if (optind >= argc || argc - optind > 2) {
		cli_error(cli,
			  "kill: expected ID [SIGNAL] (berth kill --help)");
		return 1;
	}
	const char *id = argv[optind];
	const char *sigstr = optind + 1 < argc ? argv[optind + 1] : "TERM";
	int sig = signal_parse(sigstr);
	if (sig < 0) {
		cli_error(cli, "kill %s: unknown signal \"%s\"", id, sigstr);
		return 1;
	}
	struct berth_error err = {0};
	if (rt_kill(&cli->ctx, id, sig, all, &err) < 0) {
		cli_error(cli, "kill %s: %s", id, err.msg);
		return 1;
	}
	return 0;
}

int cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth delete [--force] ID\n"
	    "  --force, -f   kill a running container first\n";
	bool force = false;
	int c;
	while ((c = cli_getopt(cli, argc, argv, "fh", opts, true)) != -1) {
		if (c == 'f') {
			force = true;
			continue;
		}
		fputs(help, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 1;
	}
	const char *id;
	if (only_id(cli, "delete", argc, argv, &id) < 0)
		return 1;
	struct berth_error err = {0};
	if (rt_delete(&cli->ctx, id, force, &err) < 0) {
		cli_error(cli, "delete %s: %s", id, err.msg);
		return 1;
	}
	return 0;
}
