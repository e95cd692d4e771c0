/* Unit tests: runtime/state.c and oci/state_json.c. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/state_json.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

static char tmpdir[64];
static char rootdir[128];
static struct rt_context ctx;

static void setup(void)
{
	strcpy(tmpdir, "/tmp/berth-test-state-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	/* Two missing levels: state_ensure_root() does mkdir -p. */
	snprintf(rootdir, sizeof(rootdir), "%s/run/berth", tmpdir);
	ctx = (struct rt_context){.root = rootdir};
}

static void teardown(void)
{
	rm_tree(tmpdir);
	struct stat st;
	cr_assert(stat(tmpdir, &st) < 0, "temp dir left behind");
}

TestSuite(state, .init = setup, .fini = teardown, .timeout = 20);

/* A state for @id with every field set. */
static struct oci_state *sample_state(const char *id)
{
	struct oci_state *s = oci_state_new();
	cr_assert_not_null(s);
	s->id = strdup(id);
	s->bundle = strdup("/srv/bundles/b \"1\"");
	s->rootfs = strdup("/srv/bundles/b \"1\"/rootfs");
	s->pid = getpid();
	cr_assert_eq(proc_start_time(getpid(), &s->pid_start), 0);
	s->created = 1700000000123456789LL;
	s->started = true;
	struct oci_kv kv[] = {{"org.example.a", "1"},
			      {"org.example.b", "ü \"x\""}};
	cr_assert_eq(oci_state_set_annotations(s, kv, 2), 0);
	s->cgroup_path = strdup("/sys/fs/cgroup/berth/c1");
	s->use_systemd = true;
	return s;
}

static void create_saved(const char *id, struct oci_state *s)
{
	struct berth_error err = {0};
	int dirfd = -1;
	int r = state_create_dir(&ctx, id, &dirfd, NULL, &err);
	cr_assert_eq(r, 0, "create %s: %s", id, err.msg);
	r = state_save(dirfd, s, &err);
	cr_assert_eq(r, 0, "save %s: %s", id, err.msg);
	close(dirfd);
}

static char *fifo_path(const char *id)
{
	char *p = NULL;
	cr_assert_eq(state_exec_fifo_path(&ctx, id, &p), 0);
	return p;
}

/* ---- ids ---- */

