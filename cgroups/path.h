#pragma once
/*
 * Where the container's cgroup lives in each hierarchy: parsing
 * /proc/self/mountinfo and /proc/self/cgroup (given as text, so the unit
 * tests can feed fakes), linux.cgroupsPath resolution, and the text saved
 * in state.json.  No I/O here.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cgroups/cgroups.h"
#include "util/error.h"

struct cg_backend; /* cgroups/backend.h */

#define CG_ROOT "/sys/fs/cgroup"
#define CG_V2	"cgroup2" /* the controllers field of the v2 hierarchy */

struct cg_hier {
	char *controllers; /* "cpu", "cpu,cpuacct", "name=systemd", "cgroup2" */
	char *mount;	   /* "/sys/fs/cgroup/memory" */
	char *root;	   /* the mount's root inside the hierarchy ("/") */
	char *path;	   /* the container's cgroup: "/process_api/x/c1" */
	int created;	   /* trailing components berth made (may remove) */
	int fd;		   /* O_DIRECTORY fd of mount + path, or -1 */
	/* What operates on it, v1 or v2: set once by the manager (NULL here) */
	const struct cg_backend *ops;
};

bool cg_hier_is_v2(const struct cg_hier *h);
/* Whether the v1 hierarchy @h carries controller @ctl ("cpuacct"). */
bool cg_hier_has(const struct cg_hier *h, const char *ctl);
void cg_hiers_free(struct cg_hier *h, size_t n);

/* Lexically clean @in as an absolute path: "a//b/./../c" -> "/a/c"; ".."
 * never climbs above "/". */
int cg_clean_path(const char *in, char **ret);

/* The hierarchies of @layout in @mountinfo: pure v2 the cgroup2 mount at
 * /sys/fs/cgroup; otherwise every v1 mount directly below it (first mount
 * of each hierarchy) and, for hybrid, the cgroup2 mount at .../unified. */
int cg_hiers_from_mountinfo(const char *mountinfo, enum cg_layout layout,
			    struct cg_hier **ret, size_t *ret_n,
			    struct berth_error *err);

/* Fill every hierarchy's ->path from linux.cgroupsPath (@cgroups_path, may
 * be NULL: @id), and the @self_cgroup text of /proc/self/cgroup.  With
 * @systemd, @cgroups_path is runc's "slice:prefix:name" (cg_systemd_path())
 * and its cgroupfs path goes where a relative path would. */
int cg_hiers_compute_paths(struct cg_hier *h, size_t n, enum cg_layout layout,
			   const char *self_cgroup, const char *cgroups_path,
			   const char *id, bool systemd,
			   struct berth_error *err);

/* The state.json text (see cg_manager_path()) and back. */
char *cg_hiers_format(const struct cg_hier *h, size_t n);
int cg_hiers_parse(const char *saved, struct cg_hier **ret, size_t *ret_n,
		   struct berth_error *err);
