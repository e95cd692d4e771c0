/* berth: the command line.  Global options, then one command. */
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "oci/config.h"
#include "runtime/rootless.h"
#include "util/crash.h"

struct command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary;
	bool stateless; /* needs no state root (spec, features) */
};

static const struct command commands[] = {
    {"create", cmd_create, "create a container from a bundle", false},
    {"start", cmd_start, "run the user process of a created container", false},
    {"run", cmd_run, "create and start a container", false},
    {"exec", cmd_exec, "run a new process in a running container", false},
    {"state", cmd_state, "print the state of a container as JSON", false},
    {"kill", cmd_kill, "send a signal to the container's process", false},
    {"delete", cmd_delete, "delete a container and what it holds", false},
    {"list", cmd_list, "list the containers", false},
    {"spec", cmd_spec, "write a default config.json", true},
    {"pause", cmd_pause, "freeze every process of the container", false},
    {"resume", cmd_resume, "thaw a paused container", false},
    {"ps", cmd_ps, "list the container's processes", false},
    {"update", cmd_update, "change a running container's limits", false},
    {"events", cmd_events, "print stats and OOM events as JSON", false},
    {"features", cmd_features, "print what this berth supports as JSON", true},
    {"sandbox", cmd_sandbox, "run a command in a throw-away container", false},
    {"checkpoint", cmd_checkpoint, "save a running container with CRIU", false},
    {"restore", cmd_restore, "restore a container from a checkpoint", false},
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: berth [global options] COMMAND [options] [ID]\n\n"
		"global options:\n"
		"  --root DIR          state directory (default /run/berth;\n"
		"                      rootless: $XDG_RUNTIME_DIR/berth)\n"
		"  --log FILE          also write errors and warnings to FILE\n"
		"  --log-format FMT    text (default) or json\n"
		"  --debug             log debug messages\n"
		"  --systemd-cgroup    cgroupsPath is slice:prefix:name; berth "
		"maps it to cgroupfs\n"
		"  --rootless VALUE    true, false or auto (default): "
		"rootless cgroup\n"
		"                      handling (see berth(1))\n"
		"  --criu PATH         the criu binary of checkpoint and "
		"restore\n"
		"  --version, -v       print the versions and exit\n"
		"  --help, -h          print this help\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show the options of a command");
	fprintf(f, "\nberth help COMMAND or berth COMMAND --help shows the "
		   "options of a command; see berth(1) (docs/berth.1.md).\n");
}

#ifndef BERTH_COMMIT
#define BERTH_COMMIT ""
#endif

/* runc's lines, in its order: engines read "version" and "commit:". */
static void version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("berth version %s\ncommit: %s\nspec: %s\nlibseccomp: "
	       "%u.%u.%u\n",
	       BERTH_VERSION, BERTH_COMMIT, OCI_SPEC_VERSION, v->major,
	       v->minor, v->micro);
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD,
	OPT_ROOTLESS,
	OPT_CRIU,
};

/* runc's --rootless: true or false overrides the detection (auto) for
 * what berth does without cgroup access; the state root follows the
 * detection alone, as runc's does. */
static int check_rootless(struct cli *cli, const char *v)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		cli->ctx.rootless = strcmp(v, "true") == 0;
		cli->rootless_forced = true;
		return 0;
	}
	if (strcmp(v, "auto") == 0) {
		cli->rootless_forced = false;
		return 0;
	}
	cli_error(cli, "--rootless: expected true, false or auto, got \"%s\"",
		  v);
	return -1;
}

