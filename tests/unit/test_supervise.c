/* runtime/supervise: sweeping what SIGKILLed foreground runs left, the
 * exit status of the init (issue 12). */
#include <criterion/criterion.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/state.h"
#include "runtime/supervise/init.h"
#include "runtime/supervise/supervise.h"
#include "tests/unit/testutil.h"

static char tmpdir[64];
static char rootdir[128];
static struct rt_context ctx;

static void setup(void)
{
	strcpy(tmpdir, "/tmp/berth-test-supervise-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(rootdir, sizeof(rootdir), "%s/state", tmpdir);
	ctx = (struct rt_context){.root = rootdir};
	struct berth_error err = {0};
	cr_assert_eq(state_ensure_root(&ctx, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	rm_tree(tmpdir);
}

TestSuite(supervise, .init = setup, .fini = teardown, .timeout = 20);

/* A saved, started container @id whose process is @pid. */
static void saved(const char *id, pid_t pid)
{
	struct oci_state *s = oci_state_new();
	cr_assert_not_null(s);
	s->id = strdup(id);
	s->bundle = strdup("/nonexistent");
	s->rootfs = strdup("/nonexistent/rootfs");
	s->pid = pid;
	cr_assert_eq(proc_start_time(pid, &s->pid_start), 0);
	s->started = true;
	struct berth_error err = {0};
	int dirfd = -1;
	cr_assert_eq(state_create_dir(&ctx, id, &dirfd, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(state_save(dirfd, s, &err), 0, "%s", err.msg);
	close(dirfd);
	oci_state_free(s);
}

static bool exists(const char *id)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", rootdir, id);
	return access(p, F_OK) == 0;
}

Test(supervise, sweep_removes_only_stopped_with_the_prefix)
{
	pid_t dead = fork();
	cr_assert_geq(dead, 0);
	if (dead == 0) {
		pause();
		_exit(0);
	}
	saved("sbx-dead", dead);
	saved("other-dead", dead);
	saved("sbx-alive", getpid());
	kill(dead, SIGKILL);
	cr_assert_eq(waitpid(dead, NULL, 0), dead);
	struct berth_error err = {0};
	cr_assert_eq(rt_sweep_stopped(&ctx, "sbx-", &err), 1, "%s", err.msg);
	cr_expect(!exists("sbx-dead"));
	cr_expect(exists("other-dead"), "another prefix is not ours");
	cr_expect(exists("sbx-alive"), "a running one is not a leftover");
	cr_expect_eq(rt_sweep_stopped(&ctx, "sbx-", &err), 0);
}

Test(supervise, status_code)
{
	cr_expect_eq(sv_status_code(0), 0);
	cr_expect_eq(sv_status_code(3 << 8), 3);
	cr_expect_eq(sv_status_code(SIGKILL), 137);
	cr_expect_eq(sv_status_code(SIGTERM), 143);
}

Test(supervise, check_options)
{
	struct berth_error err = {0};
	struct rt_supervise s = {.timeout = 5};
	cr_expect_eq(rt_supervise_check(NULL, true, &err), 0);
	cr_expect_eq(rt_supervise_check(&s, false, &err), 0);
	cr_expect_eq(rt_supervise_check(&s, true, &err), -EINVAL);
	cr_expect(strstr(err.msg, "need process.terminal: false") != NULL, "%s",
		  err.msg);
	s.timeout = -1;
	cr_expect_eq(rt_supervise_check(&s, false, &err), -EINVAL);
	cr_expect(strstr(err.msg, "--timeout") != NULL, "%s", err.msg);
}
