#pragma once
/*
 * The bottom of cgroups/: reading and writing the files of one hierarchy's
 * cgroup directory (struct cg_hier's fd), and host facts both backends
 * read.  Used by the v1 and v2 backends and the manager; calls nothing of
 * theirs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/path.h"
#include "util/error.h"

/* Write @val to @file of @h's directory; the message names @field (may be
 * NULL), the file and the directory. */
int cg_write(const struct cg_hier *h, const char *field, const char *file,
	     const char *val, struct berth_error *err);
int cg_read(const struct cg_hier *h, const char *file, char **ret);
/* A number, or "max" as UINT64_MAX. */
int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *ret);
/* The value of "@key <number>" in a flat-keyed file (memory.stat...). */
int cg_read_key(const struct cg_hier *h, const char *file, const char *key,
		uint64_t *ret);
bool cg_has_file(const struct cg_hier *h, const char *file);

/* The nearest of @h's cgroup and its ancestors (up to the mount) whose
 * @file begins with @val: "<mount><path>" in *@ret (malloc'd), or NULL
 * when none does.  0 or -ENOMEM. */
int cg_find_up(const struct cg_hier *h, const char *file, const char *val,
	       char **ret);

/* Move @pid (the whole thread group) into @h: its cgroup.procs. */
int cg_write_procs(const struct cg_hier *h, pid_t pid, struct berth_error *err);

/* Write @val to @file (again every 100 ms: v1 may stop at FREEZING when a
 * task is busy in the kernel) until @done(@h, @frozen), at most ~5 s, else
 * -ETIMEDOUT "<file> <dir>: still not frozen after 5 s". */
int cg_write_until(const struct cg_hier *h, const char *file, const char *val,
		   bool (*done)(const struct cg_hier *h, bool frozen),
		   bool frozen, struct berth_error *err);

/* Waiting for the kernel: CG_WAIT_STEPS naps of 2 ms, 5 s in all. */
#define CG_WAIT_STEPS 2500
void cg_nap(void);

/* The host's huge page sizes as cgroup file names ("2MB", "1GB"), at most
 * @max of them; the count. */
size_t cg_hugepage_sizes(char (*sizes)[16], size_t max);
