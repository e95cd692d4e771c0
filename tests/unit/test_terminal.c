#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/process/terminal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "tests/unit/testutil.h"

TestSuite(terminal, .timeout = 20);

static bool cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && (fl & FD_CLOEXEC);
}

static int pty_number(int master)
{
	int n = -1;
	cr_assert_eq(ioctl(master, TIOCGPTN, &n), 0);
	return n;
}

static void open_pair(int *master, int *slave)
{
	struct berth_error err = {0};
	cr_assert_eq(terminal_open_in_container(master, slave, &err), 0, "%s",
		     err.msg);
}

Test(terminal, open_pair)
{
	_cleanup_close_ int master = -1, slave = -1;
	open_pair(&master, &slave);
	cr_assert(isatty(master) && isatty(slave));
	cr_assert(cloexec(master) && cloexec(slave));

	char name[64], want[64];
	snprintf(want, sizeof(want), "/dev/pts/%d", pty_number(master));
	cr_assert_eq(ttyname_r(slave, name, sizeof(name)), 0);
	cr_assert_str_eq(name, want);

	/* Unlocked, both directions work. */
	cr_assert_eq(write(master, "x\n", 2), 2);
	char buf[8];
	cr_assert_eq(read(slave, buf, sizeof(buf)), 2);
}

/* Read @master until the slave side is gone (EIO) or 5s pass. */
static size_t drain(int master, char *buf, size_t size)
{
	size_t len = 0;
	for (;;) {
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t n = read(master, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* With @slave_on_0 the child first moves the slave to fd 0 (close-on-exec)
 * to check that it survives into the exec'd program. */
static pid_t spawn_on_slave_fd(int master, int slave, unsigned h, unsigned w,
			       const char *script, bool slave_on_0)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct berth_error err;
		close(master);
		if (slave_on_0) {
			close(0);
			if (fcntl(slave, F_DUPFD_CLOEXEC, 0) != 0)
				_exit(125);
			close(slave);
			slave = 0;
		}
		if (terminal_setup_slave(slave, h, w, &err) < 0) {
			dprintf(2, "setup: %s\n", err.msg);
			_exit(126);
		}
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(slave);
	return pid;
}

static pid_t spawn_on_slave(int master, int slave, unsigned h, unsigned w,
			    const char *script)
{
	return spawn_on_slave_fd(master, slave, h, w, script, false);
}

static void assert_exit0(pid_t pid)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x",
		  status);
}

Test(terminal, setup_slave_controlling_tty_and_size)
{
	_cleanup_close_ int master = -1;
	int slave;
	open_pair(&master, &slave);
	char want_tty[64], out[4096];
	snprintf(want_tty, sizeof(want_tty), "/dev/pts/%d\r\n",
		 pty_number(master));

	pid_t pid = spawn_on_slave(master, slave, 40, 132, "tty; stty size");
	drain(master, out, sizeof(out));
	assert_exit0(pid);
	cr_assert_not_null(strstr(out, want_tty), "output: %s", out);
	cr_assert_not_null(strstr(out, "\r\n40 132\r\n"), "output: %s", out);
}

Test(terminal, setup_slave_is_controlling)
{
	_cleanup_close_ int master = -1;
	int slave;
	open_pair(&master, &slave);
	char out[4096];

	/* /dev/tty opens only with a controlling terminal. */
	pid_t pid = spawn_on_slave(master, slave, 0, 0,
				   "echo hi > /dev/tty && echo ctty-ok");
	drain(master, out, sizeof(out));
	assert_exit0(pid);
	cr_assert_not_null(strstr(out, "hi\r\nctty-ok\r\n"), "output: %s", out);
}

Test(terminal, setup_slave_already_on_fd0)
{
	_cleanup_close_ int master = -1;
	int slave;
	open_pair(&master, &slave);
	char out[4096];

	pid_t pid =
	    spawn_on_slave_fd(master, slave, 0, 0, "tty && echo fd0-ok", true);
	drain(master, out, sizeof(out));
	assert_exit0(pid);
	cr_assert_not_null(strstr(out, "fd0-ok\r\n"), "output: %s", out);
}

