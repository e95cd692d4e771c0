/* The cgroup v2 device filter: rules -> eBPF -> bpf(2).  See bpf_devices.h. */
#include "cgroups/bpf_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Registers the prologue fills (r1, the context, is free after it). */
#define REG_TYPE   BPF_REG_2 /* BPF_DEVCG_DEV_BLOCK / _CHAR */
#define REG_ACCESS BPF_REG_3 /* BPF_DEVCG_ACC_* bits */
#define REG_MAJOR  BPF_REG_4
#define REG_MINOR  BPF_REG_5
#define REG_TMP	   BPF_REG_1

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

#define PROLOGUE_LEN 6
#define VERDICT_LEN  2
#define RULE_MAX_LEN (1 + 3 + 1 + 1 + VERDICT_LEN)
/* BPF_COMPLEXITY_LIMIT_INSNS: the most a privileged loader may pass. */
#define INSNS_MAX 1000000

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	return (struct bpf_insn){.code = code,
				 .dst_reg = dst,
				 .src_reg = src,
				 .off = off,
				 .imm = imm};
}

/* One rule, checked and reduced to what the program compares. */
struct dev_rule {
	bool allow;
	int type;      /* BPF_DEVCG_DEV_*, 0 = any */
	int access;    /* BPF_DEVCG_ACC_* bits */
	int64_t major; /* -1 = any */
	int64_t minor; /* -1 = any */
};

static int parse_type(const char *t, size_t i, int *ret,
		      struct berth_error *err)
{
	if (t == NULL || strcmp(t, "a") == 0)
		*ret = 0;
	else if (strcmp(t, "c") == 0)
		*ret = BPF_DEVCG_DEV_CHAR;
	else if (strcmp(t, "b") == 0)
		*ret = BPF_DEVCG_DEV_BLOCK;
	else
		return berth_err_msg(err, EINVAL,
				     "devices[%zu]: unknown type '%s'", i, t);
	return 0;
}

static int parse_access(const char *a, size_t i, int *ret,
			struct berth_error *err)
{
	if (a == NULL) {
		*ret = ACC_ALL;
		return 0;
	}
	int bits = 0;
	for (const char *p = a; *p != '\0'; p++) {
		if (*p == 'r')
			bits |= BPF_DEVCG_ACC_READ;
		else if (*p == 'w')
			bits |= BPF_DEVCG_ACC_WRITE;
		else if (*p == 'm')
			bits |= BPF_DEVCG_ACC_MKNOD;
		else
			return berth_err_msg(
			    err, EINVAL,
			    "devices[%zu]: unknown access '%c' in "
			    "'%s'",
			    i, *p, a);
	}
	*ret = bits;
	return 0;
}

static int parse_number(const struct oci_opt_i64 *v, size_t i, const char *what,
			int64_t *ret, struct berth_error *err)
{
	if (!v->set || v->v == -1) {
		*ret = -1;
		return 0;
	}
	if (v->v < 0 || v->v > UINT32_MAX)
		return berth_err_msg(err, EINVAL,
				     "devices[%zu]: %s %lld out of range", i,
				     what, (long long)v->v);
	*ret = v->v;
	return 0;
}

static int parse_rule(const struct oci_device_cgroup *r, size_t i,
		      struct dev_rule *ret, struct berth_error *err)
{
	struct dev_rule d = {.allow = r->allow};
	int rc = parse_type(r->type, i, &d.type, err);
	if (rc == 0)
		rc = parse_access(r->access, i, &d.access, err);
	if (rc == 0)
		rc = parse_number(&r->major, i, "major", &d.major, err);
	if (rc == 0)
		rc = parse_number(&r->minor, i, "minor", &d.minor, err);
	if (rc == 0)
		*ret = d;
	return rc;
}

static bool rule_matches_all(const struct dev_rule *d)
{
	return d->type == 0 && d->access == ACC_ALL && d->major < 0 &&
	       d->minor < 0;
}

