/*
 * The default config.json written by `berth spec`: runc's example spec
 * (libcontainer/specconv), with hostname "berth" and ociVersion 1.3.0.
 * Like current runc, no ambient capabilities are granted by default.
 * --rootless applies runc's ToRootless(): a user namespace mapping the
 * caller's euid/egid to 0, no network namespace, /sys bind-mounted, no
 * uid=/gid= mount options and no cgroup resources.
 */
#include "oci/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/jansson.h"
#include "util/cleanup.h"

#define _cleanup_json_ __attribute__((cleanup(json_decrefp)))

#define DEFAULT_PATH                                                           \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct default_mount {
	const char *dest, *type, *src;
	const char *opts[8];
};

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev",
     "tmpfs",
     "tmpfs",
     {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
      NULL}},
    {"/dev/shm",
     "tmpfs",
     "shm",
     {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup",
     "cgroup",
     "cgroup",
     {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

static const struct default_mount rootless_sys = {
    "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    NULL,
};

const char *const oci_default_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/proc/scsi",
    "/sys/devices/virtual/tpm",
    NULL,
};

const char *const oci_default_readonly_paths[] = {
    "/proc/bus",	   "/proc/fs", "/proc/irq", "/proc/sys",
    "/proc/sysrq-trigger", NULL,
};

static const char *const namespaces[] = {
    "pid", "network", "ipc", "uts", "mount", "cgroup", NULL,
};

static const char *const rootless_namespaces[] = {
    "pid", "ipc", "uts", "mount", "cgroup", "user", NULL,
};

/* A JSON array of the strings in @v, leaving out uid=/gid= options when
 * @rootless (the mapped user cannot own files as another id). */
static json_t *strv_json(const char *const *v, bool rootless)
{
	json_t *a = json_array();

	for (; a != NULL && *v != NULL; v++) {
		if (rootless && (strncmp(*v, "uid=", 4) == 0 ||
				 strncmp(*v, "gid=", 4) == 0))
			continue;
		if (json_array_append_new(a, json_string(*v)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *mount_json(const struct default_mount *m, bool rootless)
{
	json_t *opts = NULL;

	if (m->opts[0] != NULL) {
		opts = strv_json(m->opts, rootless);
		if (opts == NULL)
			return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:o*}", "destination", m->dest,
			 "type", m->type, "source", m->src, "options", opts);
}

static json_t *mounts_json(bool rootless)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < ARRAY_SIZE(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];
		if (rootless && strcmp(m->dest, "/sys") == 0)
			m = &rootless_sys;
		if (json_array_append_new(a, mount_json(m, rootless)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *process_json(void)
{
	json_t *caps = json_pack("{s:o, s:o, s:o}", "bounding",
				 strv_json(default_caps, false), "effective",
				 strv_json(default_caps, false), "permitted",
				 strv_json(default_caps, false));

	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:o, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args",
			 "sh", "env", DEFAULT_PATH, "TERM=xterm", "cwd", "/",
			 "capabilities", caps, "rlimits", "type",
			 "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static json_t *namespaces_json(bool rootless)
{
	const char *const *v = rootless ? rootless_namespaces : namespaces;
	json_t *a = json_array();

	for (; a != NULL && *v != NULL; v++) {
		if (json_array_append_new(a, json_pack("{s:s}", "type", *v)) <
		    0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int add_rootless(json_t *linux_)
{
	json_t *uid = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
				(json_int_t)geteuid(), "size", 1);
	json_t *gid = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
				(json_int_t)getegid(), "size", 1);

	if (json_object_set_new(linux_, "uidMappings", uid) < 0) {
		json_decref(gid);
		return -ENOMEM;
	}
	if (json_object_set_new(linux_, "gidMappings", gid) < 0)
		return -ENOMEM;
	return 0;
}

static json_t *linux_json(bool rootless)
{
	_cleanup_json_ json_t *l = json_pack(
	    "{s:o, s:o, s:o}", "namespaces", namespaces_json(rootless),
	    "maskedPaths", strv_json(oci_default_masked_paths, false),
	    "readonlyPaths", strv_json(oci_default_readonly_paths, false));

	if (l == NULL)
		return NULL;
	if (rootless) {
		if (add_rootless(l) < 0)
			return NULL;
	} else if (json_object_set_new(l, "resources",
				       json_pack("{s:[{s:b, s:s}]}", "devices",
						 "allow", 0, "access", "rwm")) <
		   0) {
		return NULL;
	}
	return TAKE_PTR(l);
}

static json_t *spec_json(bool rootless)
{
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
			 "ociVersion", OCI_SPEC_VERSION, "process",
			 process_json(), "root", "path", "rootfs", "readonly",
			 1, "hostname", "berth", "mounts",
			 mounts_json(rootless), "linux", linux_json(rootless));
}

int oci_spec_default_json(bool rootless, char **ret_json,
			  struct berth_error *err)
{
	_cleanup_json_ json_t *spec = spec_json(rootless);
	if (spec == NULL)
		return berth_err(err, ENOMEM, "build the default config.json");
	_cleanup_free_ char *s = json_dumps(spec, JSON_INDENT(2));
	if (s == NULL)
		return berth_err(err, ENOMEM, "format the default config.json");
	size_t len = strlen(s);
	char *out = realloc(s, len + 2);
	if (out == NULL)
		return berth_err(err, ENOMEM, "format the default config.json");
	s = NULL;
	out[len] = '\n';
	out[len + 1] = '\0';
	*ret_json = out;
	return 0;
}
