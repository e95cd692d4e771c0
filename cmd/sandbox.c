/* berth sandbox [OPTIONS] -- COMMAND [ARGS...]: argv to sandbox_opts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/supervise.h"
#include "runtime/sandbox/sandbox.h"
#include "runtime/supervise/report.h"

static void usage(FILE *f)
{
	fputs(
	    "usage: berth sandbox [OPTIONS] -- COMMAND [ARGS...]\n\n"
	    "Run COMMAND in a throw-away container: the host's /usr, /bin, "
	    "/lib*\nand a few /etc files read-only (or --rootfs), no network "
	    "but lo,\nno capabilities, a build seccomp profile, uid 65534.\n\n"
	    "  --rootfs DIR          the root instead of the host's system "
	    "dirs\n"
	    "  --bind SRC[:DST]      bind SRC read-write at DST (default SRC)\n"
	    "  --ro-bind SRC[:DST]   the same, read-only\n"
	    "  --tmpfs DST[:SIZE]    a fresh tmpfs at DST\n"
	    "  --overlay [SRC:DST]   the root (or SRC at DST) as an overlay: "
	    "writes go\n"
	    "                        to a scratch layer, the source never "
	    "changes\n"
	    "  --keep-changes DIR    keep the overlays' upper layers in DIR\n"
	    "  --workdir DIR         the command's cwd (default /)\n"
	    "  --env K=V             set a variable (PATH, HOME=/tmp are set)\n"
	    "  --user UID[:GID]      run as UID:GID (default 65534:65534; 0, "
	    "you outside,\n"
	    "                        when berth is not root)\n"
	    "  --net none|host       no network but lo (default), or the "
	    "host's\n"
	    "  --seccomp FILE|none   a LinuxSeccomp JSON file instead of the "
	    "default\n"
	    "  --memory SIZE         memory limit (512M, 2G)\n"
	    "  --pids N              process limit\n"
	    "  --cpus N              CPU limit (1.5)\n"
	    "  --timeout SECONDS     kill everything after SECONDS\n"
	    "  --output-limit BYTES  kill it after BYTES of stdout+stderr\n"
	    "  --report FILE         write a JSON report of the run to FILE\n"
	    "  --init                a tiny init as PID 1\n"
	    "  --kill-on-signal      accepted: a sandbox always does it\n"
	    "  --print-config        print the config.json instead of running\n"
	    "  --help                this help\n"
	    "SIGTERM, SIGINT and SIGHUP to berth kill the whole sandbox; one "
	    "line on\nstderr says how it ended.\n",
	    f);
}

/* getopt values: a sandbox_flag + OPT_FLAG; cmd/supervise.h's are 512+ */
enum {
	OPT_FLAG = 256,
	OPT_PRINT = 1000,
	OPT_OVERLAY_ROOT,
};