/* Load the context into the registers the rules compare. */
static size_t emit_prologue(struct bpf_insn *p)
{
	size_t k = 0;
	p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, REG_TYPE, BPF_REG_1,
		      offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	p[k++] = insn(BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, REG_TYPE, 0, 0);
	p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
	p[k++] = insn(BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16);
	p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, REG_MAJOR, BPF_REG_1,
		      offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[k++] = insn(BPF_LDX | BPF_MEM | BPF_W, REG_MINOR, BPF_REG_1,
		      offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	return k;
}

static size_t emit_verdict(struct bpf_insn *p, bool allow)
{
	p[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow);
	p[1] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return VERDICT_LEN;
}

/* Instructions for @d: every test jumps past the block when it fails. */
static size_t rule_len(const struct dev_rule *d)
{
	return (d->type != 0) + 3 * (d->access != ACC_ALL) + (d->major >= 0) +
	       (d->minor >= 0) + VERDICT_LEN;
}

/* A 32-bit compare with an immediate that, when true, leaves the rule
 * block: @k is the jump's index in a block of @len instructions. */
static struct bpf_insn jump_out(uint8_t op, uint8_t reg, uint32_t imm,
				size_t len, size_t k)
{
	return insn(BPF_JMP32 | op | BPF_K, reg, 0, (int16_t)(len - k - 1),
		    (int32_t)imm);
}

static size_t emit_rule(struct bpf_insn *p, const struct dev_rule *d)
{
	const size_t len = rule_len(d);
	size_t k = 0;
	if (d->type != 0) {
		p[k] = jump_out(BPF_JNE, REG_TYPE, d->type, len, k);
		k++;
	}
	if (d->access != ACC_ALL) {
		/* allow: no requested bit outside the rule's access;
		 * deny: some requested bit inside it. */
		int mask = d->allow ? (ACC_ALL & ~d->access) : d->access;
		p[k++] =
		    insn(BPF_ALU | BPF_MOV | BPF_X, REG_TMP, REG_ACCESS, 0, 0);
		p[k++] = insn(BPF_ALU | BPF_AND | BPF_K, REG_TMP, 0, 0, mask);
		p[k] =
		    jump_out(d->allow ? BPF_JNE : BPF_JEQ, REG_TMP, 0, len, k);
		k++;
	}
	if (d->major >= 0) {
		p[k] = jump_out(BPF_JNE, REG_MAJOR, (uint32_t)d->major, len, k);
		k++;
	}
	if (d->minor >= 0) {
		p[k] = jump_out(BPF_JNE, REG_MINOR, (uint32_t)d->minor, len, k);
		k++;
	}
	return k + emit_verdict(p + k, d->allow);
}

int bpfdev_generate(const struct oci_device_cgroup *rules, size_t n,
		    struct bpf_insn **ret, size_t *ret_n,
		    struct berth_error *err)
{
	if (n > (INSNS_MAX - PROLOGUE_LEN - VERDICT_LEN) / RULE_MAX_LEN)
		return berth_err_msg(err, E2BIG, "devices: %zu rules, too many",
				     n);
	_cleanup_free_ struct dev_rule *parsed =
	    calloc(n > 0 ? n : 1, sizeof(*parsed));
	_cleanup_free_ struct bpf_insn *p =
	    calloc(PROLOGUE_LEN + VERDICT_LEN + n * RULE_MAX_LEN, sizeof(*p));
	if (parsed == NULL || p == NULL)
		return berth_err(err, ENOMEM, "devices program");
	for (size_t i = 0; i < n; i++) {
		int rc = parse_rule(&rules[i], i, &parsed[i], err);
		if (rc < 0)
			return rc;
	}
	size_t k = emit_prologue(p);
	/* Last rule first: the first match from the end wins.  A catch-all
	 * ends the program (what is after it would be unreachable, which the
	 * verifier refuses). */
	bool ended = false;
	for (size_t i = n; i-- > 0 && !ended;) {
		if (parsed[i].access == 0)
			continue; /* "" matches no request */
		k += emit_rule(p + k, &parsed[i]);
		ended = rule_matches_all(&parsed[i]);
	}
	if (!ended)
		k += emit_verdict(p + k, false);
	*ret = TAKE_PTR(p);
	*ret_n = k;
	return 0;
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

/* The end of the verifier's log (where it says why), on one line. */
static void log_tail(char *log, size_t max, char *out, size_t outsz)
{
	size_t len = strnlen(log, max - 1);
	while (len > 0 && (log[len - 1] == '\n' || log[len - 1] == ' '))
		len--;
	log[len] = '\0';
	const char *start = len > outsz - 1 ? log + len - (outsz - 1) : log;
	size_t i = 0;
	for (; start[i] != '\0' && i < outsz - 1; i++)
		out[i] = start[i] == '\n' ? '|' : start[i];
	out[i] = '\0';
}

static int prog_load(const struct bpf_insn *insns, size_t n, char *log,
		     size_t logsz)
{
	union bpf_attr attr = {
	    .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
	    .insns = (uintptr_t)insns,
	    .insn_cnt = (uint32_t)n,
	    /* No helper is called, so no GPL-only one: any string will do. */
	    .license = (uintptr_t) "Apache-2.0",
	    .log_buf = (uintptr_t)log,
	    .log_size = (uint32_t)logsz,
	    .log_level = log != NULL ? 1 : 0,
	};
	memcpy(attr.prog_name, BPFDEV_PROG_NAME, sizeof(BPFDEV_PROG_NAME));
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Load without a log (a log that overflows fails the load); on failure
 * load again with one, for the message. */
static int bpfdev_load(const struct bpf_insn *insns, size_t n,
		       struct berth_error *err)
{
	if (n == 0 || n > INSNS_MAX)
		return berth_err_msg(err, EINVAL,
				     "load device program: %zu "
				     "instructions",
				     n);
	int fd = prog_load(insns, n, NULL, 0);
	if (fd >= 0)
		return fd;
	const size_t logsz = 256 * 1024;
	_cleanup_free_ char *log = calloc(1, logsz);
	if (log == NULL || fd == -EPERM || fd == -ENOSYS)
		return berth_err(err, -fd, "load device program");
	int fd2 = prog_load(insns, n, log, logsz);
	if (fd2 >= 0) /* the second try passed: keep it */
		return fd2;
	char tail[320];
	log_tail(log, logsz, tail, sizeof(tail));
	return berth_err_msg(err, -fd, "load device program: %s: verifier: %s",
			     BERTH_STRERROR(-fd), tail[0] ? tail : "(no log)");
}

int bpfdev_query(int cgroup_fd, unsigned *ids, size_t max, size_t *ret_n,
		 struct berth_error *err)
{
	union bpf_attr attr = {
	    .query =
		{
		    .target_fd = (uint32_t)cgroup_fd,
		    .attach_type = BPF_CGROUP_DEVICE,
		    .prog_ids = (uintptr_t)ids,
		    .prog_cnt = (uint32_t)max,
		},
	};
	int r = sys_bpf(BPF_PROG_QUERY, &attr);
	if (r < 0 && !(r == -ENOSPC && max > 0))
		return berth_err(err, -r, "query device programs");
	*ret_n = attr.query.prog_cnt;
	return 0;
}

/* Fds of the berth programs found attached to a cgroup. */
struct fd_list {
	int *fd;
	size_t n;
};

static void fd_list_freep(struct fd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fd[i]);
	free(l->fd);
}

/* An fd for the program @id if it is one of berth's, else -1 (>= 0 or
 * -1, never an error: a program may go away while we look). */
static int open_if_berth(unsigned id)
{
	union bpf_attr attr = {.prog_id = id};
	_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return -1;
	struct bpf_prog_info info = {0};
	attr = (union bpf_attr){.info = {.bpf_fd = (uint32_t)fd,
					 .info_len = sizeof(info),
					 .info = (uintptr_t)&info}};
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
		return -1;
	if (strncmp(info.name, BPFDEV_PROG_NAME, sizeof(info.name)) != 0)
		return -1;
	return TAKE_FD(fd);
}

static int find_berth_progs(int cgroup_fd, struct fd_list *ret,
			    struct berth_error *err)
{
	size_t n = 0;
	int rc = bpfdev_query(cgroup_fd, NULL, 0, &n, err);
	if (rc < 0 || n == 0)
		return rc;
	size_t cap = n + 8; /* room for a few attached meanwhile */
	_cleanup_free_ unsigned *ids = calloc(cap, sizeof(*ids));
	ret->fd = calloc(cap, sizeof(*ret->fd));
	if (ids == NULL || ret->fd == NULL)
		return berth_err(err, ENOMEM, "device programs");
	rc = bpfdev_query(cgroup_fd, ids, cap, &n, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && i < cap; i++) {
		int fd = open_if_berth(ids[i]);
		if (fd >= 0)
			ret->fd[ret->n++] = fd;
	}
	return 0;
}

static int prog_attach(int cgroup_fd, int prog_fd, int replace_fd)
{
	union bpf_attr attr = {
	    .target_fd = (uint32_t)cgroup_fd,
	    .attach_bpf_fd = (uint32_t)prog_fd,
	    .attach_type = BPF_CGROUP_DEVICE,
	    .attach_flags = BPF_F_ALLOW_MULTI,
	};
	if (replace_fd >= 0) {
		attr.attach_flags |= BPF_F_REPLACE;
		attr.replace_bpf_fd = (uint32_t)replace_fd;
	}
	int r = sys_bpf(BPF_PROG_ATTACH, &attr);
	/* The old program went away meanwhile: a plain attach will do. */
	if (r == -ENOENT && replace_fd >= 0)
		return prog_attach(cgroup_fd, prog_fd, -1);
	return r;
}

static int prog_detach(int cgroup_fd, int prog_fd)
{
	union bpf_attr attr = {
	    .target_fd = (uint32_t)cgroup_fd,
	    .attach_bpf_fd = (uint32_t)prog_fd,
	    .attach_type = BPF_CGROUP_DEVICE,
	};
	int r = sys_bpf(BPF_PROG_DETACH, &attr);
	return r == -ENOENT ? 0 : r; /* already gone */
}

int bpfdev_attach(int cgroup_fd, const struct bpf_insn *insns, size_t n,
		  struct berth_error *err)
{
	_cleanup_close_ int prog = bpfdev_load(insns, n, err);
	if (prog < 0)
		return prog;
	__attribute__((cleanup(fd_list_freep))) struct fd_list old = {0};
	int rc = find_berth_progs(cgroup_fd, &old, err);
	if (rc < 0)
		return berth_err_ctx(err, "attach device program");
	/* Replace the old program atomically, so an update never runs a
	 * moment without a filter.  Extra old ones (none, normally) go after:
	 * while both run, a device needs both to allow it. */
	rc = prog_attach(cgroup_fd, prog, old.n > 0 ? old.fd[0] : -1);
	if (rc < 0)
		return berth_err(err, -rc, "attach device program");
	for (size_t i = 1; i < old.n; i++) {
		rc = prog_detach(cgroup_fd, old.fd[i]);
		if (rc < 0)
			return berth_err(err, -rc, "detach old device program");
	}
	return 0;
}
