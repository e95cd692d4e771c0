#pragma once
/*
 * The container's terminal (process.terminal: true).
 *
 * Inside the container (after devpts is mounted at /dev/pts, /dev/ptmx ->
 * pts/ptmx exists, and after pivot_root):
 *
 *	terminal_open_in_container(&master, &slave, err);
 *	terminal_send_to_console_socket(path, master, err);  (or hand master
 *							      to the parent)
 *	close(master);
 *	terminal_setup_slave(slave, height, width, err);
 *
 * In the foreground (berth run without --console-socket) the parent relays
 * between its own stdio and the master with a term_relay driven by its own
 * poll loop:
 *
 *	term_relay_start(master, 0, 1, &relay, err);
 *	for (;;) {
 *		struct pollfd fds[1 + TERM_RELAY_NFDS] = { { sigfd, POLLIN } };
 *		term_relay_fds(relay, fds + 1);
 *		poll(fds, ARRAY_SIZE(fds), -1);
 *		... SIGWINCH -> term_relay_resize(relay) ...
 *		r = term_relay_handle(relay, fds + 1, err);  1 = done
 *	}
 *	term_relay_free(relay);
 */
#include <poll.h>

#include "util/error.h"

/* Open "/dev/ptmx" (O_RDWR|O_NOCTTY|O_CLOEXEC), unlock it and open its peer
 * with ioctl(TIOCGPTPEER) (no path lookup, so it cannot be redirected).
 * Both fds are close-on-exec.  Works on the host's /dev/ptmx as well. */
int terminal_open_in_container(int *ret_master, int *ret_slave,
			       struct berth_error *err);

/* Make @slave the controlling terminal of a new session (setsid(),
 * TIOCSCTTY; already leading a session is fine) and the process's stdin,
 * stdout and stderr (without close-on-exec).  When @height and @width are
 * both non-zero the window size is set first.  @slave stays open and owned
 * by the caller; close it afterwards only if it is > 2. */
int terminal_setup_slave(int slave, unsigned height, unsigned width,
			 struct berth_error *err);

/* Connect to the AF_UNIX SOCK_STREAM socket at @socket_path and send
 * @master with SCM_RIGHTS, then close the connection.  As runc does, the
 * message's data is the master's file name, "/dev/ptmx". */
int terminal_send_to_console_socket(const char *socket_path, int master,
				    struct berth_error *err);

/* ---- foreground relay ---- */

struct term_relay;

/* The relay polls exactly this many fds, in a fixed order. */
#define TERM_RELAY_NFDS 3

/* Start relaying @in_fd -> @master and @master -> @out_fd (normally 0 and
 * 1).  @master is borrowed (the caller closes it after term_relay_free())
 * and made non-blocking; @in_fd and @out_fd keep their flags: they are only
 * read or written when poll says so.  When @in_fd is a tty its termios is
 * saved and it is put in raw mode; the window size of @in_fd (or @out_fd)
 * is copied to the master. */
int term_relay_start(int master, int in_fd, int out_fd, struct term_relay **ret,
		     struct berth_error *err);

/* Fill @fds[0..TERM_RELAY_NFDS-1] with what to poll now; unused entries
 * get fd -1 (poll ignores them).  Call it before every poll(). */
void term_relay_fds(const struct term_relay *r,
		    struct pollfd fds[TERM_RELAY_NFDS]);

/* Move bytes according to the revents in @fds (as filled by
 * term_relay_fds() and polled).  EOF on @in_fd only stops reading it (the
 * master stays open).  EOF or EIO on the master (the slave side is all
 * closed) ends the relay once the output is written out.  Returns 1 when
 * done, 0 to go on, -errno on a read/write error (@err filled). */
int term_relay_handle(struct term_relay *r,
		      const struct pollfd fds[TERM_RELAY_NFDS],
		      struct berth_error *err);

/* Copy our window size to the master again (on SIGWINCH). */
void term_relay_resize(struct term_relay *r);

/* Restore @in_fd's termios (if changed) and free; accepts NULL. */
void term_relay_free(struct term_relay *r);