Test(state, validate_id)
{
	char long_ok[256], long_bad[257];
	memset(long_ok, 'a', 255);
	long_ok[255] = '\0';
	memset(long_bad, 'a', 256);
	long_bad[256] = '\0';
	const char *good[] = {"a",  "c1", "A-b_c+d.e", ".a",   "a..b",
			      "-x", "_",  "0",	       long_ok};
	const char *bad[] = {"a/b", "a b",    "a,b", "a:b", "\xc3\xbc",
			     "a\n", "#tmp-1", "a*",  "/",   "../x"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct berth_error err = {0};
		cr_expect_eq(state_validate_id(good[i], &err), 0, "%s: %s",
			     good[i], err.msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct berth_error err = {0};
		char want[64], esc[32];
		berth_escape(esc, sizeof(esc), bad[i]);
		snprintf(want, sizeof(want),
			 "invalid container id \"%s\": ", esc);
		cr_expect_eq(state_validate_id(bad[i], &err), -EINVAL, "%s",
			     bad[i]);
		cr_expect_eq(err.code, EINVAL);
		cr_expect(strncmp(err.msg, want, strlen(want)) == 0,
			  "message for %s: %s", bad[i], err.msg);
	}
	struct berth_error err = {0};
	cr_expect_eq(state_validate_id("", &err), -EINVAL);
	cr_expect_str_eq(err.msg, "invalid container id \"\": empty");
	cr_expect_eq(state_validate_id(".", &err), -EINVAL);
	cr_expect_str_eq(err.msg, "invalid container id \".\": reserved name");
	cr_expect_eq(state_validate_id("..", &err), -EINVAL);
	cr_expect_eq(state_validate_id(long_bad, &err), -EINVAL);
	cr_expect(strstr(err.msg, "longer than 255") != NULL, "%s", err.msg);
	cr_expect_eq(state_validate_id(NULL, &err), -EINVAL);
	/* Every entry point refuses a bad id before touching the disk. */
	int fd = -1;
	cr_expect_eq(state_create_dir(&ctx, "a/b", &fd, NULL, &err), -EINVAL);
	cr_expect_eq(state_lock(&ctx, "../x", &fd, &err), -EINVAL);
	cr_expect_eq(state_remove(&ctx, "..", &err), -EINVAL);
	struct stat st;
	cr_expect(stat(rootdir, &st) < 0, "root created for a bad id");
}

/* ---- save / load ---- */

Test(state, save_load_round_trip)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);

	struct stat st;
	cr_assert_eq(stat(rootdir, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	char path[256];
	snprintf(path, sizeof(path), "%s/c1", rootdir);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/c1/state.json", rootdir);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);

	struct berth_error err = {0};
	struct oci_state *l = NULL;
	cr_assert_eq(state_load(&ctx, "c1", &l, &err), 0, "%s", err.msg);
	cr_expect_str_eq(l->id, "c1");
	cr_expect_str_eq(l->bundle, s->bundle);
	cr_expect_str_eq(l->rootfs, s->rootfs);
	cr_expect_eq(l->pid, s->pid);
	cr_expect_eq(l->pid_start, s->pid_start);
	cr_expect_eq(l->created, s->created);
	cr_expect_eq(l->creating, false);
	cr_expect_eq(l->started, true);
	cr_assert_eq(l->annotations_n, 2);
	for (size_t i = 0; i < 2; i++) {
		cr_expect_str_eq(l->annotations[i].key, s->annotations[i].key);
		cr_expect_str_eq(l->annotations[i].value,
				 s->annotations[i].value);
	}
	cr_expect_str_eq(l->cgroup_path, s->cgroup_path);
	cr_expect_eq(l->use_systemd, true);
	cr_expect_null(l->owner); /* only state_load_owner() looks it up */
	cr_assert_eq(state_load_owner(&ctx, l, &err), 0, "%s", err.msg);
	struct passwd *pw = getpwuid(getuid());
	cr_assert_not_null(pw);
	cr_expect_str_eq(l->owner, pw->pw_name);

	/* Saving again replaces the file and leaves no temporary behind. */
	l->creating = true;
	l->pid = 0;
	int dirfd = -1;
	cr_assert_eq(state_open_dir(&ctx, "c1", &dirfd, &err), 0);
	cr_assert_eq(state_save(dirfd, l, &err), 0, "%s", err.msg);
	close(dirfd);
	oci_state_free(l);
	cr_assert_eq(state_load(&ctx, "c1", &l, &err), 0, "%s", err.msg);
	cr_expect_eq(l->creating, true);
	cr_expect_eq(l->pid, 0);
	snprintf(path, sizeof(path), "%s/c1", rootdir);
	DIR *d = opendir(path);
	cr_assert_not_null(d);
	int n = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		n += de->d_name[0] != '.';
	closedir(d);
	cr_expect_eq(n, 2, "expected only lock and state.json");
	oci_state_free(l);
	oci_state_free(s);
}

Test(state, minimal_state_round_trip)
{
	struct oci_state *s = oci_state_new();
	s->id = strdup("m");
	create_saved("m", s);
	struct berth_error err = {0};
	struct oci_state *l = NULL;
	cr_assert_eq(state_load(&ctx, "m", &l, &err), 0, "%s", err.msg);
	cr_expect_null(l->bundle);
	cr_expect_null(l->cgroup_path);
	cr_expect_eq(l->annotations_n, 0);
	cr_expect_eq(l->pid, 0);
	oci_state_free(l);
	oci_state_free(s);
}

Test(state, create_twice)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	char path[256];
	snprintf(path, sizeof(path), "%s/c1/state.json", rootdir);
	char *before = NULL, *after = NULL;
	cr_assert_eq(read_file_at(AT_FDCWD, path, &before, NULL), 0);

	struct berth_error err = {0};
	int dirfd = 12345, lockfd = 12345;
	cr_expect_eq(state_create_dir(&ctx, "c1", &dirfd, &lockfd, &err),
		     -EEXIST);
	cr_expect_eq(err.code, EEXIST);
	cr_expect_str_eq(err.msg, "container \"c1\" already exists");
	cr_expect_eq(dirfd, 12345, "ret_ written on failure");
	cr_expect_eq(lockfd, 12345, "ret_ written on failure");

	cr_assert_eq(read_file_at(AT_FDCWD, path, &after, NULL), 0);
	cr_expect_str_eq(before, after);
	char **ids = NULL;
	cr_assert_eq(state_list_ids(&ctx, &ids, &err), 0);
	cr_expect_eq(strv_len(ids), 1, "temporary dir left behind");
	strv_free(ids);
	free(before);
	free(after);
	oci_state_free(s);
}

