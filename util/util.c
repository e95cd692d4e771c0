#include "util/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = calloc(n + 1, sizeof(char *));
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		r[i] = strdup(v[i]);
		if (r[i] == NULL) {
			strv_free(r);
			return NULL;
		}
	}
	return r;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	char *copy = strdup(s);
	if (copy == NULL)
		return -ENOMEM;
	char **r = realloc(*v, (n + 2) * sizeof(char *));
	if (r == NULL) {
		free(copy);
		return -ENOMEM;
	}
	r[n] = copy;
	r[n + 1] = NULL;
	*v = r;
	return 0;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

int parse_ll(const char *s, long long min, long long max, long long *ret)
{
	const char *d = s != NULL && *s == '-' ? s + 1 : s;
	if (d == NULL || !isdigit((unsigned char)*d))
		return -EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Kernel interface files want the value in one write. */
	ssize_t n = write(fd, data, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int write_str_at(int dirfd, const char *path, const char *s)
{
	return write_file_at(dirfd, path, s, strlen(s));
}

/* At most @max bytes of @fd, and one more to see whether there is more. */
static int read_capped(int fd, size_t max, char **ret_buf, size_t *ret_len);

int read_file_at(int dirfd, const char *path, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len;
	int r = read_capped(fd, SIZE_MAX / 2, ret_buf, &len);
	if (r == 0 && ret_len != NULL)
		*ret_len = len;
	return r;
}

const char *file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "of an unknown type";
	}
}

static int too_big(struct berth_error *err, const char *what, const char *path,
		   size_t max)
{
	if (path == NULL)
		return berth_err_msg(err, EFBIG, "%s: larger than %zu MiB",
				     what, max >> 20);
	return berth_err_msg(err, EFBIG, "%s '%s': larger than %zu MiB", what,
			     path, max >> 20);
}

static int read_capped(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				return -ENOMEM;
			buf = nb;
			cap *= 2;
		}
		size_t want = cap - len - 1;
		if (want > max + 1 - len)
			want = max + 1 - len;
		ssize_t n = read(fd, buf + len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int read_user_fd(int fd, size_t max, const char *what, char **ret_buf,
		 size_t *ret_len, struct berth_error *err)
{
	size_t len;
	int r = read_capped(fd, max, ret_buf, &len);
	if (r == -EFBIG)
		return too_big(err, what, NULL, max);
	if (r < 0)
		return berth_err(err, r, "read %s", what);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int read_user_file(int dirfd, const char *path, size_t max, const char *what,
		   char **ret_buf, size_t *ret_len, struct berth_error *err)
{
	_cleanup_close_ int fd =
	    openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return berth_err(err, errno, "open %s '%s'", what, path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berth_err(err, errno, "stat %s '%s'", what, path);
	if (!S_ISREG(st.st_mode))
		return berth_err_msg(err, EINVAL,
				     "%s '%s': not a regular file (%s)", what,
				     path, file_type_name(st.st_mode));
	if (st.st_size < 0 || (uintmax_t)st.st_size > max)
		return too_big(err, what, path, max);
	size_t len;
	int r = read_capped(fd, max, ret_buf, &len);
	if (r == -EFBIG)
		return too_big(err, what, path, max);
	if (r < 0)
		return berth_err(err, r, "read %s '%s'", what, path);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const char *data,
			 size_t len, mode_t mode)
{
	uint64_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp%016" PRIx64, name, rnd) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd =
	    openat(dirfd, tmp,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int write_file_atomic(const char *path, const char *data, size_t len,
		      mode_t mode)
{
	return write_file_atomic_at(AT_FDCWD, path, data, len, mode);
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},	      {"QUIT", SIGQUIT},
    {"ILL", SIGILL},   {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},   {"BUS", SIGBUS},	      {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH},   {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},	      {"SYS", SIGSYS},
};

int signal_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return -EINVAL;
	long long v;
	if (isdigit((unsigned char)*s))
		return parse_ll(s, 0, SIGRTMAX, &v) < 0 ? -EINVAL : (int)v;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	/* RTMIN+n / RTMAX-n */
	if (strncasecmp(s, "RTMIN", 5) == 0 ||
	    strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		int base = min ? SIGRTMIN : SIGRTMAX;
		const char *rest = s + 5;
		if (*rest == '\0')
			return base;
		/* "+n" after RTMIN, "-n" after RTMAX; n bounded before the
		 * sum, so no overflow. */
		long long off;
		if ((*rest != '+' && *rest != '-') ||
		    parse_ll(rest + 1, 0, SIGRTMAX, &off) < 0)
			return -EINVAL;
		v = *rest == '+' ? base + off : base - off;
		if (v < SIGRTMIN || v > SIGRTMAX)
			return -EINVAL;
		return (int)v;
	}
	return -EINVAL;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

/* The kernel's struct for rt_sigaction(2) on x86-64 and most others. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void signals_reset_all(void)
{
	struct kernel_sigaction ksa = {.handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &ksa, NULL,
				sizeof(ksa.mask));
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* One fd of the walk: close it, or set FD_CLOEXEC. */
static int fd_sweep_one(int fd, bool cloexec)
{
	if (!cloexec)
		return close(fd) < 0 && errno != EBADF ? -errno : 0;
	int flags = fcntl(fd, F_GETFD);
	if (flags < 0 || (flags & FD_CLOEXEC))
		return 0;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0 ? -errno : 0;
}

/* The fallback: every fd in [@from, @to] listed in /proc/self/fd.  The
 * listing goes by fd number, so closing while reading skips nothing. */
static int fd_sweep_proc(unsigned int from, unsigned int to, bool cloexec)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	char buf[4096] __attribute__((aligned(8)));
	int r = 0;
	long n;
	while (r == 0 &&
	       (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; r == 0 && off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			char *end = NULL;
			unsigned long fd = strtoul(d->d_name, &end, 10);
			if (d->d_name[0] < '0' || d->d_name[0] > '9' ||
			    *end != '\0' || fd < from || fd > to ||
			    fd == (unsigned long)dir)
				continue;
			r = fd_sweep_one((int)fd, cloexec);
		}
	}
	if (r == 0 && n < 0)
		r = -errno;
	close(dir);
	return r;
}

int fd_close_range(unsigned int from, unsigned int to, bool cloexec)
{
	if (from > to)
		return 0;
	if (close_range(from, to, cloexec ? CLOSE_RANGE_CLOEXEC : 0) == 0)
		return 0;
	return fd_sweep_proc(from, to, cloexec);
}

void exit_now(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

int memfd_add_seals(int fd, int seals)
{
	for (int attempt = 0;; attempt++) {
		if (fcntl(fd, F_ADD_SEALS, seals) == 0)
			return 0;
		if (errno != EBUSY || attempt == 5)
			return -errno;
		/* 10, 20, 40, 80, 160 ms: past whatever held the page. */
		usleep(10000U << attempt);
	}
}

DIR *dir_open_dup(int fd)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (d == NULL && dfd >= 0) {
		int e = errno;
		close(dfd);
		errno = e;
	}
	return d;
}

void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE) == 1;
	sigprocmask(SIG_BLOCK, &set, &g->old);
}

void sigpipe_restore(const struct sigpipe_guard *g)
{
	const struct timespec zero = {0};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!g->was_pending)
		sigtimedwait(&set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &g->old, NULL);
}
