#include "runtime/process/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

#define SELINUX_MAGIC 0xf97cff8c

bool lsm_apparmor_enabled_at(int rootfd)
{
	struct stat st;
	if (fstatat(rootfd, "sys/kernel/security/apparmor", &st, 0) < 0)
		return false;
	_cleanup_free_ char *buf = NULL;
	if (read_file_at(rootfd, "sys/module/apparmor/parameters/enabled", &buf,
			 NULL) < 0)
		return false;
	return buf[0] == 'Y';
}

bool lsm_selinux_enabled_at(int rootfd)
{
	return faccessat(rootfd, "sys/fs/selinux/enforce", F_OK, 0) == 0;
}

bool lsm_apparmor_enabled(void)
{
	_cleanup_close_ int rootfd =
	    open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd >= 0 && lsm_apparmor_enabled_at(rootfd);
}

/* selinuxfs mounted anywhere: field 9 (after " - ") of mountinfo. */
static bool selinuxfs_in_mountinfo(void)
{
	_cleanup_free_ char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL) < 0)
		return false;
	for (char *line = buf; line != NULL && *line;) {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		const char *sep = strstr(line, " - ");
		if (sep != NULL && strncmp(sep + 3, "selinuxfs ", 10) == 0)
			return true;
		line = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

bool lsm_selinux_enabled(void)
{
	struct statfs sfs;
	if (statfs("/sys/fs/selinux", &sfs) == 0 &&
	    (unsigned long)sfs.f_type == SELINUX_MAGIC)
		return true;
	return selinuxfs_in_mountinfo();
}

static bool is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

int lsm_check(const struct oci_process *p, const struct oci_linux *l,
	      struct berth_error *err)
{
	if (p != NULL && is_set(p->apparmor_profile) && !lsm_apparmor_enabled())
		return berth_err_msg(err, ENOTSUP,
				     "config.json: .process.apparmorProfile "
				     "\"%s\": AppArmor is not enabled on this "
				     "host",
				     p->apparmor_profile);
	if (p != NULL && is_set(p->selinux_label) && !lsm_selinux_enabled())
		return berth_err_msg(
		    err, ENOTSUP,
		    "config.json: .process.selinuxLabel \"%s\": "
		    "SELinux is not enabled on this host",
		    p->selinux_label);
	if (l != NULL && is_set(l->mount_label) && !lsm_selinux_enabled())
		return berth_err_msg(err, ENOTSUP,
				     "config.json: .linux.mountLabel \"%s\": "
				     "SELinux is not enabled on this host",
				     l->mount_label);
	return 0;
}

static int write_attr(const char *path, const char *value,
		      struct berth_error *err)
{
	int r = write_str_at(AT_FDCWD, path, value);
	if (r < 0)
		return berth_err(err, r, "write \"%s\" to %s", value, path);
	return 0;
}

static int set_apparmor_exec(const char *profile, struct berth_error *err)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return berth_err_msg(err, EINVAL,
				     "process.apparmorProfile: name too long");
	/* The per-LSM directory (Linux 5.8+) works whoever owns
	 * /proc/self/attr/exec; older kernels have only the shared file. */
	int r = write_str_at(AT_FDCWD, "/proc/self/attr/apparmor/exec", buf);
	if (r == -ENOENT)
		r = write_attr("/proc/self/attr/exec", buf, err);
	else if (r < 0)
		r = berth_err(err, r, "write \"%s\" to %s", buf,
			      "/proc/self/attr/apparmor/exec");
	if (r < 0)
		return berth_err_ctx(err, "process.apparmorProfile");
	return 0;
}

int lsm_set_exec_labels(const char *apparmor_profile, const char *selinux_label,
			struct berth_error *err)
{
	if (is_set(apparmor_profile)) {
		int r = set_apparmor_exec(apparmor_profile, err);
		if (r < 0)
			return r;
	}
	if (is_set(selinux_label)) {
		int r = write_attr("/proc/self/attr/exec", selinux_label, err);
		if (r < 0)
			return berth_err_ctx(err, "process.selinuxLabel");
	}
	return 0;
}
