/*
 * runtime/process/seccomp_cache.c: keys, and what a load accepts.  An
 * entry is stored, then the file is changed the ways a crash, a stale
 * build or a careless admin would change it; each must be a miss.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/process/seccomp_cache.h"
#include "util/cleanup.h"
#include "tests/unit/testutil.h"

TestSuite(seccomp_cache, .timeout = 30);

#define SYSCALL(act, ...)                                                      \
	{                                                                      \
		.names = (char *[]){__VA_ARGS__, NULL}, .action = (act)        \
	}

static char root[] = "/tmp/berth-unit-sccache-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
	rm_tree(root);
}

static struct sock_filter insns[] = {
    {0x20, 0, 0, 4}, {0x15, 0, 1, 0xc000003e}, {0x06, 0, 0, 0x7fff0000}};

static struct seccomp_cache_entry entry = {insns, 3, 1};

static struct seccomp_cache_key key_of(const struct oci_seccomp *sc)
{
	struct seccomp_cache_key k = {0};
	cr_assert_eq(seccomp_cache_key(sc, &k), 0, "key (no build id?)");
	return k;
}

static struct oci_seccomp_syscall calls[] = {
    SYSCALL(OCI_SCMP_ACT_ERRNO, "mkdirat", "mkdir"),
};
static struct oci_seccomp profile = {
    .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = calls, .syscalls_n = 1};

static bool same_key(const struct seccomp_cache_key *a,
		     const struct seccomp_cache_key *b)
{
	return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

Test(seccomp_cache, key_covers_what_shapes_the_filter)
{
	struct seccomp_cache_key a = key_of(&profile), b = key_of(&profile);
	cr_assert(same_key(&a, &b), "the same profile, another key");
	seccomp_cache_key_free(&b);

	struct oci_seccomp_syscall other[] = {
	    SYSCALL(OCI_SCMP_ACT_ERRNO, "mkdirat", "mkdir"),
	};
	struct oci_seccomp sc = profile;
	sc.syscalls = other;
	other[0].errno_ret = (struct oci_opt_u64){true, EROFS};
	b = key_of(&sc);
	cr_assert_not(same_key(&a, &b), "errnoRet not in the key");
	seccomp_cache_key_free(&b);

	other[0].errno_ret = (struct oci_opt_u64){0};
	other[0].names[1] = "rmdir";
	b = key_of(&sc);
	cr_assert_not(same_key(&a, &b), "a name not in the key");
	seccomp_cache_key_free(&b);

	other[0].names[1] = "mkdir";
	struct oci_seccomp_arg arg = {.index = 1, .value = 2};
	other[0].args = &arg;
	other[0].args_n = 1;
	b = key_of(&sc);
	cr_assert_not(same_key(&a, &b), "args not in the key");
	seccomp_cache_key_free(&b);

	arg.op = OCI_SCMP_CMP_MASKED_EQ;
	b = key_of(&sc);
	struct seccomp_cache_key c = {0};
	arg.value_two = 7;
	c = key_of(&sc);
	cr_assert_not(same_key(&b, &c), "valueTwo not in the key");
	seccomp_cache_key_free(&c);
	other[0].action = OCI_SCMP_ACT_KILL_PROCESS;
	c = key_of(&sc);
	cr_assert_not(same_key(&b, &c), "a rule's action not in the key");
	seccomp_cache_key_free(&c);
	seccomp_cache_key_free(&b);

	sc = profile;
	sc.architectures = (char *[]){"SCMP_ARCH_X86", NULL};
	b = key_of(&sc);
	cr_assert_not(same_key(&a, &b), "architectures not in the key");
	seccomp_cache_key_free(&b);

	sc = profile;
	sc.default_action = OCI_SCMP_ACT_LOG;
	b = key_of(&sc);
	cr_assert_not(same_key(&a, &b), "defaultAction not in the key");
	seccomp_cache_key_free(&b);
	seccomp_cache_key_free(&a);
}

static char *entry_file(void)
{
	char *dir = NULL, *path = NULL;
	cr_assert_geq(asprintf(&dir, "%s/@cache", root), 0);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "no cache directory");
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (strncmp(de->d_name, "seccomp-", 8) == 0)
			cr_assert_geq(asprintf(&path, "%s/%s", dir, de->d_name),
				      0);
	closedir(d);
	free(dir);
	cr_assert_not_null(path, "no entry stored");
	return path;
}

Test(seccomp_cache, store_then_load, .init = setup, .fini = teardown)
{
	struct seccomp_cache_key k = key_of(&profile);
	struct seccomp_cache_entry e = {0};
	cr_assert_eq(seccomp_cache_load(root, &k, &e), -ENOENT);
	cr_assert_eq(seccomp_cache_store(root, &k, &entry), 0);
	cr_assert_eq(seccomp_cache_load(root, &k, &e), 0);
	cr_assert_eq(e.len, 3);
	cr_assert_eq(e.stub_len, 1);
	cr_assert_arr_eq(e.insns, insns, sizeof(insns));
	free(e.insns);
	_cleanup_free_ char *path = entry_file();
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	seccomp_cache_key_free(&k);
}

/* Store, change the file with @spoil, and expect a load to fail with
 * @want. */
