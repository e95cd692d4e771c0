#include "namespaces/net.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

static void mnl_socket_closep(struct mnl_socket **nl)
{
	if (*nl != NULL)
		mnl_socket_close(*nl);
}

/* RTM_NEWLINK on an existing device (no NLM_F_CREATE) changes it: found
 * by IFLA_IFNAME, so no index lookup is needed. */
static struct nlmsghdr *put_link_up(char *buf, const char *ifname, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

int ns_loopback_up(struct berth_error *err)
{
	__attribute__((cleanup(mnl_socket_closep))) struct mnl_socket *nl =
	    mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return berth_err(err, errno, "bring lo up: netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return berth_err(err, errno,
				 "bring lo up: bind netlink socket");
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh = put_link_up(buf, "lo", seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return berth_err(err, errno, "bring lo up: send RTM_NEWLINK");
	uint32_t portid = mnl_socket_get_portid(nl);
	int r;
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return berth_err(err, errno,
					 "bring lo up: read RTM_NEWLINK ack");
		/* MNL_CB_STOP at the ack; -1 with errno for a NLMSG_ERROR */
		r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
	} while (r == MNL_CB_OK);
	if (r < 0)
		return berth_err(err, errno, "bring lo up: RTM_NEWLINK");
	return 0;
}
