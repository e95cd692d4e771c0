#pragma once
/*
 * The -ENOSYS stub put in front of a compiled seccomp filter (runc's
 * patchbpf rule): per architecture, a syscall number greater than the
 * highest one the profile names returns -ENOSYS instead of the profile's
 * default action, so a program probing a syscall newer than the profile
 * (clone3, faccessat2, close_range ...) falls back as on an older kernel.
 * Everything else falls through to the filter, unchanged.
 *
 * Plain BPF, no libseccomp: seccomp.c finds the numbers, this builds the
 * instructions.
 */
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bit 30 of an x86-64 syscall number: the x32 ABI. */
#define SECCOMP_STUB_X32_BIT 0x40000000u

/* One AUDIT_ARCH_* value as seccomp_data.arch shows it.  On x86-64 the
 * x32 ABI shares the arch value: its syscalls have SECCOMP_STUB_X32_BIT
 * set, and get their own highest number. */
struct seccomp_stub_arch {
	uint32_t audit_arch;
	bool has_max, has_x32_max;
	uint32_t max, x32_max; /* x32_max includes SECCOMP_STUB_X32_BIT */
	bool s390_multiplex;   /* s390(x): syscall 0 carries unknown ones */
};

/* The most instructions seccomp_stub_build() writes for @n arches. */
#define SECCOMP_STUB_MAX_INSNS(n) (2 + (n)*11)

/* Write the stub for @arches into @out (room for @cap instructions); it
 * ends by jumping to the instruction right after it, where the caller puts
 * the original filter.  Returns the number of instructions, 0 when no arch
 * has a highest number (no stub needed), -E2BIG when @cap is too small or
 * a jump would not fit in 8 bits. */
int seccomp_stub_build(const struct seccomp_stub_arch *arches, size_t n,
		       struct sock_filter *out, size_t cap);