Test(state, load_missing)
{
	struct berth_error err = {0};
	struct oci_state *l = (void *)1;
	cr_expect_eq(state_load(&ctx, "x", &l, &err), -ENOENT);
	cr_expect_eq(err.code, ENOENT);
	cr_expect_str_eq(err.msg, "container \"x\" does not exist");
	cr_expect_eq(l, (void *)1);

	/* A directory without state.json (create in progress) too. */
	int dirfd = -1;
	cr_assert_eq(state_create_dir(&ctx, "y", &dirfd, NULL, &err), 0);
	close(dirfd);
	cr_expect_eq(state_load(&ctx, "y", &l, &err), -ENOENT);
	cr_expect_str_eq(err.msg, "container \"y\" does not exist");
	cr_expect_eq(state_open_dir(&ctx, "z", &dirfd, &err), -ENOENT);
	cr_expect_str_eq(err.msg, "container \"z\" does not exist");
}

Test(state, load_corrupt)
{
	struct berth_error err = {0};
	int dirfd = -1;
	cr_assert_eq(state_create_dir(&ctx, "c", &dirfd, NULL, &err), 0);
	const char *cases[][2] = {
	    {"{\"id\":\"c\",\"pid\":\"1\"}",
	     "load state of \"c\": state.json is corrupt: .pid: expected "
	     "integer; delete --force removes it"},
	    {"{\"pid\":1}", "load state of \"c\": state.json is corrupt: .id: "
			    "missing; delete --force removes it"},
	    {"{\"id\":\"c\",\"pid\":-1}",
	     "load state of \"c\": state.json is corrupt: .pid: -1 out of "
	     "range; delete --force removes it"},
	    {"{\"id\":\"c\",\"annotations\":{\"a\":1}}",
	     "load state of \"c\": state.json is corrupt: "
	     ".annotations[\"a\"]: expected string; delete --force removes "
	     "it"},
	    {"{\"id\":\"c\",\"creating\":1}",
	     "load state of \"c\": state.json is corrupt: .creating: "
	     "expected boolean; delete --force removes it"},
	    {"{\"id\":\"other\"}",
	     "load state of \"c\": state.json is corrupt: it names "
	     "container \"other\"; delete --force removes it"},
	    {"[]", "load state of \"c\": state.json is corrupt: expected an "
		   "object; delete --force removes it"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int fd = openat(dirfd, "state.json",
				O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		cr_assert_geq(fd, 0);
		cr_assert_eq(write_all(fd, cases[i][0], strlen(cases[i][0])),
			     0);
		close(fd);
		struct oci_state *l = NULL;
		cr_expect_lt(state_load(&ctx, "c", &l, &err), 0);
		cr_expect_str_eq(err.msg, cases[i][1]);
		cr_expect_null(l);
	}
	close(dirfd);
	struct oci_state *l = NULL;
	cr_expect_eq(oci_state_parse("{", &l, &err), -EINVAL);
	cr_expect(strncmp(err.msg, "state.json: line 1", 18) == 0, "%s",
		  err.msg);
}

/* ---- status ---- */

static enum oci_status status_of(const struct oci_state *s)
{
	struct berth_error err = {0};
	enum oci_status st = 99;
	cr_assert_eq(state_status(&ctx, s, &st, &err), 0, "%s", err.msg);
	return st;
}

Test(state, status_names)
{
	cr_expect_str_eq(oci_status_name(OCI_STATUS_CREATING), "creating");
	cr_expect_str_eq(oci_status_name(OCI_STATUS_CREATED), "created");
	cr_expect_str_eq(oci_status_name(OCI_STATUS_RUNNING), "running");
	cr_expect_str_eq(oci_status_name(OCI_STATUS_STOPPED), "stopped");
	cr_expect_str_eq(oci_status_name(OCI_STATUS_PAUSED), "paused");
	cr_expect_str_eq(oci_status_name(42), "unknown");
}

Test(state, status_running_and_pid_reuse)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	cr_expect_eq(status_of(s), OCI_STATUS_RUNNING);
	s->pid_start += 1; /* same pid, another process: PID reuse */
	cr_expect_eq(status_of(s), OCI_STATUS_STOPPED);
	s->pid_start -= 1;
	s->pid = 0;
	cr_expect_eq(status_of(s), OCI_STATUS_STOPPED);
	oci_state_free(s);
}

Test(state, status_creating_and_created)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	s->creating = true;
	cr_expect_eq(status_of(s), OCI_STATUS_CREATING);
	s->creating = false;
	char *fifo = fifo_path("c1");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(status_of(s), OCI_STATUS_CREATED);
	unlink(fifo);
	cr_expect_eq(status_of(s), OCI_STATUS_RUNNING);
	/* A dead process is stopped whatever the flags say. */
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	s->creating = true;
	s->pid_start++;
	cr_expect_eq(status_of(s), OCI_STATUS_STOPPED);
	free(fifo);
	oci_state_free(s);
}

