#pragma once
/*
 * The container lifecycle, one function per runc command.  This is the
 * library the CLI in cmd/ calls; it never prints and never exits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/config.h"
#include "oci/state_json.h"
#include "runtime/context.h"
#include "util/error.h"

struct rt_supervise; /* runtime/supervise/supervise.h */

struct rt_create_opts {
	const char *bundle;	    /* default "." */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* NULL: none */
	bool no_pivot;
	bool no_new_keyring; /* keep the caller's session keyring */
	int listen_fds;	     /* socket activation: $LISTEN_FDS fds from 3 */
	int preserve_fds;
	/* Called (when set) if the container could see berth's child before
	 * it execs: it must exec a sealed copy of berth with the same argv,
	 * or return 0 if this already is one, or -errno. */
	int (*reexec_sealed)(void *data);
	void *reexec_data;
	/* The config as JSON text (not the bundle's config.json) when set:
	 * `berth sandbox` builds it in memory.  Parsed like the file. */
	const char *config_json;
	size_t config_len;
	bool detach; /* run only */
	bool keep;   /* run only: keep the stopped container */
	/* run only, in the foreground: timeout, output limit, init, signals,
	 * report (runtime/supervise/supervise.h); NULL: none. */
	const struct rt_supervise *supervise;
};

int rt_create(const struct rt_context *ctx, const char *id,
	      const struct rt_create_opts *opts, struct berth_error *err);
int rt_start(const struct rt_context *ctx, const char *id,
	     struct berth_error *err);
/* create + start; in the foreground wait for the container, forwarding
 * signals, and store its exit status (128+N for signal N) in
 * *ret_status. */
int rt_run(const struct rt_context *ctx, const char *id,
	   const struct rt_create_opts *opts, int *ret_status,
	   struct berth_error *err);
int rt_kill(const struct rt_context *ctx, const char *id, int sig, bool all,
	    struct berth_error *err);
int rt_delete(const struct rt_context *ctx, const char *id, bool force,
	      struct berth_error *err);
/* The state JSON `berth state` prints (pretty, runc's fields). */
int rt_state(const struct rt_context *ctx, const char *id, char **ret_json,
	     struct berth_error *err);

struct rt_list_entry {
	struct oci_state *state;
	enum oci_status status;
};
int rt_list(const struct rt_context *ctx, struct rt_list_entry **ret,
	    size_t *ret_n, struct berth_error *err);
void rt_list_free(struct rt_list_entry *v, size_t n);

/* pause/resume: freeze or thaw every process of the container (its
 * cgroup's freezer); `state` then says "paused". */
int rt_pause(const struct rt_context *ctx, const char *id,
	     struct berth_error *err);
int rt_resume(const struct rt_context *ctx, const char *id,
	      struct berth_error *err);
/* The host PIDs of the container's processes (its cgroup's), sorted. */
int rt_ps(const struct rt_context *ctx, const char *id, pid_t **ret_pids,
	  size_t *ret_n, struct berth_error *err);
/* Change the live limits to @res (oci_resources_parse() or
 * oci_resources_from_values()); @name names it in errors. */
int rt_update(const struct rt_context *ctx, const char *id,
	      const struct oci_resources *res, const char *name,
	      struct berth_error *err);

/* events: one JSON line per event through @emit: a stats event each
 * @interval_ms (once and return with @stats_only), an "oom" event when the
 * container's OOM-kill count rises; returns when the container stops. */
typedef void (*rt_event_fn)(void *data, const char *json);
int rt_events(const struct rt_context *ctx, const char *id, bool stats_only,
	      unsigned interval_ms, rt_event_fn emit, void *data,
	      struct berth_error *err);
