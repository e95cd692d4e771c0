#pragma once
/*
 * What CRIU must be told about a container, read from the running
 * container (/proc/PID/mountinfo, its stdio) and its config, and kept in
 * the image dir as the text file "berth-checkpoint" so that restore can
 * map each thing to its new place:
 *
 *     berth-checkpoint 1
 *     id c1
 *     rootfs /abs/rootfs
 *     mount bind /data        an external bind mount (mounts[].source)
 *     mount null /proc/kcore  a masked file: bound to /dev/null
 *     mount cgroup /sys/fs/cgroup   the container's cgroup2 mount
 *     stdio 1 file[1e:a]      fd 1, outside the container: the caller's
 *     netns extRootNetNS      a network namespace joined by path
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

#define CKPT_DESC_FILE "berth-checkpoint"

enum ckpt_mount_kind { CKPT_MNT_BIND, CKPT_MNT_NULL, CKPT_MNT_CGROUP };

struct ckpt_mount {
	enum ckpt_mount_kind kind;
	char *path; /* the mount point inside the container */
};

struct ckpt_desc {
	char *id, *rootfs;
	struct ckpt_mount *mounts;
	size_t mounts_n;
	char *stdio[3]; /* CRIU's key of fd 0..2, NULL: nothing to say */
	bool ext_netns;
};

void ckpt_desc_free(struct ckpt_desc *d);

/* Fill @d from container process @pid (its mounts and stdio) and @spec. */
int ckpt_desc_from_process(pid_t pid, const struct oci_spec *spec,
			   struct ckpt_desc *d, struct berth_error *err);

/* Write @d as <@dirfd>/berth-checkpoint; read it back.  A dir without
 * one: `'DIR' is not a berth checkpoint (no berth-checkpoint file)`. */
int ckpt_desc_save(int dirfd, const struct ckpt_desc *d,
		   struct berth_error *err);
int ckpt_desc_load(int dirfd, const char *dir, struct ckpt_desc *d,
		   struct berth_error *err);