static void listen_at(char *dir, char *path, size_t size, int *ret_fd)
{
	strcpy(dir, "/tmp/berth-term-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, size, "%s/console.sock", dir);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	*ret_fd = fd;
}

Test(terminal, console_socket_round_trip)
{
	char dir[64], path[128], data[4096];
	_cleanup_close_ int lfd = -1, master = -1, slave = -1, conn = -1;
	_cleanup_close_ int got = -1;
	struct berth_error err = {0};
	listen_at(dir, path, sizeof(path), &lfd);
	open_pair(&master, &slave);

	cr_assert_eq(terminal_send_to_console_socket(path, master, &err), 0,
		     "%s", err.msg);
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	size_t len = 0;
	cr_assert_eq(fd_recv(conn, &got, data, sizeof(data) - 1, &len), 0);
	data[len] = '\0';
	cr_assert_str_eq(data, "/dev/ptmx");
	cr_assert(isatty(got));
	cr_assert(cloexec(got));
	cr_assert_eq(pty_number(got), pty_number(master));
	/* The runtime closed its end after the one message. */
	int extra;
	cr_assert_eq(fd_recv(conn, &extra, data, sizeof(data), NULL),
		     -ECONNRESET);

	unlink(path);
	rmdir(dir);
}

Test(terminal, console_socket_missing)
{
	_cleanup_close_ int master = -1, slave = -1;
	struct berth_error err = {0};
	open_pair(&master, &slave);

	int before = count_fds();
	for (int i = 0; i < 100; i++)
		cr_assert_eq(terminal_send_to_console_socket(
				 "/nonexistent/console.sock", master, &err),
			     -ENOENT);
	cr_assert_eq(count_fds(), before);
	cr_assert_str_eq(err.msg, "connect to console socket "
				  "'/nonexistent/console.sock': no such file "
				  "or directory");
}

Test(terminal, open_pair_no_fd_leak)
{
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		int m, s;
		open_pair(&m, &s);
		close(m);
		close(s);
	}
	cr_assert_eq(count_fds(), before);
}

static void fdpass_round_trip(int type)
{
	int sv[2], p[2];
	cr_assert_eq(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);

	cr_assert_eq(fd_send(sv[0], p[1], "hello", 5), 0);
	char buf[16] = {0};
	size_t len = 0;
	int got = -1;
	cr_assert_eq(fd_recv(sv[1], &got, buf, sizeof(buf), &len), 0);
	cr_assert_eq(len, 5);
	cr_assert_str_eq(buf, "hello");
	cr_assert(cloexec(got));
	cr_assert_eq(write(got, "via", 3), 3);
	cr_assert_eq(read(p[0], buf, sizeof(buf)), 3);
	close(got);

	/* Empty payload. */
	cr_assert_eq(fd_send(sv[0], p[0], NULL, 0), 0);
	cr_assert_eq(fd_recv(sv[1], &got, NULL, 0, &len), 0);
	cr_assert_eq(len, 0);
	struct stat a, b;
	cr_assert_eq(fstat(got, &a), 0);
	cr_assert_eq(fstat(p[0], &b), 0);
	cr_assert_eq(a.st_ino, b.st_ino);
	close(got);

	/* Data without an fd, then EOF. */
	cr_assert_eq(fd_send(sv[0], -1, "x", 1), 0);
	cr_assert_eq(fd_recv(sv[1], &got, buf, sizeof(buf), NULL), -EBADMSG);
	close(sv[0]);
	cr_assert_eq(fd_recv(sv[1], &got, buf, sizeof(buf), NULL), -ECONNRESET);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

Test(fdpass, stream)
{
	int before = count_fds();
	fdpass_round_trip(SOCK_STREAM);
	cr_assert_eq(count_fds(), before);
}

Test(fdpass, seqpacket)
{
	int before = count_fds();
	fdpass_round_trip(SOCK_SEQPACKET);
	cr_assert_eq(count_fds(), before);
}

Test(fdpass, seqpacket_truncated_closes_fd)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		     0);
	int before = count_fds();
	cr_assert_eq(fd_send(sv[0], sv[0], "toolong", 7), 0);
	char buf[3];
	int got;
	cr_assert_eq(fd_recv(sv[1], &got, buf, sizeof(buf), NULL), -EMSGSIZE);
	cr_assert_eq(count_fds(), before);
	cr_assert_eq(fd_send(sv[0], 0, "x", 1), 0);
	close(sv[1]);
	int r = fd_send(sv[0], 0, "x", 1);
	cr_assert(r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN, "%d", r);
	close(sv[0]);
}

