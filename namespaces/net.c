/* The network namespace's own setup over rtnetlink (libmnl): lo up, and
 * linux.netDevices moved in (net.h). */
#include "namespaces/net.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

static void mnl_socket_closep(struct mnl_socket **nl)
{
	if (*nl != NULL)
		mnl_socket_close(*nl);
}
#define _cleanup_nl_ __attribute__((cleanup(mnl_socket_closep)))

/* A bound NETLINK_ROUTE socket of the calling thread's network namespace. */
static int nl_open(struct mnl_socket **ret)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		return -e;
	}
	*ret = nl;
	return 0;
}

/* Send @nlh (NLM_F_ACK or a dump) and read until the ack or NLMSG_DONE,
 * each answer through @cb; -errno of a NLMSG_ERROR. */
static int nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	int r;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		/* MNL_CB_STOP at the ack; -1 with errno for a NLMSG_ERROR */
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb,
			       data);
	} while (r == MNL_CB_OK);
	return r < 0 ? -errno : 0;
}

/* RTM_NEWLINK on an existing device (no NLM_F_CREATE) changes it: by
 * index, or (@index 0) by IFLA_IFNAME. */
static struct nlmsghdr *put_link(char *buf, uint16_t type, int index,
				 const char *ifname)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	if (ifname != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

static int link_up(struct mnl_socket *nl, int index, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_link(buf, RTM_NEWLINK, index, ifname);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return nl_talk(nl, nlh, NULL, NULL);
}

int ns_loopback_up(struct berth_error *err)
{
	_cleanup_nl_ struct mnl_socket *nl = NULL;
	int r = nl_open(&nl);
	if (r < 0)
		return berth_err(err, r, "bring lo up: netlink socket");
	r = link_up(nl, 0, "lo");
	return r < 0 ? berth_err(err, r, "bring lo up: RTM_NEWLINK") : 0;
}

/* ---- linux.netDevices ---- */

bool ns_ifname_valid(const char *name, bool template)
{
	size_t l = strlen(name);
	if (l == 0 || l >= IFNAMSIZ || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strpbrk(name, "/: \t\n\v\f\r") != NULL)
		return false;
	const char *pct = strchr(name, '%');
	return pct == NULL ||
	       (template && pct[1] == 'd' && strchr(pct + 1, '%') == NULL);
}

int ns_netdevs_check(const struct oci_net_device *d, size_t n, int join_fd,
		     struct berth_error *err)
{
	struct stat own, joined;
	if (n > 0 && join_fd >= 0 && fstat(join_fd, &joined) == 0 &&
	    stat("/proc/self/ns/net", &own) == 0 &&
	    own.st_ino == joined.st_ino && own.st_dev == joined.st_dev)
		return berth_err_msg(err, EINVAL,
				     "linux.netDevices: the network namespace "
				     "to join is berth's own (the host's): "
				     "the devices would not move");
	for (size_t i = 0; i < n; i++)
		if (if_nametoindex(d[i].host_name) == 0)
			return berth_err(err, errno == ENXIO ? ENODEV : errno,
					 "linux.netDevices \"%s\": no such "
					 "interface in berth's network "
					 "namespace",
					 d[i].host_name);
	return 0;
}

#define MAX_ADDRS 64

/* One address to carry over: the attributes RTM_NEWADDR needs. */
struct addr {
	struct ifaddrmsg ifa;
	uint8_t local[16], address[16], brd[16];
	uint16_t local_len, address_len, brd_len;
};

struct addrs {
	int index;
	size_t n;
	struct addr a[MAX_ADDRS];
};

static void copy_attr(const struct nlattr *at, uint8_t *dst, uint16_t *len)
{
	uint16_t l = mnl_attr_get_payload_len(at);
	if (l > 16)
		return;
	memcpy(dst, mnl_attr_get_payload(at), l);
	*len = l;
}

/* The spec's rule: permanent addresses of global scope move along. */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrs *as = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (int)ifa->ifa_index != as->index ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE || as->n == MAX_ADDRS)
		return MNL_CB_OK;
	struct addr a = {.ifa = *ifa};
	uint32_t flags = ifa->ifa_flags;
	const struct nlattr *at;
	mnl_attr_for_each(at, nlh, sizeof(*ifa))
	{
		switch (mnl_attr_get_type(at)) {
		case IFA_FLAGS:
			flags = mnl_attr_get_u32(at);
			break;
		case IFA_LOCAL:
			copy_attr(at, a.local, &a.local_len);
			break;
		case IFA_ADDRESS:
			copy_attr(at, a.address, &a.address_len);
			break;
		case IFA_BROADCAST:
			copy_attr(at, a.brd, &a.brd_len);
			break;
		}
	}
	if (flags & IFA_F_PERMANENT)
		as->a[as->n++] = a;
	return MNL_CB_OK;
}

static int list_addrs(struct mnl_socket *nl, struct addrs *as)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return nl_talk(nl, nlh, addr_cb, as);
}

