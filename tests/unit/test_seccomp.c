/*
 * runtime/seccomp.c and oci/seccomp_state.c: plans are built from
 * hand-made configs, loaded in a forked child (after PR_SET_NO_NEW_PRIVS)
 * and judged by what the child's syscalls return or how it dies.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/seccomp_state.h"
#include "runtime/process/seccomp.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

TestSuite(seccomp, .timeout = 30);

/* ---- helpers ---- */

static char logbuf[8192];

static void log_cb(void *data, enum rt_log_level level, const char *msg)
{
	(void)data;
	(void)level;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static const struct rt_context ctx = {.log = log_cb, .debug = true};

static struct seccomp_plan *build(const struct oci_seccomp *sc)
{
	struct seccomp_plan *p = NULL;
	struct berth_error err = {0};
	int r = seccomp_plan_build(&ctx, sc, &p, &err);
	cr_assert_eq(r, 0, "build: %s", err.msg);
	cr_assert_not_null(p);
	return p;
}

static void build_fails(const struct oci_seccomp *sc, const char *want)
{
	struct seccomp_plan *p = NULL;
	struct berth_error err = {0};
	int r = seccomp_plan_build(&ctx, sc, &p, &err);
	cr_assert_lt(r, 0, "build should fail with '%s'", want);
	cr_assert_null(p);
	cr_assert_not_null(strstr(err.msg, want), "error '%s' lacks '%s'",
			   err.msg, want);
}

/* The child's verdict: 0 = all checks passed, else the failing check. */
typedef int (*body_fn)(void *data);

/* A filtered child ends with exit_now(), a plain exit_group: under ASan,
 * _exit() (a noreturn call) first runs __asan_handle_no_return, whose
 * sigaltstack(2) a deny-by-default filter blocks, and ASan then dies with
 * status 1. */
static int child_exit(int status)
{
	exit_now(status);
	return 0;
}

static void child_prepare(void)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGSYS, SIG_DFL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(100);
}

/* Fork; the child sets no_new_privs, loads @p, runs @body and exits with
 * its result.  Returns the raw wait status. */
static int run_filtered(const struct seccomp_plan *p, body_fn body, void *data)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct berth_error err = {0};
		int listener = -1;
		child_prepare();
		if (seccomp_plan_load(p, &listener, &err) < 0)
			child_exit(101);
		child_exit(body(data));
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

static void expect_exit0(int st)
{
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}

static void expect_signal(int st, int sig)
{
	cr_assert(WIFSIGNALED(st), "child exited %d, wanted signal %d",
		  WEXITSTATUS(st), sig);
	cr_assert_eq(WTERMSIG(st), sig);
}

/* A raw syscall's errno, or 0 on success. */
static int sys_errno(long r)
{
	return r < 0 ? errno : 0;
}

static int do_uname(void)
{
	struct utsname u;
	return sys_errno(syscall(SYS_uname, &u));
}

static int do_mkdirat(void)
{
	return sys_errno(
	    syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent-berth/x", 0700));
}

static int do_write(long fd)
{
	return sys_errno(syscall(SYS_write, fd, "", 0));
}

#define CHECK(n, cond)                                                         \
	do {                                                                   \
		if (!(cond))                                                   \
			return (n);                                            \
	} while (0)

/* One syscall entry: names, action, optional errnoRet, args. */
#define SYSCALL(act, ...)                                                      \
	{                                                                      \
		.names = (char *[]){__VA_ARGS__, NULL}, .action = (act)        \
	}

/* ---- actions ---- */

static int body_mkdirat_erofs(void *data)
{
	(void)data;
	CHECK(1, do_mkdirat() == EROFS);
	CHECK(2, do_uname() == 0);
	return 0;
}

/* mkdir and mkdirat fail with EROFS, the rest is allowed. */
static struct oci_seccomp_syscall erofs_calls[] = {
    {.names = (char *[]){"mkdirat", "mkdir", NULL},
     .action = OCI_SCMP_ACT_ERRNO,
     .errno_ret = {true, EROFS}},
};
static const struct oci_seccomp erofs_profile = {.default_action =
						     OCI_SCMP_ACT_ALLOW,
						 .syscalls = erofs_calls,
						 .syscalls_n = 1};

Test(seccomp, errno_with_errno_ret)
{
	struct seccomp_plan *p = build(&erofs_profile);
	cr_assert_not(seccomp_plan_has_notify(p));
	expect_exit0(run_filtered(p, body_mkdirat_erofs, NULL));
	seccomp_plan_free(p);
}

static int body_uname_eperm(void *data)
{
	(void)data;
	CHECK(1, do_uname() == EPERM);
	CHECK(2, do_mkdirat() == ENOENT);
	return 0;
}

Test(seccomp, errno_defaults_to_eperm)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_uname_eperm, NULL));
	seccomp_plan_free(p);
}

