/*
 * sandbox_probe: what a hostile build tries, for sandbox.bats.  Each mode
 * prints one "NAME ERRNO" line per attempt (0: it worked).
 *   syscalls         every syscall of the default profile's deny list,
 *                    with zero arguments, and unshare/clone of a new user
 *                    namespace
 *   alloc GIB        allocate and touch GIB GiB
 *   ptrace           PTRACE_ATTACH to a child, PTRACE_TRACEME
 *   connect IP PORT  a TCP connect
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct sc {
	const char *name;
	long nr;
};

#define SC(n)                                                                  \
	{                                                                      \
#n, SYS_##n                                                    \
	}
static const struct sc calls[] = {
#ifdef SYS_umount
    SC(umount),
#endif
    SC(mount),
    SC(umount2),
    SC(pivot_root),
    SC(chroot),
    SC(fsopen),
    SC(fsconfig),
    SC(fsmount),
    SC(fspick),
    SC(move_mount),
    SC(open_tree),
    SC(mount_setattr),
    SC(ptrace),
    SC(process_vm_readv),
    SC(process_vm_writev),
    SC(bpf),
    SC(keyctl),
    SC(add_key),
    SC(request_key),
    SC(perf_event_open),
    SC(userfaultfd),
    SC(kexec_load),
    SC(kexec_file_load),
    SC(init_module),
    SC(finit_module),
    SC(delete_module),
#ifdef SYS_create_module
    SC(create_module),
    SC(query_module),
    SC(get_kernel_syms),
#endif
    SC(reboot),
    SC(swapon),
    SC(swapoff),
    SC(setns),
    SC(open_by_handle_at),
    SC(name_to_handle_at),
#ifdef SYS_iopl
    SC(iopl),
    SC(ioperm),
#endif
    SC(acct),
    SC(quotactl),
    SC(lookup_dcookie),
#ifdef SYS_nfsservctl
    SC(nfsservctl),
#endif
    SC(syslog),
#ifdef SYS_uselib
    SC(uselib),
#endif
    SC(io_uring_setup),
    SC(io_uring_enter),
    SC(io_uring_register),
    SC(clone3),
};

static int try(long nr, long a0)
{
	errno = 0;
	long r = syscall(nr, a0, 0L, 0L, 0L, 0L, 0L);
	if (r == 0 && nr == SYS_clone)
		syscall(SYS_exit, 0); /* a child made after all */
	if (r > 0 && nr == SYS_clone)
		waitpid((pid_t)r, NULL, __WALL);
	return r < 0 ? errno : 0;
}

static int syscalls(void)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		printf("%s %d\n", calls[i].name, try(calls[i].nr, 0));
	printf("unshare-newuser %d\n", try(SYS_unshare, CLONE_NEWUSER));
	printf("clone-newuser %d\n", try(SYS_clone, CLONE_NEWUSER | SIGCHLD));
	printf("unshare-newns %d\n", try(SYS_unshare, CLONE_NEWNS));
	return 0;
}

static int alloc(long gib)
{
	size_t chunk = 64UL << 20;
	for (long i = 0; i < gib * 16; i++) {
		char *p = malloc(chunk);
		if (p == NULL) {
			printf("alloc %d\n", ENOMEM);
			return 1;
		}
		memset(p, 1, chunk);
	}
	printf("alloc 0\n");
	return 0;
}

static int do_ptrace(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	errno = 0;
	long r = ptrace(PTRACE_ATTACH, c, NULL, NULL);
	printf("ptrace-attach %d\n", r < 0 ? errno : 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	errno = 0;
	r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	printf("ptrace-traceme %d\n", r < 0 ? errno : 0);
	return 0;
}

static int do_connect(const char *ip, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, ip, &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a));
	printf("connect %d\n", r < 0 ? errno : 0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 2 && strcmp(argv[1], "syscalls") == 0)
		return syscalls();
	if (argc >= 3 && strcmp(argv[1], "alloc") == 0)
		return alloc(atol(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "ptrace") == 0)
		return do_ptrace();
	if (argc >= 4 && strcmp(argv[1], "connect") == 0)
		return do_connect(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: sandbox_probe syscalls|alloc GIB|ptrace|"
			"connect IP PORT\n");
	return 2;
}
