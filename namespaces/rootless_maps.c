#include "namespaces/rootless_maps.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

bool ns_map_is_own_id(const struct oci_id_mapping *m, size_t n, uint32_t id)
{
	return n == 1 && m[0].host_id == id && m[0].size == 1;
}

static int write_proc(pid_t pid, const char *file, const char *data,
		      struct berth_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int r = write_file_at(AT_FDCWD, path, data, strlen(data));
	return r < 0 ? berth_err(err, r, "write %s", path) : 0;
}

/* argv of "newuidmap PID C H S [C H S]...", in @words (each <= 11 chars:
 * a uint32 or a pid) and @argv; the command line, for errors, in @line. */
static void helper_argv(const char *helper, pid_t pid,
			const struct oci_id_mapping *m, size_t n,
			char (*words)[12], char **argv, char *line, size_t size)
{
	argv[0] = (char *)helper;
	snprintf(words[0], 12, "%d", (int)pid);
	argv[1] = words[0];
	for (size_t i = 0; i < n; i++) {
		uint32_t v[3] = {m[i].container_id, m[i].host_id, m[i].size};
		for (size_t k = 0; k < 3; k++) {
			snprintf(words[1 + 3 * i + k], 12, "%" PRIu32, v[k]);
			argv[2 + 3 * i + k] = words[1 + 3 * i + k];
		}
	}
	argv[2 + 3 * n] = NULL;
	size_t off = 0;
	for (char **a = argv; *a != NULL && off < size; a++)
		off += (size_t)snprintf(line + off, size - off, "%s%s",
					a == argv ? "" : " ", *a);
}

/* The helper's stderr (its first line), or how it ended. */
static void helper_reason(int status, const char *out, char *buf, size_t size)
{
	if (out[0] != '\0') {
		snprintf(buf, size, "%.*s", (int)strcspn(out, "\n"), out);
		return;
	}
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(buf, size, "killed by signal %d",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static void child_exec(int errfd, char **argv)
{
	sigset_t none;
	sigemptyset(&none);
	/* berth blocks every signal while it creates a container. */
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(errfd, 2) < 0 || dup2(errfd, 1) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Run @argv, its stdout and stderr into @out (NUL-terminated); returns the
 * wait status, or -errno. */
static int run_helper(char **argv, char *out, size_t size)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t c = fork();
	if (c < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (c == 0)
		child_exec(p[1], argv);
	close(p[1]);
	size_t len = 0;
	ssize_t k;
	char drain[256];
	/* Read to EOF (what does not fit is dropped): a helper never blocks
	 * on a full pipe while we wait for it. */
	while ((k = read(p[0], len + 1 < size ? out + len : drain,
			 len + 1 < size ? size - 1 - len : sizeof(drain))) != 0)
		if (k > 0 && len + 1 < size)
			len += (size_t)k;
		else if (k < 0 && errno != EINTR)
			break;
	out[len] = '\0';
	close(p[0]);
	int status;
	while (waitpid(c, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

static int map_with_helper(pid_t pid, const char *helper,
			   const struct oci_id_mapping *m, size_t n,
			   struct berth_error *err)
{
	if (n > 340) /* the kernel takes at most 340 lines */
		return berth_err_msg(err, E2BIG, "%zu mappings: more than 340",
				     n);
	_cleanup_free_ char(*words)[12] = calloc(1 + 3 * n, 12);
	_cleanup_free_ char **argv = calloc(3 + 3 * n, sizeof(char *));
	char line[512], out[1024], why[512];
	if (words == NULL || argv == NULL)
		return berth_err(err, ENOMEM, "%s", helper);
	helper_argv(helper, pid, m, n, words, argv, line, sizeof(line));
	int st = run_helper(argv, out, sizeof(out));
	if (st < 0)
		return berth_err(err, -st, "run %s", line);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && out[0] == '\0')
		return berth_err_msg(err, ENOENT,
				     "%s: %s not found (the uidmap package "
				     "has it)",
				     line, helper);
	helper_reason(st, out, why, sizeof(why));
	return berth_err_msg(err, EPERM, "%s: %s", line, why);
}

/* Our own id, mapped once: written by us; gid_map after setgroups is
 * denied. */
static int write_own(pid_t pid, bool uid, const struct oci_id_mapping *m,
		     struct berth_error *err)
{
	char line[40];
	snprintf(line, sizeof(line), "%" PRIu32 " %" PRIu32 " 1\n",
		 m->container_id, m->host_id);
	int r = 0;
	if (!uid)
		r = write_proc(pid, "setgroups", "deny", err);
	if (r == 0)
		r = write_proc(pid, uid ? "uid_map" : "gid_map", line, err);
	return r;
}

static int write_one(pid_t pid, bool uid, const struct oci_id_mapping *m,
		     size_t n, struct berth_error *err)
{
	uint32_t own = uid ? (uint32_t)geteuid() : (uint32_t)getegid();
	int r = 0;
	if (n > 0 && ns_map_is_own_id(m, n, own))
		r = write_own(pid, uid, m, err);
	else if (n > 0)
		r = map_with_helper(pid, uid ? "newuidmap" : "newgidmap", m, n,
				    err);
	if (r < 0)
		return berth_err_ctx(err, "%s mappings (%zu entr%s)",
				     uid ? "uid" : "gid", n,
				     n == 1 ? "y" : "ies");
	return 0;
}

int ns_write_id_maps_rootless(pid_t pid, const struct oci_linux *linux_,
			      struct berth_error *err)
{
	int r = write_one(pid, true, linux_->uid_mappings,
			  linux_->uid_mappings_n, err);
	if (r == 0)
		r = write_one(pid, false, linux_->gid_mappings,
			      linux_->gid_mappings_n, err);
	return r;
}
