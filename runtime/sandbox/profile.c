/*
 * linux.seccomp of a sandbox: by default a deny list of what builds never
 * need (docs/sandbox.md says why each), everything else allowed; clone3
 * answers ENOSYS so glibc falls back to clone, whose flags a filter can
 * see.  --seccomp FILE puts that file's LinuxSeccomp object there
 * instead; --seccomp none leaves it out.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "oci/json_text.h"
#include "runtime/sandbox/internal.h"
#include "util/cleanup.h"
#include "util/util.h"

/* EPERM: the kernel's own answer to an unprivileged caller. */
static const char *const denied[] = {
    /* mounts, old and new API */
    "mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig",
    "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    /* other processes, the kernel, its keys */
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "keyctl",
    "add_key", "request_key", "perf_event_open", "userfaultfd", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module",
    "create_module", "query_module", "get_kernel_syms", "reboot", "swapon",
    "swapoff", "setns", "open_by_handle_at", "name_to_handle_at", "iopl",
    "ioperm", "acct", "quotactl", "lookup_dcookie", "nfsservctl", "syslog",
    "uselib", "vm86", "vm86old", "io_uring_setup", "io_uring_enter",
    "io_uring_register", NULL};

/* The arches of this build's ABIs: a 32-bit call on x86-64 meets the same
 * rules (other arches are killed by the filter). */
static const char *const archs[] = {
#if defined(__x86_64__)
    "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__aarch64__)
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#endif
    NULL};

static void deny_rule(struct jw *w, const char *const *names, int errno_ret)
{
	jw_open(w, NULL, '{');
	jw_strv(w, "names", names);
	jw_kstr(w, "action", "SCMP_ACT_ERRNO");
	jw_kint(w, "errnoRet", errno_ret);
	jw_close(w, '}');
}

/* unshare(CLONE_NEWUSER...) and clone(CLONE_NEWUSER...): EPERM. */
static void deny_newuser(struct jw *w, const char *name)
{
	jw_open(w, NULL, '{');
	jw_strv(w, "names", (const char *const[]){name, NULL});
	jw_kstr(w, "action", "SCMP_ACT_ERRNO");
	jw_kint(w, "errnoRet", EPERM);
	jw_open(w, "args", '[');
	jw_open(w, NULL, '{');
	jw_kint(w, "index", 0);
	jw_kint(w, "value", CLONE_NEWUSER);
	jw_kint(w, "valueTwo", CLONE_NEWUSER);
	jw_kstr(w, "op", "SCMP_CMP_MASKED_EQ");
	jw_close(w, '}');
	jw_close(w, ']');
	jw_close(w, '}');
}

static void default_profile(struct jw *w)
{
	jw_open(w, "seccomp", '{');
	jw_kstr(w, "defaultAction", "SCMP_ACT_ALLOW");
	if (archs[0] != NULL)
		jw_strv(w, "architectures", archs);
	jw_open(w, "syscalls", '[');
	deny_rule(w, denied, EPERM);
	deny_rule(w, (const char *const[]){"clone3", NULL}, ENOSYS);
	deny_newuser(w, "unshare");
	deny_newuser(w, "clone");
	jw_close(w, ']');
	jw_close(w, '}');
}

#define SECCOMP_FILE_MAX (4 << 20)

static int file_profile(struct jw *w, const char *path, struct berth_error *err)
{
	_cleanup_free_ char *text = NULL, *compact = NULL;
	size_t len;
	int r = read_user_file(AT_FDCWD, path, SECCOMP_FILE_MAX, "--seccomp",
			       &text, &len, err);
	if (r < 0)
		return r;
	r = oci_json_object_text(text, len, path, false, &compact, err);
	if (r < 0)
		return berth_err_ctx(err, "--seccomp");
	jw_key(w, "seccomp");
	jw_raw(w, compact);
	w->first = false;
	return 0;
}

int sandbox_write_seccomp(struct jw *w, const struct sandbox_opts *o,
			  struct berth_error *err)
{
	if (o->seccomp != NULL && strcmp(o->seccomp, "none") == 0)
		return 0;
	if (o->seccomp != NULL)
		return file_profile(w, o->seccomp, err);
	default_profile(w);
	return 0;
}