static int body_default_errno(void *data)
{
	(void)data;
	CHECK(1, do_uname() == EXDEV);		   /* not listed */
	CHECK(2, syscall(SYS_getpid) == getpid()); /* listed */
	return 0;
}

Test(seccomp, default_errno_with_default_errno_ret)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ALLOW, "exit_group", "exit", "getpid",
		    "rt_sigreturn"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .default_errno_ret = {true, EXDEV},
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_default_errno, NULL));
	seccomp_plan_free(p);
}

static int body_uname(void *data)
{
	(void)data;
	do_uname();
	return 0;
}

static void expect_uname_signal(enum oci_seccomp_action act)
{
	struct oci_seccomp_syscall calls[] = {SYSCALL(act, "uname")};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_signal(run_filtered(p, body_uname, NULL), SIGSYS);
	seccomp_plan_free(p);
}

Test(seccomp, kill_process)
{
	expect_uname_signal(OCI_SCMP_ACT_KILL_PROCESS);
}

Test(seccomp, kill_and_kill_thread)
{
	/* One thread: killing it ends the process, by SIGSYS. */
	expect_uname_signal(OCI_SCMP_ACT_KILL);
	expect_uname_signal(OCI_SCMP_ACT_KILL_THREAD);
}

Test(seccomp, trap)
{
	expect_uname_signal(OCI_SCMP_ACT_TRAP);
}

static int body_trace(void *data)
{
	(void)data;
	/* No tracer attached: the kernel answers ENOSYS. */
	CHECK(1, do_uname() == ENOSYS);
	return 0;
}

Test(seccomp, trace_without_tracer)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_TRACE, "uname"),
	};
	calls[0].errno_ret = (struct oci_opt_u64){true, 42};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_trace, NULL));
	seccomp_plan_free(p);
}

static int body_log(void *data)
{
	(void)data;
	CHECK(1, do_uname() == 0);
	CHECK(2, syscall(SYS_getpid) == getpid());
	return 0;
}

Test(seccomp, log_allows)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_LOG, "uname", "getpid"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_log, NULL));
	seccomp_plan_free(p);
}

Test(seccomp, rule_equal_to_default_is_skipped)
{
	/* libseccomp refuses such a rule; runc (and berth) skip it. */
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname"), /* EPERM = default */
	    SYSCALL(OCI_SCMP_ACT_ALLOW, "getpid"),
	};
	calls[0].errno_ret = (struct oci_opt_u64){true, EPERM};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .syscalls = calls,
				 .syscalls_n = 2};
	seccomp_plan_free(build(&sc));
	sc.default_action = OCI_SCMP_ACT_ALLOW;
	sc.syscalls = &calls[1];
	sc.syscalls_n = 1;
	seccomp_plan_free(build(&sc));
}

/* ---- args ---- */

struct op_case {
	enum oci_seccomp_op op;
	uint64_t value, value_two;
	long match, nomatch; /* write(2) fds */
};

static int body_op(void *data)
{
	const struct op_case *c = data;
	CHECK(1, do_write(c->match) == ECHRNG);
	CHECK(2, do_write(c->nomatch) == EBADF);
	return 0;
}

