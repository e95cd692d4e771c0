/* The container as CRIU must be told about it: mounts, stdio, netns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/checkpoint/describe.h"
#include "util/cleanup.h"
#include "util/util.h"

void ckpt_desc_free(struct ckpt_desc *d)
{
	free(d->id);
	free(d->rootfs);
	for (size_t i = 0; i < d->mounts_n; i++)
		free(d->mounts[i].path);
	free(d->mounts);
	for (int i = 0; i < 3; i++)
		free(d->stdio[i]);
	memset(d, 0, sizeof(*d));
}

static int add_mount(struct ckpt_desc *d, enum ckpt_mount_kind kind,
		     const char *path)
{
	struct ckpt_mount *v =
	    realloc(d->mounts, (d->mounts_n + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	d->mounts = v;
	v[d->mounts_n].kind = kind;
	if ((v[d->mounts_n].path = strdup(path)) == NULL)
		return -ENOMEM;
	d->mounts_n++;
	return 0;
}

/* One line of mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE" */
struct mi_line {
	char dev[32], root[4096], point[4096], fstype[64];
};

static int parse_mountinfo(const char *text, struct mi_line **ret,
			   size_t *ret_n)
{
	struct mi_line *v = NULL;
	size_t n = 0;
	for (const char *l = text; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		struct mi_line m;
		const char *dash = strstr(l, " - ");
		if (sscanf(l, "%*d %*d %31s %4095s %4095s", m.dev, m.root,
			   m.point) != 3 ||
		    dash == NULL || sscanf(dash, " - %63s", m.fstype) != 1)
			continue;
		struct mi_line *nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = m;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Another mount of the same filesystem shows a part of it that holds
 * @m's root: CRIU finds @m's source inside the container. */
static bool covered(const struct mi_line *v, size_t n, size_t k)
{
	for (size_t i = 0; i < n; i++) {
		size_t rl = strlen(v[i].root);
		if (i == k || strcmp(v[i].dev, v[k].dev) != 0)
			continue;
		if (strcmp(v[i].root, "/") == 0 ||
		    (strncmp(v[k].root, v[i].root, rl) == 0 &&
		     v[k].root[rl] == '/'))
			return true;
	}
	return false;
}

static bool is_config_bind(const struct oci_spec *spec, const char *point)
{
	for (size_t i = 0; i < spec->mounts_n; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		bool bind = m->type != NULL && strcmp(m->type, "bind") == 0;
		for (size_t j = 0; !bind && m->options && m->options[j]; j++)
			bind = strcmp(m->options[j], "bind") == 0 ||
			       strcmp(m->options[j], "rbind") == 0;
		if (bind && strcmp(m->destination, point) == 0)
			return true;
	}
	return false;
}

static int describe_one(struct ckpt_desc *d, const struct oci_spec *spec,
			const struct mi_line *m, struct berth_error *err)
{
	size_t rl = strlen(m->root);
	if (is_config_bind(spec, m->point))
		return add_mount(d, CKPT_MNT_BIND, m->point);
	if (strcmp(m->fstype, "cgroup2") == 0)
		return add_mount(d, CKPT_MNT_CGROUP, m->point);
	if (rl >= 5 && strcmp(m->root + rl - 5, "/null") == 0)
		return add_mount(d, CKPT_MNT_NULL, m->point);
	return berth_err_msg(err, EOPNOTSUPP,
			     "mount %s (%s %s of %s) comes from outside the "
			     "container: berth cannot describe it to CRIU",
			     m->point, m->fstype, m->root, m->dev);
}

static int describe_mounts(pid_t pid, const struct oci_spec *spec,
			   struct ckpt_desc *d, struct berth_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ struct mi_line *v = NULL;
	size_t len, n = 0;
	int r = read_file_at(AT_FDCWD, path, &text, &len);
	if (r < 0)
		return berth_err(err, r, "read %s", path);
	if ((r = parse_mountinfo(text, &v, &n)) < 0)
		return berth_err(err, r, "parse %s", path);
	for (size_t k = 1; k < n; k++) { /* v[0]: the container's root */
		bool bind = is_config_bind(spec, v[k].point);
		if (!bind && (strcmp(v[k].root, "/") == 0 || covered(v, n, k)))
			continue;
		if ((r = describe_one(d, spec, &v[k], err)) < 0)
			return r;
	}
	return 0;
}

/* Mount @mnt is one of @pid's mount namespace (a mountinfo line's
 * first field). */
static bool own_mount(pid_t pid, unsigned mnt)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file_at(AT_FDCWD, path, &text, &len) < 0)
		return false;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		if (strtoul(l, NULL, 10) == mnt)
			return true;
	return false;
}

