#include "runtime/process/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fdpass.h"

/* What runc sends with the master: the name its Go file was opened by. */
#define CONSOLE_SOCKET_PAYLOAD "/dev/ptmx"

int terminal_open_in_container(int *ret_master, int *ret_slave,
			       struct berth_error *err)
{
	_cleanup_close_ int master = -1;
	int unlock = 0;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berth_err(err, errno, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return berth_err(err, errno, "unlockpt /dev/ptmx");
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return berth_err(err, errno, "open pty peer (TIOCGPTPEER)");
	*ret_master = TAKE_FD(master);
	*ret_slave = slave;
	return 0;
}

/* Put @fd on @target without CLOEXEC; dup2() onto itself would keep it. */
static int fd_to(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

int terminal_setup_slave(int slave, unsigned height, unsigned width,
			 struct berth_error *err)
{
	if (height != 0 && width != 0) {
		struct winsize ws = {
		    .ws_row = height > USHRT_MAX ? USHRT_MAX : height,
		    .ws_col = width > USHRT_MAX ? USHRT_MAX : width,
		};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return berth_err(err, errno, "set terminal size");
	}
	/* EPERM: we already lead a session (then it is ours to use). */
	if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
		return berth_err(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return berth_err(err, errno, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (fd_to(slave, fd) < 0)
			return berth_err(err, errno, "dup terminal to fd %d",
					 fd);
	return 0;
}

int terminal_send_to_console_socket(const char *socket_path, int master,
				    struct berth_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = -1;

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return berth_err(err, ENAMETOOLONG, "console socket '%s'",
				 socket_path);
	strcpy(addr.sun_path, socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_err(err, errno, "console socket: socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_err(err, errno, "connect to console socket '%s'",
				 socket_path);
	int r = fd_send(sock, master, CONSOLE_SOCKET_PAYLOAD,
			strlen(CONSOLE_SOCKET_PAYLOAD));
	if (r < 0)
		return berth_err(err, r,
				 "send pty master to console socket '%s'",
				 socket_path);
	return 0;
}

/* ---- foreground relay ---- */

struct relay_buf {
	size_t off, len;
	char data[16384];
};

struct term_relay {
	int master, in, out;
	bool in_eof, master_eof;
	bool raw; /* @saved must be restored on @in */
	struct termios saved;
	struct relay_buf to_master, to_out;
};

static int tty_src(const struct term_relay *r)
{
	if (isatty(r->in))
		return r->in;
	return isatty(r->out) ? r->out : -1;
}

void term_relay_resize(struct term_relay *r)
{
	struct winsize ws;
	int src = tty_src(r);

	if (src >= 0 && ioctl(src, TIOCGWINSZ, &ws) == 0)
		ioctl(r->master, TIOCSWINSZ, &ws);
}

static int relay_make_raw(struct term_relay *r, struct berth_error *err)
{
	struct termios t;

	if (!isatty(r->in))
		return 0;
	if (tcgetattr(r->in, &r->saved) < 0)
		return berth_err(err, errno, "get terminal attributes");
	t = r->saved;
	cfmakeraw(&t);
	if (tcsetattr(r->in, TCSANOW, &t) < 0)
		return berth_err(err, errno, "set terminal raw mode");
	r->raw = true;
	return 0;
}

int term_relay_start(int master, int in_fd, int out_fd, struct term_relay **ret,
		     struct berth_error *err)
{
	struct term_relay *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return berth_err(err, ENOMEM, "terminal relay");
	r->master = master, r->in = in_fd, r->out = out_fd;

	int fl = fcntl(master, F_GETFL);
	if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0) {
		int e = errno;
		free(r);
		return berth_err(err, e, "set pty master non-blocking");
	}
	int rc = relay_make_raw(r, err);
	if (rc < 0) {
		free(r);
		return rc;
	}
	term_relay_resize(r);
	*ret = r;
	return 0;
}

void term_relay_free(struct term_relay *r)
{
	if (r == NULL)
		return;
	if (r->raw)
		tcsetattr(r->in, TCSANOW, &r->saved);
	free(r);
}

void term_relay_fds(const struct term_relay *r,
		    struct pollfd fds[TERM_RELAY_NFDS])
{
	short mev = 0;

	if (!r->master_eof && r->to_out.len == 0)
		mev |= POLLIN;
	if (!r->master_eof && r->to_master.len > 0)
		mev |= POLLOUT;
	fds[0] = (struct pollfd){.fd = mev ? r->master : -1, .events = mev};
	fds[1] = (struct pollfd){
	    .fd = !r->in_eof && r->to_master.len == 0 ? r->in : -1,
	    .events = POLLIN,
	};
	fds[2] = (struct pollfd){
	    .fd = r->to_out.len > 0 ? r->out : -1,
	    .events = POLLOUT,
	};
}

/* Fill an empty @b from @fd.  Returns 1 on data, 0 on EOF (EIO counts: a
 * pty whose other side is gone), -EAGAIN for nothing yet, -errno. */
static int buf_fill(struct relay_buf *b, int fd)
{
	ssize_t n;
	do
		n = read(fd, b->data, sizeof(b->data));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EIO ? 0 : -errno;
	b->off = 0, b->len = (size_t)n;
	return n > 0;
}

/* Write what @fd takes of @b, at most @max bytes. 0, -EAGAIN or -errno. */
static int buf_flush(struct relay_buf *b, int fd, size_t max)
{
	size_t want = b->len - b->off < max ? b->len - b->off : max;
	ssize_t n;
	do
		n = write(fd, b->data + b->off, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	b->off += (size_t)n;
	if (b->off == b->len)
		b->off = b->len = 0;
	return 0;
}

static int relay_master(struct term_relay *r, short revents,
			struct berth_error *err)
{
	int rc;

	if (revents & POLLHUP)
		r->to_master.off = r->to_master.len = 0; /* no reader left */
	if ((revents & POLLOUT) && r->to_master.len > 0) {
		rc = buf_flush(&r->to_master, r->master, SIZE_MAX);
		if (rc == -EIO)
			r->master_eof = true;
		else if (rc < 0 && rc != -EAGAIN)
			return berth_err(err, rc, "write to terminal");
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && r->to_out.len == 0 &&
	    !r->master_eof) {
		rc = buf_fill(&r->to_out, r->master);
		if (rc == 0)
			r->master_eof = true;
		else if (rc < 0 && rc != -EAGAIN)
			return berth_err(err, rc, "read from terminal");
	}
	if (r->master_eof)
		r->to_master.off = r->to_master.len = 0;
	return 0;
}

int term_relay_handle(struct term_relay *r,
		      const struct pollfd fds[TERM_RELAY_NFDS],
		      struct berth_error *err)
{
	int rc;

	if (fds[0].fd >= 0 && fds[0].revents != 0) {
		rc = relay_master(r, fds[0].revents, err);
		if (rc < 0)
			return rc;
	}
	if (fds[1].fd >= 0 && fds[1].revents != 0) {
		rc = fds[1].revents & POLLNVAL ? 0
					       : buf_fill(&r->to_master, r->in);
		if (rc == 0)
			r->in_eof = true;
		else if (rc < 0 && rc != -EAGAIN)
			return berth_err(err, rc, "read from stdin");
	}
	if (fds[2].fd >= 0 && fds[2].revents != 0) {
		rc = fds[2].revents & POLLNVAL
			 ? -EBADF
			 : buf_flush(&r->to_out, r->out, PIPE_BUF);
		if (rc < 0 && rc != -EAGAIN)
			return berth_err(err, rc, "write to stdout");
	}
	return r->master_eof && r->to_out.len == 0;
}