Test(seccomp, args_every_operator)
{
	static const struct op_case cases[] = {
	    {OCI_SCMP_CMP_EQ, 99, 0, 99, 98},
	    {OCI_SCMP_CMP_NE, 99, 0, 98, 99},
	    {OCI_SCMP_CMP_LT, 50, 0, 49, 50},
	    {OCI_SCMP_CMP_LE, 50, 0, 50, 51},
	    {OCI_SCMP_CMP_GT, 500, 0, 501, 500},
	    {OCI_SCMP_CMP_GE, 500, 0, 500, 499},
	    /* value = mask, valueTwo = datum */
	    {OCI_SCMP_CMP_MASKED_EQ, 0xf0, 0x90, 0x95, 0x85},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oci_seccomp_arg arg = {.index = 0,
					      .value = cases[i].value,
					      .value_two = cases[i].value_two,
					      .op = cases[i].op};
		struct oci_seccomp_syscall calls[] = {
		    SYSCALL(OCI_SCMP_ACT_ERRNO, "write"),
		};
		calls[0].errno_ret = (struct oci_opt_u64){true, ECHRNG};
		calls[0].args = &arg;
		calls[0].args_n = 1;
		struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
					 .syscalls = calls,
					 .syscalls_n = 1};
		struct seccomp_plan *p = build(&sc);
		int st = run_filtered(p, body_op, (void *)&cases[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "operator case %zu: status %#x", i, st);
		seccomp_plan_free(p);
	}
}

static int body_same_index(void *data)
{
	(void)data;
	CHECK(1, do_write(97) == ECHRNG);
	CHECK(2, do_write(98) == ECHRNG);
	CHECK(3, do_write(99) == EBADF);
	return 0;
}

Test(seccomp, args_same_index_or)
{
	struct oci_seccomp_arg args[] = {
	    {.index = 0, .value = 97, .op = OCI_SCMP_CMP_EQ},
	    {.index = 0, .value = 98, .op = OCI_SCMP_CMP_EQ},
	};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "write"),
	};
	calls[0].errno_ret = (struct oci_opt_u64){true, ECHRNG};
	calls[0].args = args;
	calls[0].args_n = 2;
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_same_index, NULL));
	seccomp_plan_free(p);
}

static int body_and(void *data)
{
	(void)data;
	CHECK(1, sys_errno(syscall(SYS_write, 97L, "abcde", 5L)) == ECHRNG);
	CHECK(2, sys_errno(syscall(SYS_write, 97L, "abcd", 4L)) == EBADF);
	CHECK(3, sys_errno(syscall(SYS_write, 96L, "abcde", 5L)) == EBADF);
	return 0;
}

Test(seccomp, args_different_indexes_and)
{
	struct oci_seccomp_arg args[] = {
	    {.index = 0, .value = 97, .op = OCI_SCMP_CMP_EQ},
	    {.index = 2, .value = 5, .op = OCI_SCMP_CMP_EQ},
	};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "write"),
	};
	calls[0].errno_ret = (struct oci_opt_u64){true, ECHRNG};
	calls[0].args = args;
	calls[0].args_n = 2;
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_and, NULL));
	seccomp_plan_free(p);
}

/* ---- names, architectures, flags ---- */

Test(seccomp, unknown_syscall_skipped)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "no_such_syscall_berth", "uname"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	logbuf[0] = '\0';
	struct seccomp_plan *p = build(&sc);
	cr_assert_not_null(strstr(logbuf, "unknown syscall "
					  "\"no_such_syscall_berth\" ignored"),
			   "log: %s", logbuf);
	expect_exit0(run_filtered(p, body_uname_eperm, NULL));
	seccomp_plan_free(p);
}

Test(seccomp, unknown_architecture)
{
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE", NULL};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .architectures = arches};
	build_fails(&sc, "seccomp: unknown architecture \"SCMP_ARCH_NOPE\"");
}

#if defined(__x86_64__)
Test(seccomp, architectures_of_the_docker_profile)
{
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
			  NULL};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname", "socketcall"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .architectures = arches,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_uname_eperm, NULL));
	seccomp_plan_free(p);
}
#endif