static void expect_miss(void (*spoil)(const char *path), int want)
{
	struct seccomp_cache_key k = key_of(&profile);
	cr_assert_eq(seccomp_cache_store(root, &k, &entry), 0);
	_cleanup_free_ char *path = entry_file();
	spoil(path);
	struct seccomp_cache_entry e = {0};
	cr_assert_eq(seccomp_cache_load(root, &k, &e), want);
	cr_assert_null(e.insns);
	seccomp_cache_key_free(&k);
}

static void flip_last_byte(const char *path)
{
	int fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, end - 1), 1);
	c ^= 0x40;
	cr_assert_eq(pwrite(fd, &c, 1, end - 1), 1);
	close(fd);
}

Test(seccomp_cache, a_changed_filter_is_a_miss, .init = setup, .fini = teardown)
{
	expect_miss(flip_last_byte, -EBADMSG);
}

static void truncate_by_one(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(truncate(path, st.st_size - 1), 0);
}

Test(seccomp_cache, a_short_file_is_a_miss, .init = setup, .fini = teardown)
{
	expect_miss(truncate_by_one, -ESTALE);
}

static void group_writable(const char *path)
{
	cr_assert_eq(chmod(path, 0620), 0);
}

Test(seccomp_cache, a_file_others_may_write_is_not_read, .init = setup,
     .fini = teardown)
{
	expect_miss(group_writable, -EPERM);
}

static void owned_by_nobody(const char *path)
{
	cr_assert_eq(chown(path, 65534, 65534), 0);
}

Test(seccomp_cache, a_file_of_another_uid_is_not_read, .init = setup,
     .fini = teardown)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	expect_miss(owned_by_nobody, -EPERM);
}

static void symlink_elsewhere(const char *path)
{
	char other[PATH_MAX];
	snprintf(other, sizeof(other), "%s/elsewhere", root);
	cr_assert_eq(rename(path, other), 0);
	cr_assert_eq(symlink(other, path), 0);
}

Test(seccomp_cache, a_symlink_is_not_followed, .init = setup, .fini = teardown)
{
	expect_miss(symlink_elsewhere, -ELOOP);
}

