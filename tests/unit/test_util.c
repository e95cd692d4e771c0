/* util/util: reading the files a user controls, strict integers, signals
 * (issue 10), sealing a memfd. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "util/util.h"

static char dir[] = "/tmp/berth-test-util.XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(util, .init = setup, .fini = teardown);

static char *at(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Before the fix a FIFO blocked the open forever: the test's timeout. */
Test(util, a_fifo_is_refused_without_blocking, .timeout = 5)
{
	cr_assert_eq(mkfifo(at("fifo"), 0600), 0);
	char *buf = NULL;
	struct berth_error err = {0};
	cr_assert_eq(read_user_file(AT_FDCWD, at("fifo"), BERTH_FILE_MAX,
				    "config.json", &buf, NULL, &err),
		     -EINVAL);
	cr_assert_null(buf);
	cr_assert(strstr(err.msg, "not a regular file (a FIFO)") != NULL, "%s",
		  err.msg);
}

Test(util, a_symlink_to_dev_zero_is_refused, .timeout = 5)
{
	cr_assert_eq(symlink("/dev/zero", at("zero")), 0);
	char *buf = NULL;
	struct berth_error err = {0};
	cr_assert_eq(read_user_file(AT_FDCWD, at("zero"), BERTH_FILE_MAX,
				    "config.json", &buf, NULL, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "not a regular file (a character device)"),
		  "%s", err.msg);
	cr_assert_eq(read_user_file(AT_FDCWD, dir, BERTH_FILE_MAX, "x", &buf,
				    NULL, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "(a directory)"), "%s", err.msg);
}