static int body_status(void *data)
{
	(void)data;
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	CHECK(1, fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	CHECK(2, n > 0);
	buf[n] = '\0';
	CHECK(3, strstr(buf, "\nSeccomp:\t2\n") != NULL);
	CHECK(4, strstr(buf, "\nSeccomp_filters:\t1\n") != NULL);
	return 0;
}

Test(seccomp, proc_status_shows_filter_mode)
{
	char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .flags = flags,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	/* TSYNC is ignored as runc does; the others reach seccomp(2). */
	cr_assert_eq(seccomp_plan_flags(p),
		     SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	expect_exit0(run_filtered(p, body_status, NULL));
	seccomp_plan_free(p);
}

static int body_allowlist(void *data)
{
	(void)data;
	CHECK(1, do_uname() == EPERM);
	/* mkdirat (258) is above every listed number (exit_group, 231 on
	 * x86-64): the ENOSYS stub answers. */
	CHECK(2, do_mkdirat() == ENOSYS);
	CHECK(3, syscall(SYS_getpid) == getpid());
	CHECK(4, syscall(SYS_getcwd, (char[4096]){0}, 4096L) > 0);
	return 0;
}

/* A default-deny profile big enough to need libseccomp's binary tree. */
Test(seccomp, long_allow_list)
{
	char *names[] = {
	    "read",	      "write",	      "open",	     "openat",
	    "close",	      "fstat",	      "lseek",	     "mmap",
	    "mprotect",	      "munmap",	      "brk",	     "rt_sigaction",
	    "rt_sigprocmask", "rt_sigreturn", "ioctl",	     "pread64",
	    "pwrite64",	      "readv",	      "writev",	     "access",
	    "pipe",	      "select",	      "sched_yield", "mremap",
	    "msync",	      "mincore",      "madvise",     "dup",
	    "dup2",	      "nanosleep",    "getpid",	     "exit",
	    "exit_group",     "wait4",	      "kill",	     "fcntl",
	    "getcwd",	      "chdir",	      "getuid",	     "getgid",
	    "geteuid",	      "getegid",      "futex",	     NULL};
	struct oci_seccomp_syscall call = {.names = names,
					   .action = OCI_SCMP_ACT_ALLOW};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .syscalls = &call,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_allowlist, NULL));
	seccomp_plan_free(p);
}

Test(seccomp, wait_killable_recv_needs_notify)
{
	char *flags[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .flags = flags};
	build_fails(&sc, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an "
			 "SCMP_ACT_NOTIFY rule");

	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_NOTIFY, "mkdirat"),
	};
	sc.syscalls = calls;
	sc.syscalls_n = 1;
	sc.listener_path = "/nonexistent.sock";
	struct seccomp_plan *p = build(&sc);
	cr_assert(seccomp_plan_has_notify(p));
	cr_assert_eq(seccomp_plan_flags(p),
		     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV |
			 SECCOMP_FILTER_FLAG_NEW_LISTENER);
	seccomp_plan_free(p);
}

Test(seccomp, notify_rules)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_NOTIFY, "mkdirat"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	build_fails(&sc, "seccomp: SCMP_ACT_NOTIFY needs listenerPath");

	sc.listener_path = "/run/agent.sock";
	calls[0] = (struct oci_seccomp_syscall)SYSCALL(OCI_SCMP_ACT_NOTIFY,
						       "mkdirat", "write");
	build_fails(&sc, "SCMP_ACT_NOTIFY cannot be used for the write");
	calls[0] =
	    (struct oci_seccomp_syscall)SYSCALL(OCI_SCMP_ACT_NOTIFY, "sendmsg");
	build_fails(&sc, "SCMP_ACT_NOTIFY cannot be used for the sendmsg");

	sc.default_action = OCI_SCMP_ACT_NOTIFY;
	sc.syscalls_n = 0;
	build_fails(&sc, "SCMP_ACT_NOTIFY cannot be the default action");
}

/* ---- NOTIFY end to end ---- */

struct agent {
	char dir[64];
	char path[128];
	int lsock;
};

static void agent_listen(struct agent *a)
{
	strcpy(a->dir, "/tmp/berth-seccomp-XXXXXX");
	cr_assert_not_null(mkdtemp(a->dir));
	snprintf(a->path, sizeof(a->path), "%s/agent.sock", a->dir);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, a->path);
	a->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(a->lsock, 0);
	cr_assert_eq(bind(a->lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(a->lsock, 1), 0);
}

