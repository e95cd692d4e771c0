#pragma once
/*
 * `berth sandbox`: one command for an untrusted build.  The options become
 * an OCI config in memory (sandbox_config_json()), which the ordinary
 * runtime core runs (rt_run()) under a unique ID, in a scratch directory
 * removed at the end (sandbox_run()).  No namespace, mount or seccomp code
 * of its own.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/container.h"
#include "runtime/context.h"
#include "util/error.h"

struct sandbox_bind {
	const char *src, *dst; /* dst NULL: same as src */
	bool ro;
};

struct sandbox_tmpfs {
	const char *dst, *size; /* size NULL: the kernel's default */
};

struct sandbox_overlay {
	const char *src, *dst; /* the directory @src seen at @dst */
};

struct sandbox_opts {
	const char *rootfs; /* NULL: the host's /usr, /bin, /lib*, /etc files */
	struct sandbox_bind *binds;
	size_t binds_n;
	struct sandbox_tmpfs *tmpfs;
	size_t tmpfs_n;
	struct sandbox_overlay *overlays;
	size_t overlays_n;
	bool overlay_root;	  /* --overlay without an argument */
	const char *keep_changes; /* the upper layers go there */
	const char *workdir;	  /* NULL: "/" */
	char **env;		  /* K=V, after the defaults */
	char **owned;		  /* strings sandbox_opt_set() made */
	uint32_t uid, gid;
	bool net_host;
	const char *seccomp; /* NULL: the default profile; "none"; a file */
	int64_t memory;	     /* bytes, -1: no limit */
	int64_t pids;	     /* -1: no limit */
	int64_t cpu_quota;   /* microseconds per 100 ms, -1: no limit */
	char **argv;
	/* berth is not root: a user namespace mapping 0 (the only uid/gid
	 * then) to the caller's own host_uid/host_gid, and no device rules
	 * (no cgroup may be ours). */
	bool userns;
	uint32_t host_uid, host_gid;
	/* --timeout, --output-limit, --init, --report: the supervision in
	 * rt_create_opts.supervise (runtime/supervise/supervise.h). */
};

/* The defaults: no limits, the default seccomp profile, uid/gid 65534 --
 * or, when berth is not root (@ctx->rootless_reason), a user namespace
 * where 0 is the caller. */
void sandbox_opts_init(struct sandbox_opts *o, const struct rt_context *ctx);
/* Free what sandbox_opt_set() allocated (the arrays, resolved paths). */
void sandbox_opts_free(struct sandbox_opts *o);

/* The command line's flags with a value, one at a time. */
enum sandbox_flag {
	SANDBOX_ROOTFS,
	SANDBOX_BIND,
	SANDBOX_RO_BIND,
	SANDBOX_TMPFS,
	SANDBOX_OVERLAY, /* SRC:DST; the root's is overlay_root */
	SANDBOX_KEEP_CHANGES,
	SANDBOX_WORKDIR,
	SANDBOX_ENV,
	SANDBOX_USER,
	SANDBOX_NET,
	SANDBOX_SECCOMP,
	SANDBOX_MEMORY,
	SANDBOX_PIDS,
	SANDBOX_CPUS,
};
/* Check @value for @flag and store it in @o; @err says what is wrong,
 * naming the flag: "--memory: expected a size like 512M, got \"lots\"". */
int sandbox_opt_set(struct sandbox_opts *o, enum sandbox_flag flag,
		    const char *value, struct berth_error *err);
/* What is only wrong in combination (--keep-changes without --overlay). */
int sandbox_opts_check(const struct sandbox_opts *o, struct berth_error *err);
/* A size: digits with an optional K, M, G or T (powers of 1024, "KiB",
 * "k", "KB" alike); -EINVAL for anything else or 0. */
int sandbox_parse_size(const char *s, int64_t *ret);

/* Where a sandbox keeps its scratch files: <state root>/@sandbox/<id>. */
struct sandbox_paths {
	char *id;
	char *scratch; /* the directory */
	char *root;    /* scratch/root: root.path, an empty directory */
	char *upper;   /* overlay upper layers: scratch/upper or keep-changes */
	char *work;    /* overlay work dirs, on the upper's filesystem */
};
/* A fresh ID and the paths that go with it (nothing is created). */
int sandbox_paths_new(const struct rt_context *ctx,
		      const struct sandbox_opts *o, struct sandbox_paths *ret,
		      struct berth_error *err);
void sandbox_paths_free(struct sandbox_paths *p);

/* The config.json a sandbox with @o runs, pretty-printed (what
 * --print-config shows, byte for byte what the run parses). */
int sandbox_config_json(const struct sandbox_opts *o,
			const struct sandbox_paths *p, char **ret_json,
			struct berth_error *err);

/* Run @o's command in a sandbox and remove it; *ret_status is the
 * command's exit status (128+N for signal N).  @create carries the CLI's
 * hooks (reexec_sealed) and the supervision (timeout, report, ...). */
int sandbox_run(const struct rt_context *ctx, const struct sandbox_opts *o,
		const struct rt_create_opts *create, int *ret_status,
		struct berth_error *err);