Test(util, a_symlink_to_a_regular_file_is_followed)
{
	int fd = open(at("real"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_eq(write_all(fd, "{}", 2), 0);
	close(fd);
	char real[256];
	snprintf(real, sizeof(real), "%s", at("real"));
	cr_assert_eq(symlink(real, at("link")), 0);
	char *buf = NULL;
	size_t len = 0;
	struct berth_error err = {0};
	cr_assert_eq(read_user_file(AT_FDCWD, at("link"), BERTH_FILE_MAX, "x",
				    &buf, &len, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(buf, "{}");
	cr_assert_eq(len, 2);
	free(buf);
}

Test(util, a_file_over_the_limit_is_refused)
{
	int fd = open(at("big"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_eq(ftruncate(fd, (off_t)BERTH_FILE_MAX + 1), 0);
	close(fd);
	char *buf = NULL;
	struct berth_error err = {0};
	cr_assert_eq(read_user_file(AT_FDCWD, at("big"), BERTH_FILE_MAX,
				    "config.json", &buf, NULL, &err),
		     -EFBIG);
	cr_assert(strstr(err.msg, "larger than 16 MiB"), "%s", err.msg);
	/* exactly the limit is fine */
	fd = open(at("big"), O_WRONLY | O_CLOEXEC);
	cr_assert_eq(ftruncate(fd, 4096), 0);
	close(fd);
	cr_assert_eq(
	    read_user_file(AT_FDCWD, at("big"), 4096, "x", &buf, NULL, &err),
	    0);
	free(buf);
	cr_assert_eq(
	    read_user_file(AT_FDCWD, at("big"), 4095, "x", &buf, NULL, &err),
	    -EFBIG);
}

/* stdin may be a pipe or /dev/zero: at most the limit is read. */
Test(util, read_user_fd_stops_at_the_limit, .timeout = 5)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	struct berth_error err = {0};
	cr_assert_eq(read_user_fd(fd, 1 << 20, "stdin", &buf, NULL, &err),
		     -EFBIG);
	cr_assert_str_eq(err.msg, "stdin: larger than 1 MiB");
	close(fd);
}

Test(util, the_error_paths_leak_no_fds)
{
	cr_assert_eq(mkfifo(at("fifo"), 0600), 0);
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		char *buf = NULL;
		struct berth_error err = {0};
		read_user_file(AT_FDCWD, at("fifo"), 10, "x", &buf, NULL, &err);
		read_user_file(AT_FDCWD, at("none"), 10, "x", &buf, NULL, &err);
		read_user_file(AT_FDCWD, "/dev/zero", 10, "x", &buf, NULL,
			       &err);
	}
	cr_assert_eq(count_fds(), before);
}

Test(util, parse_ll_rejects_overflow_and_junk)
{
	long long v = 7;
	cr_assert_eq(parse_ll("42", 0, 100, &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(parse_ll("-1", -1, 100, &v), 0);
	cr_assert_eq(v, -1);
	cr_assert_eq(parse_ll("9223372036854775807", 0, LLONG_MAX, &v), 0);
	cr_assert_eq(parse_ll("9223372036854775808", 0, LLONG_MAX, &v),
		     -ERANGE);
	cr_assert_eq(parse_ll("-9223372036854775809", LLONG_MIN, 0, &v),
		     -ERANGE);
	cr_assert_eq(parse_ll("101", 0, 100, &v), -ERANGE);
	cr_assert_eq(parse_ll("-2", -1, 100, &v), -ERANGE);
	const char *junk[] = {"", " 1", "+1", "1 ", "0x10", "1k", "-", "--1"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_expect_eq(parse_ll(junk[i], LLONG_MIN, LLONG_MAX, &v),
			     -EINVAL, "\"%s\"", junk[i]);
}

/* "RTMIN+<huge>" overflowed a signed add before the fix (UBSan). */
Test(util, signal_numbers_are_bounded)
{
	cr_assert_eq(signal_parse("9"), SIGKILL);
	cr_assert_eq(signal_parse("0"), 0);
	cr_assert_eq(signal_parse("SIGRTMIN+1"), SIGRTMIN + 1);
	cr_assert_eq(signal_parse("RTMAX-1"), SIGRTMAX - 1);
	cr_assert_eq(signal_parse("RTMIN"), SIGRTMIN);
	const char *bad[] = {"65",
			     "99999999999999999999",
			     "RTMIN+9223372036854775807",
			     "RTMAX-9223372036854775807",
			     "RTMIN+99999999999999999999",
			     "RTMIN5",
			     "RTMAX+1",
			     "RTMIN-1",
			     " 9",
			     "9x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(signal_parse(bad[i]), -EINVAL, "%s", bad[i]);
}

/* The CI failure of stop 18: F_ADD_SEALS said EBUSY once under podman.  A
 * writable shared mapping is the EBUSY we can make at will; it goes away
 * after 30 ms, as a page's passing reference does, and the seal holds. */
#define SEALS_WANTED (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

struct unmapper {
	void *map;
	size_t len;
};

static void *unmap_later(void *data)
{
	struct unmapper *u = data;
	usleep(30 * 1000);
	munmap(u->map, u->len);
	return NULL;
}

static int sealable_memfd(void **ret_map)
{
	int fd = memfd_create("berth-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 4096), 0);
	*ret_map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(*ret_map, MAP_FAILED);
	return fd;
}

Test(util, memfd_add_seals_waits_out_a_passing_ebusy, .timeout = 10)
{
	struct unmapper u = {.len = 4096};
	int fd = sealable_memfd(&u.map);
	cr_assert_eq(fcntl(fd, F_ADD_SEALS, SEALS_WANTED), -1);
	cr_assert_eq(errno, EBUSY);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, unmap_later, &u), 0);
	cr_assert_eq(memfd_add_seals(fd, SEALS_WANTED), 0);
	pthread_join(t, NULL);
	cr_assert_eq(fcntl(fd, F_GET_SEALS) & SEALS_WANTED, SEALS_WANTED);
	cr_assert_eq(write(fd, "x", 1), -1);
	cr_assert_eq(errno, EPERM);
	close(fd);
}

Test(util, memfd_add_seals_gives_up_on_a_lasting_ebusy, .timeout = 10)
{
	void *map;
	int fd = sealable_memfd(&map);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(memfd_add_seals(fd, SEALS_WANTED), -EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s =
	    (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	cr_assert_lt(s, 3.0, "gave up after %.2f s", s);
	cr_assert_eq(fcntl(fd, F_GET_SEALS) & F_SEAL_WRITE, 0);
	munmap(map, 4096);
	close(fd);
}
