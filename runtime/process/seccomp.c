/*
 * linux.seccomp: compiled with libseccomp in the parent, loaded as plain
 * BPF by the child, the listener handed to the agent by the parent.  See
 * runtime/seccomp.h; the rules follow runc's libcontainer/seccomp.
 */
#include "runtime/process/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "oci/seccomp_state.h"
#include "runtime/process/seccomp_cache.h"
#include "runtime/process/seccomp_stub.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/util.h"

#define MAX_ARGS 6 /* seccomp_data.args[] */

struct seccomp_plan {
	struct sock_filter *insns;
	unsigned short len;
	unsigned short stub_len; /* the -ENOSYS stub's share of len */
	unsigned flags; /* SECCOMP_FILTER_FLAG_*, without NEW_LISTENER */
	bool has_notify;
};

static inline void cleanup_scmp_ctx(scmp_filter_ctx *f)
{
	if (*f != NULL)
		seccomp_release(*f);
}
#define _cleanup_scmp_ __attribute__((cleanup(cleanup_scmp_ctx)))

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* ---- config -> libseccomp values ---- */

static const uint32_t actions[] = {
    [OCI_SCMP_ACT_KILL] = SCMP_ACT_KILL_THREAD,
    [OCI_SCMP_ACT_KILL_PROCESS] = SCMP_ACT_KILL_PROCESS,
    [OCI_SCMP_ACT_KILL_THREAD] = SCMP_ACT_KILL_THREAD,
    [OCI_SCMP_ACT_TRAP] = SCMP_ACT_TRAP,
    [OCI_SCMP_ACT_ERRNO] = SCMP_ACT_ERRNO(0),
    [OCI_SCMP_ACT_TRACE] = SCMP_ACT_TRACE(0),
    [OCI_SCMP_ACT_ALLOW] = SCMP_ACT_ALLOW,
    [OCI_SCMP_ACT_LOG] = SCMP_ACT_LOG,
    [OCI_SCMP_ACT_NOTIFY] = SCMP_ACT_NOTIFY,
};

