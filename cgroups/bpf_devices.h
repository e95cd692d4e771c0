#pragma once
/*
 * linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup.
 *
 * Semantics (as crun and runc): default deny, then the rules in order, the
 * LAST matching rule wins.  The program tests the rules from the last to the
 * first and returns the verdict of the first that matches:
 *   - type "a" or NULL matches every device, "c"/"b" one kind;
 *   - an unset major/minor (or -1) is a wildcard;
 *   - an allow rule matches when every requested access bit is in its
 *     access; a deny rule matches when any requested bit is in its access
 *     (so "deny w" also refuses an O_RDWR open that an earlier "allow rwm"
 *     granted, as the v1 controller would);
 *   - access NULL means "rwm"; an empty access matches nothing.
 * A rule that matches everything (type a, no major/minor, access rwm) hides
 * every rule before it: deny-all "resets" the list.
 *
 * Plain bpf(2), no libbpf.  Needs CAP_SYS_ADMIN (or CAP_BPF + CAP_NET_ADMIN)
 * in the initial user namespace.
 */
#include <stddef.h>

#include "oci/config.h"
#include "util/error.h"

struct bpf_insn; /* <linux/bpf.h> */

/* The name berth gives its programs (BPF_OBJ_NAME_LEN: at most 15 chars);
 * bpfdev_attach() replaces only programs that carry it. */
#define BPFDEV_PROG_NAME "berth_devices"

/* Generate the program for @rules (@n of them) into a malloc'd array of
 * *@ret_n instructions.  -EINVAL for an unknown type or access letter or a
 * major/minor outside 0..UINT32_MAX (or -1), -E2BIG for too many rules. */
int bpfdev_generate(const struct oci_device_cgroup *rules, size_t n,
		    struct bpf_insn **ret, size_t *ret_n,
		    struct berth_error *err);

/* Load @insns (@n of them) and attach the program to the cgroup v2
 * directory @cgroup_fd (opened O_RDONLY|O_DIRECTORY, not O_PATH) with
 * BPF_F_ALLOW_MULTI.  A program berth attached there before (by name,
 * BPFDEV_PROG_NAME) is replaced atomically (BPF_F_REPLACE); any further old
 * berth programs are detached after.  Programs attached by others stay.
 * The attachment lives as long as the cgroup; no fd is kept.  On a verifier
 * rejection the tail of the verifier log is in the message.  0 or -errno. */
int bpfdev_attach(int cgroup_fd, const struct bpf_insn *insns, size_t n,
		  struct berth_error *err);

/* The ids of the device programs attached directly to @cgroup_fd (not
 * inherited ones), at most @max of them into @ids; *@ret_n is the total
 * count, which may exceed @max.  0 or -errno. */
int bpfdev_query(int cgroup_fd, unsigned *ids, size_t max, size_t *ret_n,
		 struct berth_error *err);
