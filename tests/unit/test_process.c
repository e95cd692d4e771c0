#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process/process.h"
#include "tests/unit/testutil.h"

TestSuite(process, .timeout = 20);

static uid_t owner(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_uid : (uid_t)-1;
}

/* fd 0 /dev/null, fd 1 a fresh pipe, fd 2 closed: the pipe becomes uid
 * 1000's (gid kept), /dev/null is left alone, a closed fd is no error. */
static int child_chown_stdio(void)
{
	struct oci_process p = {.user = {.uid = 1000, .gid = 1000}};
	struct proc_plan plan = {.proc = &p};
	int fds[2];
	CK(pipe2(fds, O_CLOEXEC) == 0);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	CK(null >= 0);
	CK(dup2(null, 0) == 0 && dup2(fds[1], 1) == 1);
	close(2);
	struct stat before;
	CK(fstat(1, &before) == 0);
	CKR(proc_chown_stdio(&plan, &e_));
	struct stat after;
	CK(fstat(1, &after) == 0);
	CK(after.st_uid == 1000 && after.st_gid == before.st_gid);
	CK(owner(0) == 0);
	return 0;
}

Test(process, chown_stdio)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(child_chown_stdio());
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
