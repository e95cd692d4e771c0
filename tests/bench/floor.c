/*
 * floor: the least a runtime must do to run a container, as the benchmark's
 * lower bound.  floor ROOTFS CMD [ARGS...]: clone into new mount, pid, ipc,
 * uts, network and cgroup namespaces, bind-mount ROOTFS on itself, mount
 * /proc, pivot_root, exec CMD, wait for it and exit with its status.
 * Nothing else: no config, no cgroup, no devices, no state, no security.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS                                                               \
	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |            \
	 CLONE_NEWNET | CLONE_NEWCGROUP)

static int die(const char *what)
{
	perror(what);
	_exit(127);
}

static void child(const char *rootfs, char **argv)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind rootfs");
	if (chdir(rootfs) < 0)
		die("chdir rootfs");
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die("mount /proc");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		die("detach the old root");
	if (chdir("/") < 0)
		die("chdir /");
	execv(argv[0], argv);
	die("exec");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: floor ROOTFS CMD [ARGS...]\n");
		return 2;
	}
	pid_t pid = (pid_t)syscall(SYS_clone, NS_FLAGS | SIGCHLD, NULL);
	if (pid < 0)
		die("clone");
	if (pid == 0)
		child(argv[1], argv + 2);
	int status;
	if (waitpid(pid, &status, 0) < 0)
		die("wait");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
