#pragma once
/*
 * Thin wrappers over the new mount API (open_tree, mount_setattr, fsopen,
 * fsconfig, fsmount, move_mount).  Every mount berth makes is built
 * detached and then attached onto an fd resolved inside the rootfs, so no
 * mount ever goes through a path string.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* A detached copy of the mount(s) at @fd (O_PATH is fine): recursive or
 * just the one.  Returns the mount fd or -errno. */
int mnt_clone(int fd, bool recursive);

/* mount_setattr(2) on the mount @mntfd (its root): set / clear MOUNT_ATTR_*.
 * Returns 0 or -errno. */
int mnt_setattr(int mntfd, bool recursive, uint64_t set, uint64_t clr);

/* Propagation from MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE, with
 * MS_REC meaning the whole tree.  Returns 0 or -errno. */
int mnt_propagate(int mntfd, unsigned long ms_prop);

/* mnt_propagate() for each of @n flags, in order. */
int mnt_propagate_all(int mntfd, const unsigned long *ms_prop, size_t n);

/* Attach the mount @mntfd onto the file or directory @destfd. */
int mnt_attach(int mntfd, int destfd);

/* Make the detached mount @mntfd idmapped with the user namespace
 * @userns_fd (MOUNT_ATTR_IDMAP); @recursive: its submounts too.  Returns 0
 * or -errno. */
int mnt_idmap(int mntfd, bool recursive, int userns_fd);

/* A bind mount of @srcfd onto @destfd with the per-mount flags (ro, nosuid,
 * ... from MS_* @flags, explicit clears in @clear) and recursive attributes
 * @rec_set / @rec_clr.  Flags the kernel locked on the source (in a user
 * namespace) are kept, as runc does: an EPERM is retried without clearing
 * them.  The attached mount's fd is stored in *ret_mntfd when non-NULL.
 * @what names the mount in messages: "bind '/src' on '/dest'". */
int mnt_bind(int srcfd, bool recursive, unsigned long flags,
	     unsigned long clear, uint64_t rec_set, uint64_t rec_clr,
	     int destfd, int *ret_mntfd, const char *what,
	     struct berth_error *err);

/* mnt_bind() on a detached tree already made (an idmapped one): flags,
 * recursive attributes, attach.  @tree stays open and owned by the caller;
 * it refers to the attached mount afterwards. */
int mnt_bind_tree(int tree, unsigned long flags, unsigned long clear,
		  uint64_t rec_set, uint64_t rec_clr, int destfd,
		  const char *what, struct berth_error *err);

/* A new filesystem of @type (fsopen/fsconfig/fsmount): @source, @data
 * ("size=65536k,mode=755": key=value as strings, bare words as flags), the
 * superblock flags in @ms_flags (sync, dirsync, mand, lazytime) and the
 * per-mount MOUNT_ATTR_* @attr.  Returns a detached mount fd in *ret_fd.
 * The message reads "mount @type on @dest: <errno>", with the
 * filesystem's own explanation when it gave one. */
int mnt_new_fs(const char *type, const char *source, const char *data,
	       unsigned long ms_flags, uint64_t attr, const char *dest,
	       int *ret_fd, struct berth_error *err);
