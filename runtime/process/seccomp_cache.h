#pragma once
/*
 * Compiled seccomp filters, cached under the state root as
 * <root>/@cache/seccomp-<hash>.  libseccomp takes 15 ms and more to compile
 * docker's or podman's default profile, on every create and every exec
 * (crun keeps such a cache too, since 1.7).
 *
 * An entry holds the whole key it was compiled from: berth's own build id,
 * libseccomp's version and API level, the native arch, and every field of
 * linux.seccomp that shapes the BPF.  The key is compared byte for byte on
 * load, so a hash collision or an entry of another build is a miss, never
 * a wrong filter.  Only a regular file of the caller's own uid that nobody
 * else may write is read, inside the state root (mode 0700).  Any failure
 * is a miss: the cache never fails a container.
 */
#include <linux/filter.h>
#include <stddef.h>

#include "oci/config.h"

struct seccomp_cache_key {
	char *buf;
	size_t len, cap;
};

/* The key of @sc; -ENOENT when berth has no build id (no cache then). */
int seccomp_cache_key(const struct oci_seccomp *sc,
		      struct seccomp_cache_key *k);
void seccomp_cache_key_free(struct seccomp_cache_key *k);

struct seccomp_cache_entry {
	struct sock_filter *insns; /* malloc'd */
	unsigned short len, stub_len;
};

/* 0 and @e filled on a hit; a negative errno on a miss. */
int seccomp_cache_load(const char *root, const struct seccomp_cache_key *k,
		       struct seccomp_cache_entry *e);
/* Best effort; returns 0 or the -errno that made it give up. */
int seccomp_cache_store(const char *root, const struct seccomp_cache_key *k,
			const struct seccomp_cache_entry *e);