Test(state, status_reaped_child)
{
	struct oci_state *s = sample_state("c1");
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	s->pid = pid;
	cr_assert_eq(proc_start_time(pid, &s->pid_start), 0);
	cr_expect_eq(status_of(s), OCI_STATUS_RUNNING);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_expect_eq(status_of(s), OCI_STATUS_STOPPED);
	uint64_t t;
	cr_expect_eq(proc_start_time(pid, &t), -ENOENT);
	oci_state_free(s);
}

Test(state, status_zombie)
{
	struct oci_state *s = sample_state("c1");
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(3);
	s->pid = pid;
	siginfo_t si;
	/* Wait for the exit but leave the child a zombie. */
	cr_assert_eq(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	cr_assert_eq(proc_start_time(pid, &s->pid_start), 0);
	cr_expect_eq(status_of(s), OCI_STATUS_STOPPED);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	oci_state_free(s);
}

Test(state, proc_start_time_odd_comm)
{
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_NAME, "a) b) (c 7 8");
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	uint64_t self = 0, before = 0, after = 0;
	cr_assert_eq(proc_start_time(getpid(), &self), 0);
	char c;
	cr_assert_eq(read(p[0], &c, 1), 1);
	cr_assert_eq(proc_start_time(pid, &after), 0);
	char path[64], comm[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	cr_expect_str_eq(comm, "a) b) (c 7 8\n");
	/* Independently: field 22 counted from the last ')'. */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	char *stat = NULL;
	cr_assert_eq(read_file_at(AT_FDCWD, path, &stat, NULL), 0);
	char *q = strrchr(stat, ')') + 2;
	for (int i = 3; i < 22; i++)
		q = strchr(q, ' ') + 1;
	before = strtoull(q, NULL, 10);
	cr_expect_eq(after, before);
	cr_expect_geq(after, self);
	cr_expect_eq(proc_start_time(0, &after), -ESRCH);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(stat);
	close(p[0]);
	close(p[1]);
}

/* ---- list / remove ---- */

Test(state, list_ids_sorted)
{
	struct berth_error err = {0};
	char **ids = NULL;
	/* Missing root: an empty list. */
	cr_assert_eq(state_list_ids(&ctx, &ids, &err), 0, "%s", err.msg);
	cr_assert_not_null(ids);
	cr_expect_eq(strv_len(ids), 0);
	strv_free(ids);

	const char *names[] = {"zeta", "Alpha", "beta", "a.1", "a-0"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int fd = -1;
		cr_assert_eq(state_create_dir(&ctx, names[i], &fd, NULL, &err),
			     0);
		close(fd);
	}
	/* Not containers: a file, leftovers of create/delete. */
	char path[256];
	snprintf(path, sizeof(path), "%s/afile", rootdir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s/#del-0123", rootdir);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(state_list_ids(&ctx, &ids, &err), 0, "%s", err.msg);
	const char *want[] = {"Alpha", "a-0", "a.1", "beta", "zeta"};
	cr_assert_eq(strv_len(ids), ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		cr_expect_str_eq(ids[i], want[i]);
	strv_free(ids);
}

Test(state, remove)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	char *fifo = fifo_path("c1");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/c1/sub", rootdir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	strcat(sub, "/f");
	close(open(sub, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));

	struct berth_error err = {0};
	int lockfd = -1;
	cr_assert_eq(state_lock(&ctx, "c1", &lockfd, &err), 0, "%s", err.msg);
	cr_assert_eq(state_remove(&ctx, "c1", &err), 0, "%s", err.msg);
	close(lockfd);

	DIR *d = opendir(rootdir);
	cr_assert_not_null(d);
	int n = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		n++;
	closedir(d);
	cr_expect_eq(n, 2, "root not empty after remove");
	struct oci_state *l = NULL;
	cr_expect_eq(state_load(&ctx, "c1", &l, &err), -ENOENT);
	cr_expect_eq(state_remove(&ctx, "c1", &err), -ENOENT);
	cr_expect_str_eq(err.msg, "container \"c1\" does not exist");
	cr_expect_eq(state_lock(&ctx, "c1", &lockfd, &err), -ENOENT);
	cr_expect_str_eq(err.msg, "container \"c1\" does not exist");
	/* The id is free again. */
	create_saved("c1", s);
	free(fifo);
	oci_state_free(s);
}

/* ---- locking ---- */

static char *lock_path(const char *id)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s/lock", rootdir, id) > 0);
	return p;
}

/* In a child: try LOCK_NB on @path; exit 0 if it would block, 1 if
 * acquired, 2 on other errors. */
static int child_try_lock(const char *path)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(2);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			_exit(1);
		_exit(errno == EWOULDBLOCK ? 0 : 2);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(state, lock_excludes_other_process)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	char *path = lock_path("c1");
	struct berth_error err = {0};
	int lockfd = -1;
	cr_assert_eq(state_lock(&ctx, "c1", &lockfd, &err), 0, "%s", err.msg);
	cr_expect_eq(child_try_lock(path), 0, "lock not held");
	close(lockfd);
	cr_expect_eq(child_try_lock(path), 1, "lock not released");

	/* state_create_dir() hands back the lock already held. */
	int dirfd = -1;
	cr_assert_eq(state_create_dir(&ctx, "c2", &dirfd, &lockfd, &err), 0);
	char *path2 = lock_path("c2");
	cr_expect_eq(child_try_lock(path2), 0, "new container not locked");
	close(lockfd);
	close(dirfd);
	cr_expect_eq(child_try_lock(path2), 1);
	free(path);
	free(path2);
	oci_state_free(s);
}

