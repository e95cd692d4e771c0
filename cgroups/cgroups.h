#pragma once
/*
 * The container's cgroup: one interface over cgroup v2 (unified), v1
 * (legacy) and hybrid hosts.  The rest of the runtime never asks which.
 *
 * Lifecycle:
 *   cg_manager_new()   compute the paths (nothing touched yet)
 *   cg_clear_stale()   an existing leaf: refuse it with processes, else
 *                      remove it (or keep it, saying where it is)
 *   cg_manager_plan()  the cg_manager_path() text before anything exists,
 *                      to save in state.json first (crash-safe order)
 *   cg_create()        mkdir in every hierarchy, refuse a frozen one,
 *                      apply linux.resources
 *   cg_clone_into_fd() >= 0: clone3(CLONE_INTO_CGROUP) with it (cgroup2)
 *   cg_self_open()     the files the child moves itself with, in its
 *                      first step (cg_enter_self()): the rest
 *   cg_enter()         or: write a pid to every cgroup.procs (restore)
 *   cg_manager_path()  save it in state.json; cg_manager_load() reopens it
 *   cg_apply()         `update`; cg_freeze() pause/resume; cg_pids() ps;
 *   cg_signal_all()    kill --all; cg_stats() events --stats
 *   cg_destroy()       delete: kill what remains, wait, rmdir
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

enum cg_layout {
	CG_LAYOUT_UNIFIED, /* cgroup2 at /sys/fs/cgroup */
	CG_LAYOUT_LEGACY,  /* v1 hierarchies only */
	CG_LAYOUT_HYBRID,  /* v1 hierarchies + cgroup2 at /sys/fs/cgroup/unified
			    */
};

/* statfs /sys/fs/cgroup (CGROUP2_SUPER_MAGIC or TMPFS_MAGIC), then
 * /sys/fs/cgroup/unified.  -ENOMEDIUM when no cgroup fs is mounted there. */
int cg_detect_layout(enum cg_layout *ret, struct berth_error *err);
const char *cg_layout_name(enum cg_layout layout);

struct cg_manager;

/* @cgroups_path is linux.cgroupsPath (may be NULL): absolute paths are taken
 * from each hierarchy's root; relative ones and the default (@id) go under
 * the cgroup berth runs in (v1 and the hybrid unified dir: berth's own
 * cgroup of that hierarchy; pure v2: its parent, as runc does, because a
 * cgroup with processes cannot delegate controllers).  ".." cannot climb
 * above that base.  runc's systemd form "slice:prefix:name" is refused,
 * unless @systemd (--systemd-cgroup): then it is the only form accepted,
 * mapped to the cgroupfs path systemd would use (cg_systemd_path(),
 * "system.slice/prefix-name.scope") and placed like a relative path, under
 * berth's own cgroup: with no systemd to own the slices, berth does not
 * create them at the hierarchy's root as runc's driver has systemd do. */
int cg_manager_new(const char *cgroups_path, const char *id, bool systemd,
		   struct cg_manager **ret, struct berth_error *err);

/* Reopen a manager from the cg_manager_path() text saved in state.json.
 * Hierarchies whose directory is gone are skipped (delete still works). */
int cg_manager_load(const char *saved, struct cg_manager **ret,
		    struct berth_error *err);
/* The cgroup a container @id made with linux.cgroupsPath @cgroups_path
 * would have now (cg_manager_new's paths), reopened as cg_manager_load()
 * does, its leaf counted as berth's (cg_destroy removes it, never a
 * parent): for `delete --force` when state.json is lost.  The caller
 * checks that the leaf is named after the container. */
int cg_manager_find(const char *cgroups_path, const char *id, bool systemd,
		    struct cg_manager **ret, struct berth_error *err);
/* One line per hierarchy, "<controllers> <created> <mount> <path>", joined by
 * '\n' (controllers "cgroup2" for the v2 hierarchy; created = how many
 * trailing path components berth made and so may remove). */
const char *cg_manager_path(const struct cg_manager *m);
/* /proc/self/mountinfo as cg_manager_new() read it, or NULL: one read of
 * the mount table per create, however many mounts the host has. */
