/*
 * Whether a sandbox needs the sealed copy of berth (CVE-2019-5736).  The
 * sealed re-exec keeps a container process from writing the host's berth
 * binary through /proc/<pid>/exe; a sandbox's process is fixed (no
 * capabilities, no_new_privs, fresh namespaces that nothing else shares,
 * no hooks), so when the kernel's own permission check already refuses it
 * the write, the copy guards nothing and its 1.5 ms is skipped.  Any doubt
 * keeps the copy: --init (its PID 1 is berth code for the whole run), a
 * filesystem whose permissions are not the inode's mode bits (NFS, FUSE,
 * ...), an ACL, uid 0, a uid that owns the binary, a group or other write
 * bit the process has.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/sandbox/internal.h"
#include "util/cleanup.h"

bool sandbox_dac_may_write(const struct stat *st, uint32_t uid, uint32_t gid)
{
	if (uid == 0 || uid == st->st_uid)
		return true; /* root, or the owner, who may chmod it */
	if (gid == st->st_gid && (st->st_mode & S_IWGRP))
		return true;
	return (st->st_mode & S_IWOTH) != 0;
}

/* Filesystems whose permission check is the inode's mode and ACL. */
static bool plain_permissions(int fd)
{
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		return false;
	switch ((unsigned long)fs.f_type) {
	case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
		return true;
	default:
		return false;
	}
}

static bool has_acl(int fd)
{
	if (fgetxattr(fd, "system.posix_acl_access", NULL, 0) >= 0)
		return true;
	return errno != ENODATA && errno != EOPNOTSUPP;
}

/* Without a user namespace the process's ids are @o's uid and gid, with no
 * supplementary groups; in one (berth is not root) they are the caller's
 * own, supplementary groups too: any group write bit may be theirs. */
static bool process_may_write(int fd, const struct sandbox_opts *o)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return true;
	if (o->userns)
		return (st.st_mode & S_IWGRP) ||
		       sandbox_dac_may_write(&st, o->host_uid, o->host_gid);
	return sandbox_dac_may_write(&st, o->uid, o->gid);
}

bool sandbox_needs_sealed_copy(const struct sandbox_opts *o, bool init)
{
	if (init)
		return true;
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	return !plain_permissions(fd) || has_acl(fd) ||
	       process_may_write(fd, o);
}
