#pragma once
/*
 * Passing file descriptors over AF_UNIX sockets (SCM_RIGHTS).
 *
 * Both functions work on SOCK_STREAM and SOCK_SEQPACKET sockets, retry on
 * EINTR and return 0 or -errno.  They never print.
 */
#include <stddef.h>

/* Send @len bytes of @data with @fd attached (one SCM_RIGHTS message).
 * @fd < 0 sends the data alone.  An empty payload (@len == 0) is sent as a
 * single NUL byte, because a stream socket cannot carry ancillary data
 * without at least one byte.  Uses MSG_NOSIGNAL: a closed peer gives -EPIPE,
 * never SIGPIPE.  On a stream socket a short send is completed; the fd
 * travels with the first byte. */
int fd_send(int sock, int fd, const void *data, size_t len);

/* Receive one message of at most @len bytes into @data (which may be NULL
 * when @len is 0) and the fd attached to it.  The fd arrives close-on-exec
 * (MSG_CMSG_CLOEXEC).  On success *@ret_fd is the new fd and *@ret_len (may
 * be NULL) the number of data bytes received.
 *
 * On a stream socket this is a single recvmsg(): it returns what has arrived
 * so far, at most @len bytes, so the two sides must agree on the size (or
 * the sender closes the connection after its one message, as with a console
 * socket).
 *
 * Errors: -ECONNRESET on EOF, -EBADMSG when no fd was attached, -EMSGSIZE
 * when the data or control part was truncated (any fd received is closed),
 * else the recvmsg() errno. */
int fd_recv(int sock, int *ret_fd, void *data, size_t len, size_t *ret_len);