const char *cg_manager_mountinfo(const struct cg_manager *m);
enum cg_layout cg_manager_layout(const struct cg_manager *m);
/* The container's directory in the cgroup v2 hierarchy (pure v2 or the
 * hybrid unified dir), e.g. "/sys/fs/cgroup/x/c1"; NULL if none. */
const char *cg_manager_v2_dir(const struct cg_manager *m);
void cg_manager_free(struct cg_manager *m);

/* An existing leaf cgroup (left by a container whose state is gone, or
 * made by someone else): with processes in any hierarchy -EBUSY, "cgroup
 * <dir> exists and has N process(es): ..."; empty and @remove, it is
 * removed (its sub-cgroups too, never its parents) so cg_create() starts
 * afresh; empty and !@remove, it stays (cg_create() joins it).  *@ret_dir
 * (malloc'd) names the leaf that existed, NULL when none did. */
int cg_clear_stale(struct cg_manager *m, bool remove, char **ret_dir,
		   struct berth_error *err);
/* Rootless: whether berth may make the container's cgroup in every
 * hierarchy, its effective ids asked (faccessat AT_EACCESS): the nearest
 * existing directory of each leaf (where cg_create() would mkdir), its
 * cgroup.procs and, on cgroup v2, its cgroup.subtree_control writable --
 * a subtree delegated as systemd's Delegate=yes does.  1 yes; 0 no, and
 * *@ret_why (malloc'd) says "cgroup <dir>: <dir>/<file> is not writable by
 * uid N"; -ENOMEM. */
int cg_check_delegated(const struct cg_manager *m, char **ret_why);
/* Before cg_create(): count in each hierarchy the trailing path components
 * that do not exist yet (what cg_create() will make, and delete may
 * remove), and rebuild cg_manager_path() with them.  Save that in
 * state.json before creating, and cg_manager_path() again after. */
int cg_manager_plan(struct cg_manager *m, struct berth_error *err);

/* Create the directories (v1: each mounted hierarchy; hybrid: also the
 * unified one; v2: enabling controllers in the parents' subtree_control),
 * then cg_apply(@res) (NULL: no limits).  On failure, whatever this call
 * created is removed again. */
int cg_create(struct cg_manager *m, const struct oci_resources *res,
	      struct berth_error *err);
/* The container's cgroup2 dir (pure v2, or a hybrid host's unified one;
 * O_DIRECTORY|O_CLOEXEC, owned by @m) for clone3's CLONE_INTO_CGROUP; -1
 * when there is none. */
int cg_clone_into_fd(const struct cg_manager *m);

/* How a freshly cloned child joins the hierarchies clone3 did not put it
 * in: it writes "0" to a file of each, opened here by berth (the kernel
 * checks the opener's credentials, so a child already in a user namespace
 * of its own may write them too).
 *
 * Why the child and not berth: berth writing the child's pid to
 * cgroup.procs takes the kernel's cgroup_threadgroup_rwsem for writing,
 * which waits for an RCU grace period, up to ~20 ms on an idle host, on
 * every create and exec; a single-threaded process moving itself through
 * v1's "tasks" file takes no such lock on the 6.x kernels here (measured:
 * 19 ms against 0.4 ms; an older kernel may take it, and it still works).
 * The child is single-threaded until it execs, and moves before any step
 * of its own, as it would have waited for berth to move it. */
struct cg_self_file {
	int fd;			 /* O_WRONLY|O_CLOEXEC */
	const char *file;	 /* its name, and the hierarchy's */
	const struct cg_hier *h; /* for the error message */
};
struct cg_self {
	size_t n;
	struct cg_self_file *f;
};
/* Open v1's "tasks" in every v1 hierarchy (cgroup.procs where only that is
 * the caller's, as a delegation gives it) and, unless @cloned_into (clone3
 * put the child in the cgroup2 one), the cgroup2 one's cgroup.procs. */
int cg_self_open(const struct cg_manager *m, bool cloned_into,
		 struct cg_self *ret, struct berth_error *err);
