#include "runtime/sync.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "util/cleanup.h"

int sync_send(int fd, enum sync_type type, const void *payload, size_t len)
{
	if (len > SYNC_MAX_PAYLOAD)
		return -E2BIG;
	struct sync_msg hdr = {.type = type, .len = (uint32_t)len};
	struct iovec iov[2] = {
	    {.iov_base = &hdr, .iov_len = sizeof(hdr)},
	    {.iov_base = (void *)payload, .iov_len = len},
	};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return 0;
}

int sync_send_error(int fd, const struct berth_error *err)
{
	return sync_send(fd, SYNC_ERROR, err, sizeof(*err));
}

static void close_passed_fds(struct msghdr *mh, int *ret_fd)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		if (ret_fd != NULL && *ret_fd < 0)
			*ret_fd = fd;
		else
			close(fd);
	}
}

int sync_recv(int fd, struct sync_msg **ret_msg, int *ret_fd)
{
	_cleanup_free_ struct sync_msg *m =
	    malloc(sizeof(*m) + SYNC_MAX_PAYLOAD + 1);
	if (m == NULL)
		return -ENOMEM;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = m,
			    .iov_len = sizeof(*m) + SYNC_MAX_PAYLOAD};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	/* ECONNRESET: the peer closed with our message unread; it is said
	 * once, and what the peer sent before (its error) is still queued. */
	int resets = 0;
	ssize_t n;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && !resets++)));
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if (ret_fd != NULL)
		*ret_fd = -1;
	close_passed_fds(&mh, ret_fd);
	if ((size_t)n < sizeof(*m) || m->len != (size_t)n - sizeof(*m))
		return -EBADMSG;
	m->payload[m->len] = '\0';
	*ret_msg = TAKE_PTR(m);
	return 0;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg **ret_msg,
		struct berth_error *err)
{
	_cleanup_free_ struct sync_msg *m = NULL;
	int r = sync_recv(fd, &m, NULL);
	if (r == -EPIPE)
		return berth_err_msg(
		    err, EPIPE, "the container process exited during setup");
	if (r < 0)
		return berth_err(err, r, "read from the container process");
	if (m->type == SYNC_ERROR && m->len == sizeof(struct berth_error)) {
		memcpy(err, m->payload, sizeof(*err));
		err->msg[sizeof(err->msg) - 1] = '\0';
		return -(err->code ? err->code : EIO);
	}
	if (m->type != type)
		return berth_err_msg(err, EPROTO,
				     "unexpected message %u from the container "
				     "process (wanted %u)",
				     m->type, type);
	if (ret_msg != NULL)
		*ret_msg = TAKE_PTR(m);
	return 0;
}

int sync_send_fd(int fd, enum sync_type type, int passfd)
{
	struct sync_msg hdr = {.type = type, .len = 0};
	struct iovec iov = {.iov_base = &hdr, .iov_len = sizeof(hdr)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int sync_expect_empty(int fd, enum sync_type type, struct berth_error *err)
{
	struct sync_msg hdr;
	struct iovec iov = {.iov_base = &hdr, .iov_len = sizeof(hdr)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return berth_err_msg(err, EPIPE, "berth went away");
	if (n < 0)
		return berth_err(err, errno, "read from berth");
	if ((size_t)n != sizeof(hdr) || hdr.type != type || hdr.len != 0 ||
	    (mh.msg_flags & MSG_TRUNC))
		return berth_err_msg(err, EPROTO,
				     "unexpected message %u from berth "
				     "(wanted %u)",
				     hdr.type, type);
	return 0;
}

int sync_io_send_listener(void *sync_fd, int listener, struct berth_error *err)
{
	int r = sync_send_fd(*(int *)sync_fd, SYNC_SECCOMP, listener);
	return r < 0 ? berth_err(err, r, "send the seccomp listener") : 0;
}

int sync_io_before_filter(void *sync_fd, struct berth_error *err)
{
	int r = sync_send(*(int *)sync_fd, SYNC_FILTER, NULL, 0);
	return r < 0 ? berth_err(err, r, "tell berth about the filter") : 0;
}

void sync_die_with_berth(int sync_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	struct pollfd p = {.fd = sync_fd, .events = POLLRDHUP};
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP)))
		_exit(1);
}
