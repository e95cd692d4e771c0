#include "runtime/rootfs/mount_opts.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "util/cleanup.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind {
	OPT_SET,      /* flags |= v */
	OPT_CLR,      /* flags &= ~v, clear |= v */
	OPT_PROP,     /* propagation */
	OPT_REC_SET,  /* rec_set |= v */
	OPT_REC_CLR,  /* rec_clr |= v */
	OPT_REC_TIME, /* recursive atime mode v */
	OPT_NOP,
	OPT_IDMAP,
	OPT_RIDMAP,
	OPT_TMPCOPYUP,
};

struct opt {
	const char *name;
	enum opt_kind kind;
	unsigned long v;
};

static const struct opt opts[] = {
    {"defaults", OPT_NOP, 0},
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLR, MS_RDONLY},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"remount", OPT_SET, MS_REMOUNT},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLR, MS_MANDLOCK},
    {"atime", OPT_CLR, MS_NOATIME},
    {"noatime", OPT_SET, MS_NOATIME},
    {"relatime", OPT_SET, MS_RELATIME},
    {"norelatime", OPT_CLR, MS_RELATIME},
    {"strictatime", OPT_SET, MS_STRICTATIME},
    {"nostrictatime", OPT_CLR, MS_STRICTATIME},
    {"diratime", OPT_CLR, MS_NODIRATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLR, MS_LAZYTIME},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLR, MS_SILENT},
    {"iversion", OPT_SET, MS_I_VERSION},
    {"noiversion", OPT_CLR, MS_I_VERSION},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLR, MS_NOSYMFOLLOW},
    {"bind", OPT_SET, MS_BIND},
    {"rbind", OPT_SET, MS_BIND | MS_REC},
    {"private", OPT_PROP, MS_PRIVATE},
    {"rprivate", OPT_PROP, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROP, MS_SHARED},
    {"rshared", OPT_PROP, MS_SHARED | MS_REC},
    {"slave", OPT_PROP, MS_SLAVE},
    {"rslave", OPT_PROP, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROP, MS_UNBINDABLE},
    {"runbindable", OPT_PROP, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_REC_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_REC_CLR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_REC_CLR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_REC_CLR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_REC_CLR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_REC_CLR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_REC_CLR, MOUNT_ATTR_NOSYMFOLLOW},
    /* The atime mode is one field: setting one value replaces the other
     * two.  "rnorelatime" names no mode, so (as in runc) it changes
     * nothing. */
    {"rrelatime", OPT_REC_TIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_NOP, 0},
    {"rnoatime", OPT_REC_TIME, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_REC_TIME, MOUNT_ATTR_RELATIME},
    {"rstrictatime", OPT_REC_TIME, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_REC_TIME, MOUNT_ATTR_RELATIME},
    {"idmap", OPT_IDMAP, 0},
    {"ridmap", OPT_RIDMAP, 0},
    {"tmpcopyup", OPT_TMPCOPYUP, 0},
};

static const struct opt *opt_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

const char *mount_opts_name(size_t i)
{
	return i < ARRAY_SIZE(opts) ? opts[i].name : NULL;
}

int mount_opts_propagation(const char *name, unsigned long *ret_flags)
{
	const struct opt *o = name ? opt_find(name) : NULL;

	if (o == NULL || o->kind != OPT_PROP)
		return -EINVAL;
	*ret_flags = o->v;
	return 0;
}

static int data_append(char **data, const char *s)
{
	size_t old = *data ? strlen(*data) : 0, n = strlen(s);
	char *p = realloc(*data, old + n + 2);

	if (p == NULL)
		return -ENOMEM;
	if (old > 0)
		p[old++] = ',';
	memcpy(p + old, s, n + 1);
	*data = p;
	return 0;
}

static int opt_apply(struct mount_opts *m, const struct opt *o)
{
	switch (o->kind) {
	case OPT_SET:
		m->flags |= o->v;
		m->clear &= ~o->v;
		break;
	case OPT_CLR:
		m->flags &= ~o->v;
		m->clear |= o->v;
		break;
	case OPT_PROP:
		if (m->propagation_n == MOUNT_OPTS_MAX_PROP)
			return -E2BIG;
		m->propagation[m->propagation_n++] = o->v;
		break;
	case OPT_REC_SET:
		m->rec_set |= o->v;
		m->rec_clr &= ~o->v;
		break;
	case OPT_REC_CLR:
		m->rec_clr |= o->v;
		m->rec_set &= ~o->v;
		break;
	case OPT_REC_TIME:
		m->rec_set = (m->rec_set & ~MOUNT_ATTR__ATIME) | o->v;
		m->rec_clr |= MOUNT_ATTR__ATIME;
		break;
	case OPT_NOP:
		break;
	case OPT_IDMAP:
		m->idmap = true;
		break;
	case OPT_RIDMAP:
		m->ridmap = true;
		break;
	case OPT_TMPCOPYUP:
		m->tmpcopyup = true;
		break;
	}
	return 0;
}

int mount_opts_parse(char *const *options, struct mount_opts *ret,
		     struct berth_error *err)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		const struct opt *o = opt_find(options[i]);
		int r;

		if (o != NULL)
			r = opt_apply(ret, o);
		else if (options[i][0] == '\0')
			continue;
		else
			r = data_append(&ret->data, options[i]);
		if (r == -E2BIG)
			return berth_err_msg(err, E2BIG,
					     "option '%s': more than %d "
					     "propagation options",
					     options[i], MOUNT_OPTS_MAX_PROP);
		if (r < 0)
			return berth_err(err, -r, "option '%s'", options[i]);
	}
	return 0;
}

void mount_opts_done(struct mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}

static uint64_t atime_attr(unsigned long flags, unsigned long clear,
			   uint64_t *clr)
{
	if (flags & MS_NOATIME) {
		*clr |= MOUNT_ATTR__ATIME;
		return MOUNT_ATTR_NOATIME;
	}
	if (flags & MS_STRICTATIME) {
		*clr |= MOUNT_ATTR__ATIME;
		return MOUNT_ATTR_STRICTATIME;
	}
	/* relatime asked for, or noatime/strictatime explicitly unset: the
	 * kernel's default mode. */
	if ((flags & MS_RELATIME) ||
	    (clear & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)))
		*clr |= MOUNT_ATTR__ATIME;
	return MOUNT_ATTR_RELATIME;
}

void mount_opts_attr(unsigned long flags, unsigned long clear,
		     uint64_t *ret_set, uint64_t *ret_clr)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
	    {MS_RDONLY, MOUNT_ATTR_RDONLY},
	    {MS_NOSUID, MOUNT_ATTR_NOSUID},
	    {MS_NODEV, MOUNT_ATTR_NODEV},
	    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
	    {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	uint64_t set = 0, clr = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (flags & map[i].ms)
			set |= map[i].attr;
		else if (clear & map[i].ms)
			clr |= map[i].attr;
	}
	set |= atime_attr(flags, clear, &clr);
	*ret_set = set;
	*ret_clr = clr;
}

void mount_opts_sb_flags(unsigned long flags, const char *names[5])
{
	size_t n = 0;

	if (flags & MS_SYNCHRONOUS)
		names[n++] = "sync";
	if (flags & MS_DIRSYNC)
		names[n++] = "dirsync";
	if (flags & MS_MANDLOCK)
		names[n++] = "mand";
	if (flags & MS_LAZYTIME)
		names[n++] = "lazytime";
	names[n] = NULL;
}
