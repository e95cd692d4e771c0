/* Running the criu binary: find it, `criu check`, run a dump or restore. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/checkpoint/criu.h"
#include "util/cleanup.h"
#include "util/util.h"

static char *search_path(const char *name)
{
	const char *p = getenv("PATH");
	if (p == NULL || *p == '\0')
		p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
		    "/bin";
	_cleanup_free_ char *copy = strdup(p);
	char *save = NULL;
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d != NULL;
	     d = strtok_r(NULL, ":", &save)) {
		char *full = NULL;
		if (asprintf(&full, "%s/%s", d, name) < 0)
			return NULL;
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

int criu_find(const char *path, char **ret_path, struct berth_error *err)
{
	char *found = NULL;
	if (path != NULL && strchr(path, '/') != NULL)
		found = access(path, X_OK) == 0 ? realpath(path, NULL) : NULL;
	else
		found = search_path(path != NULL ? path : "criu");
	if (found == NULL)
		return berth_err_msg(
		    err, ENOENT,
		    "criu not found (%s%s): checkpoint and restore need CRIU; "
		    "install the Debian package criu",
		    path != NULL ? "--criu " : "no criu in $PATH",
		    path != NULL ? path : "");
	*ret_path = found;
	return 0;
}

static const char *skip_prefix(const char *line)
{
	/* "Error (criu/vdso.c:381): vdso: ..." -> "vdso: ..." */
	const char *p = strstr(line, "): ");
	return p != NULL ? p + 3 : line;
}

/* @line (@n bytes) is CRIU's "... Error (file:line): text": the text. */
static const char *error_text(const char *line, size_t n, size_t *ret_n)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < 1023 ? n : 1023), line);
	const char *e = strstr(buf, "Error (");
	if (e == NULL || strstr(e, "): ") == NULL)
		return NULL;
	const char *t = skip_prefix(e);
	*ret_n = n - (size_t)(t - buf);
	return line + (t - buf);
}

void criu_error_lines(const char *text, const char *fallback, char *buf,
		      size_t size)
{
	const char *first = NULL, *last = NULL, *t;
	size_t first_n = 0, last_n = 0, tn = 0;
	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *end = strchr(l, '\n');
		size_t n = end != NULL ? (size_t)(end - l) : strlen(l);
		if ((t = error_text(l, n, &tn)) != NULL) {
			if (first == NULL)
				first = t, first_n = tn;
			last = t, last_n = tn;
		}
		l = end != NULL ? end + 1 : NULL;
	}
	if (first == NULL)
		snprintf(buf, size, "%s", fallback);
	else if (first == last)
		snprintf(buf, size, "%.*s", (int)first_n, first);
	else
		snprintf(buf, size, "%.*s (%.*s)", (int)first_n, first,
			 (int)last_n, last);
}

/* Wait for @pid; its status as text ("exit status 1", "signal 9"). */
static int wait_status(pid_t pid, char *buf, size_t size)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(st));
	else
		snprintf(buf, size, "signal %d", WTERMSIG(st));
	return 1;
}

/* `criu check`, its stderr through a pipe. */
int criu_check(const char *criu, struct berth_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_err(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return berth_err(err, errno, "fork");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(p[1], 2) < 0)
			_exit(127);
		execl(criu, criu, "check", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	_cleanup_free_ char *out = NULL;
	char *s = NULL;
	size_t len = 0;
	_cleanup_fclose_ FILE *f = open_memstream(&s, &len);
	char chunk[4096];
	ssize_t n;
	while ((n = read(p[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || f == NULL || len > (1 << 20))
			break;
		fwrite(chunk, 1, (size_t)n, f);
	}
	close(p[0]);
	if (f != NULL)
		fclose(f);
	f = NULL;
	out = s;
	char how[64] = "";
	int r = wait_status(pid, how, sizeof(how));
	if (r < 0)
		return berth_err(err, -r, "wait for criu check");
	if (r == 0)
		return 0;
	char why[700];
	criu_error_lines(out, how, why, sizeof(why));
	return berth_err_msg(err, EOPNOTSUPP,
			     "criu check failed: %s: CRIU cannot checkpoint "
			     "or restore on this kernel",
			     why);
}

/* CRIU keeps our stdio: restore hands it to the restored process
 * (--inherit-fd), as runc does. */
static void criu_child(char ***argv, criu_child_fn fn, void *data)
{
	if (fn != NULL && fn(data) < 0)
		_exit(126);
	execv((*argv)[0], *argv);
	_exit(127);
}

int criu_run(char ***argv, const char *what, const char *log,
	     criu_child_fn enter_cgroup, void *data, struct berth_error *err)
{
	pid_t pid = fork();
	if (pid < 0)
		return berth_err(err, errno, "fork for criu %s", what);
	if (pid == 0)
		criu_child(argv, enter_cgroup, data);
	char how[64] = "";
	int r = wait_status(pid, how, sizeof(how));
	if (r < 0)
		return berth_err(err, -r, "wait for criu %s", what);
	if (r == 0)
		return 0;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	(void)read_file_at(AT_FDCWD, log, &text, &len);
	char why[700];
	criu_error_lines(text, "see the log", why, sizeof(why));
	return berth_err_msg(err, EIO, "criu %s failed (%s): %s (log: %s)",
			     what, how, why, log);
}