/* Fork a child that blocks in state_lock(); it writes its result (the
 * return value, then the message) to a pipe.  Returns the read end.
 * @held is the parent's lock fd: flock locks belong to the open file
 * description, which fork shares, so the child must close its copy. */
static int child_state_lock(const char *id, int held, pid_t *ret_pid)
{
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(held);
		struct berth_error err = {0};
		int fd = -1;
		int r = state_lock(&ctx, id, &fd, &err);
		char buf[BERTH_ERROR_MAX + 16];
		int n = snprintf(buf, sizeof(buf), "%d %s", r, err.msg);
		_exit(write(p[1], buf, (size_t)n) == n ? 0 : 1);
	}
	close(p[1]);
	*ret_pid = pid;
	return p[0];
}

static void finish_child(int rfd, pid_t pid, char *buf, size_t size)
{
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ssize_t n = read(rfd, buf, size - 1);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	close(rfd);
}

static bool child_done(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		siginfo_t si = {0};
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return true;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

Test(state, lock_waiter_blocks_until_release)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	struct berth_error err = {0};
	int lockfd = -1;
	cr_assert_eq(state_lock(&ctx, "c1", &lockfd, &err), 0);
	pid_t pid;
	int rfd = child_state_lock("c1", lockfd, &pid);
	cr_expect_not(child_done(pid, 300), "waiter did not block");
	close(lockfd);
	char buf[BERTH_ERROR_MAX + 16];
	finish_child(rfd, pid, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0 ");
	oci_state_free(s);
}

Test(state, lock_waiter_sees_delete)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	struct berth_error err = {0};
	int lockfd = -1;
	cr_assert_eq(state_lock(&ctx, "c1", &lockfd, &err), 0);
	pid_t pid;
	int rfd = child_state_lock("c1", lockfd, &pid);
	cr_expect_not(child_done(pid, 200), "waiter did not block");
	cr_assert_eq(state_remove(&ctx, "c1", &err), 0, "%s", err.msg);
	close(lockfd);
	char buf[BERTH_ERROR_MAX + 16];
	finish_child(rfd, pid, buf, sizeof(buf));
	char want[128];
	snprintf(want, sizeof(want), "%d container \"c1\" does not exist",
		 -ENOENT);
	cr_expect_str_eq(buf, want);
	oci_state_free(s);
}