static void agent_close(struct agent *a)
{
	close(a->lsock);
	unlink(a->path);
	rmdir(a->dir);
}

/* The child of a NOTIFY test: load, hand the listener up, call mkdirat. */
static pid_t notify_child(const struct seccomp_plan *p, int sock, long want_ret,
			  int want_errno)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid != 0)
		return pid;
	struct berth_error err = {0};
	int listener = -1;
	child_prepare();
	if (seccomp_plan_load(p, &listener, &err) < 0 || listener < 0)
		child_exit(101);
	if (fd_send(sock, listener, "L", 1) < 0)
		child_exit(102);
	close(listener);
	long r = syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent-berth/x", 0700);
	if (r != want_ret || (r < 0 && errno != want_errno))
		child_exit(103);
	return child_exit(0);
}

/* The agent side: accept berth's message, check it, answer one
 * notification with @error / @val. */
static void agent_answer(struct agent *a, pid_t pid, int error, long val)
{
	_cleanup_close_ int conn = accept4(a->lsock, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	char buf[4096] = {0};
	size_t len = 0;
	_cleanup_close_ int nfd = -1;
	cr_assert_eq(fd_recv(conn, &nfd, buf, sizeof(buf) - 1, &len), 0);
	char want[256];
	snprintf(want, sizeof(want),
		 "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],"
		 "\"pid\":%d,\"metadata\":\"meta data\",\"state\":{"
		 "\"ociVersion\":\"1.3.0\",\"id\":\"c1\"",
		 (int)pid);
	cr_assert_eq(strncmp(buf, want, strlen(want)), 0, "got %s", buf);

	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	cr_assert_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0, "%s",
		     strerror(errno));
	cr_assert_eq((pid_t)req.pid, pid);
	cr_assert_eq(req.data.nr, SYS_mkdirat);
	struct seccomp_notif_resp resp = {
	    .id = req.id, .error = -error, .val = val};
	cr_assert_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0, "%s",
		     strerror(errno));
}

static void notify_end_to_end(int error, long val, long want_ret,
			      int want_errno)
{
	struct agent a;
	agent_listen(&a);
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_NOTIFY, "mkdirat", "mkdir"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .listener_path = a.path,
				 .listener_metadata = "meta data",
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		     0);
	pid_t pid = notify_child(p, sv[1], want_ret, want_errno);
	close(sv[1]);

	/* berth's part: get the listener, give it to the agent. */
	_cleanup_close_ int listener = -1;
	char c;
	cr_assert_eq(fd_recv(sv[0], &listener, &c, 1, NULL), 0);
	close(sv[0]);
	struct berth_error err = {0};
	int r = seccomp_send_listener(
	    a.path, listener, sc.listener_metadata, pid,
	    "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\","
	    "\"pid\":1,\"bundle\":\"/b\"}",
	    &err);
	cr_assert_eq(r, 0, "%s", err.msg);

	agent_answer(&a, pid, error, val);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	expect_exit0(st);
	seccomp_plan_free(p);
	agent_close(&a);
}

Test(seccomp, notify_agent_answers_error)
{
	notify_end_to_end(EXDEV, 0, -1, EXDEV);
}

Test(seccomp, notify_agent_fakes_success)
{
	notify_end_to_end(0, 0, 0, 0);
}

Test(seccomp, send_listener_errors)
{
	struct berth_error err = {0};
	int r = seccomp_send_listener("/nonexistent-berth/agent.sock", 0, NULL,
				      1, "{}", &err);
	cr_assert_eq(r, -ENOENT);
	cr_assert_not_null(
	    strstr(err.msg, "connect to seccomp agent "
			    "/nonexistent-berth/agent.sock: no such file"),
	    "%s", err.msg);
	r = seccomp_send_listener("/x", 0, NULL, 1, "[1]", &err);
	cr_assert_eq(r, -EINVAL);
	cr_assert_not_null(strstr(err.msg, "not a JSON object"), "%s", err.msg);
}

