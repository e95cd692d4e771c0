#pragma once
/*
 * The "tmpcopyup" mount option: a new tmpfs starts with a copy of what the
 * rootfs had at its mount point.  The tmpfs is built detached; the copy
 * goes from the still-visible directory into it before it is attached, so
 * nothing ever sees a half-filled tmpfs and no path string is involved.
 */
#include "util/error.h"

/* Copy the directory @srcfd (any fd of it: O_PATH is fine) into the
 * detached mount @mntfd (its root): files, directories, symlinks, device
 * nodes, fifos and sockets, each with its owner, mode, xattrs and
 * timestamps, the root's own too except what the tmpfs options @data
 * set (mode=, uid=, gid=).  Every name is opened relative to its parent
 * without following symlinks (a symlink is copied as a symlink), so the
 * copy never leaves the tree.  Hard links become separate files.
 * Errors read "tmpcopyup: copy 'a/b': ...". */
int copyup_tree(int srcfd, int mntfd, const char *data,
		struct berth_error *err);
