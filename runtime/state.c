/*
 * Per-container state on disk: directory, lock, state.json, status.
 * See runtime/state.h for the layout and the locking protocol.
 */
#include "runtime/state.h"

#include "cgroups/cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

#define STATE_FILE     "state.json"
#define LOCK_FILE      "lock"
#define EXEC_FIFO_FILE "exec.fifo"
/* Prefixes of names in the root that are never container ids ('#' is not
 * allowed in an id), so state_list_ids() skips them. */
#define TMP_PREFIX "#tmp-"
#define DEL_PREFIX "#del-"
/* How often state_lock() retries when the container was replaced under it. */
#define LOCK_RETRIES 100
#define RM_MAX_DEPTH 16

static inline void cleanup_closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))

/* ---- ids and paths ---- */

static bool id_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
	       c == '.';
}

int state_validate_id(const char *id, struct berth_error *err)
{
	if (id == NULL || *id == '\0')
		return berth_err_msg(err, EINVAL,
				     "invalid container id \"\": empty");
	size_t len = strlen(id);
	if (len > STATE_ID_MAX)
		return berth_err_msg(
		    err, EINVAL,
		    "invalid container id \"%.32s...\": longer "
		    "than %d characters",
		    id, STATE_ID_MAX);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return berth_err_msg(err, EINVAL,
				     "invalid container id \"%s\": reserved "
				     "name",
				     id);
	for (size_t i = 0; i < len; i++)
		if (!id_char_ok(id[i]))
			return berth_err_msg(
			    err, EINVAL,
			    "invalid container id \"%s\": only letters, "
			    "digits, '_', '+', '-' and '.' are allowed",
			    id);
	return 0;
}

const char *state_root(const struct rt_context *ctx)
{
	if (ctx == NULL || ctx->root == NULL || *ctx->root == '\0')
		return STATE_DEFAULT_ROOT;
	return ctx->root;
}

int state_dir_path(const struct rt_context *ctx, const char *id,
		   char **ret_path)
{
	char *p;
	if (asprintf(&p, "%s/%s", state_root(ctx), id) < 0)
		return -ENOMEM;
	*ret_path = p;
	return 0;
}

int state_exec_fifo_path(const struct rt_context *ctx, const char *id,
			 char **ret_path)
{
	char *p;
	if (asprintf(&p, "%s/%s/" EXEC_FIFO_FILE, state_root(ctx), id) < 0)
		return -ENOMEM;
	*ret_path = p;
	return 0;
}

/* ---- the root ---- */

int state_ensure_root(const struct rt_context *ctx, struct berth_error *err)
{
	const char *root = state_root(ctx);
	_cleanup_free_ char *p = strdup(root);
	if (p == NULL)
		return berth_err(err, ENOMEM, "state root %s", root);
	/* mkdir -p: each missing component in turn, the last one included. */
	for (char *slash = p + 1;; slash++) {
		bool last = *slash == '\0';
		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return berth_err(err, errno, "create state root %s", p);
		if (last)
			break;
		*slash = '/';
	}
	struct stat st;
	if (stat(root, &st) < 0)
		return berth_err(err, errno, "state root %s", root);
	if (!S_ISDIR(st.st_mode))
		return berth_err(err, ENOTDIR, "state root %s", root);
	return 0;
}

static int open_root(const struct rt_context *ctx, int *ret_fd,
		     struct berth_error *err)
{
	int fd = open(state_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open state root %s",
				 state_root(ctx));
	*ret_fd = fd;
	return 0;
}

static int random_name(const char *prefix, char *buf, size_t size)
{
	uint64_t rnd;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -errno;
	snprintf(buf, size, "%s%016" PRIx64, prefix, rnd);
	return 0;
}

/* ---- removal ---- */

static int rm_rf_at(int parentfd, const char *name, int depth);

