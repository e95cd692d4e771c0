/* Where the container's cgroup lives in each hierarchy: mountinfo and
 * /proc/self/cgroup parsing, cgroupsPath resolution, the saved form
 * (path.h).  Text in, text out: no I/O, except that cg_hiers_free()
 * closes the fds the manager opened. */
#include "cgroups/path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd.h"
#include "util/cleanup.h"
#include "util/util.h"

static const char *const v1_controllers[] = {
    "cpuset",  "cpu",	  "cpuacct", "blkio",	   "memory",
    "devices", "freezer", "net_cls", "perf_event", "net_prio",
    "hugetlb", "pids",	  "rdma",    "misc",	   "debug",
};

bool cg_hier_is_v2(const struct cg_hier *h)
{
	return strcmp(h->controllers, CG_V2) == 0;
}

/* Whether the comma-separated list @list has the element @ctl. */
static bool list_has(const char *list, const char *ctl)
{
	size_t l = strlen(ctl);
	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");
		if (n == l && strncmp(p, ctl, l) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

bool cg_hier_has(const struct cg_hier *h, const char *ctl)
{
	return !cg_hier_is_v2(h) && list_has(h->controllers, ctl);
}

/* Same elements, any order. */
static bool list_equal(const char *a, size_t alen, const char *b)
{
	_cleanup_free_ char *ac = strndup(a, alen);
	if (ac == NULL)
		return false;
	size_t na = 0, nb = 0;
	for (char *save = NULL, *t = strtok_r(ac, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save), na++)
		if (!list_has(b, t))
			return false;
	for (const char *p = b; *p != '\0'; p++)
		nb += *p == ',';
	return *b != '\0' && na == nb + 1;
}

void cg_hiers_free(struct cg_hier *h, size_t n)
{
	for (size_t i = 0; h != NULL && i < n; i++) {
		free(h[i].controllers);
		free(h[i].mount);
		free(h[i].root);
		free(h[i].path);
		if (h[i].fd >= 0)
			close(h[i].fd);
	}
	free(h);
}

int cg_clean_path(const char *in, char **ret)
{
	size_t len = strlen(in);
	_cleanup_free_ char *out = malloc(len + 2);
	if (out == NULL)
		return -ENOMEM;
	size_t o = 0;
	for (const char *p = in; *p != '\0';) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the dropped element */
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

/* The super options of a v1 mount reduced to its controllers. */
static char *v1_controllers_of(const char *superopts)
{
	_cleanup_free_ char *copy = strdup(superopts);
	_cleanup_free_ char *out = calloc(1, strlen(superopts) + 1);
	if (copy == NULL || out == NULL)
		return NULL;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		bool known = strncmp(t, "name=", 5) == 0;
		for (size_t i = 0; !known && i < ARRAY_SIZE(v1_controllers);
		     i++)
			known = strcmp(t, v1_controllers[i]) == 0;
		if (!known)
			continue;
		if (*out != '\0')
			strcat(out, ",");
		strcat(out, t);
	}
	return TAKE_PTR(out);
}

struct mi_line {
	char *root, *mnt, *fstype, *superopts;
};

/* Split one mountinfo line in place; false when it is malformed. */
static bool mi_split(char *line, struct mi_line *ret)
{
	char *f[32];
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(line, " ", &save);
	     t != NULL && n < ARRAY_SIZE(f); t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	size_t dash = 6;
	while (dash < n && strcmp(f[dash], "-") != 0)
		dash++;
	if (n < 6 || dash + 2 >= n)
		return false;
	ret->root = f[3];
	ret->mnt = f[4];
	ret->fstype = f[dash + 1];
	ret->superopts = dash + 3 < n ? f[dash + 3] : "";
	return true;
}

/* Whether the mount at @mnt of @fstype belongs to @layout's hierarchies. */
static bool mi_wanted(const struct mi_line *l, enum cg_layout layout)
{
	bool v2 = strcmp(l->fstype, "cgroup2") == 0;
	if (layout == CG_LAYOUT_UNIFIED)
		return v2 && strcmp(l->mnt, CG_ROOT) == 0;
	if (v2)
		return layout == CG_LAYOUT_HYBRID &&
		       strcmp(l->mnt, CG_ROOT "/unified") == 0;
	if (strcmp(l->fstype, "cgroup") != 0 ||
	    strncmp(l->mnt, CG_ROOT "/", strlen(CG_ROOT "/")) != 0)
		return false;
	return strchr(l->mnt + strlen(CG_ROOT "/"), '/') == NULL;
}

static int hiers_add(struct cg_hier **h, size_t *n, const struct mi_line *l)
{
	bool v2 = strcmp(l->fstype, "cgroup2") == 0;
	_cleanup_free_ char *ctl =
	    v2 ? strdup(CG_V2) : v1_controllers_of(l->superopts);
	if (ctl == NULL)
		return -ENOMEM;
	if (*ctl == '\0')
		return 0; /* a v1 mount without controllers or name */
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*h)[i].controllers, ctl) == 0)
			return 0; /* the same hierarchy mounted again */
	struct cg_hier *nh = realloc(*h, (*n + 1) * sizeof(**h));
	if (nh == NULL)
		return -ENOMEM;
	*h = nh;
	struct cg_hier *e = &nh[(*n)++];
	*e = (struct cg_hier){.controllers = TAKE_PTR(ctl),
			      .mount = strdup(l->mnt),
			      .root = strdup(l->root),
			      .fd = -1};
	return e->mount == NULL || e->root == NULL ? -ENOMEM : 0;
}