/* ---- the container process state ---- */

Test(seccomp, process_state_json)
{
	char *s = NULL;
	struct berth_error err = {0};
	cr_assert_eq(
	    oci_seccomp_state_json("md", 42, "{\"id\":\"x\"}", &s, &err), 0,
	    "%s", err.msg);
	cr_assert_str_eq(s, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],"
			    "\"pid\":42,\"metadata\":\"md\",\"state\":{\"id\":"
			    "\"x\"}}");
	free(s);
	/* metadata is omitempty */
	cr_assert_eq(oci_seccomp_state_json("", 7, "{}", &s, &err), 0);
	cr_assert_str_eq(s, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],"
			    "\"pid\":7,\"state\":{}}");
	free(s);
	cr_assert_lt(oci_seccomp_state_json(NULL, 7, "{", &s, &err), 0);
}

/* ---- fd leaks ---- */

Test(seccomp, no_fd_leak)
{
	char *arches[] = {"SCMP_ARCH_NOPE", NULL};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname", "mkdirat"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ALLOW,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct oci_seccomp bad = {.default_action = OCI_SCMP_ACT_ALLOW,
				  .architectures = arches};
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		struct seccomp_plan *p = NULL;
		struct berth_error err = {0};
		cr_assert_eq(seccomp_plan_build(&ctx, &sc, &p, &err), 0);
		seccomp_plan_free(p);
		cr_assert_lt(seccomp_plan_build(&ctx, &bad, &p, &err), 0);
		cr_assert_lt(seccomp_send_listener("/nonexistent-berth/a", 0,
						   NULL, 1, "{}", &err),
			     0);
	}
	cr_assert_eq(count_fds(), before);
}

/* ---- the -ENOSYS stub (seccomp_stub.c) ---- */

#include <linux/audit.h>
#include <linux/filter.h>

#include "runtime/process/seccomp_stub.h"

#define FELL_THROUGH 0xffffffffu /* the stub handed over to the filter */

/* Run the stub on (arch, nr): what it returns, or FELL_THROUGH. */
static uint32_t run_stub(const struct sock_filter *prog, size_t len,
			 uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &prog[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			cr_assert(i->k == offsetof(struct seccomp_data, arch) ||
				  i->k == offsetof(struct seccomp_data, nr));
			a = i->k == offsetof(struct seccomp_data, arch) ? arch
									: nr;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			cr_assert_fail("unexpected BPF code %#x at %zu",
				       i->code, pc);
		}
		cr_assert_leq(pc, len, "jump past the end of the stub");
	}
	return FELL_THROUGH;
}

#define RET_ENOSYS (SECCOMP_RET_ERRNO | ENOSYS)

Test(seccomp, stub_one_arch)
{
	struct seccomp_stub_arch arches[] = {
	    {.audit_arch = AUDIT_ARCH_AARCH64, .has_max = true, .max = 300},
	};
	struct sock_filter prog[SECCOMP_STUB_MAX_INSNS(1)];
	int n = seccomp_stub_build(arches, 1, prog, ARRAY_SIZE(prog));
	cr_assert_gt(n, 0);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_AARCH64, 300), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_AARCH64, 0), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_AARCH64, 301), RET_ENOSYS);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_AARCH64, 0xffffffff),
		     RET_ENOSYS);
	/* Another arch: the filter decides (its bad-arch action). */
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_X86_64, 1000), FELL_THROUGH);
}

Test(seccomp, stub_x86_64_x32_and_i386)
{
	struct seccomp_stub_arch arches[] = {
	    {.audit_arch = AUDIT_ARCH_X86_64,
	     .has_max = true,
	     .max = 334,
	     .has_x32_max = true,
	     .x32_max = SECCOMP_STUB_X32_BIT | 547},
	    {.audit_arch = AUDIT_ARCH_I386, .has_max = true, .max = 386},
	};
	struct sock_filter prog[SECCOMP_STUB_MAX_INSNS(2)];
	int n = seccomp_stub_build(arches, 2, prog, ARRAY_SIZE(prog));
	cr_assert_gt(n, 0);
	const uint32_t x64 = AUDIT_ARCH_X86_64, x32 = SECCOMP_STUB_X32_BIT;
	cr_assert_eq(run_stub(prog, n, x64, 334), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, x64, 435), RET_ENOSYS); /* clone3 */
	cr_assert_eq(run_stub(prog, n, x64, x32 | 500), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, x64, x32 | 548), RET_ENOSYS);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_I386, 386), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_I386, 387), RET_ENOSYS);
}

