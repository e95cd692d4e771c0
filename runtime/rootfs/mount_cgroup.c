#include "runtime/rootfs/mount_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime/rootfs/mount_api.h"
#include "util/cleanup.h"
#include "util/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int mount_cgroup2(const struct oci_mount *m, const struct mount_opts *o,
			 int destfd, struct berth_error *err)
{
	_cleanup_close_ int mfd = -1;
	uint64_t set, clr;

	mount_opts_attr(o->flags, o->clear, &set, &clr);
	int r = mnt_new_fs("cgroup2", m->source, o->data, o->flags, set,
			   m->destination, &mfd, err);
	if (r == -EPERM || r == -EBUSY) {
		/* A user namespace without a cgroup namespace (runc #2158). */
		_cleanup_close_ int src =
		    open(CGROUP_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (src < 0)
			return berth_err(err, errno, "open %s", CGROUP_ROOT);
		return mnt_bind(src, false, o->flags, o->clear, o->rec_set,
				o->rec_clr, destfd, NULL,
				"bind " CGROUP_ROOT " on cgroup", err);
	}
	if (r < 0)
		return r;
	r = mnt_attach(mfd, destfd);
	if (r < 0)
		return berth_err(err, -r, "mount cgroup2 on %s",
				 m->destination);
	r = mnt_propagate_all(mfd, o->propagation, o->propagation_n);
	if (r < 0)
		return berth_err(err, -r, "propagation of %s", m->destination);
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* This process's cgroup path in the v1 hierarchy whose super options are
 * @superopts ("rw,cpu,cpuacct" or "rw,name=systemd"), from
 * /proc/self/cgroup in @cg; NULL when none matches. */
static const char *own_cgroup(char *cg, const char *superopts, char *path,
			      size_t size)
{
	for (char *line = cg; line && *line;) {
		char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		char buf[4096];
		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			char *ctl = strchr(buf, ':');
			char *p = ctl ? strchr(ctl + 1, ':') : NULL;
			if (p != NULL) {
				*p++ = '\0';
				ctl++;
				char *save = NULL;
				for (char *t = strtok_r(ctl, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					if (list_has(superopts, t)) {
						snprintf(path, size, "%s", p);
						return path;
					}
			}
		}
		line = next ? next + 1 : NULL;
	}
	return NULL;
}

struct v1_hier {
	char *root, *mountpoint, *superopts;
};

/* Split one mountinfo line; true when it is a cgroup v1 mount. */
static bool parse_v1_line(char *line, struct v1_hier *h)
{
	char *f[6] = {0}, *save = NULL, *tok = strtok_r(line, " ", &save);
	int i = 0;

	for (; tok && i < 6; tok = strtok_r(NULL, " ", &save))
		f[i++] = tok;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
	char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
	char *superopts = source ? strtok_r(NULL, " ", &save) : NULL;
	if (i < 5 || superopts == NULL || strcmp(fstype, "cgroup") != 0)
		return false;
	unescape(f[3]);
	unescape(f[4]);
	h->root = f[3];
	h->mountpoint = f[4];
	h->superopts = superopts;
	return true;
}

/* Symlinks for co-mounted controllers: cpu -> cpu,cpuacct. */
static int comount_links(int tmpfd, const char *name, struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(name);
	char *save = NULL;

	if (copy == NULL)
		return berth_err(err, ENOMEM, "cgroup %s", name);
	if (strchr(name, ',') == NULL)
		return 0;
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		if (symlinkat(name, tmpfd, t) < 0 && errno != EEXIST)
			return berth_err(err, errno, "symlink cgroup %s", t);
	return 0;
}

static int bind_v1(const struct v1_hier *h, char *cg,
		   const struct mount_opts *o, int tmpfd,
		   struct berth_error *err)
{
	char own[4096], src[8192], what[8400];
	const char *name = strrchr(h->mountpoint, '/');

	name = name ? name + 1 : h->mountpoint;
	if (own_cgroup(cg, h->superopts, own, sizeof(own)) == NULL ||
	    *name == '\0')
		return 0;
	/* A hierarchy mounted twice on the host: the first mount wins. */
	if (faccessat(tmpfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	size_t rl = strlen(h->root);
	const char *rel = own;
	if (strcmp(h->root, "/") != 0 && strncmp(own, h->root, rl) == 0 &&
	    (own[rl] == '/' || own[rl] == '\0'))
		rel = own + rl;
	else if (strcmp(h->root, "/") != 0)
		rel = "";
	snprintf(src, sizeof(src), "%s%s", h->mountpoint, rel);
	snprintf(what, sizeof(what), "bind cgroup %s", src);

	_cleanup_close_ int sfd = open(src, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return berth_err(err, errno, "open cgroup %s", src);
	if (mkdirat(tmpfd, name, 0755) < 0 && errno != EEXIST)
		return berth_err(err, errno, "mkdir cgroup %s", name);
	_cleanup_close_ int dfd =
	    openat(tmpfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return berth_err(err, errno, "open cgroup %s", name);
	int r = mnt_bind(sfd, true, o->flags, o->clear, o->rec_set, o->rec_clr,
			 dfd, NULL, what, err);
	if (r < 0)
		return r;
	return comount_links(tmpfd, name, err);
}

/* Keep only the cgroup v1 lines (" - cgroup ") of @mi, in place. */
static void keep_cgroup_lines(char *mi)
{
	size_t n = 0;
	for (char *line = mi, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t l = next ? (size_t)(++next - line) : strlen(line);
		if (memmem(line, l, " - cgroup ", 10) == NULL)
			continue;
		memmove(mi + n, line, l);
		n += l;
	}
	mi[n] = '\0';
}

int mount_cgroup_read_table(char **ret, struct berth_error *err)
{
	_cleanup_free_ char *mi = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL);
	if (r < 0)
		return berth_err(err, -r, "read /proc/self/mountinfo");
	keep_cgroup_lines(mi);
	*ret = TAKE_PTR(mi);
	return 0;
}

int mount_cgroup_table_from(const char *mountinfo, char **ret)
{
	char *mi = strdup(mountinfo);
	if (mi == NULL)
		return -ENOMEM;
	keep_cgroup_lines(mi);
	*ret = mi;
	return 0;
}

/* @saved, or the file read now, as a malloc'd string. */
static int saved_or_read(const char *saved, const char *path, char **ret,
			 struct berth_error *err)
{
	if (saved != NULL) {
		*ret = strdup(saved);
		return *ret ? 0 : berth_err(err, ENOMEM, "%s", path);
	}
	int r = read_file_at(AT_FDCWD, path, ret, NULL);
	return r < 0 ? berth_err(err, -r, "read %s", path) : 0;
}

static int bind_v1_all(const struct mount_opts *o, int tmpfd,
		       const struct cgroup_view *view, struct berth_error *err)
{
	_cleanup_free_ char *mi = NULL, *cg = NULL;
	int r = saved_or_read(view ? view->mountinfo : NULL,
			      "/proc/self/mountinfo", &mi, err);
	if (r == 0)
		r = saved_or_read(view ? view->cgroup : NULL,
				  "/proc/self/cgroup", &cg, err);
	if (r < 0)
		return r;
	for (char *line = mi, *next; line && *line; line = next) {
		struct v1_hier h;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!parse_v1_line(line, &h))
			continue;
		r = bind_v1(&h, cg, o, tmpfd, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_cgroup1(const struct oci_mount *m, const struct mount_opts *o,
			 int destfd, const struct cgroup_view *view,
			 struct berth_error *err)
{
	_cleanup_close_ int tmpfd = -1;
	int r =
	    mnt_new_fs("tmpfs", "tmpfs", "mode=755", 0,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		       m->destination, &tmpfd, err);
	if (r < 0)
		return r;
	r = mnt_attach(tmpfd, destfd);
	if (r < 0)
		return berth_err(err, -r, "mount tmpfs on %s", m->destination);
	r = mnt_propagate_all(tmpfd, o->propagation, o->propagation_n);
	if (r < 0)
		return berth_err(err, -r, "propagation of %s", m->destination);
	r = bind_v1_all(o, tmpfd, view, err);
	if (r < 0)
		return r;
	if (o->flags & MS_RDONLY) {
		r = mnt_setattr(tmpfd, false, MOUNT_ATTR_RDONLY, 0);
		if (r < 0)
			return berth_err(err, -r, "remount %s read-only",
					 m->destination);
	}
	return 0;
}

int mount_cgroup(const struct oci_mount *m, const struct mount_opts *o,
		 int destfd, const struct cgroup_view *view,
		 struct berth_error *err)
{
	struct statfs sfs;

	if (statfs(CGROUP_ROOT, &sfs) < 0)
		return berth_err(err, errno, "statfs %s", CGROUP_ROOT);
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return mount_cgroup2(m, o, destfd, err);
	return mount_cgroup1(m, o, destfd, view, err);
}
