#pragma once
/* What the sandbox's files share. */
#include <stdio.h>

#include "runtime/sandbox/sandbox.h"

/* One overlay the sandbox mounts: @lower seen at @dst, its upper and work
 * directories named @tag under sandbox_paths.upper and .work. */
struct sandbox_layer {
	char *lower, *dst, *tag;
	bool user; /* an --overlay SRC:DST (mounted with the user's binds) */
};
/* Every overlay of @o (the root's, the host system directories' with a
 * host root, each --overlay SRC:DST), sources resolved. */
int sandbox_layers(const struct sandbox_opts *o, struct sandbox_layer **ret,
		   size_t *ret_n, struct berth_error *err);
void sandbox_layers_free(struct sandbox_layer *v, size_t n);

/* A JSON writer over a memstream: the first failure sticks in .err. */
struct jw {
	FILE *f;
	int err;
	bool first; /* no comma before the next element */
};
void jw_raw(struct jw *w, const char *s);
void jw_str(struct jw *w, const char *s);		 /* a string element */
void jw_key(struct jw *w, const char *k);		 /* "k": */
void jw_open(struct jw *w, const char *k, char bracket); /* "k":{ or [ */
void jw_close(struct jw *w, char bracket);
void jw_kstr(struct jw *w, const char *k, const char *v);
void jw_kint(struct jw *w, const char *k, long long v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_strv(struct jw *w, const char *k, const char *const *v);

/* linux.seccomp: the default profile for builds, or --seccomp FILE. */
int sandbox_write_seccomp(struct jw *w, const struct sandbox_opts *o,
			  struct berth_error *err);