Test(seccomp, stub_x86_64_without_x32)
{
	/* x32 numbers are not x86-64's: they go to the filter untouched. */
	struct seccomp_stub_arch arches[] = {
	    {.audit_arch = AUDIT_ARCH_X86_64, .has_max = true, .max = 334},
	};
	struct sock_filter prog[SECCOMP_STUB_MAX_INSNS(1)];
	int n = seccomp_stub_build(arches, 1, prog, ARRAY_SIZE(prog));
	cr_assert_eq(
	    run_stub(prog, n, AUDIT_ARCH_X86_64, SECCOMP_STUB_X32_BIT | 1000),
	    FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_X86_64, 1000), RET_ENOSYS);
}

Test(seccomp, stub_s390x_multiplex)
{
	struct seccomp_stub_arch arches[] = {
	    {.audit_arch = AUDIT_ARCH_S390X,
	     .has_max = true,
	     .max = 400,
	     .s390_multiplex = true},
	};
	struct sock_filter prog[SECCOMP_STUB_MAX_INSNS(1)];
	int n = seccomp_stub_build(arches, 1, prog, ARRAY_SIZE(prog));
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_S390X, 0), RET_ENOSYS);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_S390X, 1), FELL_THROUGH);
	cr_assert_eq(run_stub(prog, n, AUDIT_ARCH_S390X, 401), RET_ENOSYS);
}

Test(seccomp, stub_not_needed_or_too_big)
{
	struct seccomp_stub_arch none = {.audit_arch = AUDIT_ARCH_X86_64};
	struct sock_filter prog[SECCOMP_STUB_MAX_INSNS(1)];
	cr_assert_eq(seccomp_stub_build(&none, 1, prog, ARRAY_SIZE(prog)), 0);
	struct seccomp_stub_arch one = {
	    .audit_arch = AUDIT_ARCH_X86_64, .has_max = true, .max = 1};
	cr_assert_eq(seccomp_stub_build(&one, 1, prog, 3), -E2BIG);
}

/* A short allow list: its highest number is exit_group (231 on x86-64). */
static struct oci_seccomp_syscall short_allow[] = {
    SYSCALL(OCI_SCMP_ACT_ALLOW, "exit_group", "exit", "getpid", "rt_sigreturn"),
};

static int body_enosys_above_highest(void *data)
{
	(void)data;
	CHECK(1, sys_errno(syscall(1000)) == ENOSYS);
#ifdef SYS_clone3
	CHECK(2, sys_errno(syscall(SYS_clone3, NULL, 0)) == ENOSYS);
#endif
	CHECK(3, do_uname() == EXDEV); /* known to the profile's range */
	CHECK(4, syscall(SYS_getpid) == getpid());
	return 0;
}

Test(seccomp, enosys_above_highest_syscall)
{
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .default_errno_ret = {true, EXDEV},
				 .syscalls = short_allow,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	cr_assert_gt(seccomp_plan_stub_insns(p), 0);
	cr_assert_gt(seccomp_plan_insns(p), seccomp_plan_stub_insns(p));
	expect_exit0(run_filtered(p, body_enosys_above_highest, NULL));
	seccomp_plan_free(p);
}

static int body_enosys_then_kill(void *data)
{
	(void)data;
	CHECK(1, sys_errno(syscall(1000)) == ENOSYS);
	do_uname(); /* below the highest number: killed */
	return 2;
}

Test(seccomp, enosys_under_default_kill)
{
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_KILL_PROCESS,
				 .syscalls = short_allow,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_signal(run_filtered(p, body_enosys_then_kill, NULL), SIGSYS);
	seccomp_plan_free(p);
}