/* Relay from pipes (our "stdin"/"stdout") to a shell on the pty. */
Test(terminal, relay_pipes)
{
	_cleanup_close_ int master = -1;
	int slave, in[2], out[2];
	open_pair(&master, &slave);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	pid_t pid = spawn_on_slave(master, slave, 0, 0,
				   "read x; sleep 0.2; echo \"got:$x\"");
	/* Stdin ends at once: the relay must keep the output coming. */
	cr_assert_eq(write(in[1], "hello\n", 6), 6);
	close(in[1]);

	struct term_relay *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(term_relay_start(master, in[0], out[1], &r, &err), 0, "%s",
		     err.msg);
	int rc = 0, rounds = 0;
	while (rc == 0 && rounds++ < 1000) {
		struct pollfd fds[TERM_RELAY_NFDS];
		term_relay_fds(r, fds);
		cr_assert_gt(poll(fds, TERM_RELAY_NFDS, 5000), 0);
		rc = term_relay_handle(r, fds, &err);
	}
	cr_assert_eq(rc, 1, "rc %d: %s", rc, err.msg);
	cr_assert_lt(rounds, 100, "busy loop? %d rounds", rounds);
	term_relay_free(r);
	assert_exit0(pid);
	close(out[1]);

	char buf[4096];
	ssize_t n = read(out[0], buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "hello\r\n"), "echo missing: %s", buf);
	cr_assert_not_null(strstr(buf, "got:hello\r\n"), "output: %s", buf);
	close(out[0]);
	close(in[0]);
}

/* A tty as our stdin: raw mode while relaying, window size copied, the
 * termios restored at the end. */
Test(terminal, relay_tty_raw_and_resize)
{
	_cleanup_close_ int master = -1, slave = -1, umaster = -1, uslave = -1;
	open_pair(&master, &slave);
	open_pair(&umaster, &uslave); /* the "user's" terminal */
	struct winsize ws = {.ws_row = 30, .ws_col = 100}, got;
	cr_assert_eq(ioctl(uslave, TIOCSWINSZ, &ws), 0);
	struct termios before, during, after;
	cr_assert_eq(tcgetattr(uslave, &before), 0);
	cr_assert(before.c_lflag & ICANON);

	struct term_relay *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(term_relay_start(master, uslave, uslave, &r, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(tcgetattr(uslave, &during), 0);
	cr_assert_not(during.c_lflag & (ICANON | ECHO));
	cr_assert_eq(ioctl(master, TIOCGWINSZ, &got), 0);
	cr_assert(got.ws_row == 30 && got.ws_col == 100);

	ws = (struct winsize){.ws_row = 50, .ws_col = 60};
	cr_assert_eq(ioctl(uslave, TIOCSWINSZ, &ws), 0);
	term_relay_resize(r);
	cr_assert_eq(ioctl(slave, TIOCGWINSZ, &got), 0);
	cr_assert(got.ws_row == 50 && got.ws_col == 60);

	term_relay_free(r);
	cr_assert_eq(tcgetattr(uslave, &after), 0);
	cr_assert_eq(after.c_lflag, before.c_lflag);
	cr_assert_eq(after.c_iflag, before.c_iflag);
	cr_assert_eq(after.c_oflag, before.c_oflag);
}
