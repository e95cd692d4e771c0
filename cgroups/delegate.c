/*
 * Whether the cgroups a rootless berth would make are delegated to it
 * (cg_check_delegated(), cgroups.h): what systemd's Delegate=yes hands a
 * user on cgroup v2 (Documentation/admin-guide/cgroup-v2.rst, "Delegation
 * Containment"), or what an administrator chowned by hand.  Asked with
 * berth's effective ids (faccessat AT_EACCESS), so "root" of a user
 * namespace counts as the host user it is mapped to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/manager.h"
#include "util/cleanup.h"

/* The leaf's nearest existing directory: the leaf itself, or the directory
 * cg_create() would mkdir in (malloc'd); NULL on ENOMEM. */
static char *nearest_existing(const struct cg_hier *h)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return NULL;
	size_t mlen = strlen(h->mount);
	struct stat st;
	while (strlen(dir) > mlen && stat(dir, &st) < 0 && errno == ENOENT)
		*strrchr(dir, '/') = '\0';
	return dir;
}

/* Whether berth may write @file of @dir ("" : make entries in @dir). */
static bool may_write(const char *dir, const char *file)
{
	_cleanup_free_ char *p = NULL;
	if (*file == '\0')
		return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return false;
	return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
}

/* " (uid H on the host)" when berth's effective uid is mapped to another
 * one (a user namespace of its own: podman's rootless mode), else "". */
static void host_uid_note(char *buf, size_t size)
{
	*buf = '\0';
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long in, out, n, uid = geteuid();
	while (f != NULL && fscanf(f, "%lu %lu %lu", &in, &out, &n) == 3)
		if (uid >= in && uid - in < n) {
			if (out + (uid - in) != uid)
				snprintf(buf, size, " (uid %lu on the host)",
					 out + (uid - in));
			return;
		}
}

/* What must be writable in the nearest existing directory: the directory
 * (mkdir, rmdir), cgroup.procs (moving the container in: the common
 * ancestor's), and on cgroup v2 cgroup.subtree_control (enabling the
 * controllers the limits need). */
static const char *const v1_files[] = {"", "cgroup.procs", NULL};
static const char *const v2_files[] = {"", "cgroup.procs",
				       "cgroup.subtree_control", NULL};

static int check_hier(const struct cg_hier *h, char **ret_why)
{
	_cleanup_free_ char *dir = nearest_existing(h);
	if (dir == NULL)
		return -ENOMEM;
	/* The leaf exists (a cgroupsPath made for us): it is joined. */
	bool leaf = strlen(dir) == strlen(h->mount) + strlen(h->path);
	const char *const *files =
	    cg_hier_is_v2(h) && !leaf ? v2_files : v1_files;
	for (size_t i = 0; files[i] != NULL; i++) {
		if (may_write(dir, files[i]))
			continue;
		char note[48];
		host_uid_note(note, sizeof(note));
		int r = asprintf(
		    ret_why, "cgroup %s: %s%s%s is not writable by uid %d%s",
		    dir, dir, *files[i] != '\0' ? "/" : "", files[i],
		    (int)geteuid(), note);
		return r < 0 ? -ENOMEM : 0;
	}
	return 1;
}

int cg_check_delegated(const struct cg_manager *m, char **ret_why)
{
	*ret_why = NULL;
	for (size_t i = 0; i < m->n; i++) {
		int r = check_hier(&m->h[i], ret_why);
		if (r <= 0)
			return r;
	}
	return 1;
}