Test(seccomp, no_stub_under_allowing_defaults)
{
	static const enum oci_seccomp_action allowing[] = {
	    OCI_SCMP_ACT_ALLOW, OCI_SCMP_ACT_LOG, OCI_SCMP_ACT_TRACE};
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "uname"),
	};
	for (size_t i = 0; i < ARRAY_SIZE(allowing); i++) {
		struct oci_seccomp sc = {.default_action = allowing[i],
					 .syscalls = calls,
					 .syscalls_n = 1};
		struct seccomp_plan *p = build(&sc);
		cr_assert_eq(seccomp_plan_stub_insns(p), 0, "action %d",
			     (int)allowing[i]);
		seccomp_plan_free(p);
	}
	/* The default errno is ENOSYS already: nothing to add. */
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .default_errno_ret = {true, ENOSYS},
				 .syscalls = short_allow,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	cr_assert_eq(seccomp_plan_stub_insns(p), 0);
	seccomp_plan_free(p);
	/* No syscall named: no highest number, no stub (as runc). */
	sc.default_errno_ret.set = false;
	sc.syscalls_n = 0;
	p = build(&sc);
	cr_assert_eq(seccomp_plan_stub_insns(p), 0);
	seccomp_plan_free(p);
}

#if defined(__x86_64__)
static int body_x32_enosys(void *data)
{
	(void)data;
	CHECK(1, sys_errno(syscall(1000)) == ENOSYS);
	CHECK(2, sys_errno(syscall(SECCOMP_STUB_X32_BIT | 1000)) == ENOSYS);
	CHECK(3, do_uname() == EPERM);
	return 0;
}

Test(seccomp, enosys_with_the_docker_architectures)
{
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
			  NULL};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .architectures = arches,
				 .syscalls = short_allow,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	expect_exit0(run_filtered(p, body_x32_enosys, NULL));
	seccomp_plan_free(p);
}
#endif

/* berth's child reports an error under the filter, then exits with
 * exit_now(): the status is its own even in the ASan build, under a
 * profile that denies sigaltstack (make check-sanitize). */
Test(seccomp, exit_now_under_a_filter_that_denies_sigaltstack)
{
	struct oci_seccomp_syscall calls[] = {
	    SYSCALL(OCI_SCMP_ACT_ALLOW, "exit_group", "exit", "rt_sigreturn"),
	};
	struct oci_seccomp sc = {.default_action = OCI_SCMP_ACT_ERRNO,
				 .syscalls = calls,
				 .syscalls_n = 1};
	struct seccomp_plan *p = build(&sc);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct berth_error err = {0};
		int listener = -1;
		child_prepare();
		if (seccomp_plan_load(p, &listener, &err) < 0)
			exit_now(101);
		exit_now(7);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
	seccomp_plan_free(p);
}

/* ---- the cache under the state root (seccomp_cache.h) ---- */

Test(seccomp, a_cached_filter_is_the_compiled_one)
{
	char root[] = "/tmp/berth-unit-seccomp-XXXXXX";
	cr_assert_not_null(mkdtemp(root));
	struct rt_context c = ctx;
	c.root = root;
	struct seccomp_plan *p[2] = {NULL, NULL};
	struct berth_error err = {0};
	for (int i = 0; i < 2; i++) {
		logbuf[0] = '\0';
		cr_assert_eq(
		    seccomp_plan_build(&c, &erofs_profile, &p[i], &err), 0,
		    "build %d: %s", i, err.msg);
		const char *want = i == 0 ? "compiled" : "from the cache";
		cr_assert_not_null(strstr(logbuf, want), "build %d: %s", i,
				   logbuf);
	}
	cr_assert_eq(seccomp_plan_insns(p[0]), seccomp_plan_insns(p[1]));
	cr_assert_eq(seccomp_plan_stub_insns(p[0]),
		     seccomp_plan_stub_insns(p[1]));
	expect_exit0(run_filtered(p[1], body_mkdirat_erofs, NULL));
	seccomp_plan_free(p[0]);
	seccomp_plan_free(p[1]);
	rm_tree(root);
}
