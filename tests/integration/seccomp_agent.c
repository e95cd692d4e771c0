/*
 * A one-shot seccomp agent for seccomp.bats.
 *
 *   seccomp_agent SOCKET ID ANSWER STATEFILE
 *
 * Listens on the AF_UNIX stream socket SOCKET (it appears only once it
 * accepts connections), takes one connection from the runtime, receives
 * the listener fd (SCM_RIGHTS) and the container process state (data),
 * writes the state to STATEFILE, checks it names "seccompFd" and the
 * container ID, answers ONE notification and exits 0.  ANSWER is
 * "errno:N" (the syscall fails with N) or "val:N" (it returns N without
 * running).  Any problem: a message on stderr and exit 1.  An alarm ends
 * it after 60 s so it cannot outlive a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

__attribute__((noreturn)) static int die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[sizeof(sa.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return errno = ENAMETOOLONG, die("socket path");
	strcpy(sa.sun_path, tmp);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 1) < 0 || rename(tmp, path) < 0)
		die("listen");
	return s;
}

/* One message: the state as data, the listener as SCM_RIGHTS. */
static int receive(int conn, char *buf, size_t size)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.b,
			    .msg_controllen = sizeof(cbuf.b)};
	ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		die("recvmsg");
	buf[n] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return errno = EBADMSG, die("no fd in the message");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	static char state[1 << 16];
	char want_id[512];
	if (argc != 5) {
		fprintf(stderr, "usage: %s SOCKET ID errno:N|val:N STATEFILE\n",
			argv[0]);
		return 2;
	}
	alarm(60);
	int s = listen_at(argv[1]);
	int conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	int nfd = receive(conn, state, sizeof(state));
	FILE *f = fopen(argv[4], "we");
	if (f == NULL || fputs(state, f) < 0 || fclose(f) != 0)
		die(argv[4]);
	snprintf(want_id, sizeof(want_id), "\"id\":\"%s\"", argv[2]);
	if (strstr(state, "\"fds\":[\"seccompFd\"]") == NULL ||
	    strstr(state, want_id) == NULL) {
		fprintf(stderr, "seccomp_agent: unexpected state: %s\n", state);
		return 1;
	}

	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		die("SECCOMP_IOCTL_NOTIF_RECV");
	struct seccomp_notif_resp resp = {.id = req.id};
	if (strncmp(argv[3], "errno:", 6) == 0)
		resp.error = -atoi(argv[3] + 6);
	else
		resp.val = atoll(argv[3] + 4);
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		die("SECCOMP_IOCTL_NOTIF_SEND");
	fprintf(stderr, "seccomp_agent: answered syscall %d of pid %u\n",
		req.data.nr, req.pid);
	return 0;
}
