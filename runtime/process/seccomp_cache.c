/*
 * The cache of compiled seccomp filters (seccomp_cache.h).  A file is
 *   header | key | BPF instructions
 * and the header's checksum covers the key and the instructions.
 */
#include "runtime/process/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/build_id.h"
#include "util/cleanup.h"
#include "util/util.h"

#define CACHE_DIR "@cache"
/* At this many entries a store empties the directory first. */
#define CACHE_MAX_ENTRIES 64

struct header {
	char magic[8];
	uint32_t key_len;
	uint16_t len, stub_len;
	uint64_t sum;
};

static const char magic[8] = "BSECC\0\1";

/* ---- the key ---- */

static void put(struct seccomp_cache_key *k, const void *p, size_t n)
{
	if (k->buf == NULL && k->cap != 0)
		return; /* an earlier allocation failed */
	if (k->len + n > k->cap) {
		size_t cap = (k->len + n) * 2 + 256;
		char *b = realloc(k->buf, cap);
		if (b == NULL) {
			free(k->buf);
			*k = (struct seccomp_cache_key){.cap = 1};
			return;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

static void put_u64(struct seccomp_cache_key *k, uint64_t v)
{
	put(k, &v, sizeof(v));
}

/* Strings end with their NUL; a list starts with its length. */
static void put_str(struct seccomp_cache_key *k, const char *s)
{
	put(k, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

static void put_strv(struct seccomp_cache_key *k, char *const *v)
{
	put_u64(k, strv_len(v));
	for (; v != NULL && *v != NULL; v++)
		put_str(k, *v);
}

static void put_syscall(struct seccomp_cache_key *k,
			const struct oci_seccomp_syscall *c)
{
	put_strv(k, c->names);
	put_u64(k, c->action);
	put_u64(k, c->errno_ret.set);
	put_u64(k, c->errno_ret.v);
	put_u64(k, c->args_n);
	for (size_t i = 0; i < c->args_n; i++) {
		put_u64(k, c->args[i].index);
		put_u64(k, c->args[i].value);
		put_u64(k, c->args[i].value_two);
		put_u64(k, c->args[i].op);
	}
}

void seccomp_cache_key_free(struct seccomp_cache_key *k)
{
	free(k->buf);
	*k = (struct seccomp_cache_key){0};
}

/* berth's build id, and libseccomp's when it is a shared object (a
 * distribution may patch its syscall tables without a new version). */
static int put_build_ids(struct seccomp_cache_key *k)
{
	const unsigned char *id = NULL;
	size_t len = 0;
	if (build_id(NULL, &id, &len) < 0)
		return -ENOENT;
	put_u64(k, len);
	put(k, id, len);
	int r = build_id("libseccomp.so", &id, &len);
	if (r == -ENOENT) /* linked in: berth's id covers it */
		return 0;
	if (r < 0)
		return r;
	put_u64(k, len);
	put(k, id, len);
	return 0;
}

/* Bump the "1" when compile() in seccomp.c changes what it emits for the
 * same input; the build id changes with it anyway. */
int seccomp_cache_key(const struct oci_seccomp *sc, struct seccomp_cache_key *k)
{
	*k = (struct seccomp_cache_key){0};
	put_str(k, "berth seccomp cache 1");
	int r = put_build_ids(k);
	if (r < 0) {
		seccomp_cache_key_free(k);
		return -ENOENT;
	}
	const struct scmp_version *v = seccomp_version();
	put_u64(k, v->major);
	put_u64(k, v->minor);
	put_u64(k, v->micro);
	put_u64(k, seccomp_api_get());
	put_u64(k, seccomp_arch_native());
	put_u64(k, sc->default_action);
	put_u64(k, sc->default_errno_ret.set);
	put_u64(k, sc->default_errno_ret.v);
	put_strv(k, sc->architectures);
	put_u64(k, sc->syscalls_n);
	for (size_t i = 0; i < sc->syscalls_n; i++)
		put_syscall(k, &sc->syscalls[i]);
	return k->buf != NULL ? 0 : -ENOMEM;
}

/* ---- files ---- */

/* FNV-1a, 64 bits: the file name and the checksum; the key itself is
 * compared whole, so this needs no strength. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV_START 0xcbf29ce484222325ULL

/* "seccomp-<hash of the key>" */
static void entry_name(const struct seccomp_cache_key *k, char name[32])
{
	snprintf(name, 32, "seccomp-%016" PRIx64,
		 fnv1a(FNV_START, k->buf, k->len));
}

static uint64_t checksum(const char *key, size_t key_len,
			 const struct sock_filter *insns, size_t len)
{
	return fnv1a(fnv1a(FNV_START, key, key_len), insns,
		     len * sizeof(*insns));
}

/* Ours, and nobody else may write it. */
static bool ours(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

/* <root>/@cache, not followed if a symlink, and only if ours; with
 * @create, made (and the state root too, as state_ensure_root would). */
static int open_cache_dir(const char *root, bool create)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/" CACHE_DIR, root) < 0)
		return -ENOMEM;
	if (create && (mkdir(root, 0700) == 0 || errno == EEXIST) &&
	    mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !ours(&st)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}
static int check_entry(const char *buf, size_t size,
		       const struct seccomp_cache_key *k,
		       struct seccomp_cache_entry *e)
{
	struct header h;
	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	const char *key = buf + sizeof(h);
	size_t want = sizeof(h) + h.key_len + (size_t)h.len * sizeof(*e->insns);
	if (memcmp(h.magic, magic, sizeof(magic)) != 0 || size != want ||
	    h.key_len != k->len || memcmp(key, k->buf, k->len) != 0)
		return -ESTALE;
	if (h.len == 0 || h.len > BPF_MAXINSNS || h.stub_len > h.len)
		return -EBADMSG;
	e->insns = malloc((size_t)h.len * sizeof(*e->insns));
	if (e->insns == NULL)
		return -ENOMEM;
	memcpy(e->insns, key + h.key_len, (size_t)h.len * sizeof(*e->insns));
	if (checksum(key, h.key_len, e->insns, h.len) != h.sum) {
		free(e->insns);
		e->insns = NULL;
		return -EBADMSG;
	}
	e->len = h.len;
	e->stub_len = h.stub_len;
	return 0;
}

int seccomp_cache_load(const char *root, const struct seccomp_cache_key *k,
		       struct seccomp_cache_entry *e)
{
	_cleanup_close_ int dirfd = open_cache_dir(root, false);
	if (dirfd < 0)
		return dirfd;
	char name[32];
	entry_name(k, name);
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !ours(&st))
		return -EPERM;
	if (st.st_size <= 0 || st.st_size > (off_t)BERTH_FILE_MAX)
		return -EBADMSG;
	_cleanup_free_ char *buf = malloc((size_t)st.st_size);
	if (buf == NULL)
		return -ENOMEM;
	ssize_t n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size)
		return n < 0 ? -errno : -EIO;
	return check_entry(buf, (size_t)n, k, e);
}

/* Keep the directory small: at CACHE_MAX_ENTRIES entries (temporary files
 * of stores under way not counted), empty it, temporary files too. */
static void trim(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		n += de->d_name[0] != '.' && strchr(de->d_name, '.') == NULL;
	rewinddir(d);
	for (struct dirent *de; n >= CACHE_MAX_ENTRIES && (de = readdir(d));)
		if (de->d_name[0] != '.')
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

int seccomp_cache_store(const char *root, const struct seccomp_cache_key *k,
			const struct seccomp_cache_entry *e)
{
	_cleanup_close_ int dirfd = open_cache_dir(root, true);
	if (dirfd < 0)
		return dirfd;
	trim(dirfd);
	struct header h = {.key_len = (uint32_t)k->len,
			   .len = e->len,
			   .stub_len = e->stub_len,
			   .sum = checksum(k->buf, k->len, e->insns, e->len)};
	memcpy(h.magic, magic, sizeof(magic));
	size_t insns = (size_t)e->len * sizeof(*e->insns);
	size_t size = sizeof(h) + k->len + insns;
	_cleanup_free_ char *buf = malloc(size);
	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), k->buf, k->len);
	memcpy(buf + sizeof(h) + k->len, e->insns, insns);
	char name[32];
	entry_name(k, name);
	return write_file_atomic_at(dirfd, name, buf, size, 0600);
}
