/* Error and warning output: stderr, plus --log FILE in runc's text or JSON
 * line format ({"level":...,"msg":...,"time":...}). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "util/util.h"

static const char *level_name(enum rt_log_level level)
{
	switch (level) {
	case RT_LOG_ERROR:
		return "error";
	case RT_LOG_WARN:
		return "warning";
	case RT_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* The length of the valid UTF-8 sequence at @s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80			 ? 1
		   : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
		   : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		   : s[0] >= 0xf0 && s[0] < 0xf5 ? 4
						 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 &&
	    ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a surrogate */
	if (n == 4 &&
	    ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* A JSON string's contents; bytes that are not UTF-8 (a path can hold
 * any) become U+FFFD, as Go's encoder does, so every line parses. */
static void json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		size_t n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
}

static void log_line(struct cli *cli, enum rt_log_level level, const char *msg)
{
	/* RFC 3339 in UTC, to the second: what runc's logrus writes. */
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return;
	if (cli->log_json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level_name(level));
		json_escape(f, msg);
		fprintf(f, "\",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"", ts,
			level_name(level));
		json_escape(f, msg);
		fputs("\"\n", f);
	}
	fclose(f);
	/* One write per line: the file may be shared with other berths. */
	if (write(cli->log_fd, buf, len) < 0) {
		/* nothing better to do */
	}
	free(buf);
}

#define T0_ENV "_BERTH_DEBUG_T0"

static long long monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void cli_clock_start(struct cli *cli)
{
	const char *t0 = getenv(T0_ENV);
	long long v;
	cli->t0_ns = t0 != NULL && parse_ll(t0, 0, LLONG_MAX, &v) == 0
			 ? v
			 : monotonic_ns();
	unsetenv(T0_ENV);
}

void cli_clock_hand_on(const struct cli *cli)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", cli->t0_ns);
	if (cli->ctx.debug)
		setenv(T0_ENV, buf, 1);
}

void cli_log_cb(void *data, enum rt_log_level level, const char *msg)
{
	struct cli *cli = data;
	/* A message before main() opened the log (a bad global option
	 * after --log) still goes there. */
	if (cli->log_fd < 0 && cli->log_path != NULL && !cli->log_tried)
		cli_open_log(cli);
	if (cli->log_fd >= 0)
		log_line(cli, level, msg);
	/* One line, whatever the message carries (an ID, a path). */
	char line[4 * 2048];
	berth_escape(line, sizeof(line), msg);
	/* A reader of stderr that went away (`2>&1 | head`) must not kill
	 * berth between making a container and cleaning up after it. */
	struct sigpipe_guard g;
	sigpipe_block(&g);
	if (level == RT_LOG_DEBUG && cli->log_fd < 0)
		fprintf(stderr, "berth: debug: %s (+%.3f ms)\n", line,
			(double)(monotonic_ns() - cli->t0_ns) / 1e6);
	else if (cli->log_fd < 0 || level == RT_LOG_ERROR)
		fprintf(stderr, "berth: %s: %s\n", level_name(level), line);
	fflush(stderr);
	sigpipe_restore(&g);
}

void cli_error(struct cli *cli, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_log_cb(cli, RT_LOG_ERROR, msg);
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (cli_running_sealed())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_log_cb(cli, RT_LOG_WARN, msg);
}

int cli_open_log(struct cli *cli)
{
	if (cli->log_path == NULL || cli->log_fd >= 0)
		return 0;
	cli->log_tried = true;
	int fd = open(cli->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);
	/* Out of the way of the fds --preserve-fds hands on (3, 4, ...). */
	cli->log_fd = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 1000);
	if (fd >= 0)
		close(fd);
	if (cli->log_fd < 0) {
		int e = errno;
		fprintf(stderr, "berth: error: open log file '%s': %s\n",
			cli->log_path, BERTH_STRERROR(e));
		return -e;
	}
	return 0;
}

/* getopt's "-x" or "--name" as the user wrote it. */
static const char *bad_arg(int argc, char **argv)
{
	return optind > 0 && optind <= argc ? argv[optind - 1] : "?";
}

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, bool long_only)
{
	char spec[64];
	const char *rest = shortopts;
	const char *order = "";
	if (rest[0] == '+') {
		order = "+";
		rest++;
	}
	/* ':' first: a missing argument is told from an unknown option. */
	snprintf(spec, sizeof(spec), "%s:%s", order, rest);
	opterr = 0;
	int c = long_only ? getopt_long_only(argc, argv, spec, longopts, NULL)
			  : getopt_long(argc, argv, spec, longopts, NULL);
	/* "exec: ..." for a command's options, nothing for the global ones */
	bool global = argv == cli->argv;
	const char *cmd = global ? "" : argv[0], *sep = global ? "" : ": ";
	const char *arg = bad_arg(argc, argv);
	if (c == ':') {
		cli_error(cli, "%s%soption '%s' needs an argument", cmd, sep,
			  arg);
		return '?';
	}
	if (c == '?' && optopt != 0 && strncmp(arg, "--", 2) != 0)
		cli_error(cli, "%s%sunknown option '-%c'", cmd, sep, optopt);
	else if (c == '?')
		cli_error(cli, "%s%sunknown option '%s'", cmd, sep, arg);
	return c;
}
