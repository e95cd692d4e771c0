/* pause, resume, ps, update, events: the commands on a container's cgroup
 * (runc's flags). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
	while ((c = cli_getopt(cli, argc, argv, "h", opts, true)) != -1) {
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

/* The index of the PID column in ps's header, or -1. */
static int pid_column(char *header)
{
	char *save = NULL;
	int i = 0;
	for (char *t = strtok_r(header, " \t\n", &save); t != NULL;
	     t = strtok_r(NULL, " \t\n", &save), i++)
		if (strcmp(t, "PID") == 0)
			return i;
	return -1;
}

static bool row_is_ours(const char *line, int col, const pid_t *pids, size_t n)
{
	char copy[4096], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", line);
	char *t = strtok_r(copy, " \t\n", &save);
	for (int i = 0; t != NULL && i < col; i++)
		t = strtok_r(NULL, " \t\n", &save);
	char *end;
	long pid = t ? strtol(t, &end, 10) : 0;
	if (t == NULL || *end != '\0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == (pid_t)pid)
			return true;
	return false;
}

/* Run ps(1) with @args on the host, its stdout on a pipe; returns the
 * read end, or -errno. */
static int spawn_ps(char **args, pid_t *ret_pid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execvp("ps", args);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -EAGAIN;
	}
	*ret_pid = pid;
	return p[0];
}

/* runc's table: `ps ARGS` (default -ef), the header, then the rows whose
 * PID column is one of the container's pids. */
static int ps_table(struct cli *cli, const pid_t *pids, size_t n,
		    char **ps_args, int nargs)
{
	char *dflt[] = {"ps", "-ef", NULL};
	_cleanup_free_ char **args = calloc((size_t)nargs + 2, sizeof(char *));
	if (args == NULL)
		return -ENOMEM;
	args[0] = "ps";
	memcpy(args + 1, ps_args, (size_t)nargs * sizeof(char *));
	pid_t child = -1;
	int fd = spawn_ps(nargs > 0 ? args : dflt, &child);
	if (fd < 0) {
		cli_error(cli, "ps: run ps: %s", BERTH_STRERROR(fd));
		return fd;
	}
	FILE *f = fdopen(fd, "r");
	char line[4096];
	int col = -2;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (col == -2) {
			fputs(line, stdout);
			char h[4096];
			snprintf(h, sizeof(h), "%s", line);
			col = pid_column(h);
		} else if (col >= 0 && row_is_ours(line, col, pids, n)) {
			fputs(line, stdout);
		}
	}
	f ? fclose(f) : close(fd);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_error(cli, "ps: ps exited with status %d",
			  WIFEXITED(status) ? WEXITSTATUS(status) : 128);
		return -EIO;
	}
	if (col < 0) {
		cli_error(cli, "ps: no PID column in the output of ps");
		return -EINVAL;
	}
	return 0;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	static const char help[] =
	    "usage: berth ps [--format table|json] ID [ps options...]\n"
	    "  --format, -f table|json\n"
	    "  table (default): the header and the container's rows of "
	    "`ps OPTIONS`\n"
	    "                   (default -ef), run on the host\n"
	    "  json: the container's pids\n";
	bool json = false;
	int c;
	/* "+": the options after the ID are ps's */
	while ((c = cli_getopt(cli, argc, argv, "+f:h", opts, true)) != -1) {
		if (c == 'f' && (strcmp(optarg, "json") == 0 ||
				 strcmp(optarg, "table") == 0)) {
			json = strcmp(optarg, "json") == 0;
			continue;
		}
		if (c == 'f')
			cli_error(cli,
				  "ps: --format: expected table or json, got "
				  "\"%s\"",
				  optarg);
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
		return ps_table(cli, pids, n, argv + optind + 1,
				argc - optind - 1) < 0
			   ? 1
			   : 0;
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	fputs("]\n", stdout);
	return 0;
}
