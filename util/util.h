#pragma once
/* Small helpers shared by every module: string vectors and whole-file I/O. */
#include <dirent.h>
#include <signal.h>
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

/* Read a whole (small) file into a NUL-terminated malloc'd buffer.  For
 * the kernel's files (/proc, /sys); a file a user wrote goes through
 * read_user_file(). */
int read_file_at(int dirfd, const char *path, char **ret_buf, size_t *ret_len);

/* The most berth reads of a file a user controls (config.json, exec
 * --process, update --resources, state.json): 16 MiB (docs/security.md,
 * "Reliability"). */
#define BERTH_FILE_MAX ((size_t)16 << 20)

/* Read @path (relative to @dirfd), a file a user controls, whole: opened
 * O_RDONLY|O_NONBLOCK|O_CLOEXEC (a FIFO does not block the open) following
 * symlinks, then the opened file fstat'ed: anything but a regular file is
 * refused, and so is one larger than @max bytes.  @what names the file in
 * messages: "open config.json '/b/config.json': no such file or
 * directory", "config.json '/b/config.json': not a regular file (a
 * FIFO)", "config.json '/b/config.json': larger than 16 MiB". */
int read_user_file(int dirfd, const char *path, size_t max, const char *what,
		   char **ret_buf, size_t *ret_len, struct berth_error *err);
/* The same from an open fd of any type (stdin): at most @max bytes, else
 * "@what: larger than 16 MiB". */
int read_user_fd(int fd, size_t max, const char *what, char **ret_buf,
		 size_t *ret_len, struct berth_error *err);
/* "a FIFO", "a directory", "a character device", ... for messages. */
const char *file_type_name(mode_t mode);

/* Write @data to @path atomically: a temporary file in the same directory
 * ("<path>.tmp<random>", created O_EXCL), fsync-free (state files live on
 * tmpfs), then rename(2). */
int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode);
/* The same for @name relative to @dirfd. */
int write_file_atomic_at(int dirfd, const char *name, const char *data,
			 size_t len, mode_t mode);

/* close_range(@from, @to) — with @cloexec, CLOSE_RANGE_CLOEXEC: mark
 * instead of close — and where close_range fails (ENOSYS before Linux 5.9,
 * EINVAL for the flag before 5.11, EPERM or any errno from a seccomp
 * filter) the same done fd by fd over /proc/self/fd with close(2) or
 * fcntl(F_SETFD).  No allocation.  Returns 0 or -errno (of the walk). */
int fd_close_range(unsigned int from, unsigned int to, bool cloexec);

/* fcntl(F_ADD_SEALS, @seals) on the memfd @fd, retried while it fails
 * with EBUSY: the kernel refuses F_SEAL_WRITE while a page of the file has
 * a reference it cannot account for (a page in flight in compaction or
 * migration: it waits about 150 ms, then gives up), which on a loaded host
 * is a passing state.  Up to 6 tries, 0.3 s of pauses between them.
 * Returns 0 or -errno (-EBUSY when it stayed busy). */
int memfd_add_seals(int fd, int seals);

/* A DIR stream of the directory @fd on a close-on-exec copy of it (@fd
 * stays the caller's, and keeps its offset); NULL with errno set. */
DIR *dir_open_dup(int fd);

/* A decimal integer, all of @s: an optional '-', then digits (no spaces,
 * no '+').  -EINVAL when @s is not one, -ERANGE when it is outside
 * [@min, @max] (overflow included). */
int parse_ll(const char *s, long long min, long long max, long long *ret);

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

/* SIGPIPE blocked around writes to a pipe whose reader may be gone (a
 * hook's stdin, berth's own stderr): the write fails with EPIPE instead of
 * killing berth half-way, and a SIGPIPE the writes raised is consumed
 * before the old mask comes back (one pending before stays pending). */
struct sigpipe_guard {
	sigset_t old;
	bool was_pending;
};
void sigpipe_block(struct sigpipe_guard *g);
void sigpipe_restore(const struct sigpipe_guard *g);