/* Another key's entry under this key's name: as if the hashes collided. */
Test(seccomp_cache, another_keys_entry_is_a_miss, .init = setup,
     .fini = teardown)
{
	struct seccomp_cache_key a = key_of(&profile);
	struct oci_seccomp sc = profile;
	sc.default_errno_ret = (struct oci_opt_u64){true, EXDEV};
	struct seccomp_cache_key b = key_of(&sc);
	cr_assert_eq(seccomp_cache_store(root, &b, &entry), 0);
	_cleanup_free_ char *b_path = entry_file();
	cr_assert_eq(seccomp_cache_store(root, &a, &entry), 0);
	struct seccomp_cache_entry e = {0};
	cr_assert_eq(seccomp_cache_load(root, &a, &e), 0);
	free(e.insns);
	/* a's file now holds b's entry */
	char a_path[PATH_MAX];
	DIR *d = opendir(strcat(strcpy(a_path, root), "/@cache"));
	cr_assert_not_null(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (strncmp(de->d_name, "seccomp-", 8) == 0 &&
		    strstr(b_path, de->d_name) == NULL)
			snprintf(a_path, sizeof(a_path), "%s/@cache/%s", root,
				 de->d_name);
	closedir(d);
	cr_assert_eq(rename(b_path, a_path), 0);
	e = (struct seccomp_cache_entry){0};
	cr_assert_eq(seccomp_cache_load(root, &a, &e), -ESTALE);
	seccomp_cache_key_free(&a);
	seccomp_cache_key_free(&b);
}

static int count_entries(void)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/@cache", root);
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *de; d != NULL && (de = readdir(d)) != NULL;)
		n += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

Test(seccomp_cache, a_full_directory_is_emptied, .init = setup,
     .fini = teardown)
{
	struct seccomp_cache_key k = key_of(&profile);
	cr_assert_eq(seccomp_cache_store(root, &k, &entry), 0);
	/* a store under way elsewhere: not counted, removed with the rest */
	char p0[PATH_MAX];
	snprintf(p0, sizeof(p0), "%s/@cache/seccomp-x.tmp0123", root);
	cr_assert_eq(close(open(p0, O_CREAT | O_WRONLY, 0600)), 0);
	for (int i = 0; count_entries() < 64 + 1; i++) { /* 64 and the tmp */
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/@cache/seccomp-old%d", root, i);
		cr_assert_eq(close(open(p, O_CREAT | O_WRONLY, 0600)), 0);
	}
	struct oci_seccomp sc = profile;
	sc.default_errno_ret = (struct oci_opt_u64){true, EXDEV};
	struct seccomp_cache_key k2 = key_of(&sc);
	cr_assert_eq(seccomp_cache_store(root, &k2, &entry), 0);
	cr_assert_eq(count_entries(), 1, "%d entries", count_entries());
	seccomp_cache_key_free(&k);
	seccomp_cache_key_free(&k2);
}

/* The cache directory is checked as its files are: store, change the
 * directory with @spoil, and expect both a load and a store to fail. */
static void expect_dir_refused(void (*spoil)(const char *dir))
{
	struct seccomp_cache_key k = key_of(&profile);
	cr_assert_eq(seccomp_cache_store(root, &k, &entry), 0);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/@cache", root);
	spoil(dir);
	struct seccomp_cache_entry e = {0};
	cr_assert_lt(seccomp_cache_load(root, &k, &e), 0, "loaded");
	cr_assert_null(e.insns);
	cr_assert_lt(seccomp_cache_store(root, &k, &entry), 0, "stored");
	seccomp_cache_key_free(&k);
}

static void dir_symlinked(const char *dir)
{
	char other[PATH_MAX];
	snprintf(other, sizeof(other), "%s/other", root);
	cr_assert_eq(rename(dir, other), 0);
	cr_assert_eq(symlink(other, dir), 0);
}

Test(seccomp_cache, a_symlinked_directory_is_not_used, .init = setup,
     .fini = teardown)
{
	expect_dir_refused(dir_symlinked);
}

static void dir_group_writable(const char *dir)
{
	cr_assert_eq(chmod(dir, 0770), 0);
}

Test(seccomp_cache, a_directory_others_may_write_is_not_used, .init = setup,
     .fini = teardown)
{
	expect_dir_refused(dir_group_writable);
}

Test(seccomp_cache, a_missing_state_root_is_made, .init = setup,
     .fini = teardown)
{
	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/root", root);
	struct seccomp_cache_key k = key_of(&profile);
	cr_assert_eq(seccomp_cache_store(sub, &k, &entry), 0);
	struct stat st;
	cr_assert_eq(stat(sub, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700);
	struct seccomp_cache_entry e = {0};
	cr_assert_eq(seccomp_cache_load(sub, &k, &e), 0);
	free(e.insns);
	seccomp_cache_key_free(&k);
}