static const enum scmp_compare ops[] = {
    [OCI_SCMP_CMP_NE] = SCMP_CMP_NE,
    [OCI_SCMP_CMP_LT] = SCMP_CMP_LT,
    [OCI_SCMP_CMP_LE] = SCMP_CMP_LE,
    [OCI_SCMP_CMP_EQ] = SCMP_CMP_EQ,
    [OCI_SCMP_CMP_GE] = SCMP_CMP_GE,
    [OCI_SCMP_CMP_GT] = SCMP_CMP_GT,
    [OCI_SCMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* The libseccomp action; errnoRet (EPERM when unset) is the errno of ERRNO
 * and the value a tracer sees for TRACE.  Like runc, only its low 16 bits
 * count. */
static int scmp_action(enum oci_seccomp_action a, const struct oci_opt_u64 *ret,
		       uint32_t *ret_action, struct berth_error *err)
{
	if ((unsigned)a >= ARRAY_SIZE(actions))
		return berth_err_msg(err, EINVAL, "invalid action %d", (int)a);
	uint32_t act = actions[a];
	if (a == OCI_SCMP_ACT_ERRNO || a == OCI_SCMP_ACT_TRACE)
		act |= (ret->set ? ret->v : EPERM) & SECCOMP_RET_DATA & 0xffff;
	*ret_action = act;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64". */
static int arch_token(const char *name, uint32_t *ret_token,
		      struct berth_error *err)
{
	static const char prefix[] = "SCMP_ARCH_";
	char lower[32];
	const char *s = name + strlen(prefix);

	if (strncmp(name, prefix, strlen(prefix)) != 0 ||
	    strlen(s) >= sizeof(lower))
		return berth_err_msg(err, EINVAL, "unknown architecture \"%s\"",
				     name);
	size_t i;
	for (i = 0; s[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)s[i]);
	lower[i] = '\0';
	uint32_t token = seccomp_arch_resolve_name(lower);
	if (token == 0)
		return berth_err_msg(err, EINVAL,
				     "unknown architecture \"%s\" (libseccomp "
				     "%u.%u.%u does not know it)",
				     name, seccomp_version()->major,
				     seccomp_version()->minor,
				     seccomp_version()->micro);
	*ret_token = token;
	return 0;
}

/* The runtime-spec's architecture names (config-linux.md "Seccomp"). */
static const char *const spec_archs[] = {
    "SCMP_ARCH_X86",	  "SCMP_ARCH_X86_64",	   "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",	  "SCMP_ARCH_AARCH64",	   "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",	  "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	  "SCMP_ARCH_PPC64LE",	   "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",	  "SCMP_ARCH_PARISC",	   "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
    "SCMP_ARCH_SH",	  "SCMP_ARCH_SHEB",
};

static int add_arch(scmp_filter_ctx f, const char *name,
		    struct berth_error *err)
{
	uint32_t token = 0;
	int r = arch_token(name, &token, err);
	if (r < 0)
		return r;
	r = seccomp_arch_add(f, token);
	if (r < 0 && r != -EEXIST)
		return berth_err(err, -r, "add architecture %s", name);
	return 0;
}

/* Those libseccomp knows and can put in one filter with the native arch
 * (not one of the other byte order: EDOM), as add_arch() does. */
size_t seccomp_arch_names(const char **out, size_t cap)
{
	_cleanup_scmp_ scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	size_t n = 0;
	for (size_t i = 0; f && i < ARRAY_SIZE(spec_archs) && n < cap; i++)
		if (add_arch(f, spec_archs[i], NULL) == 0)
			out[n++] = spec_archs[i];
	return n;
}

/* ---- rules ---- */

/* runc's rule: when two args name the same index, every arg becomes a rule
 * of its own (they OR); otherwise all of them form one rule (they AND). */
static int args_share_index(const struct oci_seccomp_syscall *call,
			    bool *ret_shared, struct berth_error *err)
{
	unsigned count[MAX_ARGS] = {0};
	bool shared = false;
	for (size_t i = 0; i < call->args_n; i++) {
		const struct oci_seccomp_arg *a = &call->args[i];
		if (a->index >= MAX_ARGS || (unsigned)a->op >= ARRAY_SIZE(ops))
			return berth_err_msg(
			    err, EINVAL, "args[%zu]: invalid index or op", i);
		if (++count[a->index] > 1)
			shared = true;
	}
	*ret_shared = shared;
	return 0;
}

static struct scmp_arg_cmp to_cond(const struct oci_seccomp_arg *a)
{
	/* For SCMP_CMP_MASKED_EQ datum_a is the mask and datum_b the value
	 * compared with: value and valueTwo, as runc passes them. */
	return (struct scmp_arg_cmp){
	    .arg = a->index,
	    .op = ops[a->op],
	    .datum_a = a->value,
	    .datum_b = a->value_two,
	};
}

static int add_conditional(scmp_filter_ctx f, uint32_t act, int nr,
			   const struct oci_seccomp_syscall *call,
			   struct berth_error *err)
{
	struct scmp_arg_cmp conds[MAX_ARGS];
	bool shared = false;
	int r = args_share_index(call, &shared, err);
	if (r < 0)
		return r;
	if (shared) {
		for (size_t i = 0; r >= 0 && i < call->args_n; i++) {
			conds[0] = to_cond(&call->args[i]);
			r = seccomp_rule_add_array(f, act, nr, 1, conds);
		}
	} else {
		for (size_t i = 0; i < call->args_n; i++)
			conds[i] = to_cond(&call->args[i]);
		r = seccomp_rule_add_array(f, act, nr, (unsigned)call->args_n,
					   conds);
	}
	return r < 0 ? berth_err(err, -r, "add rule") : 0;
}

static int add_rule(const struct rt_context *ctx, scmp_filter_ctx f,
		    uint32_t def, const struct oci_seccomp_syscall *call,
		    const char *name, struct berth_error *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		/* Not known to libseccomp: as runc, assume the kernel does
		 * not have it either. */
		rt_log(ctx, RT_LOG_DEBUG,
		       "seccomp: unknown syscall \"%s\" ignored", name);
		return 0;
	}
	uint32_t act = 0;
	int r = scmp_action(call->action, &call->errno_ret, &act, err);
	if (r < 0)
		return r;
	if (act == def) /* redundant; libseccomp would refuse it */
		return 0;
	if (call->args_n == 0) {
		r = seccomp_rule_add(f, act, nr, 0);
		return r < 0 ? berth_err(err, -r, "add rule") : 0;
	}
	return add_conditional(f, act, nr, call, err);
}

static int add_rules(const struct rt_context *ctx, scmp_filter_ctx f,
		     uint32_t def, const struct oci_seccomp *sc,
		     struct berth_error *err)
{
	for (size_t i = 0; i < sc->syscalls_n; i++) {
		const struct oci_seccomp_syscall *call = &sc->syscalls[i];
		for (char **n = call->names; n != NULL && *n != NULL; n++) {
			int r = add_rule(ctx, f, def, call, *n, err);
			if (r < 0)
				return berth_err_ctx(err, "syscalls[%zu] (%s)",
						     i, *n);
		}
	}
	return 0;
}

/* ---- flags and NOTIFY ---- */

static const struct {
	const char *name;
	unsigned value;
} flag_names[] = {
    /* runc ignores TSYNC: the process that loads the filter has a single
     * thread, so there is nothing to synchronise. */
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* A flag value 0 (TSYNC) is always accepted; another one is supported
 * when the kernel knows it: seccomp(2) with a NULL program then fails with
 * EFAULT, not EINVAL (WAIT_KILLABLE_RECV is only valid with a listener). */
static bool flag_supported(unsigned value)
{
	if (value == 0)
		return true;
	if (value == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		value |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, value, NULL) < 0 &&
	       errno == EFAULT;
}

size_t seccomp_supported_flag_names(const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(flag_names) && n < cap; i++)
		if (flag_supported(flag_names[i].value))
			out[n++] = flag_names[i].name;
	return n;
}

static int plan_flags(const struct oci_seccomp *sc, bool notify,
		      unsigned *ret_flags, struct berth_error *err)
{
	unsigned flags = 0;
	for (char **f = sc->flags; f != NULL && *f != NULL; f++) {
		size_t i = 0;
		while (i < ARRAY_SIZE(flag_names) &&
		       !streq(*f, flag_names[i].name))
			i++;
		if (i == ARRAY_SIZE(flag_names))
			return berth_err_msg(err, EINVAL, "unknown flag \"%s\"",
					     *f);
		if (flag_names[i].value ==
			SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV &&
		    !notify)
			return berth_err_msg(err, EINVAL,
					     "%s needs an SCMP_ACT_NOTIFY rule",
					     *f);
		flags |= flag_names[i].value;
	}
	*ret_flags = flags;
	return 0;
}

/* The child passes the listener to berth with sendmsg(); runc refuses write
 * for the same reason.  Until berth has it, nobody could answer. */
static int check_notify_names(const struct oci_seccomp_syscall *call,
			      struct berth_error *err)
{
	static const char *const forbidden[] = {"write", "sendmsg"};
	for (char **n = call->names; n != NULL && *n != NULL; n++)
		for (size_t i = 0; i < ARRAY_SIZE(forbidden); i++)
			if (streq(*n, forbidden[i]))
				return berth_err_msg(
				    err, EINVAL,
				    "SCMP_ACT_NOTIFY cannot be used for the "
				    "%s syscall",
				    *n);
	return 0;
}

static int check_notify(const struct oci_seccomp *sc, bool *ret_notify,
			struct berth_error *err)
{
	bool notify = false;
	if (sc->default_action == OCI_SCMP_ACT_NOTIFY)
		return berth_err_msg(err, EINVAL,
				     "SCMP_ACT_NOTIFY cannot be the default "
				     "action");
	for (size_t i = 0; i < sc->syscalls_n; i++) {
		if (sc->syscalls[i].action != OCI_SCMP_ACT_NOTIFY)
			continue;
		notify = true;
		int r = check_notify_names(&sc->syscalls[i], err);
		if (r < 0)
			return r;
	}
	if (notify && (sc->listener_path == NULL || !sc->listener_path[0]))
		return berth_err_msg(err, EINVAL,
				     "SCMP_ACT_NOTIFY needs listenerPath");
	*ret_notify = notify;
	return 0;
}

/* ---- BPF ---- */

static int read_all_at(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n =
		    pread(fd, (char *)buf + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* libseccomp 2.5 exports only to an fd: export into a memfd, read back. */
static int export_bpf(scmp_filter_ctx f, struct seccomp_plan *p,
		      struct berth_error *err)
{
	_cleanup_close_ int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "memfd_create");
	int r = seccomp_export_bpf(f, fd);
	if (r < 0)
		return berth_err(err, -r, "export BPF");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return berth_err(err, errno, "export BPF: lseek");
	size_t n = (size_t)size / sizeof(struct sock_filter);
	if (n == 0 || (size_t)size % sizeof(struct sock_filter) != 0)
		return berth_err_msg(err, EIO, "export BPF: %jd bytes",
				     (intmax_t)size);
	if (n > BPF_MAXINSNS)
		return berth_err_msg(err, E2BIG,
				     "the filter has %zu BPF instructions, the "
				     "kernel takes at most %d",
				     n, BPF_MAXINSNS);
	_cleanup_free_ struct sock_filter *insns = malloc((size_t)size);
	if (insns == NULL)
		return berth_err(err, ENOMEM, "export BPF");
	r = read_all_at(fd, insns, (size_t)size);
	if (r < 0)
		return berth_err(err, -r, "export BPF: read back");
	p->insns = TAKE_PTR(insns);
	p->len = (unsigned short)n;
	return 0;
}

static size_t count_names(const struct oci_seccomp *sc)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->syscalls_n; i++)
		n += strv_len(sc->syscalls[i].names);
	return n;
}

/* ---- the -ENOSYS stub (seccomp_stub.h) ---- */

/* runc's rule: only under a default action that denies (ERRNO other than
 * ENOSYS itself, KILL*, TRAP); TRACE counts as allowing, as in runc, since
 * a tracer should handle new syscalls itself. */
static bool wants_stub(const struct oci_seccomp *sc, uint32_t def)
{
	switch (sc->default_action) {
	case OCI_SCMP_ACT_ERRNO:
		return (def & SECCOMP_RET_DATA) != ENOSYS;
	case OCI_SCMP_ACT_KILL:
	case OCI_SCMP_ACT_KILL_PROCESS:
	case OCI_SCMP_ACT_KILL_THREAD:
	case OCI_SCMP_ACT_TRAP:
		return true;
	default:
		return false;
	}
}

/* The highest number of a syscall the profile names, for @token. */
static bool highest_nr(const struct oci_seccomp *sc, uint32_t token,
		       uint32_t *ret_max)
{
	bool found = false;
	uint32_t max = 0;
	for (size_t i = 0; i < sc->syscalls_n; i++)
		for (char **n = sc->syscalls[i].names; n && *n; n++) {
			int nr = seccomp_syscall_resolve_name_arch(token, *n);
			if (nr < 0) /* unknown, or a pseudo number */
				continue;
			if (!found || (uint32_t)nr > max)
				max = (uint32_t)nr;
			found = true;
		}
	*ret_max = max;
	return found;
}

/* Fold @token into the stub's arch list (x32 shares x86-64's entry). */
static void stub_add_arch(const struct oci_seccomp *sc, uint32_t token,
			  struct seccomp_stub_arch *arches, size_t *n)
{
	bool x32 = token == SCMP_ARCH_X32;
	uint32_t audit = x32 ? SCMP_ARCH_X86_64 : token;
	size_t i = 0;
	while (i < *n && arches[i].audit_arch != audit)
		i++;
	if (i == *n)
		arches[(*n)++] =
		    (struct seccomp_stub_arch){.audit_arch = audit};
	struct seccomp_stub_arch *a = &arches[i];
	a->s390_multiplex = token == SCMP_ARCH_S390 || token == SCMP_ARCH_S390X;
	if (x32)
		a->has_x32_max = highest_nr(sc, token, &a->x32_max);
	else
		a->has_max = highest_nr(sc, token, &a->max);
}

/* The filter covers the native arch and the listed ones; so does the stub
 * (runc covers only the listed ones, see docs/compatibility.md). */
static int stub_arches(const struct oci_seccomp *sc,
		       struct seccomp_stub_arch *arches, size_t cap,
		       size_t *ret_n, struct berth_error *err)
{
	size_t n = 0;
	stub_add_arch(sc, seccomp_arch_native(), arches, &n);
	for (char **a = sc->architectures; a != NULL && *a != NULL; a++) {
		uint32_t token = 0;
		int r = arch_token(*a, &token, err);
		if (r < 0)
			return r;
		if (n == cap)
			return berth_err_msg(err, E2BIG,
					     "too many architectures");
		stub_add_arch(sc, token, arches, &n);
	}
	*ret_n = n;
	return 0;
}

static int add_enosys_stub(const struct oci_seccomp *sc, uint32_t def,
			   struct seccomp_plan *p, struct berth_error *err)
{
	struct seccomp_stub_arch arches[32];
	struct sock_filter stub[SECCOMP_STUB_MAX_INSNS(32)];
	size_t n = 0;
	if (!wants_stub(sc, def))
		return 0;
	int r = stub_arches(sc, arches, ARRAY_SIZE(arches), &n, err);
	if (r < 0)
		return r;
	int len = seccomp_stub_build(arches, n, stub, ARRAY_SIZE(stub));
	if (len < 0)
		return berth_err(err, -len, "build the ENOSYS stub");
	if (len == 0)
		return 0;
	size_t total = (size_t)len + p->len;
	if (total > BPF_MAXINSNS)
		return berth_err_msg(err, E2BIG,
				     "the filter has %zu BPF instructions, the "
				     "kernel takes at most %d",
				     total, BPF_MAXINSNS);
	struct sock_filter *all = malloc(total * sizeof(*all));
	if (all == NULL)
		return berth_err(err, ENOMEM, "build the ENOSYS stub");
	memcpy(all, stub, (size_t)len * sizeof(*all));
	memcpy(all + len, p->insns, p->len * sizeof(*all));
	free(p->insns);
	p->insns = all;
	p->len = (unsigned short)total;
	p->stub_len = (unsigned short)len;
	return 0;
}

static int compile(const struct rt_context *ctx, const struct oci_seccomp *sc,
		   struct seccomp_plan *p, struct berth_error *err)
{
	uint32_t def = 0;
	int r =
	    scmp_action(sc->default_action, &sc->default_errno_ret, &def, err);
	if (r < 0)
		return berth_err_ctx(err, "defaultAction");
	_cleanup_scmp_ scmp_filter_ctx f = seccomp_init(def);
	if (f == NULL)
		return berth_err_msg(err, EINVAL,
				     "defaultAction: refused by libseccomp "
				     "(not supported by the kernel?)");
	/* berth sets no_new_privs itself, from process.noNewPrivileges. */
	r = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return berth_err(err, -r, "clear the no_new_privs attribute");
	for (char **a = sc->architectures; a != NULL && *a != NULL; a++) {
		r = add_arch(f, *a, err);
		if (r < 0)
			return r;
	}
	/* As runc: a binary tree for long lists (libseccomp <= 2.5.4
	 * misbehaves with it on an empty filter). */
	if (count_names(sc) > 32 &&
	    seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		rt_log(ctx, RT_LOG_DEBUG,
		       "seccomp: binary tree optimization not available");
	r = add_rules(ctx, f, def, sc, err);
	if (r < 0)
		return r;
	r = export_bpf(f, p, err);
	if (r < 0)
		return r;
	return add_enosys_stub(sc, def, p, err);
}

/* The cached filter of @k into @p: 0, or the reason for a miss. */
static int reuse_cached(const struct rt_context *ctx,
			const struct seccomp_cache_key *k,
			struct seccomp_plan *p)
{
	struct seccomp_cache_entry e = {0};
	int r = seccomp_cache_load(state_root(ctx), k, &e);
	if (r < 0) {
		if (r != -ENOENT)
			rt_log(ctx, RT_LOG_DEBUG,
			       "seccomp: cached filter not used: %s",
			       strerror(-r));
		return r;
	}
	p->insns = e.insns;
	p->len = e.len;
	p->stub_len = e.stub_len;
	return 0;
}

static void store_compiled(const struct rt_context *ctx,
			   const struct seccomp_cache_key *k,
			   const struct seccomp_plan *p)
{
	struct seccomp_cache_entry e = {p->insns, p->len, p->stub_len};
	int r = seccomp_cache_store(state_root(ctx), k, &e);
	if (r < 0)
		rt_log(ctx, RT_LOG_DEBUG, "seccomp: not cached: %s",
		       strerror(-r));
}

/* The filter from the cache under the state root (seccomp_cache.h), or
 * compiled and then stored there.  Without a state root in @ctx (the unit
 * tests) it is always compiled; "" is the default root, as everywhere. */
static int compile_or_reuse(const struct rt_context *ctx,
			    const struct oci_seccomp *sc,
			    struct seccomp_plan *p, bool *ret_cached,
			    struct berth_error *err)
{
	struct seccomp_cache_key k = {0};
	if (ctx->root == NULL || seccomp_cache_key(sc, &k) < 0)
		return compile(ctx, sc, p, err);
	int r = reuse_cached(ctx, &k, p);
	*ret_cached = r == 0;
	if (r < 0) {
		r = compile(ctx, sc, p, err);
		if (r == 0)
			store_compiled(ctx, &k, p);
	}
	seccomp_cache_key_free(&k);
	return r;
}

int seccomp_plan_build(const struct rt_context *ctx,
		       const struct oci_seccomp *sc, struct seccomp_plan **ret,
		       struct berth_error *err)
{
	bool notify = false;
	unsigned flags = 0;
	int r = check_notify(sc, &notify, err);
	if (r >= 0)
		r = plan_flags(sc, notify, &flags, err);
	if (r < 0)
		return berth_err_ctx(err, "seccomp");

	struct seccomp_plan *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return berth_err(err, ENOMEM, "seccomp");
	p->flags = flags;
	p->has_notify = notify;
	bool cached = false;
	r = compile_or_reuse(ctx, sc, p, &cached, err);
	if (r < 0) {
		seccomp_plan_free(p);
		return berth_err_ctx(err, "seccomp");
	}
	rt_log(ctx, RT_LOG_DEBUG,
	       "seccomp: %u BPF instructions (%u of them the ENOSYS stub), "
	       "flags %#x%s, %s",
	       p->len, p->stub_len, p->flags, notify ? ", with a listener" : "",
	       cached ? "from the cache" : "compiled");
	*ret = p;
	return 0;
}

void seccomp_plan_free(struct seccomp_plan *p)
{
	if (p == NULL)
		return;
	free(p->insns);
	free(p);
}

bool seccomp_plan_has_notify(const struct seccomp_plan *p)
{
	return p != NULL && p->has_notify;
}

unsigned seccomp_plan_insns(const struct seccomp_plan *p)
{
	return p != NULL ? p->len : 0;
}

unsigned seccomp_plan_stub_insns(const struct seccomp_plan *p)
{
	return p != NULL ? p->stub_len : 0;
}

unsigned seccomp_plan_flags(const struct seccomp_plan *p)
{
	if (p == NULL)
		return 0;
	return p->flags |
	       (p->has_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
}

/* ---- child ---- */

int seccomp_plan_load(const struct seccomp_plan *p, int *ret_listener,
		      struct berth_error *err)
{
	struct sock_fprog prog = {.len = p->len, .filter = p->insns};
	unsigned flags = seccomp_plan_flags(p);
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EACCES)
		return berth_err(err, errno,
				 "load filter: needs no_new_privs or "
				 "CAP_SYS_ADMIN");
	if (r < 0)
		return berth_err(err, errno, "load filter (flags %#x)", flags);
	*ret_listener = p->has_notify ? (int)r : -1;
	return 0;
}

/* ---- parent: the agent ---- */

int seccomp_send_listener(const char *path, int listener, const char *metadata,
			  pid_t pid, const char *state_json,
			  struct berth_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r = oci_seccomp_state_json(metadata, pid, state_json, &json, err);
	if (r < 0)
		return berth_err_ctx(err, "seccomp agent %s", path);

	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return berth_err_msg(err, ENAMETOOLONG,
				     "seccomp agent %s: socket path too long",
				     path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	_cleanup_close_ int sock =
	    socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_err(err, errno, "seccomp agent %s: socket", path);
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return berth_err(err, errno, "connect to seccomp agent %s",
				 path);
	r = fd_send(sock, listener, json, strlen(json));
	if (r < 0)
		return berth_err(err, -r, "send seccomp fd to %s", path);
	return 0;
}