static int rm_dir_contents(int dirfd, int depth)
{
	_cleanup_closedir_ DIR *d = dir_open_dup(dirfd);
	if (d == NULL)
		return -errno;
	struct dirent *de;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* ENOENT: a sweep (state_sweep) removing it too. */
		if (unlinkat(dirfd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR)
			return -errno;
		int r = rm_rf_at(dirfd, de->d_name, depth + 1);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return errno != 0 ? -errno : 0;
}

/* Remove the directory @name under @parentfd and everything in it. */
static int rm_rf_at(int parentfd, const char *name, int depth)
{
	if (depth > RM_MAX_DEPTH)
		return -ELOOP;
	_cleanup_close_ int fd = openat(
	    parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = rm_dir_contents(fd, depth);
	if (r < 0)
		return r;
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* ---- create, open, lock ---- */

static int not_exist(struct berth_error *err, const char *id)
{
	return berth_err_msg(err, ENOENT, "container \"%s\" does not exist",
			     id);
}

/* Fill a fresh temporary directory under the root: the lock file, locked
 * when @ret_lockfd is wanted. */
static int prepare_tmp_dir(int rootfd, const char *tmp, int *ret_dirfd,
			   int *ret_lockfd)
{
	if (mkdirat(rootfd, tmp, 0700) < 0)
		return -errno;
	CRASH_POINT("state-create:after-mkdir"); /* no lock file yet */
	_cleanup_close_ int dirfd = openat(
	    rootfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	_cleanup_close_ int lockfd =
	    openat(dirfd, LOCK_FILE,
		   O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lockfd < 0)
		return -errno;
	if (ret_lockfd != NULL && flock(lockfd, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	*ret_dirfd = TAKE_FD(dirfd);
	if (ret_lockfd != NULL)
		*ret_lockfd = TAKE_FD(lockfd);
	return 0;
}

/* Move the temporary directory to its final name, never over another. */
static int publish_dir(int rootfd, const char *tmp, const char *id)
{
	if (renameat2(rootfd, tmp, rootfd, id, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* No RENAME_NOREPLACE here: a plain rename fails on a non-empty
	 * directory, and a container directory always holds its lock. */
	if (renameat(rootfd, tmp, rootfd, id) == 0)
		return 0;
	return errno == ENOTEMPTY ? -EEXIST : -errno;
}

/* Creates hold a shared flock on the root from before their temporary
 * directory exists until it is published or removed; a sweep that gets
 * the lock exclusively knows every temporary directory left is a dead
 * create's, even one killed before its lock file existed. */
static int lock_root_shared(int rootfd)
{
	while (flock(rootfd, LOCK_SH) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int build_and_publish(int rootfd, const char *id, int *ret_dirfd,
			     int *ret_lockfd)
{
	char tmp[64];
	int r = random_name(TMP_PREFIX, tmp, sizeof(tmp));
	if (r < 0)
		return r;
	r = prepare_tmp_dir(rootfd, tmp, ret_dirfd, ret_lockfd);
	if (r == 0) {
		CRASH_POINT("state-create:before-publish");
		r = publish_dir(rootfd, tmp, id);
	}
	if (r < 0) {
		rm_rf_at(rootfd, tmp, 0);
		if (*ret_dirfd >= 0)
			close(TAKE_FD(*ret_dirfd));
		if (ret_lockfd != NULL && *ret_lockfd >= 0)
			close(TAKE_FD(*ret_lockfd));
	}
	return r;
}

int state_create_dir(const struct rt_context *ctx, const char *id,
		     int *ret_dirfd, int *ret_lockfd, struct berth_error *err)
{
	int r = state_validate_id(id, err);
	if (r < 0)
		return r;
	r = state_ensure_root(ctx, err);
	if (r < 0)
		return r;
	_cleanup_close_ int rootfd = -1;
	r = open_root(ctx, &rootfd, err);
	if (r < 0)
		return r;
	r = lock_root_shared(rootfd);
	if (r < 0)
		return berth_err(err, r, "lock %s", state_root(ctx));
	_cleanup_close_ int dirfd = -1, lockfd = -1;
	r = build_and_publish(rootfd, id, &dirfd, ret_lockfd ? &lockfd : NULL);
	if (r == -EEXIST)
		return berth_err_msg(err, EEXIST,
				     "container \"%s\" already exists", id);
	if (r < 0)
		return berth_err(err, r, "create %s/%s", state_root(ctx), id);
	*ret_dirfd = TAKE_FD(dirfd);
	if (ret_lockfd != NULL)
		*ret_lockfd = TAKE_FD(lockfd);
	return 0;
}

int state_open_dir(const struct rt_context *ctx, const char *id, int *ret_dirfd,
		   struct berth_error *err)
{
	int r = state_validate_id(id, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = NULL;
	if (state_dir_path(ctx, id, &path) < 0)
		return berth_err(err, ENOMEM, "container \"%s\"", id);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return not_exist(err, id);
		return berth_err(err, errno, "open %s", path);
	}
	*ret_dirfd = fd;
	return 0;
}

/* Is the lock we hold on @lockfd still <root>/<id>/lock?  Not if the
 * container was deleted (or deleted and created again) while we waited. */
static int lock_is_current(const struct rt_context *ctx, const char *id,
			   int lockfd)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s/" LOCK_FILE, state_root(ctx), id) < 0)
		return -ENOMEM;
	struct stat held, now;
	if (fstat(lockfd, &held) < 0)
		return -errno;
	if (stat(path, &now) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

static int lock_once(const struct rt_context *ctx, const char *id,
		     int *ret_lockfd, struct berth_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open_dir(ctx, id, &dirfd, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd =
	    openat(dirfd, LOCK_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return not_exist(err, id);
		return berth_err(err, errno, "open lock of container \"%s\"",
				 id);
	}
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return berth_err(err, errno, "lock container \"%s\"",
					 id);
	r = lock_is_current(ctx, id, fd);
	if (r < 0)
		return berth_err(err, r, "lock container \"%s\"", id);
	if (r > 0)
		*ret_lockfd = TAKE_FD(fd);
	return r; /* 0: replaced while we waited, try again */
}

int state_lock(const struct rt_context *ctx, const char *id, int *ret_lockfd,
	       struct berth_error *err)
{
	for (int i = 0; i < LOCK_RETRIES; i++) {
		int r = lock_once(ctx, id, ret_lockfd, err);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	return berth_err_msg(err, EAGAIN,
			     "lock container \"%s\": replaced %d times while "
			     "waiting",
			     id, LOCK_RETRIES);
}

/* ---- state.json ---- */

static int write_atomic_at(int dirfd, const char *name, const char *data,
			   size_t len)
{
	char tmp[64];
	int r = random_name("." STATE_FILE ".", tmp, sizeof(tmp));
	if (r < 0)
		return r;
	_cleanup_close_ int fd =
	    openat(dirfd, tmp,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int state_save(int dirfd, const struct oci_state *s, struct berth_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r = oci_state_serialize(s, &json, err);
	if (r < 0)
		return berth_err_ctx(err, "save state of \"%s\"",
				     s->id ? s->id : "");
	r = write_atomic_at(dirfd, STATE_FILE, json, strlen(json));
	if (r < 0)
		return berth_err(err, r, "save state of \"%s\": write %s",
				 s->id ? s->id : "", STATE_FILE);
	return 0;
}

/* runc shows the user owning the state directory, "#uid" if unnamed. */
static int owner_name(int dirfd, char **ret)
{
	struct stat st;
	if (fstat(dirfd, &st) < 0)
		return -errno;
	char buf[4096];
	struct passwd pw, *res = NULL;
	char *name;
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		name = strdup(res->pw_name);
	else if (asprintf(&name, "#%u", (unsigned)st.st_uid) < 0)
		name = NULL;
	if (name == NULL)
		return -ENOMEM;
	*ret = name;
	return 0;
}

/* state.json is there but unusable (not JSON, not berth's, not a regular
 * file, too large): EBADMSG, which `delete --force` and `list` know. */
static int corrupt(struct berth_error *err, const char *id,
		   const struct berth_error *why)
{
	const char *m = why->msg;
	if (strncmp(m, STATE_FILE ": ", strlen(STATE_FILE) + 2) == 0)
		m += strlen(STATE_FILE) + 2;
	return berth_err_msg(err, EBADMSG,
			     "load state of \"%s\": " STATE_FILE
			     " is corrupt: %s; delete --force removes it",
			     id, m);
}

int state_load(const struct rt_context *ctx, const char *id,
	       struct oci_state **ret, struct berth_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open_dir(ctx, id, &dirfd, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *json = NULL;
	struct berth_error e = {0};
	r = read_user_file(dirfd, STATE_FILE, BERTH_FILE_MAX, STATE_FILE, &json,
			   NULL, &e);
	if (r == -ENOENT)
		return not_exist(err, id); /* still being created */
	if (r < 0 && r != -EINVAL && r != -EFBIG) {
		*err = e;
		return berth_err_ctx(err, "load state of \"%s\"", id);
	}
	_cleanup_oci_state_ struct oci_state *s = NULL;
	if (r == 0)
		r = oci_state_parse(json, &s, &e);
	if (r == 0 && strcmp(s->id, id) != 0)
		r = berth_err_msg(&e, EINVAL, "it names container \"%s\"",
				  s->id);
	if (r < 0)
		return corrupt(err, id, &e);
	free(s->owner);
	s->owner = NULL;
	*ret = TAKE_PTR(s);
	return 0;
}

int state_load_owner(const struct rt_context *ctx, struct oci_state *s,
		     struct berth_error *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open_dir(ctx, s->id, &dirfd, err);
	if (r < 0)
		return r;
	free(s->owner);
	s->owner = NULL;
	r = owner_name(dirfd, &s->owner);
	return r < 0 ? berth_err(err, r, "state of \"%s\": owner", s->id) : 0;
}

int state_remove(const struct rt_context *ctx, const char *id,
		 struct berth_error *err)
{
	int r = state_validate_id(id, err);
	if (r < 0)
		return r;
	_cleanup_close_ int rootfd = -1;
	r = open_root(ctx, &rootfd, err);
	if (r == -ENOENT)
		return not_exist(err, id);
	if (r < 0)
		return r;
	char gone[64];
	r = random_name(DEL_PREFIX, gone, sizeof(gone));
	if (r < 0)
		return berth_err(err, r, "remove container \"%s\"", id);
	/* Renamed away first: the id is free at once, and a crash half-way
	 * leaves garbage that is not mistaken for a container. */
	if (renameat(rootfd, id, rootfd, gone) < 0) {
		if (errno == ENOENT)
			return not_exist(err, id);
		return berth_err(err, errno, "remove container \"%s\"", id);
	}
	CRASH_POINT("state-remove:after-rename");
	r = rm_rf_at(rootfd, gone, 0);
	if (r < 0 && r != -ENOENT) /* ENOENT: a sweep removed it for us */
		return berth_err(err, r,
				 "remove container \"%s\": remove %s/%s", id,
				 state_root(ctx), gone);
	state_sweep(ctx);
	return 0;
}

void state_sweep(const struct rt_context *ctx)
{
	_cleanup_close_ int rootfd =
	    open(state_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = rootfd < 0 ? NULL : dir_open_dup(rootfd);
	if (d == NULL)
		return;
	/* No create is building a temporary directory while we hold this
	 * (see lock_root_shared); otherwise leave them to a later sweep. */
	bool creates_idle = flock(rootfd, LOCK_EX | LOCK_NB) == 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		const char *n = de->d_name;
		bool del = strncmp(n, DEL_PREFIX, strlen(DEL_PREFIX)) == 0;
		bool tmp = strncmp(n, TMP_PREFIX, strlen(TMP_PREFIX)) == 0;
		/* Another delete may be emptying it too: errors are fine. */
		if (del || (tmp && creates_idle))
			(void)rm_rf_at(rootfd, n, 0);
	}
}

/* ---- listing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_container_dir(int rootfd, const struct dirent *de)
{
	if (state_validate_id(de->d_name, NULL) < 0)
		return false;
	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	struct stat st;
	return fstatat(rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int read_ids(DIR *d, char ***ids)
{
	struct dirent *de;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!is_container_dir(dirfd(d), de))
			continue;
		if (strv_push(ids, de->d_name) < 0)
			return -ENOMEM;
	}
	return errno != 0 ? -errno : 0;
}

int state_list_ids(const struct rt_context *ctx, char ***ret_ids,
		   struct berth_error *err)
{
	_cleanup_strv_ char **ids = calloc(1, sizeof(char *));
	if (ids == NULL)
		return berth_err(err, ENOMEM, "list containers");
	int fd = open(state_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return berth_err(err, errno, "list containers in %s",
				 state_root(ctx));
	if (fd >= 0) {
		_cleanup_closedir_ DIR *d = fdopendir(fd);
		if (d == NULL) {
			int r = -errno;
			close(fd);
			return berth_err(err, r, "list containers in %s",
					 state_root(ctx));
		}
		int r = read_ids(d, &ids);
		if (r < 0)
			return berth_err(err, r, "list containers in %s",
					 state_root(ctx));
	}
	qsort(ids, strv_len(ids), sizeof(char *), cmp_str);
	*ret_ids = TAKE_PTR(ids);
	return 0;
}

/* ---- processes and status ---- */

/* Field 3 (state) and field 22 (starttime) of /proc/<pid>/stat.  comm
 * (field 2) may hold spaces and ')', so fields count from the last ')'. */
static int proc_stat_read(pid_t pid, char *ret_state, uint64_t *ret_start)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(AT_FDCWD, path, &buf, NULL);
	if (r < 0)
		return r;
	char *p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0')
		return -EBADMSG;
	char state = p[2];
	p += 2;
	/* p is at field 3; step over 19 fields to reach field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -EBADMSG;
		p++;
	}
	char *end;
	errno = 0;
	unsigned long long start = strtoull(p, &end, 10);
	if (errno != 0 || end == p || (*end != ' ' && *end != '\0'))
		return -EBADMSG;
	if (ret_state != NULL)
		*ret_state = state;
	*ret_start = start;
	return 0;
}

ino_t proc_pid_ns(pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

int proc_start_time(pid_t pid, uint64_t *ret)
{
	if (pid <= 0)
		return -ESRCH;
	return proc_stat_read(pid, NULL, ret);
}

/* Is the process @s names still the one we started, and not dead? */
static int process_alive(const struct oci_state *s, bool *ret)
{
	char st = '?';
	uint64_t start = 0;
	int r = s->pid > 0 ? proc_stat_read(s->pid, &st, &start) : -ESRCH;
	if (r == -ENOENT || r == -ESRCH) {
		*ret = false;
		return 0;
	}
	if (r < 0)
		return r;
	*ret = start == s->pid_start && st != 'Z' && st != 'X' && st != 'x';
	return 0;
}

/* A frozen cgroup means "paused". */
static int process_paused(const struct oci_state *s, bool *ret)
{
	*ret = false;
	if (s->cgroup_path == NULL || *s->cgroup_path == '\0')
		return 0;
	/* Gone with its cgroup, or unreadable: not paused. */
	if (cg_saved_is_frozen(s->cgroup_path, ret) < 0)
		*ret = false;
	return 0;
}

static int exec_fifo_exists(const struct rt_context *ctx, const char *id,
			    bool *ret)
{
	_cleanup_free_ char *path = NULL;
	if (state_exec_fifo_path(ctx, id, &path) < 0)
		return -ENOMEM;
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		*ret = true;
	else if (errno == ENOENT || errno == ENOTDIR)
		*ret = false;
	else
		return -errno;
	return 0;
}

int state_status(const struct rt_context *ctx, const struct oci_state *s,
		 enum oci_status *ret, struct berth_error *err)
{
	const char *id = s->id ? s->id : "";
	bool alive = false, paused = false, fifo = false;
	int r = process_alive(s, &alive);
	if (r < 0)
		return berth_err(err, r, "status of \"%s\": /proc/%d/stat", id,
				 (int)s->pid);
	if (!alive) {
		*ret = OCI_STATUS_STOPPED;
		return 0;
	}
	if (s->creating) {
		*ret = OCI_STATUS_CREATING;
		return 0;
	}
	r = process_paused(s, &paused);
	if (r < 0)
		return berth_err(err, r, "status of \"%s\": freezer", id);
	if (paused) {
		*ret = OCI_STATUS_PAUSED;
		return 0;
	}
	r = exec_fifo_exists(ctx, id, &fifo);
	if (r < 0)
		return berth_err(err, r, "status of \"%s\": " EXEC_FIFO_FILE,
				 id);
	*ret = fifo ? OCI_STATUS_CREATED : OCI_STATUS_RUNNING;
	return 0;
}
