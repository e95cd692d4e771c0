#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "util/cleanup.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

extern char **environ;

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/berth-hooks-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

TestSuite(hooks, .init = make_dir, .fini = remove_dir, .timeout = 20);

static char *slurp(const char *name, size_t *ret_len)
{
	char path[256];
	char *buf = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int r = read_file_at(AT_FDCWD, path, &buf, &len);
	if (r < 0)
		return NULL;
	if (ret_len)
		*ret_len = len;
	return buf;
}

static bool exists(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* A /bin/sh -c @script hook with D=<test dir> in its environment. */
struct sh_hook {
	char denv[96];
	char *args[4];
	char *env[2];
	struct oci_hook h;
};

static void sh_hook(struct sh_hook *s, const char *script, int64_t timeout)
{
	snprintf(s->denv, sizeof(s->denv), "D=%s", dir);
	s->args[0] = "sh", s->args[1] = "-c", s->args[2] = (char *)script;
	s->args[3] = NULL;
	s->env[0] = s->denv, s->env[1] = NULL;
	s->h = (struct oci_hook){
	    .path = "/bin/sh", .args = s->args, .env = s->env};
	if (timeout > 0)
		s->h.timeout = (struct oci_opt_i64){true, timeout};
}

static void assert_no_children(void)
{
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

Test(hooks, state_on_stdin)
{
	const char *state = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\","
			    "\"status\":\"created\",\"pid\":42}";
	struct sh_hook s;
	struct berth_error err = {0};
	sh_hook(&s, "cat > \"$D/state\"", 0);
	struct oci_hook_list list = {&s.h, 1};

	cr_assert_eq(hooks_run(&list, "prestart", state, &err), 0, "%s",
		     err.msg);
	_cleanup_free_ char *got = slurp("state", NULL);
	cr_assert_str_eq(got, state);
	assert_no_children();
}

Test(hooks, args_and_env_exact)
{
	char denv[96];
	snprintf(denv, sizeof(denv), "D=%s", dir);
	const char *script = "tr '\\0' '\\n' < /proc/$$/cmdline > \"$D/args\";"
			     "tr '\\0' '\\n' < /proc/$$/environ > \"$D/env\"";
	char *args[] = {"my-argv0", "-c", (char *)script, "x y", "", NULL};
	char *env[] = {denv, "FOO=bar baz", "EMPTY=", NULL};
	struct oci_hook h = {.path = "/bin/sh", .args = args, .env = env};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	cr_assert_eq(hooks_run(&list, "createRuntime", "{}", &err), 0, "%s",
		     err.msg);
	char want[1024];
	snprintf(want, sizeof(want), "my-argv0\n-c\n%s\nx y\n\n", script);
	_cleanup_free_ char *got_args = slurp("args", NULL);
	cr_assert_str_eq(got_args, want);
	snprintf(want, sizeof(want), "%s\nFOO=bar baz\nEMPTY=\n", denv);
	_cleanup_free_ char *got_env = slurp("env", NULL);
	cr_assert_str_eq(got_env, want);
}

Test(hooks, null_args_and_env)
{
	char script[256], path[128];
	snprintf(path, sizeof(path), "%s/hook.sh", dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\necho \"$#\" > \"$0.argc\"\n"
		 "tr '\\0' '\\n' < /proc/$$/environ > \"$0.env\"\n");
	cr_assert_eq(write_file_atomic(path, script, strlen(script), 0755), 0);
	struct oci_hook h = {.path = path};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	cr_assert_eq(hooks_run(&list, "poststart", "{}", &err), 0, "%s",
		     err.msg);
	_cleanup_free_ char *argc = slurp("hook.sh.argc", NULL);
	cr_assert_str_eq(argc, "0\n");
	/* no env: the runtime's own environment, as runc and crun */
	_cleanup_free_ char *env = slurp("hook.sh.env", NULL);
	size_t len = 0, off = 0;
	for (char **e = environ; *e != NULL; e++)
		len += strlen(*e) + 1;
	_cleanup_free_ char *ours = calloc(1, len + 1);
	cr_assert_not_null(ours);
	for (char **e = environ; *e != NULL; e++)
		off += (size_t)sprintf(ours + off, "%s\n", *e);
	cr_assert_str_eq(env, ours);
}

Test(hooks, empty_env_stays_empty)
{
	char script[256], path[128];
	snprintf(path, sizeof(path), "%s/hook.sh", dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ > \"$0.env\"\n");
	cr_assert_eq(write_file_atomic(path, script, strlen(script), 0755), 0);
	char *env[] = {NULL};
	struct oci_hook h = {.path = path, .env = env};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	cr_assert_eq(hooks_run(&list, "poststart", "{}", &err), 0, "%s",
		     err.msg);
	_cleanup_free_ char *got = slurp("hook.sh.env", NULL);
	cr_assert_str_eq(got, "");
}

Test(hooks, exit_status)
{
	struct sh_hook s;
	struct berth_error err = {0};
	sh_hook(&s, "exit 3", 0);
	struct oci_hook_list list = {&s.h, 1};

	cr_assert_lt(hooks_run(&list, "prestart", "{}", &err), 0);
	cr_assert_str_eq(err.msg, "prestart hook 0 (/bin/sh): exited with "
				  "status 3");
	assert_no_children();
}

Test(hooks, killed_by_signal)
{
	struct sh_hook s;
	struct berth_error err = {0};
	sh_hook(&s, "kill -TERM $$; sleep 5", 0);
	struct oci_hook_list list = {&s.h, 1};

	cr_assert_lt(hooks_run(&list, "createContainer", "{}", &err), 0);
	cr_assert_str_eq(err.msg, "createContainer hook 0 (/bin/sh): killed "
				  "by signal 15 (SIGTERM)");
}

/* Handlers and mask are reset in the hook even if we block/ignore.  (Not
 * through sh: dash clears its mask itself.) */
Test(hooks, signals_reset_in_hook)
{
	char *args[] = {"grep", "-E", "^(SigBlk|SigIgn)", "/proc/self/status",
			NULL};
	struct oci_hook h = {.path = "/bin/grep", .args = args};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};
	char path[128];
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGUSR1, SIG_IGN);
	snprintf(path, sizeof(path), "%s/sig", dir);
	int out = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	int saved = fcntl(1, F_DUPFD_CLOEXEC, 3);
	cr_assert(out >= 0 && saved >= 0);
	fflush(stdout);
	dup2(out, 1);
	int r = hooks_run(&list, "prestart", "{}", &err);
	dup2(saved, 1);
	close(saved);
	close(out);
	signal(SIGUSR1, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	cr_assert_eq(r, 0, "%s", err.msg);
	_cleanup_free_ char *got = slurp("sig", NULL);
	cr_assert_str_eq(got, "SigBlk:\t0000000000000000\n"
			      "SigIgn:\t0000000000000000\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(hooks, timeout_kills_hook)
{
	char *args[] = {"sleep", "10", NULL};
	struct oci_hook h = {
	    .path = "/bin/sleep", .args = args, .timeout = {true, 1}};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	double t0 = now_s();
	cr_assert_eq(hooks_run(&list, "prestart", "{}", &err), -ETIMEDOUT);
	double dt = now_s() - t0;
	cr_assert(dt >= 0.9 && dt < 2.5, "took %.2fs", dt);
	cr_assert_str_eq(err.msg, "prestart hook 0 (/bin/sleep): timed out "
				  "after 1s");
	assert_no_children();
}

static bool pid_gone(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 40; i++) {
		FILE *f = fopen(path, "re");
		if (f == NULL)
			return true;
		char *p = fgets(buf, sizeof(buf), f);
		fclose(f);
		char *rp = p ? strrchr(buf, ')') : NULL;
		if (rp == NULL || rp[2] == 'Z')
			return true;
		usleep(50 * 1000);
	}
	return false;
}

Test(hooks, timeout_kills_process_group)
{
	struct sh_hook s;
	struct berth_error err = {0};
	sh_hook(&s, "sleep 10 & echo $! > \"$D/pid\"; wait", 1);
	struct oci_hook_list list = {&s.h, 1};

	cr_assert_eq(hooks_run(&list, "prestart", "{}", &err), -ETIMEDOUT);
	_cleanup_free_ char *pid = slurp("pid", NULL);
	cr_assert_not_null(pid);
	cr_assert(pid_gone(atoi(pid)), "background sleep %s survived", pid);
}

Test(hooks, exec_missing_path)
{
	struct oci_hook h = {.path = "/nonexistent/hook"};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	cr_assert_eq(hooks_run(&list, "poststart", "{}", &err), -ENOENT);
	cr_assert_str_eq(err.msg, "poststart hook 0 (/nonexistent/hook): "
				  "exec: no such file or directory");
	assert_no_children();
}

Test(hooks, stops_at_first_failure)
{
	struct sh_hook s[3];
	struct berth_error err = {0};
	sh_hook(&s[0], "touch \"$D/first\"", 0);
	sh_hook(&s[1], "exit 1", 0);
	sh_hook(&s[2], "touch \"$D/third\"", 0);
	struct oci_hook v[] = {s[0].h, s[1].h, s[2].h};
	struct oci_hook_list list = {v, 3};

	cr_assert_lt(hooks_run(&list, "startContainer", "{}", &err), 0);
	cr_assert_str_eq(err.msg, "startContainer hook 1 (/bin/sh): exited "
				  "with status 1");
	cr_assert(exists("first"));
	cr_assert_not(exists("third"));
}

Test(hooks, run_all_runs_every_hook)
{
	struct sh_hook s[3];
	struct berth_error err = {0};
	sh_hook(&s[0], "exit 1", 0);
	sh_hook(&s[1], "touch \"$D/second\"", 0);
	sh_hook(&s[2], "exit 2", 0);
	struct oci_hook v[] = {s[0].h, s[1].h, s[2].h};
	struct oci_hook_list list = {v, 3};

	cr_assert_eq(hooks_run_all(&list, "poststop", "{}", &err), 2);
	cr_assert(exists("second"));
	cr_assert_str_eq(err.msg, "poststop hook 0 (/bin/sh): exited with "
				  "status 1");
	struct oci_hook_list ok = {&s[1].h, 1};
	cr_assert_eq(hooks_run_all(&ok, "poststop", "{}", &err), 0);
}

Test(hooks, empty_list_and_null_state)
{
	struct oci_hook_list empty = {NULL, 0};
	struct berth_error err = {0};
	cr_assert_eq(hooks_run(NULL, "prestart", "{}", &err), 0);
	cr_assert_eq(hooks_run(&empty, "prestart", "{}", &err), 0);
	cr_assert_eq(hooks_run_all(NULL, "poststop", "{}", &err), 0);

	struct sh_hook s;
	sh_hook(&s, "cat > \"$D/state\"", 0);
	struct oci_hook_list list = {&s.h, 1};
	cr_assert_eq(hooks_run(&list, "prestart", NULL, &err), 0, "%s",
		     err.msg);
	_cleanup_free_ char *got = slurp("state", NULL);
	cr_assert_str_eq(got, "");
}

static char *big_state(size_t n)
{
	char *s = malloc(n + 1);
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = 'a' + (char)(i % 26);
	s[n] = '\0';
	return s;
}

Test(hooks, large_state_not_read_no_deadlock)
{
	_cleanup_free_ char *state = big_state(100 * 1024);
	struct sh_hook s[3];
	struct berth_error err = {0};
	sh_hook(&s[0], "exit 0", 0);
	sh_hook(&s[1], "exec 0<&-; sleep 0.3", 5); /* EPIPE, SIGPIPE */
	sh_hook(&s[2], "cat > \"$D/state\"", 5);
	struct oci_hook v[] = {s[0].h, s[1].h, s[2].h};
	struct oci_hook_list list = {v, 3};

	cr_assert_eq(hooks_run(&list, "prestart", state, &err), 0, "%s",
		     err.msg);
	size_t len = 0;
	_cleanup_free_ char *got = slurp("state", &len);
	cr_assert_eq(len, strlen(state));
	cr_assert_eq(memcmp(got, state, len), 0);

	/* Our SIGPIPE mask is back and nothing is left pending. */
	sigset_t mask, pending;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigpending(&pending);
	cr_assert_not(sigismember(&mask, SIGPIPE));
	cr_assert_not(sigismember(&pending, SIGPIPE));
}

/* A hook that neither reads nor exits still times out on time. */
Test(hooks, large_state_timeout)
{
	_cleanup_free_ char *state = big_state(100 * 1024);
	char *args[] = {"sleep", "10", NULL};
	struct oci_hook h = {
	    .path = "/bin/sleep", .args = args, .timeout = {true, 1}};
	struct oci_hook_list list = {&h, 1};
	struct berth_error err = {0};

	double t0 = now_s();
	cr_assert_eq(hooks_run(&list, "prestart", state, &err), -ETIMEDOUT);
	cr_assert_lt(now_s() - t0, 2.5);
	assert_no_children();
}

Test(hooks, no_fd_leak)
{
	struct sh_hook s;
	struct oci_hook missing = {.path = "/nonexistent/hook"};
	struct berth_error err;
	sh_hook(&s, "exit 3", 0);
	struct oci_hook v[] = {s.h, missing};
	struct oci_hook_list first = {&v[0], 1}, second = {&v[1], 1};

	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		cr_assert_lt(hooks_run(&first, "prestart", "{}", &err), 0);
		cr_assert_eq(hooks_run(&second, "prestart", "{}", &err),
			     -ENOENT);
	}
	cr_assert_eq(count_fds(), before);
	assert_no_children();
}
