#pragma once
/*
 * OCI lifecycle hooks (config.json .hooks).
 *
 * Each hook runs in the caller's current namespaces (the caller arranges to
 * be in the right ones): it is forked, gets the container state JSON on its
 * stdin through a pipe, inherits stdout and stderr, and is exec'd with
 * exactly the configured args and env (args NULL means { path }, env NULL
 * the caller's own environment, as runc and crun do; an empty env stays
 * empty).  Every other fd is closed, the signal mask is empty
 * and every handler is default.  The hook leads its own process group; when
 * .timeout (seconds) elapses the whole group gets SIGKILL.
 *
 * The state is written from the parent without blocking: a hook that never
 * reads stdin (or exits early) is fine, and SIGPIPE is held back for the
 * write (EPIPE is ignored).  The hook is waited for through a pidfd, so the
 * caller must not reap children with waitpid(-1) while a hook runs, nor have
 * SIGCHLD set to SIG_IGN.
 *
 * @kind is the spec's name of the list ("prestart", "createRuntime",
 * "createContainer", "startContainer", "poststart", "poststop"); it is only
 * used in messages, e.g.
 *   prestart hook 0 (/usr/bin/foo): exited with status 3
 *   prestart hook 1 (/usr/bin/foo): killed by signal 9 (SIGKILL)
 *   prestart hook 0 (/usr/bin/foo): timed out after 2s
 *   prestart hook 0 (/usr/bin/foo): exec: No such file or directory
 */
#include <stddef.h>

#include "oci/config.h"
#include "util/error.h"

/* Run the hooks of @list in order and stop at the first one that fails
 * (exec failure, non-zero exit, killed by a signal, timeout).  Returns 0, or
 * -errno with @err filled: -ETIMEDOUT for a timeout, the exec errno for an
 * exec failure, -ECHILD for a non-zero exit or a signal.  An empty or NULL
 * list succeeds. */
int hooks_run(const struct oci_hook_list *list, const char *kind,
	      const char *state_json, struct berth_error *err);

/* Run every hook of @list even when some fail (poststop, whose failures are
 * only warnings).  Returns how many failed (0 when all succeeded); when that
 * is > 0 @err holds the first failure's message. */
int hooks_run_all(const struct oci_hook_list *list, const char *kind,
		  const char *state_json, struct berth_error *err);
