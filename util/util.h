#pragma once
/* Small helpers shared by every module: string vectors and whole-file I/O. */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

size_t strv_len(char *const *v);
/* Deep copy; returns NULL on ENOMEM. A NULL input gives an empty vector. */
char **strv_dup(char *const *v);
/* Append a copy of @s; returns 0 or -ENOMEM. */
int strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);

/* Write @len bytes of @data to @path relative to @dirfd (AT_FDCWD for
 * absolute paths) with O_WRONLY|O_CLOEXEC (no O_CREAT, no O_TRUNC): the way
 * to write kernel interface files under /proc and /sys. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len);
/* The same for a NUL-terminated string. */
int write_str_at(int dirfd, const char *path, const char *s);

/* Read a whole (small) file into a NUL-terminated malloc'd buffer. */
int read_file_at(int dirfd, const char *path, char **ret_buf, size_t *ret_len);

/* Write @data to @path atomically: a temporary file in the same directory,
 * fsync-free (state files live on tmpfs), then rename(2). */
int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode);

/* close_range(@from, @to) — with @cloexec, CLOSE_RANGE_CLOEXEC: mark
 * instead of close — and where close_range fails (ENOSYS before Linux 5.9,
 * EINVAL for the flag before 5.11, EPERM or any errno from a seccomp
 * filter) the same done fd by fd over /proc/self/fd with close(2) or
 * fcntl(F_SETFD).  No allocation.  Returns 0 or -errno (of the walk). */
int fd_close_range(unsigned int from, unsigned int to, bool cloexec);

/* Retry a write until all bytes are written. */
int write_all(int fd, const void *buf, size_t len);

/* Parse a signal given by name (with or without "SIG", any case) or number
 * (0 too: kill(2)'s existence check, as runc accepts).
 * Returns the signal number or -EINVAL. */
int signal_parse(const char *s);
const char *signal_name(int sig);

/* Every signal handler back to SIG_DFL — including glibc's reserved
 * real-time signals, which sigaction(3) refuses to touch but which a
 * parent may have left ignored — and an empty signal mask. For a child
 * about to exec. */
void signals_reset_all(void);

/* _exit(@status), as a call the compiler does not know to be noreturn:
 * ASan runs __asan_handle_no_return, which calls sigaltstack(2), before
 * every noreturn call, and dies when a seccomp filter denies it — so code
 * that may run under the container's filter (the child's error path)
 * exits through this, and still reports its error first. */
void exit_now(int status);