Test(state, lock_waiter_sees_recreated)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	struct berth_error err = {0};
	int lockfd = -1;
	cr_assert_eq(state_lock(&ctx, "c1", &lockfd, &err), 0);
	pid_t pid;
	int rfd = child_state_lock("c1", lockfd, &pid);
	cr_expect_not(child_done(pid, 200), "waiter did not block");
	cr_assert_eq(state_remove(&ctx, "c1", &err), 0, "%s", err.msg);
	int dirfd = -1, lock2 = -1;
	cr_assert_eq(state_create_dir(&ctx, "c1", &dirfd, &lock2, &err), 0);
	close(lockfd);
	/* The waiter moved on to the new container's lock and waits again. */
	cr_expect_not(child_done(pid, 200), "waiter took a stale lock");
	close(lock2);
	close(dirfd);
	char buf[BERTH_ERROR_MAX + 16];
	finish_child(rfd, pid, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0 ");
	oci_state_free(s);
}

/* ---- JSON forms ---- */

static json_t *parse(const char *s)
{
	json_error_t jerr;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	cr_assert_not_null(j, "%s: %s", s, jerr.text);
	return j;
}

static void expect_keys(json_t *o, const char *const *keys, size_t n)
{
	cr_expect_eq(json_object_size(o), n, "%zu keys, want %zu",
		     json_object_size(o), n);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		(void)v;
		if (i < n)
			cr_expect_str_eq(k, keys[i], "key %zu", i);
		i++;
	}
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_string(v), "%s not a string", key);
	return json_string_value(v);
}

Test(state, runc_state_json)
{
	struct oci_state *s = sample_state("c1");
	s->owner = strdup("root");
	struct berth_error err = {0};
	char *out = NULL;
	cr_assert_eq(oci_state_to_json(s, OCI_STATUS_RUNNING, true, &out, &err),
		     0, "%s", err.msg);
	cr_expect(strncmp(out,
			  "{\n  \"ociVersion\": \"1.3.0\",\n  \"id\": "
			  "\"c1\",\n",
			  38) == 0,
		  "not runc-style indented: %s", out);
	cr_expect_neq(out[strlen(out) - 1], '\n');
	json_t *j = parse(out);
	const char *keys[] = {"ociVersion", "id",	   "pid",
			      "status",	    "bundle",	   "rootfs",
			      "created",    "annotations", "owner"};
	expect_keys(j, keys, ARRAY_SIZE(keys));
	cr_expect_str_eq(jstr(j, "ociVersion"), "1.3.0");
	cr_expect_str_eq(jstr(j, "id"), "c1");
	cr_expect_eq(json_integer_value(json_object_get(j, "pid")), getpid());
	cr_expect_str_eq(jstr(j, "status"), "running");
	cr_expect_str_eq(jstr(j, "bundle"), s->bundle);
	cr_expect_str_eq(jstr(j, "rootfs"), s->rootfs);
	cr_expect_str_eq(jstr(j, "created"), "2023-11-14T22:13:20.123456789Z");
	cr_expect_str_eq(jstr(j, "owner"), "root");
	json_t *ann = json_object_get(j, "annotations");
	cr_expect_eq(json_object_size(ann), 2);
	cr_expect_str_eq(jstr(ann, "org.example.b"), "ü \"x\"");
	json_decref(j);
	free(out);

	/* Stopped: pid 0, as runc; no annotations: key omitted. */
	struct oci_state *m = oci_state_new();
	m->id = strdup("m");
	m->pid = 77;
	cr_assert_eq(
	    oci_state_to_json(m, OCI_STATUS_STOPPED, false, &out, &err), 0);
	cr_expect_str_eq(out, "{\"ociVersion\":\"1.3.0\",\"id\":\"m\","
			      "\"pid\":0,\"status\":\"stopped\",\"bundle\":"
			      "\"\",\"rootfs\":\"\",\"created\":"
			      "\"1970-01-01T00:00:00Z\",\"owner\":\"\"}");
	free(out);
	oci_state_free(m);
	oci_state_free(s);
}

