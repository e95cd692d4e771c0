/*
 * The -ENOSYS stub (see seccomp_stub.h).  Its shape, for two arches:
 *
 *      ld   [arch]
 *      jeq  ARCH_A, -> a          one per arch with a highest number
 *      jeq  ARCH_B, -> b
 *      ja   filter                any other arch: the filter decides
 *   a: ld   [nr]
 *      jset X32_BIT, -> a32       only for AUDIT_ARCH_X86_64
 *      jgt  MAX_A, 0, 1
 *      ret  ERRNO(ENOSYS)
 *      ja   filter
 *  a32: ...                       the same against the x32 highest number
 *   b: ...
 *   filter:                       the original program
 *
 * Every conditional jump is short (a few instructions); the jumps to the
 * filter are BPF_JA, whose offset has 32 bits.
 */
#include "runtime/process/seccomp_stub.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>

struct emitter {
	struct sock_filter *out;
	size_t cap, len;
	size_t ja_filter[2 * 32 + 1]; /* BPF_JA to point at the filter */
	size_t n_ja;
	bool overflow;
};

static size_t emit(struct emitter *e, struct sock_filter insn)
{
	if (e->len >= e->cap) {
		e->overflow = true;
		return e->len;
	}
	e->out[e->len] = insn;
	return e->len++;
}

static void emit_ja_filter(struct emitter *e)
{
	size_t at =
	    emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0));
	if (e->n_ja >= sizeof(e->ja_filter) / sizeof(e->ja_filter[0]))
		e->overflow = true;
	else
		e->ja_filter[e->n_ja++] = at;
}

/* jgt MAX: -ENOSYS; else into the filter (3 instructions). */
static void emit_check(struct emitter *e, uint32_t max)
{
	emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, max, 0,
					     1));
	emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					     SECCOMP_RET_ERRNO | ENOSYS));
	emit_ja_filter(e);
}

static void emit_part(struct emitter *e, bool has, uint32_t max)
{
	if (has)
		emit_check(e, max);
	else
		emit_ja_filter(e);
}

static void emit_section(struct emitter *e, const struct seccomp_stub_arch *a)
{
	emit(e,
	     (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, nr)));
	if (a->s390_multiplex) {
		emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						     0, 0, 1));
		emit(e, (struct sock_filter)BPF_STMT(
			    BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
	}
	if (a->audit_arch != AUDIT_ARCH_X86_64) {
		emit_part(e, a->has_max, a->max);
		return;
	}
	/* x86-64: the native part, then (bit 30 set) the x32 part. */
	uint8_t skip = a->has_max ? 3 : 1;
	emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					     SECCOMP_STUB_X32_BIT, skip, 0));
	emit_part(e, a->has_max, a->max);
	emit_part(e, a->has_x32_max, a->x32_max);
}

int seccomp_stub_build(const struct seccomp_stub_arch *arches, size_t n,
		       struct sock_filter *out, size_t cap)
{
	struct emitter e = {.out = out, .cap = cap};
	size_t jeq_at[32], n_jeq = 0;

	emit(&e,
	     (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, arch)));
	for (size_t i = 0; i < n; i++) {
		if (!arches[i].has_max && !arches[i].has_x32_max)
			continue;
		if (n_jeq == sizeof(jeq_at) / sizeof(jeq_at[0]))
			return -E2BIG;
		jeq_at[n_jeq++] = emit(&e, (struct sock_filter)BPF_JUMP(
					       BPF_JMP | BPF_JEQ | BPF_K,
					       arches[i].audit_arch, 0, 0));
	}
	if (n_jeq == 0)
		return 0;
	emit_ja_filter(&e);
	for (size_t i = 0, j = 0; i < n; i++) {
		if (!arches[i].has_max && !arches[i].has_x32_max)
			continue;
		size_t skip = e.len - (jeq_at[j] + 1);
		if (skip > 255)
			return -E2BIG;
		if (!e.overflow)
			out[jeq_at[j]].jt = (uint8_t)skip;
		j++;
		emit_section(&e, &arches[i]);
	}
	if (e.overflow)
		return -E2BIG;
	for (size_t i = 0; i < e.n_ja; i++)
		out[e.ja_filter[i]].k =
		    (uint32_t)(e.len - (e.ja_filter[i] + 1));
	return (int)e.len;
}
