/*
 * seccomp_probe: what a program under the container's seccomp filter sees.
 * Built static by seccomp.bats, so it runs under profiles that leave only
 * a few syscalls.
 *
 *   seccomp_probe nr N       syscall N with zero args: "syscall N: ok" or
 *                            "syscall N: ERRNO_NAME"
 *   seccomp_probe fork       fork() (glibc: the clone syscall)
 *   seccomp_probe spawn      posix_spawn() of itself (glibc >= 2.34 tries
 *                            clone3 first, clone only after ENOSYS)
 *   seccomp_probe exit       nothing: exit 0
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {{EPERM, "EPERM"},	 {ENOSYS, "ENOSYS"}, {EFAULT, "EFAULT"},
		     {EINVAL, "EINVAL"}, {EBADF, "EBADF"},   {EXDEV, "EXDEV"},
		     {E2BIG, "E2BIG"},	 {ENOENT, "ENOENT"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return "other";
}

static int do_nr(long nr)
{
	long r = syscall(nr, 0, 0, 0, 0, 0, 0);
	if (r < 0)
		printf("syscall %ld: %s\n", nr, errno_name(errno));
	else
		printf("syscall %ld: ok\n", nr);
	return 0;
}

static int do_fork(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		printf("fork: %s\n", strerror(errno));
	else
		printf("fork: ok, child exited %d\n", WEXITSTATUS(st));
	return 0;
}

static int do_spawn(const char *self)
{
	char *argv[] = {(char *)self, "exit", NULL};
	pid_t pid;
	int r = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	int st = 0;
	if (r != 0)
		printf("posix_spawn: %s\n", strerror(r));
	else if (waitpid(pid, &st, 0) != pid)
		printf("posix_spawn: waitpid: %s\n", strerror(errno));
	else
		printf("posix_spawn: ok, child exited %d\n", WEXITSTATUS(st));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "nr") == 0)
		return do_nr(strtol(argv[2], NULL, 0));
	if (argc == 2 && strcmp(argv[1], "fork") == 0)
		return do_fork();
	if (argc == 2 && strcmp(argv[1], "spawn") == 0)
		return do_spawn(argv[0]);
	if (argc == 2 && strcmp(argv[1], "exit") == 0)
		return 0;
	fprintf(stderr, "usage: seccomp_probe nr N | fork | spawn | exit\n");
	return 2;
}
