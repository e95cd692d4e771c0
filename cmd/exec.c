/* exec: a new process in a running container (runc's flags). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "runtime/exec/exec.h"
#include "util/cleanup.h"
#include "util/util.h"

/* runc: 255 when exec itself failed, so a caller can tell it from the
 * process's own exit status. */
#define EXEC_FAILED 255

enum {
	OPT_CONSOLE = 256,
	OPT_CWD,
	OPT_NNP,
	OPT_APPARMOR,
	OPT_LABEL,
	OPT_PID_FILE,
	OPT_PROCESS,
	OPT_PRESERVE,
	OPT_CGROUP,
	OPT_IGNORE_PAUSED,
};

static const char exec_help[] =
    "usage: berth exec [options] ID [COMMAND [ARG...]]\n"
    "  --process, -p FILE      the process as an OCI process JSON (engines);\n"
    "                          COMMAND and the process flags are then unused\n"
    "  --tty, -t               allocate a pty for the process\n"
    "  --console-socket SOCK   send the pty master to this AF_UNIX socket\n"
    "  --cwd DIR               working directory in the container\n"
    "  --env, -e NAME=VALUE    set an environment variable (repeatable)\n"
    "  --user, -u UID[:GID]    run as this user\n"
    "  --additional-gids, -g GID  an additional group (repeatable)\n"
    "  --cap, -c CAP           add a capability (repeatable)\n"
    "  --no-new-privs          set no_new_privs\n"
    "  --apparmor PROFILE      AppArmor profile\n"
    "  --process-label LABEL   SELinux label\n"
    "  --detach, -d            return once the process has started\n"
    "  --pid-file FILE         write the process's pid to FILE\n"
    "  --preserve-fds N        pass fds 3..3+N-1 to the process\n"
    "  --ignore-paused         exec even if the container is paused\n"
    "  --cgroup PATH           (not supported yet)\n";

struct exec_args {
	struct rt_exec_opts o;
	char **env, **caps;
	uint32_t gids[64];
	bool tty;
	const char *process_flag; /* the first one given, for a warning */
};

/* The flags that make the process; --process FILE replaces them all. */
static void note_process_flag(int c, struct exec_args *a, char **argv)
{
	static const int flags[] = {
	    't', 'e', 'u', 'g', 'c', OPT_CWD, OPT_NNP, OPT_APPARMOR, OPT_LABEL};
	if (a->process_flag != NULL || optind < 1)
		return;
	/* "--cwd /x": the flag is before its argument */
	int at = optarg != NULL && optind >= 2 && argv[optind - 1] == optarg
		     ? optind - 2
		     : optind - 1;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i] == c)
			a->process_flag = argv[at];
}

static int parse_u32(struct cli *cli, const char *flag, const char *s,
		     uint32_t *ret)
{
	long long v;
	int r = parse_ll(s, 0, UINT32_MAX, &v);
	if (r < 0) {
		cli_error(cli, "exec: %s: expected a number%s, got \"%s\"",
			  flag, r == -ERANGE ? " from 0 to 4294967295" : "", s);
		return -1;
	}
	*ret = (uint32_t)v;
	return 0;
}

static int parse_user(struct cli *cli, const char *s, struct exec_args *a)
{
	_cleanup_free_ char *u = strdup(s);
	if (u == NULL)
		return -1;
	char *colon = strchr(u, ':');
	if (colon != NULL)
		*colon = '\0';
	a->o.patch.user_set = true;
	a->o.patch.gid = 0;
	if (parse_u32(cli, "--user", u, &a->o.patch.uid) < 0)
		return -1;
	return colon == NULL
		   ? 0
		   : parse_u32(cli, "--user", colon + 1, &a->o.patch.gid);
}

static int push(char ***v, const char *s)
{
	return strv_push(v, s) < 0 ? -1 : 0;
}