static const struct option opts[] = {
    {"rootfs", required_argument, NULL, OPT_FLAG + SANDBOX_ROOTFS},
    {"bind", required_argument, NULL, OPT_FLAG + SANDBOX_BIND},
    {"ro-bind", required_argument, NULL, OPT_FLAG + SANDBOX_RO_BIND},
    {"tmpfs", required_argument, NULL, OPT_FLAG + SANDBOX_TMPFS},
    {"overlay", optional_argument, NULL, OPT_OVERLAY_ROOT},
    {"keep-changes", required_argument, NULL, OPT_FLAG + SANDBOX_KEEP_CHANGES},
    {"workdir", required_argument, NULL, OPT_FLAG + SANDBOX_WORKDIR},
    {"env", required_argument, NULL, OPT_FLAG + SANDBOX_ENV},
    {"user", required_argument, NULL, OPT_FLAG + SANDBOX_USER},
    {"net", required_argument, NULL, OPT_FLAG + SANDBOX_NET},
    {"seccomp", required_argument, NULL, OPT_FLAG + SANDBOX_SECCOMP},
    {"memory", required_argument, NULL, OPT_FLAG + SANDBOX_MEMORY},
    {"pids", required_argument, NULL, OPT_FLAG + SANDBOX_PIDS},
    {"cpus", required_argument, NULL, OPT_FLAG + SANDBOX_CPUS},
    CLI_SUPERVISE_OPTIONS,
    {"print-config", no_argument, NULL, OPT_PRINT},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* --overlay takes SRC:DST as its next word too ("--overlay a:/b"), not
 * only as "--overlay=a:/b"; a bare --overlay is the root's. */
static const char *overlay_arg(int argc, char **argv)
{
	if (optarg != NULL)
		return optarg;
	if (optind < argc && argv[optind][0] != '-' &&
	    strchr(argv[optind], ':') != NULL)
		return argv[optind++];
	return NULL;
}

struct parsed {
	struct sandbox_opts o;
	struct cli_supervise sv;
	bool print;
};

static int parse_one(struct cli *cli, int c, int argc, char **argv,
		     struct parsed *p)
{
	struct berth_error err = {0};
	const char *v = optarg;
	int taken = cli_supervise_opt(cli, c, optarg, &p->sv);
	if (taken != 0)
		return taken < 0 ? -1 : 0;
	switch (c) {
	case 'h':
		usage(stdout);
		exit(0);
	case OPT_PRINT:
		p->print = true;
		return 0;
	case OPT_OVERLAY_ROOT:
		v = overlay_arg(argc, argv);
		if (v == NULL) {
			p->o.overlay_root = true;
			return 0;
		}
		c = OPT_FLAG + SANDBOX_OVERLAY;
		break;
	case '?':
		fputs("see berth sandbox --help\n", stderr);
		return -1;
	}
	if (sandbox_opt_set(&p->o, (enum sandbox_flag)(c - OPT_FLAG), v, &err) <
	    0) {
		cli_error(cli, "sandbox: %s", err.msg);
		return -1;
	}
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct parsed *p)
{
	int c;
	while ((c = cli_getopt(cli, argc, argv, "+h", opts, false)) != -1)
		if (parse_one(cli, c, argc, argv, p) < 0)
			return -1;
	if (optind == 0 || optind > argc ||
	    strcmp(argv[optind - 1], "--") != 0) {
		cli_error(cli, "sandbox: expected -- before the command: "
			       "berth sandbox [OPTIONS] -- COMMAND [ARGS...]");
		return -1;
	}
	p->o.argv = argv + optind;
	struct berth_error err = {0};
	if (sandbox_opts_check(&p->o, &err) < 0) {
		cli_error(cli, "sandbox: %s", err.msg);
		return -1;
	}
	return 0;
}

static int print_config(struct cli *cli, const struct sandbox_opts *o)
{
	struct berth_error err = {0};
	struct sandbox_paths p;
	char *json = NULL;
	int r = sandbox_paths_new(&cli->ctx, o, &p, &err);
	if (r == 0)
		r = sandbox_config_json(o, &p, &json, &err);
	if (r == 0)
		fputs(json, stdout);
	else
		cli_error(cli, "sandbox: %s", err.msg);
	free(json);
	if (r == 0)
		sandbox_paths_free(&p);
	return r < 0 ? 1 : 0;
}

/* A sandbox always supervises: SIGTERM/INT/HUP kill it all, the output is
 * counted, and the report is made (written with --report, said in one
 * line on stderr). */
static int run(struct cli *cli, struct parsed *p)
{
	p->sv.sv.kill_on_signal = true;
	p->sv.sv.relay_output = true;
	p->sv.sv.report = &p->sv.report;
	struct rt_create_opts c = {.reexec_sealed = cli_reexec_sealed,
				   .reexec_data = cli,
				   .supervise = &p->sv.sv};
	struct berth_error err = {0};
	int status = 0;
	if (rt_supervise_check(&p->sv.sv, false, &err) < 0) {
		cli_error(cli, "sandbox: %s", err.msg);
		return 1;
	}
	int r = sandbox_run(&cli->ctx, &p->o, &c, &status, &err);
	if (r < 0) {
		cli_error(cli, "sandbox: %s", err.msg);
		return status ? status : 1;
	}
	char line[256];
	rt_report_line(&p->sv.report, line, sizeof(line));
	fprintf(stderr, "berth sandbox: %s\n", line);
	if (cli_supervise_finish(cli, &p->sv) < 0 && status == 0)
		status = 1;
	return status;
}

int cmd_sandbox(struct cli *cli, int argc, char **argv)
{
	struct parsed p = {0};
	sandbox_opts_init(&p.o, &cli->ctx);
	int status = 1;
	if (parse(cli, argc, argv, &p) == 0)
		status = p.print ? print_config(cli, &p.o) : run(cli, &p);
	sandbox_opts_free(&p.o);
	return status;
}