/* fd @fd of @pid: a file outside the container is CRIU's external
 * "file[MNT_ID:INODE]" (hex); a pipe or socket its "pipe:[INODE]"; one in
 * the container (its own /dev/null, process.c) needs nothing. */
static int describe_stdio(pid_t pid, int fd, char **ret)
{
	char path[64], link[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	if (strncmp(link, "pipe:", 5) == 0 || strncmp(link, "socket:", 7) == 0)
		return (*ret = strdup(link)) ? 0 : -ENOMEM;
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	_cleanup_free_ char *info = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, &info, &len);
	const char *m = r == 0 ? strstr(info, "mnt_id:") : NULL;
	if (m == NULL)
		return r < 0 ? r : -EINVAL;
	unsigned mnt = (unsigned)strtoul(m + 7, NULL, 10);
	if (own_mount(pid, mnt))
		return 0;
	return asprintf(ret, "file[%x:%llx]", mnt,
			(unsigned long long)st.st_ino) < 0
		   ? -ENOMEM
		   : 0;
}

int ckpt_desc_from_process(pid_t pid, const struct oci_spec *spec,
			   struct ckpt_desc *d, struct berth_error *err)
{
	int r = describe_mounts(pid, spec, d, err);
	for (int fd = 0; r == 0 && fd < 3; fd++)
		if ((r = describe_stdio(pid, fd, &d->stdio[fd])) < 0)
			return berth_err(err, r, "fd %d of pid %d", fd,
					 (int)pid);
	const struct oci_namespace *net =
	    oci_spec_namespace(spec, OCI_NS_NETWORK);
	d->ext_netns = net != NULL && net->path != NULL;
	return r;
}

static const char *const kind_names[] = {"bind", "null", "cgroup"};

int ckpt_desc_save(int dirfd, const struct ckpt_desc *d,
		   struct berth_error *err)
{
	_cleanup_free_ char *text = NULL; /* open_memstream's, after fclose */
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return berth_err(err, errno, "open_memstream");
	fprintf(f, "berth-checkpoint 1\nid %s\nrootfs %s\n", d->id, d->rootfs);
	for (size_t i = 0; i < d->mounts_n; i++)
		fprintf(f, "mount %s %s\n", kind_names[d->mounts[i].kind],
			d->mounts[i].path);
	for (int i = 0; i < 3; i++)
		if (d->stdio[i] != NULL)
			fprintf(f, "stdio %d %s\n", i, d->stdio[i]);
	if (d->ext_netns)
		fprintf(f, "netns extRootNetNS\n");
	fclose(f);
	int fd = openat(dirfd, CKPT_DESC_FILE,
			O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_err(err, errno, "create %s", CKPT_DESC_FILE);
	int r = write_all(fd, text, len);
	close(fd);
	return r < 0 ? berth_err(err, r, "write %s", CKPT_DESC_FILE) : 0;
}

static int load_line(struct ckpt_desc *d, char *l)
{
	char *sp = strchr(l, ' ');
	if (sp == NULL)
		return 0;
	*sp++ = '\0';
	if (strcmp(l, "id") == 0)
		return (d->id = strdup(sp)) ? 0 : -ENOMEM;
	if (strcmp(l, "rootfs") == 0)
		return (d->rootfs = strdup(sp)) ? 0 : -ENOMEM;
	if (strcmp(l, "netns") == 0)
		d->ext_netns = true;
	if (strcmp(l, "stdio") == 0 && sp[0] >= '0' && sp[0] <= '2' &&
	    sp[1] == ' ')
		return (d->stdio[sp[0] - '0'] = strdup(sp + 2)) ? 0 : -ENOMEM;
	if (strcmp(l, "mount") != 0 || (l = strchr(sp, ' ')) == NULL)
		return 0;
	*l++ = '\0';
	for (int k = 0; k < 3; k++)
		if (strcmp(sp, kind_names[k]) == 0)
			return add_mount(d, (enum ckpt_mount_kind)k, l);
	return -EINVAL;
}

int ckpt_desc_load(int dirfd, const char *dir, struct ckpt_desc *d,
		   struct berth_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_user_file(dirfd, CKPT_DESC_FILE, 1 << 20, CKPT_DESC_FILE,
			       &text, &len, err);
	if (r == -ENOENT ||
	    (r == 0 && strncmp(text, "berth-checkpoint 1\n", 19) != 0))
		return berth_err_msg(err, ENOENT,
				     "'%s' is not a berth checkpoint (no %s "
				     "file): checkpoint a container there "
				     "first",
				     dir, CKPT_DESC_FILE);
	if (r < 0)
		return r;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); r == 0 && l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		r = load_line(d, l);
	if (r == 0 && (d->id == NULL || d->rootfs == NULL))
		r = -EINVAL;
	return r < 0 ? berth_err(err, r, "'%s/%s'", dir, CKPT_DESC_FILE) : 0;
}