static int parse_opt(struct cli *cli, int c, struct exec_args *a)
{
	struct rt_exec_opts *o = &a->o;
	switch (c) {
	case 'p':
		o->process_file = optarg;
		return 0;
	case 't':
		a->tty = true;
		return 0;
	case OPT_CONSOLE:
		o->console_socket = optarg;
		return 0;
	case OPT_CWD:
		o->patch.cwd = optarg;
		return 0;
	case 'e':
		return push(&a->env, optarg);
	case 'u':
		return parse_user(cli, optarg, a);
	case 'g':
		if (o->patch.additional_gids_n == ARRAY_SIZE(a->gids)) {
			cli_error(cli, "exec: too many --additional-gids");
			return -1;
		}
		return parse_u32(cli, "--additional-gids", optarg,
				 &a->gids[o->patch.additional_gids_n++]);
	case 'c':
		return push(&a->caps, optarg);
	case OPT_NNP:
		o->patch.no_new_privs = true;
		return 0;
	case OPT_APPARMOR:
		o->patch.apparmor = optarg;
		return 0;
	case OPT_LABEL:
		o->patch.selinux = optarg;
		return 0;
	case 'd':
		o->detach = true;
		return 0;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		return 0;
	case OPT_PRESERVE: {
		uint32_t n;
		if (parse_u32(cli, "--preserve-fds", optarg, &n) < 0)
			return -1;
		if (n > 65536) {
			cli_error(cli,
				  "exec: --preserve-fds: expected at most "
				  "65536, got \"%s\"",
				  optarg);
			return -1;
		}
		o->preserve_fds = (int)n;
		return 0;
	}
	case OPT_IGNORE_PAUSED:
		o->ignore_paused = true;
		return 0;
	case OPT_CGROUP:
		cli_error(cli, "exec: --cgroup is not supported yet");
		return -1;
	default:
		fputs(exec_help, stderr);
		return -1;
	}
}

/* runc takes the process from --process FILE alone; berth too, and says
 * what it leaves out. */
static void warn_ignored(struct cli *cli, const struct exec_args *a, int n_args)
{
	if (a->o.process_file == NULL ||
	    (n_args == 0 && a->process_flag == NULL))
		return;
	cli_warn(cli,
		 "exec: --process %s gives the whole process: %s is ignored",
		 a->o.process_file,
		 n_args > 0 ? "the COMMAND after the ID" : a->process_flag);
}

static int parse_exec(struct cli *cli, int argc, char **argv,
		      struct exec_args *a, const char **ret_id)
{
	static const struct option opts[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE},
	    {"cwd", required_argument, NULL, OPT_CWD},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"cap", required_argument, NULL, 'c'},
	    {"no-new-privs", no_argument, NULL, OPT_NNP},
	    {"apparmor", required_argument, NULL, OPT_APPARMOR},
	    {"process-label", required_argument, NULL, OPT_LABEL},
	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	    {"cgroup", required_argument, NULL, OPT_CGROUP},
	    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;
	while ((c = cli_getopt(cli, argc, argv, "+p:te:u:g:c:dh", opts,
			       false)) != -1) {
		if (c == 'h') {
			fputs(exec_help, stdout);
			exit(0);
		}
		if (parse_opt(cli, c, a) < 0)
			return -1;
		note_process_flag(c, a, argv);
	}
	if (optind >= argc) {
		cli_error(cli, "exec: expected a container ID (berth exec "
			       "--help)");
		return -1;
	}
	*ret_id = argv[optind++];
	if (a->o.process_file == NULL && optind >= argc) {
		cli_error(cli, "exec: expected a command, or --process FILE");
		return -1;
	}
	warn_ignored(cli, a, argc - optind);
	struct oci_process_patch *p = &a->o.patch;
	p->args = argv + optind;
	p->terminal = a->tty;
	p->env = a->env;
	p->caps = a->caps;
	p->additional_gids = a->gids;
	return 0;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct exec_args a = {
	    .o = {.reexec_sealed = cli_reexec_sealed, .reexec_data = cli}};
	const char *id;
	int r = parse_exec(cli, argc, argv, &a, &id);
	int status = EXEC_FAILED;
	if (r == 0) {
		struct berth_error err = {0};
		if (rt_exec(&cli->ctx, id, &a.o, &status, &err) < 0) {
			cli_error(cli, "exec %s: %s", id, err.msg);
			status = EXEC_FAILED;
		}
	}
	strv_free(a.env);
	strv_free(a.caps);
	return status;
}
