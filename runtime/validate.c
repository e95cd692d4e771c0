#include "runtime/validate.h"

#include <errno.h>
#include <string.h>

#include "namespaces/net.h"
#include "runtime/process/lsm.h"

#define NOT_SUPPORTED(err, field, why)                                         \
	berth_err_msg(err, ENOTSUP, "config.json: %s is not supported%s",      \
		      field, why)
#define YET " yet"

static bool has_ns(const struct oci_spec *spec, enum oci_ns_type t)
{
	return oci_spec_namespace(spec, t) != NULL;
}

static int check_unsupported(const struct oci_spec *spec,
			     struct berth_error *err)
{
	const struct oci_linux *l = spec->linux_;
	if (l->intel_rdt != NULL)
		return NOT_SUPPORTED(err, "linux.intelRdt", "");
	/* With SELinux absent, procattr refuses a mountLabel by name; with it,
	 * applying the label to the mounts is still to come. */
	if (l->mount_label != NULL && *l->mount_label && lsm_selinux_enabled())
		return NOT_SUPPORTED(err, "linux.mountLabel", YET);
	return 0;
}

/* runc's rule: a sysctl must belong to a namespace the container has. */
static int check_sysctl(const struct oci_spec *spec, const char *key,
			struct berth_error *err)
{
	static const char *const ipc[] = {
	    "kernel.msgmax", "kernel.msgmnb",	      "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	      "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced"};
	if (strncmp(key, "net.", 4) == 0) {
		if (has_ns(spec, OCI_NS_NETWORK))
			return 0;
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.sysctl: \"%s\" needs "
				     "a network namespace",
				     key);
	}
	bool is_ipc = strncmp(key, "fs.mqueue.", 10) == 0;
	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		is_ipc = is_ipc || strcmp(key, ipc[i]) == 0;
	if (is_ipc && has_ns(spec, OCI_NS_IPC))
		return 0;
	if ((strcmp(key, "kernel.hostname") == 0 ||
	     strcmp(key, "kernel.domainname") == 0) &&
	    has_ns(spec, OCI_NS_UTS))
		return 0;
	return berth_err_msg(
	    err, EINVAL,
	    "config.json: .linux.sysctl: \"%s\" is not namespaced for this "
	    "container (it would change the host)",
	    key);
}

static int check_namespaces(const struct oci_spec *spec,
			    struct berth_error *err)
{
	const struct oci_linux *l = spec->linux_;
	if ((spec->hostname || spec->domainname) && !has_ns(spec, OCI_NS_UTS))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .hostname/.domainname need a UTS namespace");
	bool user = has_ns(spec, OCI_NS_USER);
	const struct oci_namespace *u = oci_spec_namespace(spec, OCI_NS_USER);
	if ((l->uid_mappings_n || l->gid_mappings_n) && !user)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.uidMappings need a user namespace");
	if (u != NULL && u->path == NULL &&
	    (l->uid_mappings_n == 0 || l->gid_mappings_n == 0))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: a new user namespace needs "
		    ".linux.uidMappings and .linux.gidMappings");
	const struct oci_namespace *t = oci_spec_namespace(spec, OCI_NS_TIME);
	if ((l->time_offsets.monotonic.set || l->time_offsets.boottime.set) &&
	    (t == NULL || t->path != NULL))
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.timeOffsets need a "
				     "new time namespace");
	if (!has_ns(spec, OCI_NS_MOUNT))
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.namespaces: berth "
				     "needs a mount namespace");
	for (size_t i = 0; i < l->sysctl_n; i++) {
		int r = check_sysctl(spec, l->sysctl[i].key, err);
		if (r < 0)
			return r;
	}
	return 0;
}

#define IFNAME_RULE                                                            \
	"(1 to 15 bytes, not \".\" or \"..\", no '/', ':' or white space)"

static int check_netdev(const struct oci_linux *l, size_t i,
			struct berth_error *err)
{
	const struct oci_net_device *d = &l->net_devices[i];
	if (!ns_ifname_valid(d->host_name, false))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.netDevices: \"%s\" is "
		    "not an interface name " IFNAME_RULE,
		    d->host_name);
	if (strcmp(d->host_name, "lo") == 0)
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.netDevices: \"lo\": "
				     "a loopback device cannot change network "
				     "namespace");
	if (!ns_ifname_valid(d->name, true))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.netDevices[\"%s\"]"
		    ".name: \"%s\" is not an interface name " IFNAME_RULE,
		    d->host_name, d->name);
	for (size_t j = 0; j < i; j++)
		if (strcmp(d->name, l->net_devices[j].name) == 0 &&
		    strchr(d->name, '%') == NULL)
			return berth_err_msg(err, EINVAL,
					     "config.json: .linux.netDevices: "
					     "\"%s\" and \"%s\" would both be "
					     "\"%s\"",
					     l->net_devices[j].host_name,
					     d->host_name, d->name);
	return 0;
}

/* Moved into the container's network namespace: it needs one (a joined
 * one that is berth's own is refused by ns_netdevs_check()). */
static int check_netdevs(const struct oci_spec *spec, struct berth_error *err)
{
	const struct oci_linux *l = spec->linux_;
	if (l->net_devices_n > 0 && !has_ns(spec, OCI_NS_NETWORK))
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.netDevices need a "
				     "network namespace of the container's "
				     "own; without one they would stay in the "
				     "host's");
	for (size_t i = 0; i < l->net_devices_n; i++) {
		int r = check_netdev(l, i, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int validate_spec(const struct oci_spec *spec, struct berth_error *err)
{
	if (spec->process == NULL)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .process is required to run a container");
	if (spec->linux_ == NULL)
		return berth_err_msg(
		    err, EINVAL, "config.json: .linux is required on Linux");
	int r = check_namespaces(spec, err);
	if (r == 0)
		r = check_netdevs(spec, err);
	if (r < 0)
		return r;
	return check_unsupported(spec, err);
}
