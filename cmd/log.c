/* Error and warning output: stderr, plus --log FILE in runc's text or JSON
 * line format ({"level":...,"msg":...,"time":...}). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"

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

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void log_line(struct cli *cli, enum rt_log_level level, const char *msg)
{
	char ts[64];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%09ldZ", now.tv_nsec);
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

void cli_log_cb(void *data, enum rt_log_level level, const char *msg)
{
	struct cli *cli = data;
	if (cli->log_fd >= 0)
		log_line(cli, level, msg);
	/* One line, whatever the message carries (an ID, a path). */
	char line[4 * 2048];
	berth_escape(line, sizeof(line), msg);
	if (cli->log_fd < 0 || level == RT_LOG_ERROR)
		fprintf(stderr, "berth: %s: %s\n", level_name(level), line);
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

int cli_open_log(struct cli *cli)
{
	if (cli->log_path == NULL)
		return 0;
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
