#pragma once
/*
 * linux.seccomp (runtime-spec config-linux.md "Seccomp"), as runc does it.
 *
 * The work is split between the parent and the container child:
 *
 *   parent, before clone:  seccomp_plan_build() compiles the config with
 *                          libseccomp into a classic BPF program kept in
 *                          memory (no libseccomp object survives);
 *   child, last steps:     seccomp_plan_load() hands that program to
 *                          seccomp(2) — no libseccomp call, no allocation;
 *   parent, with NOTIFY:   seccomp_send_listener() gives the listener fd
 *                          the child got back to the agent at
 *                          linux.seccomp.listenerPath.
 *
 * No libseccomp type appears here.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "runtime/context.h"
#include "util/error.h"

struct seccomp_plan;

/* Compile @sc into a plan:
 *  - defaultAction / defaultErrnoRet (SCMP_ACT_ERRNO and SCMP_ACT_TRACE
 *    default to EPERM), every action (SCMP_ACT_KILL is KILL_THREAD);
 *  - architectures: "SCMP_ARCH_X86_64" -> libseccomp's "x86_64"; one the
 *    library does not know is an error naming it;
 *  - syscalls: names libseccomp does not know are skipped (debug line); a
 *    rule whose action equals the default action is skipped; args become
 *    conditions (SCMP_CMP_MASKED_EQ: value is the mask, valueTwo the
 *    datum); when two args share an index each arg becomes its own rule,
 *    so they OR (runc's rule), otherwise they AND in one rule;
 *  - flags: SECCOMP_FILTER_FLAG_LOG and _SPEC_ALLOW go to seccomp(2);
 *    _TSYNC is accepted and ignored as runc does (the child is single
 *    threaded); _WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule (the
 *    kernel refuses it without a listener);
 *  - syscalls newer than the profile: under a denying default action
 *    (ERRNO, KILL*, TRAP), a syscall number above the highest one the
 *    profile names for that arch returns -ENOSYS (runc's patchbpf rule;
 *    seccomp_stub.h), for the native arch and every listed one;
 *  - SCMP_ACT_NOTIFY: needs listenerPath, may not be the default action
 *    and may not be used for write or sendmsg (the child must be able to
 *    hand the listener to berth before anyone can answer).
 * Errors start with "seccomp: ". */
int seccomp_plan_build(const struct rt_context *ctx,
		       const struct oci_seccomp *sc, struct seccomp_plan **ret,
		       struct berth_error *err);
void seccomp_plan_free(struct seccomp_plan *p);
static inline void cleanup_seccomp_planp(struct seccomp_plan **p)
{
	seccomp_plan_free(*p);
}
#define _cleanup_seccomp_plan_ __attribute__((cleanup(cleanup_seccomp_planp)))

/* True when a rule uses SCMP_ACT_NOTIFY: the load returns a listener. */
bool seccomp_plan_has_notify(const struct seccomp_plan *p);
/* Number of BPF instructions (for tests and debug lines), and how many of
 * them are the -ENOSYS stub in front. */
unsigned seccomp_plan_insns(const struct seccomp_plan *p);
unsigned seccomp_plan_stub_insns(const struct seccomp_plan *p);
/* The SECCOMP_FILTER_FLAG_* bits seccomp_plan_load() will pass. */
unsigned seccomp_plan_flags(const struct seccomp_plan *p);

/* For `berth features`: the architecture names seccomp_plan_build()
 * accepts here ("SCMP_ARCH_X86_64", ...: the spec's list, kept to those
 * this libseccomp knows), and the linux.seccomp.flags it accepts that this
 * kernel supports (every known flag is in the parser's table).  Each
 * fills @out (static strings) up to @cap entries and returns the count. */
size_t seccomp_arch_names(const char **out, size_t cap);
size_t seccomp_supported_flag_names(const char **out, size_t cap);

/* In the child: seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog), with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER when the plan has NOTIFY.  Needs
 * no_new_privs or CAP_SYS_ADMIN.  *@ret_listener is the listener (born
 * close-on-exec) or -1.  Async-signal-safe: no allocation, no libseccomp. */
int seccomp_plan_load(const struct seccomp_plan *p, int *ret_listener,
		      struct berth_error *err);

/* In the parent: connect to the AF_UNIX SOCK_STREAM socket @path and send,
 * in one message, the "container process state" of config-linux.md as data
 * with @listener attached (SCM_RIGHTS), then close the connection.  The
 * JSON is {ociVersion, fds: ["seccompFd"], pid: @pid, metadata: @metadata
 * (omitted when NULL or empty), state: @state_json (the runtime-spec State
 * object, as hooks get it)}.  @listener stays owned by the caller. */
int seccomp_send_listener(const char *path, int listener, const char *metadata,
			  pid_t pid, const char *state_json,
			  struct berth_error *err);