Test(state, hook_state_json)
{
	struct oci_state *s = sample_state("c1");
	struct berth_error err = {0};
	char *out = NULL;
	cr_assert_eq(oci_state_hook_json(s, OCI_STATUS_CREATED, &out, &err), 0);
	cr_expect_null(strchr(out, '\n'));
	json_t *j = parse(out);
	const char *keys[] = {"ociVersion", "id",     "status",
			      "pid",	    "bundle", "annotations"};
	expect_keys(j, keys, ARRAY_SIZE(keys));
	cr_expect_str_eq(jstr(j, "status"), "created");
	cr_expect_eq(json_integer_value(json_object_get(j, "pid")), getpid());
	cr_expect_str_eq(jstr(j, "bundle"), s->bundle);
	cr_expect_str_eq(
	    jstr(json_object_get(j, "annotations"), "org.example.a"), "1");
	json_decref(j);
	free(out);

	oci_state_set_annotations(s, NULL, 0);
	cr_assert_eq(oci_state_hook_json(s, OCI_STATUS_STOPPED, &out, &err), 0);
	j = parse(out);
	const char *keys2[] = {"ociVersion", "id", "status", "bundle"};
	expect_keys(j, keys2, ARRAY_SIZE(keys2));
	cr_expect_str_eq(jstr(j, "status"), "stopped");
	json_decref(j);
	free(out);
	oci_state_free(s);
}

Test(state, json_bad_utf8)
{
	struct oci_state *s = sample_state("c1");
	free(s->bundle);
	s->bundle = strdup("/srv/\xff");
	struct berth_error err = {0};
	char *out = NULL;
	cr_expect_eq(oci_state_to_json(s, OCI_STATUS_RUNNING, true, &out, &err),
		     -EINVAL);
	cr_expect(strncmp(err.msg, "encode state: ", 14) == 0, "%s", err.msg);
	cr_expect_eq(oci_state_hook_json(s, OCI_STATUS_RUNNING, &out, &err),
		     -EINVAL);
	cr_expect_eq(oci_state_serialize(s, &out, &err), -EINVAL);
	cr_expect(strncmp(err.msg, "encode state.json: ", 19) == 0, "%s",
		  err.msg);
	free(s->bundle);
	s->bundle = strdup("/ok");
	free(s->annotations[0].value);
	s->annotations[0].value = strdup("\xc3");
	cr_expect_eq(oci_state_serialize(s, &out, &err), -EINVAL);
	cr_expect_eq(oci_state_hook_json(s, OCI_STATUS_RUNNING, &out, &err),
		     -EINVAL);
	cr_expect_null(out);
	oci_state_free(s);
}

