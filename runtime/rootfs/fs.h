#pragma once
/*
 * Path helpers for the container's rootfs: every lookup is done with
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) relative to an O_PATH fd of
 * the root, so "..", absolute symlinks and symlinks with ../.. all resolve
 * inside the root and never reach the host.  Missing directories are created
 * one component at a time on a resolved parent fd.
 *
 * @path may be absolute or relative; both are taken relative to @rootfd.
 * Returned fds are O_PATH|O_CLOEXEC unless said otherwise.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum fs_kind {
	FS_DIR,
	FS_FILE,
};

/* openat2(@rootfd, @path, @flags|O_CLOEXEC) with RESOLVE_IN_ROOT,
 * RESOLVE_NO_MAGICLINKS and @resolve.  Returns the fd or -errno; fills
 * nothing (callers add context, ENOENT is often expected). */
int fs_openat_in_root(int rootfd, const char *path, int flags,
		      uint64_t resolve);

/* The same, but fills @err: "open '/etc/hosts' in rootfs: ..." */
int fs_open_in_root(int rootfd, const char *path, int flags, int *ret_fd,
		    struct berth_error *err);

/* Create every missing directory of @path (mode @mode, before umask) inside
 * the root and return an O_PATH fd of the last one. */
int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct berth_error *err);

/* Split @path into a resolved (created if missing) parent directory fd and
 * the last component, copied into @ret_name.  "/" or a path ending in "."
 * or ".." has no last component and gives -EINVAL. */
int fs_open_parent_in_root(int rootfd, const char *path, int *ret_dirfd,
			   char ret_name[static NAME_MAX + 1],
			   struct berth_error *err);

/* Make sure @path exists inside the root as a directory (FS_DIR) or a file
 * (FS_FILE, created empty, mode 0644 before umask): a mount point.  Missing
 * parents are created.  An existing path is kept whatever it is.  Returns
 * an O_PATH fd of it. */
int fs_mkpath_in_root(int rootfd, const char *path, enum fs_kind kind,
		      int *ret_fd, struct berth_error *err);

/* Lexical equality of two paths inside the root: repeated slashes, "."
 * components, a trailing slash and the leading slash do not matter
 * ("dev/" equals "/dev"); ".." is compared as a name. */
bool fs_path_equal(const char *a, const char *b);
