#pragma once
/*
 * config.json mount options -> mount(2) flags, propagation, MOUNT_ATTR_*
 * for the recursive ("rro", "rnosuid", ...) options and the fs data string
 * made of every option not recognised ("size=65536k", "mode=755", ...).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MOUNT_OPTS_MAX_PROP 8

struct mount_opts {
	unsigned long
	    flags; /* MS_* asked for (MS_RDONLY, MS_BIND, MS_REC...) */
	unsigned long clear; /* MS_* explicitly unset: rw, suid, dev, exec... */
	unsigned long propagation[MOUNT_OPTS_MAX_PROP]; /* in config order */
	size_t propagation_n;
	uint64_t rec_set, rec_clr; /* MOUNT_ATTR_* with AT_RECURSIVE */
	bool idmap, ridmap, tmpcopyup;
	char *data; /* unknown options joined by ','; NULL when none */
};

/* Parse @options (NULL-terminated, may be NULL).  @ret is always
 * initialised; free it with mount_opts_done() even on failure. */
int mount_opts_parse(char *const *options, struct mount_opts *ret,
		     struct berth_error *err);
void mount_opts_done(struct mount_opts *o);

/* The @i-th option name mount_opts_parse() recognises ("ro", "rbind",
 * "tmpcopyup", ...), NULL past the last: what `berth features` lists as
 * mountOptions. */
const char *mount_opts_name(size_t i);

/* "rslave" -> MS_SLAVE|MS_REC etc.  Returns 0 or -EINVAL. */
int mount_opts_propagation(const char *name, unsigned long *ret_flags);

/* The MOUNT_ATTR_* set / clear masks that apply the per-mount flags of
 * flags/clear (ro, nosuid, nodev, noexec, nodiratime, nosymfollow, atime)
 * with mount_setattr(2) or fsmount(2). */
void mount_opts_attr(unsigned long flags, unsigned long clear,
		     uint64_t *ret_set, uint64_t *ret_clr);

/* The superblock flags among MS_SYNCHRONOUS, MS_DIRSYNC, MS_MANDLOCK and
 * MS_LAZYTIME as fsconfig(2) flag names, NULL-terminated, into @names
 * (room for 5). */
void mount_opts_sb_flags(unsigned long flags, const char *names[5]);
