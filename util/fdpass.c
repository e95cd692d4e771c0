#include "util/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

union fd_cmsg_buf {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static ssize_t sendmsg_retry(int sock, const struct msghdr *msg)
{
	ssize_t n;
	do
		n = sendmsg(sock, msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Finish a short send on a stream socket. */
static int send_rest(int sock, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(sock, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_send(int sock, int fd, const void *data, size_t len)
{
	static const char nul = 0;
	union fd_cmsg_buf cbuf;
	struct iovec iov = {
	    .iov_base = (void *)(len > 0 ? data : &nul),
	    .iov_len = len > 0 ? len : 1,
	};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (len > 0 && data == NULL)
		return -EINVAL;
	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n = sendmsg_retry(sock, &msg);
	if (n < 0)
		return (int)n;
	if ((size_t)n < iov.iov_len)
		return send_rest(sock, (const char *)iov.iov_base + n,
				 iov.iov_len - (size_t)n);
	return 0;
}

/* Close every fd carried by @msg's SCM_RIGHTS messages; return the first
 * one (or -1) in *ret_fd and how many there were. */
static size_t collect_fds(struct msghdr *msg, int *ret_fd)
{
	size_t count = 0;
	*ret_fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (count++ == 0)
				*ret_fd = fd;
			else
				close(fd);
		}
	}
	return count;
}

int fd_recv(int sock, int *ret_fd, void *data, size_t len, size_t *ret_len)
{
	char dummy;
	union fd_cmsg_buf cbuf;
	struct iovec iov = {
	    .iov_base = len > 0 ? data : &dummy,
	    .iov_len = len > 0 ? len : 1,
	};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf.buf,
	    .msg_controllen = sizeof(cbuf.buf),
	};
	ssize_t n;

	if (len > 0 && data == NULL)
		return -EINVAL;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	int fd;
	size_t nfds = collect_fds(&msg, &fd);
	int r = 0;
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || nfds > 1)
		r = -EMSGSIZE;
	else if (n == 0 && nfds == 0)
		r = -ECONNRESET;
	else if (nfds == 0)
		r = -EBADMSG;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	*ret_fd = fd;
	if (ret_len != NULL)
		*ret_len = len > 0 ? (size_t)n : 0;
	return 0;
}