/* In the child: write "0" to each (the calling thread moves). */
int cg_enter_self(const struct cg_self *s, struct berth_error *err);
void cg_self_close(struct cg_self *s);
/* Move @pid (the whole thread group) into the cgroup in every hierarchy. */
int cg_enter(struct cg_manager *m, pid_t pid, struct berth_error *err);
/* Write linux.resources.  Errors name the field and the file:
 * "linux.resources.memory.limit: write memory.max in /sys/fs/cgroup/c1:
 * Invalid argument". */
int cg_apply(struct cg_manager *m, const struct oci_resources *res,
	     struct berth_error *err);

/* v1 freezer.state (FROZEN/THAWED) or v2 cgroup.freeze, and wait until the
 * kernel reports the new state (at most ~5 s, else -ETIMEDOUT). */
int cg_freeze(struct cg_manager *m, bool frozen, struct berth_error *err);
int cg_is_frozen(struct cg_manager *m, bool *ret);
/* The same from the cg_manager_path() text, opening only the freezing
 * hierarchy (state_status() asks it for every container `list` shows). */
int cg_saved_is_frozen(const char *saved, bool *ret);

/* -EBUSY when a task put in the cgroup would be held frozen, by its own
 * freezer or an ancestor's (v1 freezer.state, v2 cgroup.freeze/.events):
 * "cgroup <dir> is frozen (by <ancestor>): ...".  cg_create() asks; a
 * caller waiting on a process in the cgroup asks again. */
int cg_check_thawed(struct cg_manager *m, struct berth_error *err);
/* After a SIGKILL: thaw the cgroup if it is frozen, so the kill lands (a
 * v1 freezer holds even SIGKILL until it thaws). */
int cg_thaw_for_kill(struct cg_manager *m, struct berth_error *err);

/* Every process of the cgroup and its descendants (malloc'd array). */
int cg_pids(struct cg_manager *m, pid_t **ret, size_t *ret_n,
	    struct berth_error *err);
/* Signal every process: SIGKILL with cgroup.kill where the kernel has it;
 * otherwise freeze, signal each pid, thaw.  A paused container stays
 * paused (the signal lands on resume), except for SIGKILL, after which the
 * cgroup is always thawed so the kill completes (cg_thaw_for_kill). */
int cg_signal_all(struct cg_manager *m, int sig, struct berth_error *err);
/* Kill what remains, wait until empty, rmdir the cgroup (its sub-cgroups
 * first) and the intermediate directories berth created, never others. */
int cg_destroy(struct cg_manager *m, struct berth_error *err);

#define CG_STATS_HUGETLB_MAX 4
#define CG_STATS_BLKIO_MAX   16

struct cg_stats_mem_entry {
	uint64_t usage, max_usage, limit, failcnt;
};

/* The fields of runc's `events --stats` JSON ("data" of a "stats" event).
 * A value that this host does not report stays 0. */
struct cg_stats {
	struct {
		uint64_t total, kernel, user; /* ns */
		uint64_t periods, throttled_periods, throttled_time;
	} cpu;
	struct {
		uint64_t cache;
		struct cg_stats_mem_entry usage, swap, kernel;
		uint64_t oom_events; /* memory.events oom / under_oom toggles */
		uint64_t oom_kill;   /* memory.events or memory.oom_control */
	} memory;
	struct {
		uint64_t current, limit; /* limit 0 = unlimited ("max") */
		uint64_t peak;		 /* pids.peak, when peak_known */
		bool peak_known;
		uint64_t max_events; /* pids.events "max": forks refused */
	} pids;
	struct {
		char page_size[16]; /* "2MB" */
		uint64_t usage, max, failcnt;
	} hugetlb[CG_STATS_HUGETLB_MAX];
	size_t hugetlb_n;
	struct {
		uint32_t major, minor;
		uint64_t read_bytes, write_bytes, read_ios, write_ios;
	} blkio[CG_STATS_BLKIO_MAX];
	size_t blkio_n;
};
int cg_stats(struct cg_manager *m, struct cg_stats *ret,
	     struct berth_error *err);
/* pids.current alone, and whether the kernel keeps pids.peak: what a
 * supervisor samples while a command runs, two files instead of
 * cg_stats()'s thirty.  -ENOENT without a pids controller. */
int cg_pids_now(struct cg_manager *m, uint64_t *ret_current,
		bool *ret_peak_known);