Test(state, list_json)
{
	struct berth_error err = {0};
	char *out = NULL;
	cr_assert_eq(oci_state_list_json(NULL, NULL, 0, &out, &err), 0);
	cr_expect_str_eq(out, "[]");
	free(out);

	struct oci_state *a = sample_state("a"), *b = sample_state("b");
	b->owner = strdup("root");
	const struct oci_state *states[] = {a, b};
	enum oci_status sts[] = {OCI_STATUS_CREATED, OCI_STATUS_STOPPED};
	cr_assert_eq(oci_state_list_json(states, sts, 2, &out, &err), 0);
	json_t *j = parse(out);
	cr_assert(json_is_array(j));
	cr_assert_eq(json_array_size(j), 2);
	json_t *o = json_array_get(j, 0);
	cr_expect_str_eq(jstr(o, "id"), "a");
	cr_expect_str_eq(jstr(o, "status"), "created");
	cr_expect_eq(json_integer_value(json_object_get(o, "pid")), getpid());
	cr_expect_str_eq(jstr(o, "owner"), "");
	o = json_array_get(j, 1);
	cr_expect_str_eq(jstr(o, "id"), "b");
	cr_expect_str_eq(jstr(o, "status"), "stopped");
	cr_expect_eq(json_integer_value(json_object_get(o, "pid")), 0);
	cr_expect_str_eq(jstr(o, "owner"), "root");
	json_decref(j);
	free(out);
	oci_state_free(a);
	oci_state_free(b);
}

Test(state, rfc3339nano)
{
	char buf[64];
	struct {
		int64_t ns;
		const char *want;
	} cases[] = {
	    {0, "1970-01-01T00:00:00Z"},
	    {1500000000, "1970-01-01T00:00:01.5Z"},
	    {1700000000123456789LL, "2023-11-14T22:13:20.123456789Z"},
	    {1700000000000000100LL, "2023-11-14T22:13:20.0000001Z"},
	    {-1, "1969-12-31T23:59:59.999999999Z"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_assert_eq(
		    oci_format_rfc3339nano(cases[i].ns, buf, sizeof(buf)), 0);
		cr_expect_str_eq(buf, cases[i].want);
	}
	cr_expect_lt(oci_format_rfc3339nano(0, buf, 8), 0);
}

/* ---- fd leaks ---- */

static void error_paths_once(void)
{
	struct berth_error err = {0};
	struct oci_state *l = NULL;
	int fd = -1;
	char **ids = NULL;
	enum oci_status st;
	cr_assert_eq(state_load(&ctx, "missing", &l, &err), -ENOENT);
	cr_assert_eq(state_load(&ctx, "bad", &l, &err), -EBADMSG);
	cr_assert_eq(state_create_dir(&ctx, "c1", &fd, &fd, &err), -EEXIST);
	cr_assert_eq(state_lock(&ctx, "missing", &fd, &err), -ENOENT);
	cr_assert_eq(state_open_dir(&ctx, "missing", &fd, &err), -ENOENT);
	cr_assert_eq(state_remove(&ctx, "missing", &err), -ENOENT);
	cr_assert_eq(state_validate_id("a/b", &err), -EINVAL);
	cr_assert_eq(oci_state_parse("{\"id\":1}", &l, &err), -EINVAL);
	cr_assert_eq(state_list_ids(&ctx, &ids, &err), 0);
	strv_free(ids);
	struct oci_state dead = {.id = "c1", .pid = 1, .pid_start = 1};
	cr_assert_eq(state_status(&ctx, &dead, &st, &err), 0);
	/* And the success paths, which open and close the most. */
	cr_assert_eq(state_create_dir(&ctx, "tmp", &fd, NULL, &err), 0);
	close(fd);
	cr_assert_eq(state_lock(&ctx, "tmp", &fd, &err), 0);
	cr_assert_eq(state_remove(&ctx, "tmp", &err), 0);
	close(fd);
}

Test(state, no_fd_leaks)
{
	struct oci_state *s = sample_state("c1");
	create_saved("c1", s);
	struct berth_error err = {0};
	int dirfd = -1;
	cr_assert_eq(state_create_dir(&ctx, "bad", &dirfd, NULL, &err), 0);
	int fd = openat(dirfd, "state.json",
			O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_eq(write_all(fd, "{\"id\":2}", 8), 0);
	close(fd);
	close(dirfd);
	error_paths_once(); /* warm up lazily opened libc fds (NSS) */
	int before = count_fds();
	for (int i = 0; i < 100; i++)
		error_paths_once();
	cr_expect_eq(count_fds(), before, "fds leaked");
	oci_state_free(s);
}
