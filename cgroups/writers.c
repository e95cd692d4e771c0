/* The writers v1 and v2 share: cpuset lists and the one-line-per-entry
 * lists, table-driven (writers.h). */
#include "cgroups/writers.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/convert.h"
#include "cgroups/io.h"
#include "util/cleanup.h"
#include "util/util.h"

static int read_host_list(const char *path, char **ret)
{
	int r = read_file_at(AT_FDCWD, path, ret, NULL);
	if (r == -ENOENT) {
		*ret = strdup("0");
		return *ret == NULL ? -ENOMEM : 0;
	}
	return r;
}

int cg_cpuset_write(const struct cg_hier *h, const struct oci_resources *res,
		    const char *cpus_file, const char *mems_file,
		    struct berth_error *err)
{
	struct {
		const char *val, *field, *file, *host, *what;
	} sets[] = {
	    {res->cpu.cpus, "linux.resources.cpu.cpus", cpus_file,
	     "/sys/devices/system/cpu/online", "CPU"},
	    {res->cpu.mems, "linux.resources.cpu.mems", mems_file,
	     "/sys/devices/system/node/online", "memory node"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		if (sets[i].val == NULL || *sets[i].val == '\0')
			continue;
		_cleanup_free_ char *host = NULL;
		if (read_host_list(sets[i].host, &host) == 0 &&
		    cg_cpulist_check(sets[i].val, host, sets[i].what, err) < 0)
			return berth_err_ctx(err, "%s", sets[i].field);
		int r =
		    cg_write(h, sets[i].field, sets[i].file, sets[i].val, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One entry of a list as what to write: @val to each of @file[0..n). */
struct entry {
	char file[2][64];
	bool optional[2]; /* only when the kernel has the file */
	size_t n;	  /* 0: nothing to write for this entry */
	char val[256];
};

static int hugetlb_entry(const struct cg_list *l,
			 const struct oci_resources *res, size_t i,
			 struct entry *e, struct berth_error *err)
{
	const struct oci_hugepage_limit *hl = &res->hugepage_limits[i];
	if (strchr(hl->page_size, '/') != NULL || strlen(hl->page_size) > 16)
		return berth_err_msg(err, EINVAL,
				     "linux.resources.hugepageLimits[%zu]"
				     ": bad pageSize \"%s\"",
				     i, hl->page_size);
	snprintf(e->file[e->n++], sizeof(e->file[0]), "hugetlb.%s.%s",
		 hl->page_size, l->file);
	if (l->file2 != NULL) {
		e->optional[e->n] = true;
		snprintf(e->file[e->n++], sizeof(e->file[0]), "hugetlb.%s.%s",
			 hl->page_size, l->file2);
	}
	if (l->signed_value)
		snprintf(e->val, sizeof(e->val), "%" PRId64,
			 (int64_t)hl->limit);
	else
		snprintf(e->val, sizeof(e->val), "%" PRIu64, hl->limit);
	return 0;
}

static int rdma_entry(const struct cg_list *l, const struct oci_resources *res,
		      size_t i, struct entry *e, struct berth_error *err)
{
	(void)err;
	const struct oci_rdma *d = &res->rdma[i];
	char *line = e->val;
	const size_t size = sizeof(e->val);
	int n = snprintf(line, size, "%s", d->device);
	if (d->hca_handles.set)
		n += snprintf(line + n, size - (size_t)n,
			      " hca_handle=%" PRIu64, d->hca_handles.v);
	if (d->hca_objects.set && n < (int)size)
		snprintf(line + n, size - (size_t)n, " hca_object=%" PRIu64,
			 d->hca_objects.v);
	if (!d->hca_handles.set && !d->hca_objects.set)
		return 0;
	snprintf(e->file[e->n++], sizeof(e->file[0]), "%s", l->file);
	return 0;
}

/* In order, each rule to the allow or the deny file; a leading deny-all
 * ("a") makes the list default-deny, as runc's emulator does. */
static int device_entry(const struct cg_list *l,
			const struct oci_resources *res, size_t i,
			struct entry *e, struct berth_error *err)
{
	const struct oci_device_cgroup *d = &res->devices[i];
	char line[96];
	int r = cg_device_rule_v1(d, line, sizeof(line), err);
	if (r < 0)
		return berth_err_ctx(err, "linux.resources.devices[%zu]", i);
	if (cg_device_rule_is_all(d))
		snprintf(line, sizeof(line), "a");
	snprintf(e->val, sizeof(e->val), "%s", line);
	snprintf(e->file[e->n++], sizeof(e->file[0]), "%s",
		 d->allow ? l->file : l->file2);
	return 0;
}

static size_t hugetlb_n(const struct oci_resources *res)
{
	return res->hugepage_limits_n;
}

static size_t rdma_n(const struct oci_resources *res)
{
	return res->rdma_n;
}

static size_t devices_n(const struct oci_resources *res)
{
	return res->devices_n;
}

static const struct {
	const char *field;
	size_t (*count)(const struct oci_resources *res);
	int (*entry)(const struct cg_list *l, const struct oci_resources *res,
		     size_t i, struct entry *e, struct berth_error *err);
} kinds[] = {
    [CG_LIST_HUGETLB] = {"linux.resources.hugepageLimits", hugetlb_n,
			 hugetlb_entry},
    [CG_LIST_RDMA] = {"linux.resources.rdma", rdma_n, rdma_entry},
    [CG_LIST_DEVICES] = {"linux.resources.devices", devices_n, device_entry},
};

/* The files a list writes stay open across its entries: a rule is one
 * write() (v1's devices.allow takes one per call), and the default
 * devices were a dozen opens of the same file. */
struct list_files {
	size_t n;
	char name[4][64];
	int fd[4];
};

static void list_files_close(struct list_files *o)
{
	for (size_t i = 0; i < o->n; i++)
		close(o->fd[i]);
}

static int list_file_write(const struct cg_hier *h, struct list_files *o,
			   const char *file, const char *val)
{
	size_t i = 0;
	while (i < o->n && strcmp(o->name[i], file) != 0)
		i++;
	if (i == o->n) {
		if (h->fd < 0)
			return -ENOENT;
		int fd = openat(h->fd, file, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (o->n == ARRAY_SIZE(o->fd)) { /* no room: this once */
			int r = write_all(fd, val, strlen(val));
			close(fd);
			return r;
		}
		snprintf(o->name[i], sizeof(o->name[i]), "%s", file);
		o->fd[o->n++] = fd;
	}
	return write_all(o->fd[i], val, strlen(val));
}

int cg_list_write(const struct cg_hier *h, const struct cg_list *l,
		  const struct oci_resources *res, struct berth_error *err)
{
	const typeof(kinds[0]) *k = &kinds[l->kind];
	__attribute__((cleanup(list_files_close))) struct list_files open = {0};
	for (size_t i = 0; i < k->count(res); i++) {
		struct entry e = {0};
		int r = k->entry(l, res, i, &e, err);
		if (r < 0)
			return r;
		for (size_t j = 0; j < e.n; j++) {
			if (e.optional[j] && !cg_has_file(h, e.file[j]))
				continue;
			r = list_file_write(h, &open, e.file[j], e.val);
			if (r < 0)
				return berth_err(err, r, "%s: write %s in %s%s",
						 k->field, e.file[j], h->mount,
						 h->path);
		}
	}
	return 0;
}
