/* The features document's data, from the tables the code itself uses. */
#include "runtime/features.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "oci/features.h"
#include "runtime/process/lsm.h"
#include "runtime/process/seccomp.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"
#include "util/util.h"

/* linux.netDevices: moved into the container's network namespace
 * (namespaces/, runtime/validate.c checks the names). */
#define NET_DEVICES_SUPPORTED true

/* What runtime/validate.c refuses: linux.intelRdt. */
#define INTEL_RDT_SUPPORTED false

#define MAX_NAMES 128

/* Every mount_opts_parse() keyword. */
static void mount_options(const char **out)
{
	size_t n = 0;
	for (const char *s; n < MAX_NAMES - 1 && (s = mount_opts_name(n));)
		out[n++] = s;
	out[n] = NULL;
}

/* CAP_CHOWN ... the last one the running kernel has: the names
 * process.capabilities accepts without "not supported: skipped". */
static int capabilities(char **out, size_t cap)
{
	size_t n = 0;
	int bits = (int)cap_max_bits();
	for (int c = 0; c < bits && n < cap - 1; c++) {
		char *name = cap_to_name((cap_value_t)c);
		if (name == NULL)
			return -ENOMEM;
		out[n] = strdup(name);
		cap_free(name);
		if (out[n] == NULL)
			return -ENOMEM;
		for (char *p = out[n]; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		n++;
	}
	out[n] = NULL;
	return 0;
}

static void strv_done(char **v)
{
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
}

static void features_fill(struct oci_features *f, const char **mopts,
			  const char **archs, const char **flags, char **caps)
{
	mount_options(mopts);
	archs[seccomp_arch_names(archs, MAX_NAMES - 1)] = NULL;
	flags[seccomp_supported_flag_names(flags, MAX_NAMES - 1)] = NULL;
	*f = (struct oci_features){
	    .mount_options = mopts,
	    .capabilities = (const char *const *)caps,
	    .seccomp_archs = archs,
	    .seccomp_supported_flags = flags,
	    .seccomp = true,
	    .cgroup_v1 = true,
	    .cgroup_v2 = true,
	    /* No systemd driver: systemd cgroupsPaths are mapped to the
	     * cgroupfs path systemd would use, nothing more. */
	    .cgroup_systemd = false,
	    .cgroup_systemd_user = false,
	    .cgroup_rdma = true,
	    /* A label is refused on a host without its LSM (lsm_check). */
	    .apparmor = lsm_apparmor_enabled(),
	    .selinux = lsm_selinux_enabled(),
	    .intel_rdt = INTEL_RDT_SUPPORTED,
	    .idmap_mounts = true,
	    .net_devices = NET_DEVICES_SUPPORTED,
	};
}

int rt_features(const struct rt_context *ctx, const char *version,
		const char *commit, char **ret_json, struct berth_error *err)
{
	const char *mopts[MAX_NAMES], *archs[MAX_NAMES], *flags[MAX_NAMES];
	char *caps[MAX_NAMES] = {NULL};
	char libseccomp[32];
	struct oci_kv ann[3];
	size_t n = 0;
	struct oci_features f;

	(void)ctx;
	if (capabilities(caps, MAX_NAMES) < 0) {
		strv_done(caps);
		return berth_err(err, ENOMEM, "features: capability names");
	}
	features_fill(&f, mopts, archs, flags, caps);
	const struct scmp_version *v = seccomp_version();
	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v->major, v->minor,
		 v->micro);
	ann[n++] =
	    (struct oci_kv){"io.github.seccomp.libseccomp.version", libseccomp};
	if (version != NULL && version[0] != '\0')
		ann[n++] = (struct oci_kv){"berth.version", (char *)version};
	if (commit != NULL && commit[0] != '\0')
		ann[n++] = (struct oci_kv){"berth.commit", (char *)commit};
	f.annotations = ann;
	f.annotations_n = n;
	int r = oci_features_json(&f, ret_json, err);
	strv_done(caps);
	return r;
}