static int add_addr(struct mnl_socket *nl, int index, const struct addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags =
	    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	*ifa = a->ifa;
	ifa->ifa_index = (uint32_t)index;
	if (a->local_len)
		mnl_attr_put(nlh, IFA_LOCAL, a->local_len, a->local);
	if (a->address_len)
		mnl_attr_put(nlh, IFA_ADDRESS, a->address_len, a->address);
	if (a->brd_len)
		mnl_attr_put(nlh, IFA_BROADCAST, a->brd_len, a->brd);
	return nl_talk(nl, nlh, NULL, NULL);
}

struct link_info {
	int index;
	char name[IFNAMSIZ];
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	li->index = ifm->ifi_index;
	const struct nlattr *at;
	mnl_attr_for_each(at, nlh, sizeof(*ifm))
	{
		if (mnl_attr_get_type(at) == IFLA_IFNAME)
			snprintf(li->name, sizeof(li->name), "%s",
				 mnl_attr_get_str(at));
	}
	return MNL_CB_OK;
}

/* RTM_GETLINK by index, or (@index 0) by name. */
static int get_link(struct mnl_socket *nl, int index, const char *ifname,
		    struct link_info *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_link(buf, RTM_GETLINK, index, ifname);
	*ret = (struct link_info){0};
	int r = nl_talk(nl, nlh, link_cb, ret);
	return r < 0 ? r : ret->index > 0 ? 0 : -ENODEV;
}

/* A NETLINK_ROUTE socket of the network namespace @netns_fd: sockets keep
 * the namespace they were made in, so berth visits it for the socket. */
static int nl_open_in(int netns_fd, struct mnl_socket **ret,
		      struct berth_error *err)
{
	_cleanup_close_ int own =
	    open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return berth_err(err, errno, "open /proc/self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return berth_err(err, errno,
				 "enter the container's network namespace");
	int r = nl_open(ret);
	if (setns(own, CLONE_NEWNET) < 0) {
		if (r == 0)
			mnl_socket_close(*ret);
		return berth_err(err, errno,
				 "return to berth's network namespace");
	}
	return r < 0 ? berth_err(err, r,
				 "netlink socket in the container's "
				 "network namespace")
		     : 0;
}

/* The spec: a name already taken in the container's namespace is an
 * error, unless it is a "%d" template the kernel completes. */
static int check_free(struct mnl_socket *ct, const struct oci_net_device *d,
		      struct berth_error *err)
{
	struct link_info li;
	if (strchr(d->name, '%') != NULL ||
	    get_link(ct, 0, d->name, &li) == -ENODEV)
		return 0;
	return berth_err_msg(err, EEXIST,
			     "linux.netDevices \"%s\": the container's "
			     "network namespace already has a device \"%s\"",
			     d->host_name, d->name);
}

/* Move and rename in one RTM_NEWLINK by index (the kernel renames after
 * the move, in the new namespace), then restore the addresses, then up. */
static int move_one(struct mnl_socket *host, struct mnl_socket *ct,
		    int netns_fd, const struct oci_net_device *d,
		    struct berth_error *err)
{
	const char *what = d->host_name;
	struct addrs as = {.index = (int)if_nametoindex(what)};
	if (as.index == 0)
		return berth_err(err, ENODEV, "linux.netDevices \"%s\"", what);
	int r = check_free(ct, d, err);
	if (r < 0)
		return r;
	if ((r = list_addrs(host, &as)) < 0)
		return berth_err(
		    err, r, "linux.netDevices \"%s\": its addresses", what);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_link(buf, RTM_NEWLINK, as.index, d->name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if ((r = nl_talk(host, nlh, NULL, NULL)) < 0)
		return berth_err(err, r,
				 "linux.netDevices \"%s\": move into the "
				 "container's network namespace as \"%s\"",
				 what, d->name);
	bool tmpl = strchr(d->name, '%') != NULL;
	struct link_info li;
	r = get_link(ct, tmpl ? as.index : 0, tmpl ? NULL : d->name, &li);
	if (r < 0)
		return berth_err(err, r,
				 "linux.netDevices \"%s\": find \"%s\" in the "
				 "container's network namespace",
				 what, d->name);
	for (size_t i = 0; i < as.n; i++)
		if ((r = add_addr(ct, li.index, &as.a[i])) < 0)
			return berth_err(err, r,
					 "linux.netDevices \"%s\": restore "
					 "address %zu on \"%s\"",
					 what, i + 1, li.name);
	r = link_up(ct, li.index, NULL);
	return r < 0
		   ? berth_err(err, r, "linux.netDevices \"%s\": set \"%s\" up",
			       what, li.name)
		   : 0;
}

int ns_netdevs_move(const struct oci_net_device *d, size_t n, pid_t pid,
		    struct berth_error *err)
{
	if (n == 0)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return berth_err(err, errno, "linux.netDevices: open %s", path);
	_cleanup_nl_ struct mnl_socket *host = NULL, *ct = NULL;
	int r = nl_open(&host);
	if (r < 0)
		return berth_err(err, r, "linux.netDevices: netlink socket");
	if ((r = nl_open_in(nsfd, &ct, err)) < 0)
		return berth_err_ctx(err, "linux.netDevices");
	for (size_t i = 0; i < n; i++)
		if ((r = move_one(host, ct, nsfd, &d[i], err)) < 0)
			return r;
	return 0;
}
