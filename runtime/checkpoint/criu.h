#pragma once
/*
 * Running the criu binary: berth drives CRIU through its command line
 * (`criu dump`, `criu restore`, `criu check`), not its RPC (docs/
 * checkpoint.md says why).  Nothing here knows about containers.
 */
#include <sys/types.h>

#include "util/error.h"

/* @path (the global --criu) or "criu" looked up in $PATH, as an absolute
 * path, malloc'd.  Missing: `criu not found (...): install the Debian
 * package criu` (ENOENT). */
int criu_find(const char *path, char **ret_path, struct berth_error *err);

/* `criu check`: 0 when CRIU works with this kernel; else EOPNOTSUPP with
 * CRIU's own reason: `criu check failed: vdso: Unexpected rt vDSO area
 * bounds (Could not initialize kernel features detection.)`. */
int criu_check(const char *criu, struct berth_error *err);

/* Run *@argv (argv[0] = the criu binary; @enter_cgroup may add to it) and wait
 * for it.  It logs to
 * @log (its -o); @enter_cgroup, when not NULL, is called in the child
 * before exec (to put CRIU, and so what it restores, in a cgroup).  A
 * failure names @what and carries the last error line of @log:
 * `criu dump failed (exit status 1): Can't dump ... (log: /w/dump.log)`. */
typedef int (*criu_child_fn)(void *data);
int criu_run(char ***argv, const char *what, const char *log,
	     criu_child_fn enter_cgroup, void *data, struct berth_error *err);

/* The first and last "Error (file:line): text" lines of @text, prefixes
 * removed, as "first (last)" or "first"; @fallback when there is none.
 * Written into @buf (@size bytes). */
void criu_error_lines(const char *text, const char *fallback, char *buf,
		      size_t size);