static int parse_global(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
	    {"rootless", required_argument, NULL, OPT_ROOTLESS},
	    {"criu", required_argument, NULL, OPT_CRIU},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;
	while ((c = cli_getopt(cli, argc, argv, "+vh", opts, true)) != -1) {
		switch (c) {
		case OPT_ROOT:
			cli->ctx.root = optarg;
			cli->root_given = true;
			break;
		case OPT_LOG:
			cli->log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				cli_error(cli,
					  "--log-format: expected text or "
					  "json, got \"%s\"",
					  optarg);
				return -1;
			}
			cli->log_json = strcmp(optarg, "json") == 0;
			break;
		case OPT_DEBUG:
			cli->ctx.debug = true;
			break;
		case OPT_SYSTEMD:
			cli->ctx.systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			if (check_rootless(cli, optarg) < 0)
				return -1;
			break;
		case OPT_CRIU:
			cli->criu = optarg;
			break;
		case 'v':
			version();
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* runc's commands berth does not have yet: refused by name. */
static bool asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* Rootless or not (runtime/rootless.h), once, and the state root that
 * follows when --root was not given. */
static void setup_rootless(struct cli *cli)
{
	enum rt_rootless_reason why = rt_rootless_detect();
	cli->ctx.rootless_reason = why;
	if (!cli->rootless_forced)
		cli->ctx.rootless = why != RT_ROOTLESS_NO;
	char line[512];
	/* Said once, before the re-exec from the sealed copy. */
	bool say = cli->ctx.debug && !cli_running_sealed();
	if (say)
		rt_log(&cli->ctx, RT_LOG_DEBUG, "%s%s",
		       rt_rootless_describe(why, line, sizeof(line)),
		       cli->rootless_forced
			   ? (cli->ctx.rootless ? " (--rootless true)"
						: " (--rootless false)")
			   : "");
	if (cli->root_given)
		return;
	struct berth_error err = {0};
	if (rt_rootless_state_root(why, getenv("XDG_RUNTIME_DIR"),
				   getenv("USER"), cli->root_buf,
				   sizeof(cli->root_buf), &err) < 0) {
		memcpy(cli->root_error, err.msg, sizeof(cli->root_error));
		return;
	}
	cli->ctx.root = cli->root_buf;
	if (say)
		rt_log(&cli->ctx, RT_LOG_DEBUG, "state root %s", cli->ctx.root);
}

/* help, help help, help -h and help --help: the list of commands. */
static bool wants_command_list(int argc, char **argv)
{
	if (argc < 2)
		return true;
	const char *a = argv[1];
	return strcmp(a, "help") == 0 || strcmp(a, "-h") == 0 ||
	       strcmp(a, "--help") == 0;
}

/* argv[0] is the command's name. */
static int dispatch(struct cli *cli, int argc, char **argv)
{
	const char *name = argv[0];
	bool help = strcmp(name, "help") == 0 || strcmp(name, "h") == 0;
	if (help && wants_command_list(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (help) {
		/* berth help CMD = berth CMD --help */
		char *hargv[] = {argv[1], "--help", NULL};
		return dispatch(cli, 2, hargv);
	}
	const struct command *c = find_command(name);
	if (c != NULL && !c->stateless && cli->root_error[0] != '\0' &&
	    !asks_help(argc, argv)) {
		cli_error(cli, "%s", cli->root_error);
		return 1;
	}
	if (c != NULL) {
		optind = 0; /* reset getopt for the command's own options */
		return c->fn(cli, argc, argv);
	}
	cli_error(cli, "unknown command \"%s\" (berth --help lists them)",
		  name);
	return 1;
}

/* fds 0-2 must be open: otherwise our own fds (the exec fifo, a socket)
 * would take their numbers and become the container's stdio. */
static int ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			return -1;
		if (n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
	return 0;
}

#ifdef BERTH_CRASH_POINTS
static void print_crash_point(const char *name, void *data)
{
	(void)data;
	printf("%s\n", name);
}
#endif

int main(int argc, char **argv)
{
#ifdef BERTH_CRASH_POINTS
	/* The crash build (util/crash.h): BERTH_CRASH_AT=list berth lists
	 * every crash point, for tests/integration/crash.bats. */
	const char *at = getenv("BERTH_CRASH_AT");
	if (at != NULL && strcmp(at, "list") == 0) {
		crash_points_each(print_crash_point, NULL);
		return 0;
	}
#endif
	struct cli cli = {.ctx = {.root = "/run/berth"}, .log_fd = -1};
	cli.ctx.log = cli_log_cb;
	cli.ctx.log_data = &cli;
	cli.argv = argv;
	cli.commit = BERTH_COMMIT;
	cli_clock_start(&cli);
	int first = parse_global(&cli, argc, argv);
	if (first < 0)
		return 1;
	if (ensure_stdio() < 0)
		return 1;
	if (cli_open_log(&cli) < 0)
		return 1;
	setup_rootless(&cli);
	if (first >= argc) {
		usage(stderr);
		cli_error(&cli, "no command given");
		return 1;
	}
	return dispatch(&cli, argc - first, argv + first);
}