int cg_hiers_from_mountinfo(const char *mountinfo, enum cg_layout layout,
			    struct cg_hier **ret, size_t *ret_n,
			    struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(mountinfo);
	if (copy == NULL)
		return berth_err(err, ENOMEM, "mountinfo");
	struct cg_hier *h = NULL;
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save);
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct mi_line l;
		if (!mi_split(line, &l) || !mi_wanted(&l, layout))
			continue;
		int r = hiers_add(&h, &n, &l);
		if (r < 0) {
			cg_hiers_free(h, n);
			return berth_err(err, r, "mountinfo");
		}
	}
	if (n == 0) {
		free(h);
		return berth_err_msg(err, ENOENT,
				     "no cgroup hierarchy is mounted under "
				     "%s",
				     CG_ROOT);
	}
	*ret = h;
	*ret_n = n;
	return 0;
}

/* @h's line of /proc/self/cgroup ("4:memory:/x"): the path, malloc'd. */
static int self_path_of(const struct cg_hier *h, const char *self_cgroup,
			char **ret)
{
	bool v2 = cg_hier_is_v2(h);
	for (const char *p = self_cgroup; p != NULL && *p != '\0';) {
		size_t len = strcspn(p, "\n");
		const char *c1 = memchr(p, ':', len);
		const char *c2 =
		    c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
		if (c2 != NULL) {
			size_t cl = (size_t)(c2 - c1 - 1);
			bool match = v2 ? cl == 0 && strncmp(p, "0:", 2) == 0
					: cl > 0 && list_equal(c1 + 1, cl,
							       h->controllers);
			if (match) {
				size_t pl = len - (size_t)(c2 + 1 - p);
				*ret = strndup(c2 + 1, pl);
				return *ret == NULL ? -ENOMEM : 0;
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return -ENOENT;
}

/* The base directory for a relative cgroupsPath in hierarchy @h. */
static int base_of(const struct cg_hier *h, enum cg_layout layout,
		   const char *self_cgroup, char **ret, struct berth_error *err)
{
	_cleanup_free_ char *own = NULL;
	int r = self_path_of(h, self_cgroup, &own);
	if (r < 0)
		return berth_err(err, r,
				 "/proc/self/cgroup: no line for hierarchy %s",
				 h->controllers);
	/* Inside a cgroup namespace or a bind of a sub-tree, the mount shows
	 * the hierarchy from h->root down. */
	const char *rel = own;
	size_t rl = strlen(h->root);
	if (strcmp(h->root, "/") != 0) {
		if (strncmp(own, h->root, rl) == 0 &&
		    (own[rl] == '/' || own[rl] == '\0'))
			rel = own + rl;
		else
			rel = "/";
	}
	_cleanup_free_ char *clean = NULL;
	if (cg_clean_path(rel, &clean) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	/* runc: on pure v2 the parent, since a cgroup with processes in it
	 * cannot enable controllers for its children. */
	if (layout == CG_LAYOUT_UNIFIED) {
		char *slash = strrchr(clean, '/');
		slash[slash == clean ? 1 : 0] = '\0';
	}
	*ret = TAKE_PTR(clean);
	return 0;
}

/* runc's systemd driver form "slice:prefix:name". */
static bool is_systemd_form(const char *p)
{
	size_t colons = 0;
	for (const char *c = p; *c != '\0'; c++)
		colons += *c == ':';
	return p[0] != '/' && colons == 2 && strchr(p, '/') == NULL;
}

static int check_cgroups_path(const char *p, struct berth_error *err)
{
	if (is_systemd_form(p))
		return berth_err_msg(err, EINVAL,
				     "linux.cgroupsPath \"%s\": the systemd "
				     "form slice:prefix:name needs "
				     "--systemd-cgroup (berth then maps it to "
				     "cgroupfs)",
				     p);
	if (strchr(p, '\n') != NULL)
		return berth_err_msg(err, EINVAL,
				     "linux.cgroupsPath: contains a newline");
	return 0;
}

static int path_join(const char *base, const char *rel, char **ret)
{
	_cleanup_free_ char *joined = NULL;
	if (asprintf(&joined, "%s/%s", base, rel) < 0)
		return -ENOMEM;
	return cg_clean_path(joined, ret);
}

int cg_hiers_compute_paths(struct cg_hier *h, size_t n, enum cg_layout layout,
			   const char *self_cgroup, const char *cgroups_path,
			   const char *id, bool systemd,
			   struct berth_error *err)
{
	const char *want =
	    cgroups_path != NULL && *cgroups_path != '\0' ? cgroups_path : id;
	_cleanup_free_ char *mapped = NULL;
	int r = 0;
	if (systemd) /* relative: under berth's own cgroup, see cgroups.h */
		r = cg_systemd_path(cgroups_path, id, &mapped, err);
	if (mapped != NULL)
		want = mapped;
	if (r == 0)
		r = check_cgroups_path(want, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *inner = NULL;
	if (cg_clean_path(want, &inner) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	if (strcmp(inner, "/") == 0)
		return berth_err_msg(err, EINVAL,
				     "linux.cgroupsPath \"%s\": names the "
				     "root or berth's own cgroup",
				     want);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *base = NULL;
		if (want[0] != '/') {
			r = base_of(&h[i], layout, self_cgroup, &base, err);
			if (r < 0)
				return r;
		}
		char *p = NULL;
		if (path_join(base != NULL ? base : "/", inner, &p) < 0)
			return berth_err(err, ENOMEM, "cgroup path");
		free(h[i].path);
		h[i].path = p;
	}
	return 0;
}

char *cg_hiers_format(const struct cg_hier *h, size_t n)
{
	char *out = strdup("");
	for (size_t i = 0; out != NULL && i < n; i++) {
		char *next = NULL;
		if (asprintf(&next, "%s%s%s %d %s %s", out, i ? "\n" : "",
			     h[i].controllers, h[i].created, h[i].mount,
			     h[i].path) < 0)
			next = NULL;
		free(out);
		out = next;
	}
	return out;
}

/* "<controllers> <created> <mount> <path>" */
static int parse_line(char *line, struct cg_hier *e)
{
	char *f[3];
	char *p = line;
	for (size_t i = 0; i < 3; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			return -EINVAL;
		*p++ = '\0';
	}
	char *end;
	long created = strtol(f[1], &end, 10);
	if (*end != '\0' || created < 0 || created > 4096 || f[2][0] != '/' ||
	    p[0] != '/')
		return -EINVAL;
	*e = (struct cg_hier){.controllers = strdup(f[0]),
			      .mount = strdup(f[2]),
			      .root = strdup("/"),
			      .path = strdup(p),
			      .created = (int)created,
			      .fd = -1};
	if (!e->controllers || !e->mount || !e->root || !e->path)
		return -ENOMEM;
	return 0;
}

int cg_hiers_parse(const char *saved, struct cg_hier **ret, size_t *ret_n,
		   struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(saved);
	if (copy == NULL)
		return berth_err(err, ENOMEM, "cgroup state");
	struct cg_hier *h = NULL;
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save);
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct cg_hier *nh = realloc(h, (n + 1) * sizeof(*h));
		if (nh == NULL) {
			cg_hiers_free(h, n);
			return berth_err(err, ENOMEM, "cgroup state");
		}
		h = nh;
		h[n] = (struct cg_hier){.fd = -1};
		int r = parse_line(line, &h[n++]);
		if (r < 0) {
			cg_hiers_free(h, n);
			return berth_err_msg(err, -r,
					     "cgroup state: bad line %zu", n);
		}
	}
	if (n == 0)
		return berth_err_msg(err, EINVAL, "cgroup state: empty");
	*ret = h;
	*ret_n = n;
	return 0;
}
