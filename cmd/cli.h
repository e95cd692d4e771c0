#pragma once
/* The CLI: parse argv, call the runtime library, print, exit. */
#include <stdbool.h>

#include "runtime/context.h"
#include "util/error.h"

struct cli {
	struct rt_context ctx;
	const char *log_path;
	bool log_json;
	int log_fd;	      /* -1: stderr only */
	bool log_tried;	      /* cli_open_log() ran */
	char **argv;	      /* to re-exec ourselves */
	const char *commit;   /* the commit berth was built from, or "" */
	bool root_given;      /* --root */
	bool rootless_forced; /* --rootless true|false (not auto) */
	/* rootless with no usable default state root (no XDG_RUNTIME_DIR):
	 * the error commands that need one report; "" otherwise. */
	char root_error[BERTH_ERROR_MAX];
	char root_buf[4096]; /* ctx.root when computed */
	const char *criu;    /* --criu PATH, or NULL */
	long long t0_ns; /* CLOCK_MONOTONIC at the first exec, for --debug */
};

/* Report @err (or @msg) as an error: stderr, and the log file if any. */
void cli_error(struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_log_cb(void *data, enum rt_log_level level, const char *msg);
/* A warning about the command line itself.  Not repeated by the sealed
 * re-exec of berth (cli_reexec_sealed), which parses the same argv. */
void cli_warn(struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_open_log(struct cli *cli);
/* Start --debug's clock: now, or the first exec's time the sealed re-exec
 * was handed (so "+N ms" counts from the command's real start). */
void cli_clock_start(struct cli *cli);
/* Before the sealed re-exec: hand the clock on (only with --debug). */
void cli_clock_hand_on(const struct cli *cli);

/* getopt_long (or _only) that reports an unknown option or a missing
 * argument with cli_error() (stderr and the log), instead of getopt's own
 * stderr-only line; returns what getopt returned ('?' for both). */
struct option;
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, bool long_only);

/* rt_create_opts.reexec_sealed: exec a sealed memfd copy of berth with the
 * same argv; returns 0 when already running from one, -errno on failure. */
int cli_reexec_sealed(void *data);
/* True in that sealed copy. */
bool cli_running_sealed(void);

/* One function per command: argc/argv start at the command name. Each
 * returns the process exit status. */
int cmd_spec(struct cli *cli, int argc, char **argv);
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_state(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_resume(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_features(struct cli *cli, int argc, char **argv);
int cmd_sandbox(struct cli *cli, int argc, char **argv);
int cmd_checkpoint(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
