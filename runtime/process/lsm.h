#pragma once
/*
 * Linux security modules: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * The parent checks, before anything is created, that the LSM a label needs
 * is enabled on this host (lsm_check()); the child writes the exec labels
 * just before execve (lsm_set_exec_labels()).  linux.mountLabel is applied
 * by the mount code: with SELinux enabled it adds context="<label>" to the
 * data of the mounts that take one.
 */
#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

/* AppArmor: /sys/module/apparmor/parameters/enabled says Y and
 * /sys/kernel/security/apparmor exists (runc's test). */
bool lsm_apparmor_enabled(void);
/* SELinux: selinuxfs is mounted (on /sys/fs/selinux or anywhere else). */
bool lsm_selinux_enabled(void);

/* The same tests against another root directory (an fd of it), for tests:
 * the paths above are looked up relative to @rootfd, and for SELinux only
 * the sys/fs/selinux/enforce file counts. */
bool lsm_apparmor_enabled_at(int rootfd);
bool lsm_selinux_enabled_at(int rootfd);

/* Parent: every label the config asks for needs its LSM enabled, e.g.
 * `config.json: .process.apparmorProfile "foo": AppArmor is not enabled on
 * this host`. Empty strings count as absent. */
int lsm_check(const struct oci_process *p, const struct oci_linux *l,
	      struct berth_error *err);

/* Child, right before execve: set the exec label(s) for the next execve.
 * AppArmor: "exec <profile>" to /proc/self/attr/apparmor/exec (or
 * /proc/self/attr/exec on kernels without the per-LSM directory); SELinux:
 * the label to /proc/self/attr/exec. NULL or "" skips one. */
int lsm_set_exec_labels(const char *apparmor_profile, const char *selinux_label,
			struct berth_error *err);
